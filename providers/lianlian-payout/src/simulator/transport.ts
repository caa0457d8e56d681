/** A minimal node:http transport for loopback simulators (tests and `paykit demo`). Never leaves 127.0.0.1. */
import { request } from 'node:http';
import { err, errAsync, ok, ResultAsync } from 'neverthrow';
import { PaymentErrors, type HttpResponse, type HttpTransport, type PayResult } from '@paykit/core';

/**
 * An `HttpTransport` that talks only to loopback addresses over plain HTTP. A timeout is a
 * `Timeout`; a failure after the connection opened is `Network` with `sent: true`.
 *
 * @example
 * ```ts
 * const paykit = await createPaykit(config, { plugins: [lianlianPayoutPlugin], transport: loopbackTransport() });
 * ```
 */
export function loopbackTransport(): HttpTransport {
  return {
    send(req, o) {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        return errAsync(PaymentErrors.invalidConfig(`not a URL: ${req.url.slice(0, 80)}`));
      }
      if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
        return errAsync(PaymentErrors.network(`the loopback transport only reaches http://127.0.0.1, not ${url.origin}`, false));
      }
      return new ResultAsync(new Promise<PayResult<HttpResponse>>((resolve) => {
        let connected = false;
        let done = false;
        const finish = (r: PayResult<HttpResponse>): void => {
          if (!done) {
            done = true;
            clearTimeout(timer);
            resolve(r);
          }
        };
        const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : Buffer.from(req.body);
        const r = request(url, { method: req.method, agent: false, headers: { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
            finish(ok({ status: res.statusCode ?? 0, headers, body: new Uint8Array(Buffer.concat(chunks)) }));
          });
          res.on('error', () => finish(err(PaymentErrors.network(`${o.operation}: the reply was cut off`, true))));
        });
        const timer = setTimeout(() => {
          finish(err(PaymentErrors.timeout(`${o.operation}: no reply within ${o.timeoutMs} ms`)));
          r.destroy();
        }, o.timeoutMs);
        r.on('socket', (s) => {
          if (!s.connecting) connected = true;
          else s.once('connect', () => { connected = true; });
        });
        r.on('error', (e) => finish(err(PaymentErrors.network(`${o.operation}: ${e.message}`, connected))));
        r.end(body);
      }));
    },
  };
}
