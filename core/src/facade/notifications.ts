import { errAsync, okAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { guard, guardAsync, type PayResultAsync } from '../errors/result.js';
import { zero } from '../money/money.js';
import type { DomainEvent, PaymentReport } from '../plugin/capabilities.js';
import type { PaykitContext } from '../container/paykit.js';
import type { HttpReply, RawHttpRequest } from '../ports/transport.js';
import type { Store } from '../ports/store.js';
import { inUnitOfWork } from '../ports/unit-of-work.js';
import { applyPaymentReport } from './payments.js';
import { applyPayoutReport } from './payouts.js';
import { applyRefundReport } from './refunds.js';
import { applyPreAuthReport } from './preauth.js';
import { updateRecord } from './records.js';
import type { StoredPayment } from './stored.js';

/** What handling a notification did. */
export interface HandledNotification {
  /** The verified event. */
  readonly event: DomainEvent;
  /** True when this provider event was already recorded (a redelivery): nothing was applied again. */
  readonly duplicate: boolean;
  /** The exact acknowledgement to send back. */
  readonly reply: HttpReply;
}

const FALLBACK_REJECT: HttpReply = { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'notification rejected' };

/** Notification handling of the facade: verify, apply once, acknowledge. */
export class NotificationOps {
  readonly #ctx: PaykitContext;
  /** @internal */
  constructor(ctx: PaykitContext) {
    this.#ctx = ctx;
  }

  /**
   * Verifies a raw provider notification for an instance, applies its event by the domain's
   * transition tables (a late failure never undoes a success), records the provider event once,
   * and returns the exact acknowledgement. Send the acknowledgement only when this returns Ok; on Err
   * send {@link NotificationOps.rejection} so the provider retries.
   */
  handle(instanceId: string, request: RawHttpRequest): PayResultAsync<HandledNotification> {
    return guardAsync('notifications.handle', () => {
      const svc = this.#ctx.service('notifications', 'handle', instanceId);
      if (svc.isErr()) return errAsync(svc.error);
      const verified = guard('notifications.verify', () => svc.value.service.verify(request));
      if (verified.isErr()) {
        this.#ctx.logger.log('warn', 'notification rejected', { instance: instanceId, error: verified.error.message });
        return errAsync(verified.error);
      }
      const { event, eventKey, ack } = verified.value;
      const notification = { providerId: svc.value.instance.plugin.id, eventKey: `${instanceId}:${eventKey}`, payload: JSON.stringify(event) };
      // The event's effects and its entry in the notification ledger are committed together: a
      // redelivery (even one racing the first in another process) finds the entry and changes nothing.
      return inUnitOfWork(this.#ctx.store, (tx) => this.#apply(withStore(this.#ctx, tx), instanceId, event), { notification })
        .map((done) => {
          const duplicate = done.outcome === 'duplicate';
          this.#ctx.logger.log('info', 'notification accepted', { instance: instanceId, event: event.type, key: eventKey, duplicate });
          return { event, duplicate, reply: ack };
        });
    });
  }

  /** The provider's error reply for a notification that was not accepted (so it is delivered again). */
  rejection(instanceId: string, error: PaymentError): HttpReply {
    try {
      const svc = this.#ctx.service('notifications', 'reject', instanceId);
      if (svc.isErr()) return FALLBACK_REJECT;
      return svc.value.service.reject(error);
    } catch {
      return FALLBACK_REJECT;
    }
  }

  #apply(ctx: PaykitContext, instanceId: string, event: DomainEvent): PayResultAsync<unknown> {
    const { store } = ctx;
    switch (event.type) {
      case 'payment':
        return store.get<StoredPayment>('payment', event.report.orderId).andThen((rec) =>
          rec ? okAsync(undefined) : store.insert<StoredPayment>('payment', event.report.orderId, recordFromReport(instanceId, event.report, ctx.clock.now()))
            .map(() => undefined).orElse((e) => (e.kind === 'Conflict' ? okAsync(undefined) : errAsync(e))))
          .andThen(() => updateRecord<StoredPayment>(store, 'payment', event.report.orderId, (cur) => applyPaymentReport(cur, event.report)));
      case 'refund':
        return applyRefundReport(ctx, event.report);
      case 'payout':
        return applyPayoutReport(ctx, event.report);
      case 'preauth':
        return applyPreAuthReport(ctx, event.report);
      default:
        return errAsync(PaymentErrors.internal('unknown event type'));
    }
  }
}

/** The context with its store replaced by a unit of work's view. */
function withStore(ctx: PaykitContext, store: Store): PaykitContext {
  return { store, clock: ctx.clock, logger: ctx.logger, service: (c, op, id) => ctx.service(c, op, id) };
}

/** A payment record made from a verified notification for an order paykit has no record of. */
function recordFromReport(instanceId: string, report: PaymentReport, now: Date): StoredPayment {
  // Start from `created` so the report's own status is applied by the transition table.
  return {
    orderId: report.orderId, instanceId, amount: report.amount, status: 'created',
    refunded: zero(report.amount.currency), refundReserved: zero(report.amount.currency), createdAt: now,
  };
}
