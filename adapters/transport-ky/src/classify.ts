import { isTimeoutError } from 'ky';
import { PaymentErrors, type PaymentError, type SendOptions } from '@paykit/core';

/** Socket error codes that prove the request never reached the provider (no connection was made). */
const NEVER_SENT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EHOSTUNREACH', 'ENETUNREACH',
  'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * The certificate checks of the TLS handshake: they fail before the request is written, so nothing
 * was sent, but repeating the call cannot help. Other TLS errors (`ERR_SSL_*`, an alert from a load
 * balancer) can also come while the reply is read, after the request went out: those are treated
 * as any failure after connecting.
 */
const CERTIFICATE_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|ERR_TLS_CERT_ALTNAME_INVALID$|HOSTNAME_MISMATCH$)/;

/** Thrown by the transport itself when the reply body does not arrive in time. */
export class BodyTimeoutError extends Error {
  /** Names the operation that timed out. */
  constructor(operation: string) {
    super(`${operation}: the reply body did not arrive in time`);
    this.name = 'BodyTimeoutError';
  }
}

function codeOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The socket-level error codes under a fetch failure (`TypeError: fetch failed` → cause → maybe AggregateError). */
function socketCodes(e: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = e;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const code = codeOf(current);
    if (code !== undefined) codes.push(code);
    const nested = (current as { errors?: unknown }).errors;
    if (Array.isArray(nested) && nested.length > 0) {
      const inner = nested.map(codeOf);
      // An AggregateError (one attempt per address) never sent only if no attempt connected.
      if (inner.every((c) => c !== undefined && NEVER_SENT_CODES.has(c))) codes.push(...(inner as string[]));
      else codes.push('EMIXED');
    }
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/** Whether an error is a timeout: ky's per-attempt timeout, or the transport's own body timeout. */
export function isTimeout(e: unknown): boolean {
  return isTimeoutError(e) || e instanceof BodyTimeoutError;
}

/** Whether a failure provably happened before the request left (connection refused, DNS failure…). */
export function neverSent(e: unknown): boolean {
  const codes = socketCodes(e);
  const last = codes[codes.length - 1];
  return last !== undefined && NEVER_SENT_CODES.has(last);
}

/**
 * Turns whatever fetch or ky threw into a `PaymentError`:
 * - a timeout → `Timeout` (retryable only for queries: for money it is an unknown outcome);
 * - connection refused, DNS failure, unreachable host → `Network` with `sent: false` (retryable);
 * - a certificate that fails the handshake's checks → `Network` with `sent: false`, not retryable;
 * - anything else (reset or socket closed after connect, body cut short, any other TLS error) →
 *   `Network` with `sent: true`.
 */
export function classifyFailure(e: unknown, host: string, options: SendOptions): PaymentError {
  const op = options.operation;
  if (isTimeout(e)) {
    const what = options.kind === 'money'
      ? 'the provider may have processed it: resolve the outcome by query before trying again'
      : 'safe to retry';
    return PaymentErrors.timeout(`${op}: no reply from ${host} within ${options.timeoutMs} ms (${what})`, { retryable: options.kind === 'query' });
  }
  const codes = socketCodes(e);
  const code = codes[codes.length - 1];
  if (code !== undefined && NEVER_SENT_CODES.has(code)) {
    const why = code === 'ECONNREFUSED' ? 'connection refused'
      : code.startsWith('EAI_') || code === 'ENOTFOUND' ? 'host name did not resolve' : `could not connect (${code})`;
    return PaymentErrors.network(`${op}: ${why} by ${host}; the request was not sent: check the provider URL or retry later`, false, { cause: e });
  }
  if (code !== undefined && CERTIFICATE_CODES.test(code)) {
    return PaymentErrors.network(`${op}: the TLS certificate of ${host} did not pass its checks (${code}); the request was not sent: check the provider's certificate and the URL`, false, { retryable: false, cause: e });
  }
  const detail = code !== undefined ? ` (${code})` : '';
  const advice = options.kind === 'money'
    ? 'the provider may have received it: resolve the outcome by query, never resend blindly'
    : 'the provider may have received it';
  return PaymentErrors.network(`${op}: the connection to ${host} failed after connecting${detail}; ${advice}`, true, { cause: e });
}
