import { errAsync, ok, okAsync } from 'neverthrow';
import { decodeWith } from '../container/codecs.js';
import { checkCapture, preAuthTransition, type PreAuth } from '../domain/preauth.js';
import { PaymentErrors } from '../errors/constructors.js';
import { badArgument, isObject } from '../errors/arguments.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import type { Money } from '../money/money.js';
import type { PreAuthCapability, PreAuthReport, PreAuthRequest } from '../plugin/capabilities.js';
import type { PaykitContext } from '../container/paykit.js';
import type { Store } from '../ports/store.js';
import { runMoneyOperation, type Claimed } from '../protocol/money-operation.js';
import { claimTracking, DEFAULT_LEASE_MS, ignoredReportTracking, sameClaim, settledTracking, unknownTracking, type MoneyOperation } from '../protocol/tracking.js';
import { CaptureInputCodec, Reference } from './inputs.js';
import { updateRecord } from './records.js';
import type { StoredPayment, StoredPreAuth } from './stored.js';

/** Strips storage-only fields. */
export function publicPreAuth(a: StoredPreAuth): PreAuth {
  const { instanceId: _i, inFlight: _f, lease: _l, attempts: _a, checks: _c, lastAttemptAt: _t, ...rest } = a;
  return rest;
}

/**
 * Applies a provider pre-auth report inside a unit of work. A capture above the authorised amount
 * is never applied (`Conflict`). The provider has answered: the capture or void in flight is settled,
 * except that a `notification` (which may cross a capture or void still being sent) of the status
 * the record already has says nothing of that operation: its sender settles it by its own reply, or
 * `resolvePending` by a query.
 */
export function settlePreAuthReport(tx: Store, report: PreAuthReport, notification = false): PayResultAsync<StoredPreAuth> {
  if (!isObject(tx)) return errAsync(badArgument('settlePreAuthReport', 'tx', 'the unit of work (a Store)', tx));
  if (!isObject(report)) return errAsync(badArgument('settlePreAuthReport', 'report', 'a PreAuthReport { orderId, status, captured? }', report));
  if (typeof notification !== 'boolean') return errAsync(badArgument('settlePreAuthReport', 'notification', 'true for a notification, or nothing', notification));
  return guardAsync('settlePreAuthReport', () => updateRecord<StoredPreAuth>(tx, 'preauth', report.orderId, (cur) => {
    if (report.captured !== undefined) {
      const fits = checkCapture(cur.authorised, report.captured);
      if (fits.isErr()) return fits.map(() => ({ write: false, value: cur })).mapErr((e) => PaymentErrors.conflict(`provider reports a capture of pre-authorisation ${report.orderId} that does not fit it: ${e.message}`));
    }
    const id = report.providerPreAuthId !== undefined ? { providerPreAuthId: report.providerPreAuthId } : {};
    // A notification of the status the record has, or of the hold itself (`authorised`, also when a
    // capture of unknown outcome made the record needs_attention), says nothing of the capture or
    // void in flight: it may have been sent before it.
    const crossed = notification && cur.inFlight !== undefined && (report.status === cur.status || report.status === 'authorised');
    if (crossed) return ok({ write: true, value: { ...cur, ...id } });
    return preAuthTransition(cur.status, report.status).map((t) => (t.kind === 'ignored'
      ? { write: true, value: { ...ignoredReportTracking(cur), ...id } }
      : { write: true, value: { ...settledTracking(cur), ...id, status: t.to, ...(report.captured ? { captured: report.captured } : {}) } }));
  }, 1));
}

/** What a capture or void claim fixed: the pre-authorisation and its payment. */
interface PreAuthClaim {
  readonly preauth: StoredPreAuth;
  readonly payment: StoredPayment;
  readonly amount?: Money;
}

/** Pre-authorisation operations of the facade. */
export class PreAuthOps {
  readonly #ctx: PaykitContext;
  /** @internal */
  constructor(ctx: PaykitContext) {
    this.#ctx = ctx;
  }

  /**
   * Captures up to the authorised amount of an order created as a pre-authorisation
   * (`payments.create({ …, preauth: true })`), through the money protocol: one capture or void at
   * a time, and one of unknown outcome is never sent again blindly.
   */
  capture(input: { readonly orderId: string; readonly amount: Money }): PayResultAsync<PreAuth> {
    return guardAsync('preauth.capture', () => {
      const valid = decodeWith(CaptureInputCodec, input, 'preauth.capture');
      if (valid.isErr()) return errAsync(valid.error);
      return this.#operate('preauth.capture', input.orderId, input.amount);
    });
  }

  /** Releases the hold of an order created as a pre-authorisation, through the money protocol. */
  void(orderId: string): PayResultAsync<PreAuth> {
    return guardAsync('preauth.void', () => {
      const id = decodeWith(Reference, orderId, 'preauth.void.orderId');
      if (id.isErr()) return errAsync(id.error);
      return this.#operate('preauth.void', orderId);
    });
  }

