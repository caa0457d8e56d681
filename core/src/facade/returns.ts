/**
 * The payer's return: what the payer's side hands back after paying, verified by the plugin, shown
 * to the result page, and never applied to the record. A payment still waiting gets a provider
 * query instead, so the page can show the provider's verified word within seconds.
 */
import { err, errAsync, ok, okAsync } from 'neverthrow';
import type { Payment, PaymentStatus } from '../domain/payment.js';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { guard, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { ReturnClaim } from '../plugin/capabilities.js';
import type { PaykitContext } from '../container/paykit.js';
import type { RawHttpRequest } from '../ports/transport.js';
import { safeLog } from '../protocol/commit.js';
import type { StoredPayment } from './stored.js';

/** What the result page needs after a payer's return. */
export interface HandledReturn {
  /** The payment as recorded: after the provider query when one ran, else as it was. */
  readonly payment: Payment;
  /** What the return claimed (verified where the provider signs it); never applied to the record. */
  readonly claimed: ReturnClaim;
  /** Whether a provider query ran (the payment was still waiting, or the claim could move it on). */
  readonly queried: boolean;
  /** Why the query failed, when it did: `payment` is then the record as it was before. */
  readonly queryError?: PaymentError;
}

/** Recorded statuses a provider query may still move: the payer's return asks the provider about them. */
const WAITING: readonly PaymentStatus[] = ['created', 'pending', 'processing', 'needs_attention'];
/** Recorded statuses a later success can follow (a new attempt on the same order). */
const RETRYABLE: readonly PaymentStatus[] = ['failed', 'closed'];
/** Claims that say the payer paid, or that the provider took the attempt. */
const CLAIMS_PROGRESS: readonly PaymentStatus[] = ['succeeded', 'processing'];

/**
 * Whether the payer's return starts a provider query: always for a payment still waiting; for a
 * failed or closed one only when the return claims a (new) payment went through; never for a paid
 * one (nothing a return says could change it).
 */
export function returnNeedsQuery(recorded: PaymentStatus, claimed: PaymentStatus): boolean {
  return WAITING.includes(recorded) || (RETRYABLE.includes(recorded) && CLAIMS_PROGRESS.includes(claimed));
}

/** The raw request, checked for the shape the plugins read (a merchant's edge code may pass anything). */
function checkRawRequest(request: unknown): PayResult<RawHttpRequest> {
  const r = request as Partial<RawHttpRequest> | null | undefined;
  if (typeof r !== 'object' || r === null || typeof r.method !== 'string' || typeof r.url !== 'string'
    || typeof r.headers !== 'object' || r.headers === null || !(r.body instanceof Uint8Array)) {
    return err(PaymentErrors.invalidRequest('payments.handleReturn takes the raw request: { method, url (path and query), headers (lower-case names), body (the exact bytes, a Uint8Array) }', { path: 'request' }));
  }
  return ok(r as RawHttpRequest);
}

/**
 * Verifies a payer's return with the instance's plugin and answers what the result page shows.
 * The claim must name an order recorded on this instance, for its amount; a payment still waiting
 * is queried (`query`, which applies the provider's verified answer by the transition rules).
 */
export function handlePaymentReturn(
  ctx: PaykitContext,
  query: (orderId: string) => PayResultAsync<Payment>,
  publicPayment: (p: StoredPayment) => Payment,
  instanceId: string,
  request: RawHttpRequest,
): PayResultAsync<HandledReturn> {
  const raw = checkRawRequest(request);
  if (raw.isErr()) return errAsync(raw.error);
  const svc = ctx.service('payments', 'handleReturn', instanceId);
  if (svc.isErr()) return errAsync(svc.error);
  const { instance, service } = svc.value;
  const verifyReturn = service.verifyReturn;
  if (typeof verifyReturn !== 'function') {
    return errAsync(PaymentErrors.unsupported('payments.handleReturn', `${instance.plugin.displayName} (instance ${instance.id}) does not verify payer returns: show the payment as recorded (payments.get) or query it (payments.query)`, { providerId: instance.plugin.id }));
  }
  const verified = guard(`${instance.plugin.id}.verifyReturn`, () => verifyReturn.call(service, raw.value));
  if (verified.isErr()) {
    safeLog(ctx.logger, 'warn', 'payer return refused', { instance: instance.id, kind: verified.error.kind, error: verified.error.message });
    return errAsync(verified.error);
  }
  const claimed = verified.value;
  return ctx.store.get<StoredPayment>('payment', claimed.orderId).andThen((rec) => {
    const refused = refusal(rec?.value, claimed, instance.id);
    if (refused !== undefined) {
      safeLog(ctx.logger, 'warn', 'payer return refused', { instance: instance.id, order: claimed.orderId, kind: refused.kind, error: refused.message });
      return errAsync(refused);
    }
    const recorded = rec?.value as StoredPayment;
    const log = (queried: boolean, queryError?: PaymentError): void => safeLog(ctx.logger, 'info', 'payer return', {
      instance: instance.id, order: claimed.orderId, claimed: claimed.status, authenticity: claimed.authenticity, recorded: recorded.status, queried,
      ...(queryError !== undefined ? { queryError: queryError.kind } : {}),
    });
    if (!returnNeedsQuery(recorded.status, claimed.status)) {
      log(false);
      return okAsync<HandledReturn>({ payment: publicPayment(recorded), claimed, queried: false });
    }
    return query(claimed.orderId)
      .map((payment): HandledReturn => {
        log(true);
        return { payment, claimed, queried: true };
      })
      .orElse((queryError) => {
        log(true, queryError);
        // The record as it is now (a concurrent notification may have moved it), else as read above.
        return ctx.store.get<StoredPayment>('payment', claimed.orderId)
          .orElse(() => okAsync(rec))
          .map((now): HandledReturn => ({ payment: publicPayment(now?.value ?? recorded), claimed, queried: true, queryError }));
      });
  });
}

/** Why a verified claim is not shown: no such order here, or an amount that is not the order's. */
function refusal(recorded: StoredPayment | undefined, claimed: ReturnClaim, instanceId: string): PaymentError | undefined {
  const order = String(claimed.orderId).slice(0, 64);
  if (recorded === undefined) {
    return PaymentErrors.notFound(`no payment is recorded for order ${order}: a return for an order paykit did not create is not shown`);
  }
  if (recorded.instanceId !== instanceId) {
    return PaymentErrors.conflict(`order ${order} is served by instance ${recorded.instanceId}, but its return came to instance ${instanceId}: give each instance its own return URL`);
  }
  const amount = claimed.amount;
  if (amount !== undefined && (amount.currency !== recorded.amount.currency || amount.amount !== recorded.amount.amount)) {
    return PaymentErrors.conflict(`the return claims ${amount.amount} ${amount.currency} minor units for order ${order}, but ${recorded.amount.amount} ${recorded.amount.currency} were recorded: it is not this order's result`);
  }
  return undefined;
}
