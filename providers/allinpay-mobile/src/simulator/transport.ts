import { request as httpRequest } from 'node:http';
import { err, ok, ResultAsync } from 'neverthrow';
import { PaymentErrors, type HttpRequest, type HttpResponse, type HttpTransport, type PaymentError, type PayResult, type SendOptions } from '@paykit/core';

/** A {@link loopbackTransport}: a transport that records what it sent. */
export interface LoopbackTransport extends HttpTransport {
  /** Every request sent, in order (tests assert on the wire). */
  readonly sent: HttpRequest[];
}

/**
 * A minimal `node:http` transport that only reaches 127.0.0.1, for the simulator's demo and tests.
 * `Timeout` when the deadline passes; `Network` with `sent: false` only when no connection was made.
 *
 * @example
 * ```ts
 * const paykit = await createPaykit(config, { plugins: [allinpayMobilePlugin], transport: loopbackTransport() });
 * ```
 */
export function loopbackTransport(timeoutOverrideMs?: number): LoopbackTransport {
  const sent: HttpRequest[] = [];
  return {
    sent,
    send(request: HttpRequest, options: SendOptions): ResultAsync<HttpResponse, PaymentError> {
      sent.push(request);
      return new ResultAsync(once(request, timeoutOverrideMs ?? options.timeoutMs, options.operation));
    },
  };
}

function once(request: HttpRequest, timeoutMs: number, what: string): Promise<PayResult<HttpResponse>> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return Promise.resolve(err(PaymentErrors.network(`${what}: "${request.url.slice(0, 80)}" is not an absolute URL`, false)));
  }
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    return Promise.resolve(err(PaymentErrors.network(`${what}: the loopback transport only reaches 127.0.0.1, not ${url.host}`, false)));
  }
  return new Promise((resolve) => {
    let connected = false;
    let done = false;
    const finish = (r: PayResult<HttpResponse>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    const req = httpRequest(url, {
      method: request.method, agent: false,
      headers: { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k.toLowerCase()] = v;
        finish(ok({ status: res.statusCode ?? 0, headers, body: new Uint8Array(Buffer.concat(chunks)) }));
      });
      res.on('error', (e) => finish(err(PaymentErrors.network(`${what}: the reply was cut off`, true, { cause: e }))));
    });
    req.on('socket', (s) => s.on('connect', () => { connected = true; }));
    req.on('error', (e) => finish(err(PaymentErrors.network(`${what}: ${connected ? 'connection lost after sending' : 'could not connect'}`, connected, { cause: e }))));
    const timer = setTimeout(() => {
      finish(err(PaymentErrors.timeout(`${what}: no reply within ${timeoutMs} ms`)));
      req.destroy();
    }, timeoutMs);
    req.end(body);
  });
}