  /** Reads a recorded pre-authorisation without calling the provider. */
  get(orderId: string): PayResultAsync<PreAuth> {
    return guardAsync('preauth.get', () => {
      const id = decodeWith(Reference, orderId, 'preauth.get.orderId');
      if (id.isErr()) return errAsync(id.error);
      return this.#ctx.store.get<StoredPreAuth>('preauth', orderId).andThen((a) => (a ? okAsync(publicPreAuth(a.value))
        : errAsync(PaymentErrors.notFound(`no pre-authorisation ${orderId} is recorded: capture or void creates it`))));
    });
  }

  #operate(operation: 'preauth.capture' | 'preauth.void', orderId: string, amount?: Money): PayResultAsync<PreAuth> {
    const { store, clock } = this.#ctx;
    return store.get<StoredPayment>('payment', orderId).andThen((p) => {
      if (!p) return errAsync(PaymentErrors.notFound(`no payment is recorded for order ${orderId}`));
      const svc = this.#ctx.service('preauth', operation === 'preauth.capture' ? 'capture' : 'void', p.value.instanceId);
      if (svc.isErr()) return errAsync(svc.error);
      const service: PreAuthCapability = svc.value.service;
      return runMoneyOperation<PreAuthClaim, PreAuthReport, PreAuth>(this.#ctx, {
        operation,
        describe: (c) => `${operation === 'preauth.capture' ? 'capture' : 'void'} of pre-authorisation ${c.preauth.orderId}`,
        resolution: (c) => ({ operation: 'resolvePending', reference: c.preauth.orderId, hint: `run paykit.resolvePending({ kinds: ['preauths'] }): it asks the provider when it can, else marks the pre-authorisation needs_attention; never send the ${operation} again blindly` }),
        claim: (tx) => claimPreAuth(tx, operation, orderId, clock.now(), amount),
        send: (c) => {
          const request: PreAuthRequest = { payment: { orderId, amount: c.payment.amount, createdAt: c.payment.createdAt }, ...(c.amount !== undefined ? { amount: c.amount } : {}) };
          return operation === 'preauth.capture' ? service.capture(request) : service.void(request);
        },
        settle: (tx, _c, report) => settlePreAuthReport(tx, report).map(publicPreAuth),
        release: (tx, c) => updateRecord<StoredPreAuth>(tx, 'preauth', orderId, (cur) => {
          // Settled meanwhile (a notification), or no longer this claim: nothing of it to end.
          if (!sameClaim(cur, c.preauth)) return ok({ write: false, value: cur });
          // A refusal proves this capture or void did not happen: a pre-authorisation handed to a
          // person because this send outlived its lease is back where it was (authorised).
          const back = cur.status === 'needs_attention' && cur.attention?.from === 'authorised' ? { status: 'authorised' as const } : {};
          return ok({ write: true, value: { ...settledTracking(cur), ...back } });
        }, 1),
        unknown: (tx, c, e) => updateRecord<StoredPreAuth>(tx, 'preauth', orderId, (cur) => {
          if (!sameClaim(cur, c.preauth)) return ok({ write: false, value: cur });
          return ok({ write: true, value: unknownTracking(cur, e.message) });
        }, 1),
      });
    });
  }
}

/**
 * The capture/void claim: the order must have been created as a pre-authorisation and paid
 * (authorised); the pre-authorisation record is created in this commit when it is the first
 * operation on it; nothing else may be in flight on it.
 */
function claimPreAuth(tx: Store, operation: MoneyOperation, orderId: string, now: Date, amount?: Money): PayResultAsync<Claimed<PreAuthClaim, PreAuth>> {
  return tx.get<StoredPayment>('payment', orderId).andThen((p) => {
    if (!p) return errAsync(PaymentErrors.notFound(`no payment is recorded for order ${orderId}`));
    const payment = p.value;
    if (payment.preauth !== true) {
      return errAsync(PaymentErrors.conflict(`order ${orderId} is an ordinary sale, not a pre-authorisation: nothing to ${operation === 'preauth.capture' ? 'capture' : 'void'} (refund it instead)`));
    }
    if (payment.status !== 'succeeded') {
      return errAsync(PaymentErrors.conflict(`order ${orderId} is ${payment.status}: only an authorised pre-authorisation can be captured or voided`));
    }
    return tx.get<StoredPreAuth>('preauth', orderId).andThen((a) => {
      const cur: StoredPreAuth = a?.value ?? { orderId, authorised: payment.amount, status: 'authorised', instanceId: payment.instanceId };
      if (cur.inFlight) {
        return errAsync(PaymentErrors.conflict(`pre-authorisation ${orderId} has a ${cur.inFlight.operation} ${cur.inFlight.state === 'unknown' ? 'of unknown outcome' : 'in flight'}: resolvePending settles it; it is never sent again blindly`));
      }
      if (cur.status !== 'authorised') return errAsync(PaymentErrors.conflict(`pre-authorisation ${orderId} is already ${cur.status}`));
      if (amount !== undefined) {
        const fits = checkCapture(cur.authorised, amount);
        if (fits.isErr()) return errAsync(fits.error);
      }
      const next = claimTracking(cur, operation, now, DEFAULT_LEASE_MS, amount);
      const written = a ? tx.update('preauth', orderId, a.version, next) : tx.insert('preauth', orderId, next);
      return written.map(() => ({ send: { preauth: next, payment, ...(amount !== undefined ? { amount } : {}) } }));
    });
  });
}
