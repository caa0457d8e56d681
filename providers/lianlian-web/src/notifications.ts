/**
 * Spec 4.3 (async notification) and 4.2 (sync return): raw bytes in, verified domain result out.
 * Pure functions; the injectable service binds them to an instance's options.
 */
import { inject, injectable } from 'inversify';
import { err, ok } from 'neverthrow';
import {
  decodeText, guard, PaymentErrors, Tokens, type Charset, type Clock, type HttpReply, type NotificationsCapability,
  type PaymentError, type PaymentReport, type PayResult, type RawHttpRequest, type ReturnClaim, type VerifiedNotification,
} from '@paykit/core';
import { parseJsonObject } from './api.js';
import { signedCharsetOf } from './charset.js';
import { notifySignTypeOf, type LianlianWebOptions } from './config.js';
import { PROVIDER_ID, reportOf } from './mapping.js';
import { type LoadedKeys } from './signer.js';
import { InstanceKeys } from './keys.js';
import { readSignedMessage, type ExtraFields } from './signed-message.js';
import { NOTIFICATION_ACK, NotificationCodec, SyncReturnCodec, type Notification, type SyncReturn } from './wire.js';

/** Largest notification body accepted (the real ones are well under 2 KiB). */
const MAX_BODY = 64 * 1024;

/** The exact acknowledgement of spec 4.3, sent only for a verified notification. */
export const ACK_REPLY: HttpReply = { status: 200, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: NOTIFICATION_ACK };

/** A verified notification: the wire message and its domain report. */
export interface VerifiedLianlianNotification {
  /** The decoded wire fields. */
  readonly wire: Notification;
  /** Signed fields the spec's table lacks (a field LianLian added later), kept as text. */
  readonly extra: ExtraFields;
  /** The domain report. */
  readonly report: PaymentReport;
  /** The exact text whose signature was checked. */
  readonly signedText: string;
}

function checkPartner(oidPartner: string, o: LianlianWebOptions): PayResult<void> {
  return oidPartner === o.oidPartner ? ok(undefined)
    : err(PaymentErrors.signature(`message is for merchant ${oidPartner}, not this instance's ${o.oidPartner}`, { providerId: PROVIDER_ID }));
}

/**
 * Verifies a raw notification body: strict UTF-8 JSON holding the fields of spec 4.3 (and any the
 * table lacks, kept when the signature covers them), signed with the sign type configured on the
 * merchant site (README rule 6: not the request's), for this merchant. Nothing in it is trusted
 * before this returns Ok.
 *
 * The report carries the signed payer and card fields as `providerDetails` (`id_no` masked), and,
 * for a success, `paidAt` = `receivedAt`: the notification has no payment time, and LianLian sends
 * it as the payment completes (integration guide 五), so its arrival is the closest bound.
 */
export function verifyNotificationBody(body: Uint8Array, o: LianlianWebOptions, keys: LoadedKeys, receivedAt?: Date): PayResult<VerifiedLianlianNotification> {
  return guard('lianlian-web.verifyNotificationBody', () => {
    if (body.length === 0) return err(PaymentErrors.decode('empty notification body: pass the raw request body, unparsed', { providerId: PROVIDER_ID }));
    if (body.length > MAX_BODY) return err(PaymentErrors.decode(`notification body of ${body.length} bytes is too large`, { providerId: PROVIDER_ID }));
    // Straight-line early returns rather than a chain of closures: this runs on every notification.
    const json = parseJsonObject(body, 'notification');
    if (json.isErr()) return err(json.error);
    const message = readSignedMessage(json.value, NotificationCodec, { expected: [notifySignTypeOf(o)] }, keys, 'notification');
    if (message.isErr()) return err(message.error);
    const { wire, extra, signedText } = message.value;
    const partner = checkPartner(wire.oid_partner, o);
    if (partner.isErr()) return err(partner.error);
    const report = reportOf(wire, receivedAt === undefined ? { extra } : { extra, paidAt: receivedAt });
    if (report.isErr()) return err(report.error);
    return ok({ wire, extra, report: report.value, signedText });
  });
}

/** The identity of a notification, the same on every redelivery (spec 4.3 retries). */
export function eventKeyOf(w: Notification): string {
  return `${w.no_order}:${w.oid_paybill}:${w.result_pay}`;
}

/** Percent-decodes one form value into bytes, then text in the form's charset. */
function formValue(raw: string, charset: Charset): PayResult<string> {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i] as string;
    if (c === '+') bytes.push(0x20);
    else if (c === '%' && /^[0-9A-Fa-f]{2}$/.test(raw.slice(i + 1, i + 3))) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const code = c.charCodeAt(0);
      if (code > 0x7e || code < 0x20) return err(PaymentErrors.decode('form body has raw non-ASCII bytes: it must be URL-encoded'));
      bytes.push(code);
    }
  }
  return decodeText(Uint8Array.from(bytes), charset);
}

