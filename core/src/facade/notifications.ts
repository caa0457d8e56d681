import { errAsync, okAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { guard, guardAsync, mapOk, type PayResultAsync } from '../errors/result.js';
import type { DomainEvent } from '../plugin/capabilities.js';
import type { PaykitContext } from '../container/paykit.js';
import type { HttpReply, RawHttpRequest } from '../ports/transport.js';
import type { Store } from '../ports/store.js';
import { commitWork, safeLog } from '../protocol/commit.js';
import type { NotificationProbe } from '../observability/telemetry.js';
import { settlePaymentReport } from './payments.js';
import { settlePayoutReport } from './payouts.js';
import { settleRefundReport } from './refunds.js';
import { settlePreAuthReport } from './preauth.js';
import type { StoredPayment, StoredPreAuth } from './stored.js';

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
    const telemetry = this.#ctx.telemetry;
    if (telemetry?.active === true) return telemetry.notification(instanceId, (probe) => this.#handle(instanceId, request, probe));
    return this.#handle(instanceId, request);
  }

  /** {@link NotificationOps.handle}, its phases told to `probe` when telemetry records them. */
  #handle(instanceId: string, request: RawHttpRequest, probe?: NotificationProbe): PayResultAsync<HandledNotification> {
    return guardAsync('notifications.handle', () => {
      const svc = this.#ctx.service('notifications', 'handle', instanceId);
      if (svc.isErr()) return errAsync(svc.error);
      probe?.provider(svc.value.instance.plugin.id);
      const verify = () => guard('notifications.verify', () => svc.value.service.verify(request));
      const verified = probe === undefined ? verify() : probe.verify(verify);
      if (verified.isErr()) {
        safeLog(this.#ctx.logger, 'warn', 'notification rejected', { instance: instanceId, error: verified.error.message });
        return errAsync(verified.error);
      }
      const { event, eventKey, ack } = verified.value;
      const notification = { providerId: svc.value.instance.plugin.id, eventKey: `${instanceId}:${eventKey}`, payload: JSON.stringify(event) };
      // The event's effects and its entry in the notification ledger are committed together: a
      // redelivery (even one racing the first in another process) finds the entry and changes nothing.
      const commit = () => commitWork(this.#ctx, (tx) => this.#apply(tx, instanceId, event), { notification, cause: { source: 'notification', operation: 'notifications.handle' } });
      return mapOk(probe === undefined ? commit() : probe.commit(commit, (done) => done.outcome === 'duplicate'), (done) => {
        const duplicate = done.outcome === 'duplicate';
        safeLog(this.#ctx.logger, 'info', 'notification accepted', { instance: instanceId, event: event.type, key: eventKey, duplicate });
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

  #apply(tx: Store, instanceId: string, event: DomainEvent): PayResultAsync<unknown> {
    const now = this.#ctx.clock.now();
    switch (event.type) {
      case 'payment':
        return settlePaymentReport(tx, event.report, { instanceId, now });
      case 'refund':
        return settleRefundReport(tx, event.report);
      case 'payout':
        return settlePayoutReport(tx, event.report, now);
      case 'preauth':
        return ensurePreAuth(tx, event.report.orderId).andThen(() => settlePreAuthReport(tx, event.report, true));
      default:
        return errAsync(PaymentErrors.internal('unknown event type'));
    }
  }
}

/** The pre-authorisation record of an order created as one, made on its first report when no capture or void made it yet. */
function ensurePreAuth(tx: Store, orderId: string): PayResultAsync<unknown> {
  return tx.get<StoredPreAuth>('preauth', orderId).andThen((a) => (a ? okAsync(undefined) : tx.get<StoredPayment>('payment', orderId).andThen((p) => {
    if (p?.value.preauth !== true) return errAsync(PaymentErrors.notFound(`no pre-authorisation is recorded for order ${orderId}`));
    return tx.insert<StoredPreAuth>('preauth', orderId, { orderId, authorised: p.value.amount, status: 'authorised', instanceId: p.value.instanceId });
  })));
}
