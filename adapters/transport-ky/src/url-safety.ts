import { err, ok } from 'neverthrow';
import { PaymentErrors, type PayResult } from '@paykit/core';

/**
 * Whether a URL host is a loopback address: `localhost`, any IPv4 address in 127.0.0.0/8, or `::1`.
 * Only these may be reached over plain `http:` (simulators and local tests).
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1') // true
 * isLoopbackHost('[::1]')     // true
 * isLoopbackHost('pay.example.com') // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m !== null && m.slice(1).every((part) => Number(part) <= 255);
}

/**
 * Checks a request URL before anything is sent: it must be absolute, `https:`, or `http:` to a
 * loopback host. Anything else is `InvalidConfig` naming the host (never the query string, which
 * may carry data); an operation name that is not a string is `InvalidRequest`.
 */
export function checkRequestUrl(url: string, operation: string): PayResult<URL> {
  if (typeof operation !== 'string') {
    return err(PaymentErrors.invalidRequest('checkRequestUrl takes the request URL and the operation name (a string such as "payments.create") for its messages', { path: 'operation' }));
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return err(PaymentErrors.invalidConfig(`${operation}: the request URL is not an absolute URL: configure the provider's base URL as https://host/path`, { path: 'url' }));
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return err(PaymentErrors.invalidConfig(`${operation}: the request URL for ${parsed.host} carries credentials; put them in the provider options instead`, { path: 'url' }));
  }
  if (parsed.protocol === 'https:') return ok(parsed);
  if (parsed.protocol === 'http:') {
    if (isLoopbackHost(parsed.hostname)) return ok(parsed);
    return err(PaymentErrors.invalidConfig(
      `${operation}: refusing plain http to ${parsed.host}: use https (plain http is allowed only for loopback hosts such as 127.0.0.1 and localhost)`,
      { path: 'url' },
    ));
  }
  return err(PaymentErrors.invalidConfig(`${operation}: unsupported URL scheme "${parsed.protocol}" for ${parsed.host}: use https`, { path: 'url' }));
}
