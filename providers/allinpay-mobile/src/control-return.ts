/**
 * The payer's return for the mobile control (spec 2.2.2). When the control closes, the iOS
 * delegate (`APayResult:`) or the Android activity result (extra `result`) hands the merchant's app
 * a JSON string that names no order and carries no signature. The app posts it, unchanged, to
 * paykit's return route with the order number it paid:
 *
 * ```json
 * { "orderNo": "A1001", "result": "{\"payResult\":0,\"payAmount\":1000,\"payTime\":\"20240101120000\",\"payOrderId\":\"…\"}" }
 * ```
 *
 * plus `"currency": "JPY"` for an order in another currency than the instance's. "Verified" can
 * only mean: decoded strictly (no other member, each within its bounds, the result in one of the
 * two documented forms) and, in core, tied to an order recorded on the instance for the same
 * amount. It is what the payer's device says, never more: the claim is `unsigned` and
 * `payments.handleReturn` asks Allinpay (order query v1.5) before the page shows a payment.
 */
import { err, ok } from 'neverthrow';
import {
  decodeText, decodeWith, isCurrencyCode, PaymentErrors, type PayResult, type RawHttpRequest, type ReturnClaim,
} from '@paykit/core';
import type { AllinpaySettings } from './config.js';
import { checkOrderNo, PROVIDER_ID } from './http.js';
import { parseSyncResult, syncOutcomeStatus } from './mapping.js';
import { ControlReturn } from './wire.js';

/** Largest body accepted: the envelope and a control result are well under 1 KiB. */
const MAX_BODY = 8 * 1024;

const HOW = 'the app posts {"orderNo": the order it paid, "result": the control\'s result string unchanged} as JSON';

const decodeError = (message: string, path?: string) => PaymentErrors.decode(message, { providerId: PROVIDER_ID, ...(path !== undefined ? { path } : {}) });

/** Decodes what the merchant's app posted after the control closed into an unsigned claim. */
export function verifyControlReturn(request: RawHttpRequest, settings: AllinpaySettings): PayResult<ReturnClaim> {
  if (request.body.length === 0) return err(decodeError(`the return has no body: ${HOW}`));
  if (request.body.length > MAX_BODY) return err(decodeError(`the return body of ${request.body.length} bytes is too large: ${HOW}`));
  const text = decodeText(request.body, 'UTF-8');
  if (text.isErr()) return err(decodeError(`the return body is not UTF-8: ${HOW}`));
  let json: unknown;
  try {
    json = JSON.parse(text.value);
  } catch {
    return err(decodeError(`the return body is not JSON: ${HOW}`));
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return err(decodeError(`the return body is not a JSON object: ${HOW}`));
  const unknown = Object.keys(json).find((k) => !ControlReturn.order.includes(k));
  if (unknown !== undefined) return err(decodeError(`the return has a member "${unknown.slice(0, 30)}" paykit does not take: ${HOW}`, unknown.slice(0, 30)));
  const envelope = decodeWith(ControlReturn.codec, json, 'controlReturn', 'reply');
  if (envelope.isErr()) return err({ ...envelope.error, providerId: PROVIDER_ID, message: `${envelope.error.message}: ${HOW}` });
  const { orderNo, result, currency } = envelope.value;
  const order = checkOrderNo(orderNo, 'orderNo');
  if (order.isErr()) return err(decodeError(order.error.message, 'orderNo'));
  if (currency !== undefined && !isCurrencyCode(currency)) return err(decodeError(`currency "${currency}" is not an ISO 4217 code: post the order's currency, or leave it out for the instance's`, 'currency'));
  // payAmount is in the order's minor units (spec 2.2.2): the instance's currency unless the app names another.
  const parsed = parseSyncResult(result, currency ?? settings.currency);
  if (parsed.isErr()) return err({ ...parsed.error, providerId: PROVIDER_ID, path: `result${parsed.error.path !== undefined ? `.${parsed.error.path}` : ''}` });
  const r = parsed.value;
  return ok({
    orderId: orderNo, status: syncOutcomeStatus(r.outcome), providerStatus: r.code, authenticity: 'unsigned',
    ...(r.amount !== undefined ? { amount: r.amount } : {}),
    ...(r.payOrderId !== undefined && r.payOrderId !== '' ? { providerPaymentId: r.payOrderId } : {}),
  });
}
