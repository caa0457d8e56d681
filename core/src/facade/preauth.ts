import { errAsync, okAsync } from 'neverthrow';
import { decodeWith } from '../container/codecs.js';
import { checkCapture, preAuthTransition, type PreAuth } from '../domain/preauth.js';
import { PaymentErrors } from '../errors/constructors.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import type { Money } from '../money/money.js';
import type { PreAuthReport } from '../plugin/capabilities.js';
import type { PaykitContext } from '../container/paykit.js';
import { CaptureInputCodec, Reference } from './inputs.js';
import { updateRecord } from './records.js';
import type { StoredPayment, StoredPreAuth } from './stored.js';

/** Applies a provider pre-auth report to its record (created from the payment when missing). */
export function applyPreAuthReport(ctx: PaykitContext, report: PreAuthReport): PayResultAsync<PreAuth> {
  return updateRecord<StoredPreAuth>(ctx.store, 'preauth', report.orderId, (cur) => preAuthTransition(cur.status, report.status).map((t) =>
    t.kind === 'ignored' ? { write: false, value: cur }
      : { write: true, value: { ...cur, status: t.to, ...(report.captured ? { captured: report.captured } : {}) } }));
}

/** Pre-authorisation operations of the facade. */
export class PreAuthOps {
  readonly #ctx: PaykitContext;
  /** @internal */
  constructor(ctx: PaykitContext) {
    this.#ctx = ctx;
  }

  #ensure(orderId: string): PayResultAsync<{ preauth: StoredPreAuth; payment: StoredPayment }> {
    const { store } = this.#ctx;
    return store.get<StoredPayment>('payment', orderId).andThen((p) => {
      if (!p) return errAsync(PaymentErrors.notFound(`no payment is recorded for order ${orderId}`));
      if (p.value.status !== 'succeeded') return errAsync(PaymentErrors.conflict(`order ${orderId} is ${p.value.status}: only an authorised (paid) pre-authorisation can be captured or voided`));
      return store.get<StoredPreAuth>('preauth', orderId).andThen((a) => {
        if (a) return okAsync({ preauth: a.value, payment: p.value });
        const fresh: StoredPreAuth = { orderId, authorised: p.value.amount, status: 'authorised', instanceId: p.value.instanceId };
        return store.insert('preauth', orderId, fresh).orElse((e) => (e.kind === 'Conflict' ? store.get<StoredPreAuth>('preauth', orderId).map((v) => v ?? { value: fresh, version: 1 }) : errAsync(e)))
          .map((v) => ({ preauth: v.value, payment: p.value }));
      });
    });
  }

  /** Captures up to the authorised amount of a pre-authorised order. */
  capture(input: { readonly orderId: string; readonly amount: Money }): PayResultAsync<PreAuth> {
    return guardAsync('preauth.capture', () => {
      const valid = decodeWith(CaptureInputCodec, input, 'preauth.capture');
      if (valid.isErr()) return errAsync(valid.error);
      return this.#ensure(input.orderId).andThen(({ preauth, payment }) => {
        if (preauth.status !== 'authorised') return errAsync(PaymentErrors.conflict(`pre-authorisation ${input.orderId} is already ${preauth.status}`));
        const ok = checkCapture(preauth.authorised, input.amount);
        if (ok.isErr()) return errAsync(ok.error);
        const svc = this.#ctx.service('preauth', 'capture', preauth.instanceId);
        if (svc.isErr()) return errAsync(svc.error);
        return svc.value.service.capture({ payment: { orderId: payment.orderId, amount: payment.amount, createdAt: payment.createdAt }, amount: input.amount })
          .andThen((report) => applyPreAuthReport(this.#ctx, report));
      });
    });
  }

  /** Releases a pre-authorisation. */
  void(orderId: string): PayResultAsync<PreAuth> {
    return guardAsync('preauth.void', () => {
      const id = decodeWith(Reference, orderId, 'preauth.void.orderId');
      if (id.isErr()) return errAsync(id.error);
      return this.#ensure(orderId).andThen(({ preauth, payment }) => {
        if (preauth.status !== 'authorised') return errAsync(PaymentErrors.conflict(`pre-authorisation ${orderId} is already ${preauth.status}`));
        const svc = this.#ctx.service('preauth', 'void', preauth.instanceId);
        if (svc.isErr()) return errAsync(svc.error);
        return svc.value.service.void({ payment: { orderId: payment.orderId, amount: payment.amount, createdAt: payment.createdAt } })
          .andThen((report) => applyPreAuthReport(this.#ctx, report));
      });
    });
  }
}

