/** The HTTP edge of the Allinpay client: form posts, error replies and unknown outcomes. */
import { err, errAsync, ok, okAsync } from 'neverthrow';
import {
  decodeText, decodeWith, formatCst, parseKv, PaymentErrors, type HttpTransport, type PaymentError, type PayResult,
  type PayResultAsync, type Resolution,
} from '@paykit/core';
import { allinpayErrorCode, isDocumentedAllinpayCode } from './error-codes.js';
import { RESULT_UNKNOWN_CODES } from './error-table.js';
import { HTTPS_TEST_BASE_URL, type AllinpaySettings } from './config.js';
import { ErrorReply } from './wire.js';

/** The plugin id, used in errors. */
export const PROVIDER_ID = 'allinpay-mobile';

/** Allinpay endpoints (spec 3.1, 3.3, 3.7, 4.1). */
export const PATHS = {
  gateway: '/gateway/index.do',
  batchQuery: '/mchtoq/index.do',
  refundQuery: '/mchtoq/refundQuery',
} as const;

/**
 * How long Allinpay answers queries about an order or a refund: "one month" (spec 3.1: 仅支持查询
 * 一个月以内的订单; 3.7: 可查询近一个月的退款订单状态). Read as the shortest calendar month, 28
 * days, so that every query paykit sends is inside the window however Allinpay counts the month.
 */
export const QUERY_WINDOW_MS = 28 * 24 * 60 * 60 * 1000;

/**
 * Refuses, before anything is sent, a query about something older than {@link QUERY_WINDOW_MS}:
 * Allinpay would not answer for it, and an answer such as ZF10027 (no such order) would be read as
 * "not paid". The error says where to look instead.
 */
export function checkQueryWindow(since: Date | undefined, now: Date, what: string, section: '3.1' | '3.7', path: string): PayResult<void> {
  if (since === undefined || now.getTime() - since.getTime() <= QUERY_WINDOW_MS) return ok(undefined);
  const day = formatCst(since).slice(0, 8);
  return err(PaymentErrors.invalidRequest(
    `${what} dates from ${day} (China time), older than the one month Allinpay answers queries for (spec ${section}): `
    + 'check it on Allinpay\'s merchant site and settle the record by hand',
    { path, code: 'expired', retryable: false, providerId: PROVIDER_ID },
  ));
}

/** The body text of a reply, decoded as UTF-8 (Allinpay's reply charset). */
export type ReplyText = string;

/**
 * Posts a form and returns the reply text. A non-2xx reply is a provider error; for a
 * money-moving call the caller turns anything that may have landed into an unknown outcome.
 */
export function postForm(
  transport: HttpTransport, settings: AllinpaySettings, path: string, fields: Readonly<Record<string, string | undefined>>,
  kind: 'query' | 'money', operation: string,
): PayResultAsync<ReplyText> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') form.append(k, v);
  return transport.send({
    method: 'POST', url: `${settings.baseUrl}${path}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'text/plain' },
    body: form.toString(),
  }, { timeoutMs: settings.timeoutMs, kind, operation: `${PROVIDER_ID}.${operation}` }).mapErr((e) => plainHttpHint(e, settings)).andThen((res) => {
    if (res.status < 200 || res.status > 299) {
      return errAsync(PaymentErrors.providerRejected(`Allinpay answered HTTP ${res.status} to ${operation}: try again later`, { providerId: PROVIDER_ID, retryable: res.status >= 500, code: 'provider_error' }));
    }
    const text = decodeText(res.body, 'UTF-8');
    return text.isOk() ? okAsync(text.value.trim()) : errAsync({ ...text.error, providerId: PROVIDER_ID });
  });
}

/**
 * A transport's refusal of a plain-http base URL, with what chose it and how to avoid it: the
 * documented test endpoint is plain http (spec 3.1), and paykit's own transport refuses plain http
 * to anything but loopback hosts.
 */
function plainHttpHint(e: PaymentError, settings: AllinpaySettings): PaymentError {
  if (e.kind !== 'InvalidConfig' || !settings.baseUrl.startsWith('http:')) return e;
  const why = settings.insecureHttp
    ? `this instance uses Allinpay's plain-http test endpoint ${settings.baseUrl} (insecureHttpTestEndpoint: true); use a transport that allows plain http to it, or set "baseUrl": "${HTTPS_TEST_BASE_URL}" instead`
    : `this instance's baseUrl ${settings.baseUrl} is plain http; use https`;
  return { ...e, message: `${e.message} (${why})`, providerId: PROVIDER_ID };
}

/** Whether a reply is an `ERRORCODE=…&ERRORMSG=…` error reply. */
export function isErrorReply(text: ReplyText): boolean {
  return /^ERRORCODE=/i.test(text);
}

/** The error an `ERRORCODE=` reply stands for, with the code mapped (spec 6.1, 3.8). */
export function errorReplyOf(text: ReplyText, operation: string): PaymentError {
  const parsed = decodeWith(ErrorReply.codec, parseKv(text.replace(/&\s+/g, '&')), `${operation}.reply`, 'reply');
  if (parsed.isErr()) return { ...parsed.error, providerId: PROVIDER_ID };
  const { ERRORCODE: code, ERRORMSG: msg } = parsed.value;
  const mapping = allinpayErrorCode(code);
  const message = (msg ?? mapping.description).replace(/^"|"$/g, '');
  const details = { providerId: PROVIDER_ID, providerCode: code, providerMessage: message, code: mapping.code, retryable: mapping.retryable };
  if (mapping.code === 'not_found') return PaymentErrors.notFound(`Allinpay found nothing for ${operation}: ${message} (${code})`, details);
  return PaymentErrors.providerRejected(`Allinpay refused ${operation}: ${message} (${code}, ${mapping.category} to fix)`, details);
}

/**
 * A money-moving call's failure: when the request may have reached Allinpay (timeout, reset after
 * sending, a 5xx, a reply that cannot be decoded or verified, a code the spec does not list, one
 * whose own text says the result is unknown: `RESULT_UNKNOWN_CODES`) the
 * outcome is unknown and the caller must run `resolution` before anything else. A refusal with a
 * documented code stays what it is: an undocumented one says nothing about whether Allinpay acted
 * (and `ERRORCODE=` replies are unsigned, spec 3.4), so only the query may settle it.
 */
export function moneyFailure(e: PaymentError, resolution: Resolution): PaymentError {
  const unknownCode = e.kind === 'ProviderRejected' && e.providerCode !== undefined
    && (!isDocumentedAllinpayCode(e.providerCode) || RESULT_UNKNOWN_CODES.has(e.providerCode.trim()));
  const mayHaveLanded = e.kind === 'Timeout' || (e.kind === 'Network' && e.sent) || unknownCode
    || e.kind === 'Decode' || e.kind === 'Signature' || (e.kind === 'ProviderRejected' && e.providerCode === undefined && e.retryable);
  if (!mayHaveLanded) return e;
  return PaymentErrors.outcomeUnknown(`the ${resolution.operation.split('.')[0]} call may or may not have taken effect: ${e.message}`, resolution, { providerId: PROVIDER_ID, cause: e });
}

/** Checks a merchant reference the spec limits to letters, digits, `-` and `_` (max 50). */
export function checkOrderNo(value: string, path: string): PayResult<string> {
  return /^[A-Za-z0-9_-]{1,50}$/.test(value) ? ok(value)
    : err(PaymentErrors.invalidRequest(`${path} "${String(value).slice(0, 60)}" must be 1-50 letters, digits, "-" or "_" (Allinpay spec 3.1)`, { path }));
}
