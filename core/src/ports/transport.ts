import type { PayResultAsync } from '../errors/result.js';

/** An HTTP request as the provider will receive it. */
export interface HttpRequest {
  /** Method. */
  readonly method: 'GET' | 'POST';
  /** Absolute URL. */
  readonly url: string;
  /** Headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body as exact bytes or text (UTF-8). */
  readonly body?: string | Uint8Array;
}

/** An HTTP reply with its raw body bytes (never re-decoded before verification). */
export interface HttpResponse {
  /** Status code. */
  readonly status: number;
  /** Headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw body. */
  readonly body: Uint8Array;
}

/** Per-call options. */
export interface SendOptions {
  /** Give up after this many milliseconds. */
  readonly timeoutMs: number;
  /**
   * `query`: safe to retry (the transport may retry with backoff).
   * `money`: moves money; never retried; a timeout or a reset after connect is an unknown outcome.
   */
  readonly kind: 'query' | 'money';
  /** Operation name for logs, e.g. `lianlian-web.orderQuery`. */
  readonly operation: string;
}

/**
 * The HTTP transport port. Errors: `Network` (with `sent` false only when the request provably never
 * left) and `Timeout`. A non-2xx reply is *not* an error here: the provider decides what it means.
 */
export interface HttpTransport {
  /** Sends a request. */
  send(request: HttpRequest, options: SendOptions): PayResultAsync<HttpResponse>;
}

/** An inbound HTTP request (a notification or a browser return), as raw as the edge can give it. */
export interface RawHttpRequest {
  /** Method. */
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  /** Headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw body bytes, exactly as received. */
  readonly body: Uint8Array;
}

/** The reply an inbound request gets: the provider's exact acknowledgement, or an error reply. */
export interface HttpReply {
  /** Status code. */
  readonly status: number;
  /** Headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body, exact. */
  readonly body: string;
}