/** Decodes an `application/x-www-form-urlencoded` body whose values are in `charset`. Duplicate keys are refused. */
export function parseFormBody(body: Uint8Array, charset: Charset): PayResult<Record<string, string>> {
  const text = decodeText(body, 'UTF-8');
  if (text.isErr()) return err(PaymentErrors.decode('form body is not URL-encoded ASCII'));
  const out: Record<string, string> = {};
  if (text.value.length === 0) return ok(out);
  for (const pair of text.value.split('&')) {
    const i = pair.indexOf('=');
    const k = formValue(i < 0 ? pair : pair.slice(0, i), charset);
    const v = formValue(i < 0 ? '' : pair.slice(i + 1), charset);
    if (k.isErr()) return err(k.error);
    if (v.isErr()) return err(v.error);
    if (Object.prototype.hasOwnProperty.call(out, k.value)) return err(PaymentErrors.decode(`form field "${k.value.slice(0, 40)}" appears twice`));
    out[k.value] = v.value;
  }
  return ok(out);
}

/** The sync return, verified: a hint for the page, never the payment's final state. */
export interface SyncReturnHint {
  /** Always false: only the async notification or an order query settles a payment (spec 4.2, 4.3). */
  readonly final: false;
  /** What the page may show while the notification or a query confirms. */
  readonly claimed: PaymentReport;
  /** The decoded wire fields. */
  readonly wire: SyncReturn;
  /** Signed fields the spec's table lacks, kept as text. */
  readonly extra: ExtraFields;
  /** What to do next. */
  readonly advice: string;
  /** The exact text whose signature was checked. */
  readonly signedText: string;
}

/**
 * Verifies and parses the form LianLian's cashier posts to `url_return` (spec 4.2). It only says
 * what the page may show: record the payment from the notification or `payments.query`.
 *
 * @example
 * ```ts
 * const hint = parseSyncReturn(rawBody, options);
 * if (hint.isOk()) showThanksPage(hint.value.claimed.orderId); // then wait for the notification
 * ```
 */
export function parseSyncReturn(body: Uint8Array, o: LianlianWebOptions, keys?: LoadedKeys): PayResult<SyncReturnHint> {
  return guard('lianlian-web.parseSyncReturn', () => {
    const loaded = keys === undefined ? InstanceKeys.load(o) : ok(keys);
    if (loaded.isErr()) return err(loaded.error);
    const charset = o.charset ?? 'UTF-8';
    return parseFormBody(body, charset)
      // The same bytes as the form's signature: UTF-8, or charset_name with signedBytes "form-charset".
      .andThen((form) => readSignedMessage(form, SyncReturnCodec, { expected: [o.signType, notifySignTypeOf(o)], charset: signedCharsetOf(o.signedBytes, charset) }, loaded.value, 'sync return'))
      .andThen(({ wire, extra, signedText }) => checkPartner(wire.oid_partner, o).andThen(() => reportOf(wire, { extra })).map((claimed) => ({
        final: false as const, claimed, wire, extra, signedText,
        advice: 'show the result page only; the payment is recorded from the async notification or payments.query',
      })));
  });
}

/**
 * The payer's return as `payments.handleReturn` takes it: the raw `url_return` request, whose body
 * is the form LianLian's cashier has the browser POST (spec 4.2: sent after a success only, signed
 * like the notification). Verified by {@link parseSyncReturn}; the claim is never recorded.
 */
export function verifyReturnRequest(request: RawHttpRequest, o: LianlianWebOptions, keys: LoadedKeys): PayResult<ReturnClaim> {
  if (request.body.length === 0) {
    return err(PaymentErrors.decode('the url_return request has no body: LianLian\'s cashier POSTs the signed form (spec 4.2); pass the raw POST body', { providerId: PROVIDER_ID }));
  }
  if (request.body.length > MAX_BODY) return err(PaymentErrors.decode(`url_return body of ${request.body.length} bytes is too large`, { providerId: PROVIDER_ID }));
  return parseSyncReturn(request.body, o, keys).map(({ claimed }) => ({
    orderId: claimed.orderId, status: claimed.status, amount: claimed.amount, authenticity: 'signed' as const,
    ...(claimed.providerPaymentId !== undefined ? { providerPaymentId: claimed.providerPaymentId } : {}),
    ...(claimed.providerStatus !== undefined ? { providerStatus: claimed.providerStatus } : {}),
  }));
}

/** The notifications capability of a LianLian web instance. */
@injectable()
export class LianlianWebNotifications implements NotificationsCapability {
  readonly #options: LianlianWebOptions;
  readonly #keys: InstanceKeys;
  readonly #clock: Clock;

  /** Built by the container. */
  constructor(@inject(Tokens.InstanceConfig) options: unknown, @inject(InstanceKeys) keys: InstanceKeys, @inject(Tokens.Clock) clock: Clock) {
    this.#options = options as LianlianWebOptions;
    this.#keys = keys;
    this.#clock = clock;
  }

  /** Verifies a raw notification and maps it to a payment event with the exact acknowledgement. */
  verify(request: RawHttpRequest): PayResult<VerifiedNotification> {
    return guard('lianlian-web.notifications.verify', () => this.#keys.get()
      .andThen((keys) => verifyNotificationBody(request.body, this.#options, keys, this.#clock.now()))
      .map((v) => ({ event: { type: 'payment' as const, report: v.report }, eventKey: eventKeyOf(v.wire), ack: ACK_REPLY })));
  }

  /** A non-0000 reply, so LianLian delivers the notification again. */
  reject(error: PaymentError): HttpReply {
    const code = error.kind === 'Signature' ? '1001' : '9999';
    return { status: 200, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: JSON.stringify({ ret_code: code, ret_msg: 'notification not accepted' }) };
  }
}
