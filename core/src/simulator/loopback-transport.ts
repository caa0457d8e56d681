import { request as httpRequest, type IncomingMessage } from 'node:http';
import { err, ok, ResultAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import type { PayResult } from '../errors/result.js';
import type { HttpRequest, HttpResponse, HttpTransport, SendOptions } from '../ports/transport.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** One request the {@link LoopbackTransport} sent, for assertions on the wire. */
export interface SentRequest {
  /** The request as the plugin built it. */
  readonly request: HttpRequest;
  /** The options it was sent with. */
  readonly options: SendOptions;
}

/**
 * A small `node:http` transport for tests, demos and simulators: talks only to 127.0.0.1, honours the
 * per-call timeout, and reports failures as the transport port requires: `Timeout` when the
 * deadline passes, `Network` with `sent: false` only when the request provably never left
 * (the connection was never established), `sent: true` otherwise. It never retries.
 *
 * @example
 * ```ts
 * const transport = new LoopbackTransport();
 * transport.timeoutMs = 300; // every call in this test gives up after 300 ms
 * const paykit = await createPaykit(config, { plugins: [plugin], transport });
 * ```
 */
export class LoopbackTransport implements HttpTransport {
  /** When set, replaces every caller's `timeoutMs` (tests make timeouts short). */
  timeoutMs: number | undefined;
  /** Every request sent, in order. */
  readonly sent: SentRequest[] = [];

  /**
   * Creates a transport.
   *
   * @param timeoutMs overrides every call's timeout when given.
   */
  constructor(timeoutMs?: number) {
    this.timeoutMs = timeoutMs;
  }

  /** Sends one request; resolves to the raw reply or a `Timeout`/`Network` error. */
  send(request: HttpRequest, options: SendOptions): ResultAsync<HttpResponse, PaymentError> {
    this.sent.push({ request, options });
    return new ResultAsync(this.#send(request, options));
  }

  #send(request: HttpRequest, options: SendOptions): Promise<PayResult<HttpResponse>> {
    const timeoutMs = this.timeoutMs ?? options.timeoutMs;
    const what = options.operation;
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve(errOf(PaymentErrors.network(`${what}: "${request.url.slice(0, 80)}" is not an absolute URL`, false)));
    }
    if (!LOOPBACK.has(url.hostname) || url.protocol !== 'http:') {
      return Promise.resolve(errOf(PaymentErrors.network(`${what}: the loopback transport only reaches http://127.0.0.1, not ${url.host}`, false)));
    }
    return new Promise((resolve) => {
      let connected = false;
      let settled = false;
      const finish = (r: PayResult<HttpResponse>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const body = request.body === undefined ? undefined : typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body);
      const req = httpRequest(url, {
        method: request.method,
        headers: { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        agent: false,
      }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish(okOf({ status: res.statusCode ?? 0, headers: lowerHeaders(res.headers), body: new Uint8Array(Buffer.concat(chunks)) })));
        res.on('error', (e) => finish(errOf(PaymentErrors.network(`${what}: the reply was cut off (${e.message})`, true, { cause: e }))));
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish(errOf(PaymentErrors.timeout(`${what}: no reply within ${timeoutMs} ms${connected ? ' after the request was sent' : ''}`)));
      }, timeoutMs);
      req.on('socket', (socket) => {
        if (!socket.connecting) connected = true;
        else socket.once('connect', () => { connected = true; });
      });
      req.on('error', (e) => finish(errOf(PaymentErrors.network(
        connected ? `${what}: the connection failed after the request was sent (${e.message})` : `${what}: could not connect to ${url.host} (${e.message})`,
        connected, { cause: e },
      ))));
      req.end(body);
    });
  }
}

function lowerHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function okOf(r: HttpResponse): PayResult<HttpResponse> {
  return ok(r);
}

function errOf(e: PaymentError): PayResult<HttpResponse> {
  return err(e);
}
