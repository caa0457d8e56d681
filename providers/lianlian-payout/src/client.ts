/** The payout capability: apply, confirm and query against LianLian's payout API. */
import { inject, injectable } from 'inversify';
import { err, errAsync, ok, okAsync } from 'neverthrow';
import {
  decodeWith, guard, guardAsync, parseDecimal, PaymentErrors, Tokens, type HttpResponse, type HttpTransport, type Logger,
  type PaymentError, type PayoutConfirmation, type PayoutReport, type PayoutRequest, type PayoutsCapability,
  type PayResult, type PayResultAsync, type Store,
} from '@paykit/core';
import { SameCardPolicy } from './card-policy.js';
import { DEFAULT_BASE_URL, type LianlianPayoutOptions } from './config.js';
import { classifyMoneyCode, classifyQueryCode, mapErrorCode, payoutStatusOf } from './mapping.js';
import { reserveLimits } from './limits.js';
import { encryptPayload, type RandomSource } from './payload.js';
import { readApplyReply, readQueryReply } from './replies.js';
import { applyFields, confirmFields, queryFields } from './requests.js';
import { signFields } from './signer.js';
import { LianlianPayoutTokens } from './tokens.js';
import { QueryFound, type ApplyReply } from './wire.js';

/** The plugin id, used as `providerId` on errors. */
export const PROVIDER_ID = 'lianlian-payout';

/**
 * Signs request fields and wraps them in the encrypted envelope `{"oid_partner","pay_load"}` that
 * `payment.htm` and `confirmPayment.htm` take. Returns the body and the signed plain fields.
 */
export function encryptedBody(fields: Readonly<Record<string, string>>, o: Pick<LianlianPayoutOptions, 'oidPartner' | 'privateKey' | 'lianlianPublicKey'>, random: RandomSource): PayResult<{ readonly body: string; readonly signed: Readonly<Record<string, string>> }> {
  return guard('lianlian-payout.encryptedBody', () => {
    if (typeof o !== 'object' || o === null) return err(PaymentErrors.invalidRequest('o must be the instance options with oidPartner, privateKey and lianlianPublicKey', { path: 'o' }));
    return signFields(fields, o.privateKey).andThen((signed) => encryptPayload(JSON.stringify(signed), o.lianlianPublicKey, random)
      .map((payLoad) => ({ body: JSON.stringify({ oid_partner: o.oidPartner, pay_load: payLoad }), signed })));
  });
}

function unknown(request: PayoutRequest, what: string, cause?: PaymentError, providerCode?: string): PaymentError {
  return PaymentErrors.outcomeUnknown(`LianLian payout ${request.providerOrderId}: ${what}; it may or may not have been accepted`, {
    operation: 'payouts.resolve', reference: request.payoutId,
    hint: `call paykit.payouts.resolve("${request.payoutId}"): it queries queryPayment.htm and resubmits only on 8901, with the same no_order`,
  }, { providerId: PROVIDER_ID, ...(cause !== undefined ? { cause } : {}), ...(providerCode !== undefined ? { providerCode } : {}) });
}

/** LianLian payouts, bound to `Tokens.Payouts`. */
@injectable()
export class LianlianPayouts implements PayoutsCapability {
  readonly #o: LianlianPayoutOptions;
  readonly #transport: HttpTransport;
  readonly #logger: Logger;
  readonly #random: RandomSource;
  readonly #policy: SameCardPolicy;
  readonly #instanceId: string;

  /** Built by the container. */
  constructor(
    @inject(Tokens.InstanceConfig) options: unknown,
    @inject(Tokens.Transport) transport: HttpTransport,
    @inject(Tokens.Logger) logger: Logger,
    @inject(LianlianPayoutTokens.Random) random: RandomSource,
    @inject(LianlianPayoutTokens.CardPolicy) policy: SameCardPolicy,
    @inject(Tokens.InstanceId) instanceId: string,
  ) {
    this.#o = options as LianlianPayoutOptions;
    this.#transport = transport;
    this.#logger = logger;
    this.#random = random;
    this.#policy = policy;
    this.#instanceId = instanceId;
  }

