import ky, { isHTTPError, type KyInstance, type ShouldRetryState } from 'ky';
import { errAsync, ResultAsync } from 'neverthrow';
import {
  PaymentErrors, silentLogger, type HttpRequest, type HttpResponse, type HttpTransport, type Logger,
  type PayResultAsync, type SendOptions,
} from '@paykit/core';
import { BodyTimeoutError, classifyFailure, isTimeout, neverSent } from './classify.js';
import { checkRequestUrl } from './url-safety.js';

/** Options of {@link kyTransport}. */
export interface KyTransportOptions {
  /** How many times a `query` call is retried after a safe-to-retry failure (default 2). `money` calls never are. */
  readonly retries?: number;
  /** Delay before the first retry in ms (default 300); each further retry waits twice as long. */
  readonly backoffMs?: number;
  /** Upper bound of one backoff delay in ms (default 5000). */
  readonly backoffLimitMs?: number;
  /** The fetch implementation (default the global fetch): for instrumentation and tests. */
  readonly fetch?: (input: Request | URL | string, init?: RequestInit) => Promise<Response>;
  /** Where retries are logged (operation, attempt, reason; never bodies). Silent by default. */
  readonly logger?: Logger;
}

/** Statuses after which a query is retried: the gateway or the provider was briefly unavailable. */
const RETRY_STATUSES = new Set([502, 503, 504]);
/** The largest timeout a timer can hold. */
const MAX_TIMEOUT_MS = 2_147_483_647;

function headersOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

/** Reads the reply body as raw bytes, giving up after `ms` (ky's timeout covers only the headers). */
async function readBody(res: Response, ms: number, abort: AbortController, operation: string): Promise<Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(new BodyTimeoutError(operation));
    }, ms);
  });
  try {
    return new Uint8Array(await Promise.race([res.arrayBuffer(), late]));
  } finally {
    clearTimeout(timer);
  }
}

function checkOptions(request: HttpRequest, options: SendOptions): string | undefined {
  if (!Number.isSafeInteger(options.timeoutMs) || options.timeoutMs <= 0 || options.timeoutMs > MAX_TIMEOUT_MS) {
    return `timeoutMs must be a positive integer number of milliseconds (at most ${MAX_TIMEOUT_MS})`;
  }
  if (request.method !== 'GET' && request.method !== 'POST') return `method must be GET or POST`;
  if (request.method === 'GET' && request.body !== undefined) return 'a GET request cannot carry a body';
  try {
    new Headers(request.headers);
  } catch {
    return 'a header name or value is not valid HTTP (control characters or non-Latin-1 text)';
  }
  return undefined;
}

class KyTransport implements HttpTransport {
  readonly #ky: KyInstance;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #backoffLimitMs: number;
  readonly #logger: Logger;