  #post(path: string, body: string, kind: 'query' | 'money', operation: string): PayResultAsync<HttpResponse> {
    const base = (this.#o.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    return this.#transport.send(
      { method: 'POST', url: `${base}/${path}`, headers: { 'content-type': 'application/json;charset=utf-8' }, body },
      { timeoutMs: this.#o.timeoutMs ?? 30_000, kind, operation: `${PROVIDER_ID}.${operation}` },
    );
  }

  /** Sends an encrypted money call and reads its verified reply; anything short of a verified reply is an unknown outcome. */
  #moneyCall(request: PayoutRequest, path: string, fields: Readonly<Record<string, string>>, operation: string): PayResultAsync<ApplyReply> {
    const built = encryptedBody(fields, this.#o, this.#random);
    if (built.isErr()) return errAsync(built.error);
    return this.#post(path, built.value.body, 'money', operation)
      .mapErr((e) => (e.kind === 'Timeout' || (e.kind === 'Network' && e.sent) ? unknown(request, `${operation} got no reply (${e.kind})`, e) : e))
      .andThen((res) => {
        if (res.status < 200 || res.status > 299) return err(unknown(request, `${operation} answered HTTP ${res.status}`));
        const reply = readApplyReply(res.body, this.#o.lianlianPublicKey, { oidPartner: this.#o.oidPartner, noOrder: request.providerOrderId }, `payout ${operation} reply`);
        // A reply that cannot be trusted says nothing about whether the order exists: query it.
        if (reply.isErr()) return err(unknown(request, `${operation} reply could not be trusted (${reply.error.message})`, reply.error));
        this.#logger.log('info', `${PROVIDER_ID} ${operation}`, { no_order: request.providerOrderId, ret_code: reply.value.ret_code });
        return ok(reply.value);
      });
  }

  #report(request: PayoutRequest, reply: ApplyReply, accepted: PayoutReport['status']): PayResultAsync<PayoutReport> {
    const c = classifyMoneyCode(reply.ret_code);
    const base = { providerOrderId: request.providerOrderId, providerStatus: reply.ret_code, ...(reply.oid_paybill !== undefined ? { providerPayoutId: reply.oid_paybill } : {}) };
    switch (c.kind) {
      case 'accepted':
        return okAsync({ ...base, status: accepted });
      case 'held':
        return okAsync({
          ...base, status: 'held_for_review', reason: { providerCode: reply.ret_code, code: mapErrorCode(reply.ret_code).code, message: reply.ret_msg },
          ...(reply.confirm_code !== undefined ? { confirmCode: reply.confirm_code } : {}),
        });
      case 'rejected':
        // The facade records the payout failed, which also ends its same-card reservation.
        return errAsync(PaymentErrors.providerRejected(`LianLian refused payout ${request.providerOrderId}: ${reply.ret_msg} (${reply.ret_code})`, {
          code: c.mapping.code, retryable: c.mapping.retryable, providerId: PROVIDER_ID, providerCode: reply.ret_code, providerMessage: reply.ret_msg,
        }));
      default:
        return errAsync(unknown(request, `LianLian answered ${reply.ret_code} (${reply.ret_msg}), which means "query first"`, undefined, reply.ret_code));
    }
  }