  constructor(options: KyTransportOptions) {
    this.#retries = options.retries ?? 2;
    this.#backoffMs = options.backoffMs ?? 300;
    this.#backoffLimitMs = options.backoffLimitMs ?? 5000;
    this.#logger = options.logger ?? silentLogger;
    this.#ky = ky.create({
      ...(options.fetch ? { fetch: options.fetch } : {}),
      // Redirects of payment calls are never followed: a 3xx is returned for the provider to judge.
      redirect: 'manual',
    });
  }

  send(request: HttpRequest, options: SendOptions): PayResultAsync<HttpResponse> {
    // Everything is checked before anything is sent: a refused URL never reaches DNS or a socket.
    const url = checkRequestUrl(request.url, options.operation);
    if (url.isErr()) return errAsync(url.error);
    const problem = checkOptions(request, options);
    if (problem !== undefined) return errAsync(PaymentErrors.invalidRequest(`${options.operation}: ${problem}`, { path: 'request' }));
    const host = url.value.host;
    return ResultAsync.fromPromise(this.#send(url.value, request, options), (e) => classifyFailure(e, host, options));
  }

  async #send(url: URL, request: HttpRequest, options: SendOptions): Promise<HttpResponse> {
    const query = options.kind === 'query';
    const abort = new AbortController();
    // When the latest attempt started: its headers and body together get `timeoutMs`.
    let attemptStarted = Date.now();
    const shouldRetry = ({ error, retryCount }: ShouldRetryState): boolean => {
      // Only failures where repeating a query is safe and may help; never a money call (limit 0 anyway).
      const safe = query && (neverSent(error) || isTimeout(error) || (isHTTPError(error) && RETRY_STATUSES.has(error.response.status)));
      if (safe) {
        const reason = isHTTPError(error) ? `HTTP ${error.response.status}` : isTimeout(error) ? 'timeout' : 'not sent';
        this.#logger.log('warn', `${options.operation}: retrying query`, { operation: options.operation, host: url.host, retry: retryCount, reason });
      }
      return safe;
    };
    let response: Response;
    try {
      response = await this.#ky(url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: typeof request.body === 'string' ? request.body : Buffer.from(request.body) } : {}),
        timeout: options.timeoutMs,
        signal: abort.signal,
        hooks: { beforeRequest: [() => { attemptStarted = Date.now(); }] },
        // A status error is raised only where a query retry may follow; every reply is otherwise returned as is.
        throwHttpErrors: (status) => query && RETRY_STATUSES.has(status),
        retry: {
          limit: query ? this.#retries : 0,
          methods: ['get', 'post'],
          delay: (attempt) => this.#backoffMs * 2 ** (attempt - 1),
          backoffLimit: this.#backoffLimitMs,
          shouldRetry,
        },
      });
    } catch (e) {
      // Retries used up on a 502/503/504: the reply itself is the answer; the provider decides.
      if (isHTTPError(e)) response = e.response;
      else throw e;
    }
    const remaining = Math.max(1, options.timeoutMs - (Date.now() - attemptStarted));
    const body = await readBody(response, remaining, abort, options.operation);
    return { status: response.status, headers: headersOf(response), body };
  }
}

/**
 * An `HttpTransport` built on ky. Non-2xx replies are returned, not failed (the provider decides
 * what they mean). `query` calls are retried with exponential backoff after a refused connection, a
 * DNS failure, a timeout or a 502/503/504; `money` calls are sent exactly once. `timeoutMs` bounds
 * each attempt, headers and body together. Plain `http:` is refused except to loopback hosts.
 * Never throws or rejects: failures are `Timeout`, `Network` (with `sent`) or `InvalidConfig`/`InvalidRequest`.
 *
 * @example
 * ```ts
 * const paykit = await createPaykit(config, { plugins, transport: kyTransport({ retries: 2 }) });
 * ```
 */
export function kyTransport(options: KyTransportOptions = {}): HttpTransport {
  const problem = optionsProblem(options);
  // A factory has no Result to fail with: wrong options make a transport whose every call says what to fix.
  if (problem !== undefined) return { send: () => errAsync(PaymentErrors.invalidConfig(`kyTransport options: ${problem}`, { path: 'transport' })) };
  return new KyTransport(options);
}

/** What is wrong with options given by a JavaScript caller, or undefined. */
function optionsProblem(o: unknown): string | undefined {
  try {
    if (typeof o !== 'object' || o === null) return 'pass an object { retries?, backoffMs?, backoffLimitMs?, fetch?, logger? } or nothing';
    const given = o as Record<string, unknown>;
    for (const name of ['retries', 'backoffMs', 'backoffLimitMs']) {
      const v = given[name];
      if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)) return `${name} must be a whole number, 0 or more`;
    }
    if (given.fetch !== undefined && typeof given.fetch !== 'function') return 'fetch must be a function like globalThis.fetch';
    if (given.logger !== undefined && typeof (given.logger as { log?: unknown } | null)?.log !== 'function') return 'logger must be a paykit Logger (an object with log(level, message, fields))';
    return undefined;
  } catch {
    return 'the options object cannot be read';
  }
}