  /**
   * Checks a new payout inside paykit's claim, before it is recorded or sent: the request is valid
   * for `payment.htm` (and its notify URL for `confirmPayment.htm`), within `perPayoutLimit` and
   * the day's `perDayLimit`, and, with `sameCardPolicy`, within the card's allowance. The day and
   * card reservations are written through `tx`, so they commit with the payout record or not at all.
   */
  reserve(request: PayoutRequest, tx: Store): PayResultAsync<void> {
    return guardAsync('lianlian-payout.reserve', () => {
      const fields = applyFields(request, this.#o);
      if (fields.isErr()) return errAsync(fields.error);
      return reserveLimits(request, tx, this.#instanceId, this.#o)
        .andThen(() => (this.#o.sameCardPolicy === true
          ? this.#policy.authorize(request.account.accountNumber, request.amount, request.payoutId, tx).map(() => undefined)
          : okAsync<void, PaymentError>(undefined)));
    });
  }

  /** Sends a payout to `payment.htm` (reserved by {@link LianlianPayouts.reserve} when paykit claimed it). */
  submit(request: PayoutRequest): PayResultAsync<PayoutReport> {
    return guardAsync('lianlian-payout.submit', () => {
      const fields = applyFields(request, this.#o);
      if (fields.isErr()) return errAsync(fields.error);
      return this.#moneyCall(request, 'payment.htm', fields.value, 'apply')
        .andThen((reply) => this.#report(request, reply, 'accepted'));
    });
  }

  /** Confirms a held payout with its confirm code (`confirmPayment.htm`). */
  confirm(confirmation: PayoutConfirmation): PayResultAsync<PayoutReport> {
    return guardAsync('lianlian-payout.confirm', () => {
      const fields = confirmFields(confirmation, this.#o);
      if (fields.isErr()) return errAsync(fields.error);
      return this.#moneyCall(confirmation.request, 'confirmPayment.htm', fields.value, 'confirm')
        .andThen((reply) => this.#report(confirmation.request, reply, 'accepted'));
    });
  }

  /** Queries a payout (`queryPayment.htm`, plain signed JSON); `NotFound` on 8901. */
  query(request: PayoutRequest): PayResultAsync<PayoutReport> {
    return guardAsync('lianlian-payout.query', () => {
      const signed = queryFields(request, this.#o).andThen((f) => signFields(f, this.#o.privateKey));
      if (signed.isErr()) return errAsync(signed.error);
      return this.#post('queryPayment.htm', JSON.stringify(signed.value), 'query', 'query').andThen((res) => {
        if (res.status < 200 || res.status > 299) {
          return errAsync(PaymentErrors.providerRejected(`LianLian payout query answered HTTP ${res.status}; try again later`, { retryable: true, providerId: PROVIDER_ID }));
        }
        const reply = readQueryReply(res.body, this.#o.lianlianPublicKey, { oidPartner: this.#o.oidPartner, noOrder: request.providerOrderId });
        if (reply.isErr()) return errAsync({ ...reply.error, providerId: PROVIDER_ID });
        const r = reply.value;
        const c = classifyQueryCode(r.ret_code);
        if (c.kind === 'no-record') {
          return errAsync(PaymentErrors.notFound(`LianLian has no record of payout order ${request.providerOrderId} (8901): resolve resubmits it with the same no_order`, { providerId: PROVIDER_ID, providerCode: r.ret_code, providerMessage: r.ret_msg }));
        }
        if (c.kind === 'rejected') {
          return errAsync(PaymentErrors.providerRejected(`LianLian refused the payout query: ${r.ret_msg} (${r.ret_code})`, { code: c.mapping.code, retryable: c.mapping.retryable, providerId: PROVIDER_ID, providerCode: r.ret_code, providerMessage: r.ret_msg }));
        }
        const found = decodeWith(QueryFound, r, 'payout query reply', 'reply')
          .andThen((f) => parseDecimal(f.money_order, 'CNY', { path: 'money_order' }).mapErr((e) => PaymentErrors.decode(e.message, { path: 'money_order' }))
            .andThen((amount) => (amount.amount === request.amount.amount ? ok({ f, amount })
              : err(PaymentErrors.conflict(`LianLian reports payout ${request.providerOrderId} for ${f.money_order} yuan, but ${request.amount.amount} fen was requested: investigate before anything else`, { providerId: PROVIDER_ID })))));
        if (found.isErr()) return errAsync(found.error);
        const { f, amount } = found.value;
        const status = payoutStatusOf(f.result_pay);
        const report: PayoutReport = {
          providerOrderId: request.providerOrderId, status, amount, providerStatus: f.result_pay,
          ...(r.oid_paybill !== undefined ? { providerPayoutId: r.oid_paybill } : {}),
          ...(r.settle_date !== undefined ? { settleDate: r.settle_date } : {}),
          ...(['failed', 'closed'].includes(status) ? { reason: { providerCode: f.result_pay, message: r.info_order ?? r.ret_msg } } : {}),
        };
        return okAsync(report);
      });
    });
  }
}
