import { PAYMENT_STATUSES } from '../domain/payment.js';
import { PAYOUT_STATUSES } from '../domain/payout.js';
import { PREAUTH_STATUSES } from '../domain/preauth.js';
import { REFUND_STATUSES } from '../domain/refund.js';
import type { Money } from '../money/money.js';
import type { ChangeCause } from './store.js';

/** The record kinds whose transitions are published as events. */
export type EventRecordKind = 'payment' | 'refund' | 'preauth' | 'payout';

/** Every event type paykit publishes: `<kind>.<status>` for each record kind and each of its statuses. */
export const EVENT_TYPES: readonly string[] = [
  ...PAYMENT_STATUSES.map((s) => `payment.${s}`), ...REFUND_STATUSES.map((s) => `refund.${s}`),
  ...PREAUTH_STATUSES.map((s) => `preauth.${s}`), ...PAYOUT_STATUSES.map((s) => `payout.${s}`),
];

/**
 * A domain event: one committed status transition of a payment, refund, pre-authorisation or
 * payout, appended to the store's outbox in the same commit as the transition itself. `id` is
 * store-wide and increasing: a consumer's cursor is the last id it handled, and the id is the
 * handler's idempotency key.
 */
export interface PaykitEvent {
  /** Store-wide increasing id (a safe integer). */
  readonly id: number;
  /**
   * `<kind>.<new status>`: `payment.succeeded`, `payment.failed`, `refund.succeeded`,
   * `preauth.captured`, `payout.held_for_review`, `payout.returned`, `payment.needs_attention`…
   */
  readonly type: string;
  /** The record: its kind, id and the version the transition wrote. */
  readonly record: { readonly kind: EventRecordKind; readonly id: string; readonly version: number };
  /** The status before (`null` when the transition created the record). */
  readonly from: string | null;
  /** The status after. */
  readonly to: string;
  /** The instance that serves the record. */
  readonly instanceId: string;
  /** The record's amount (the order's, the refund's, the payout's, the authorised amount). */
  readonly amount: Money;
  /** Amounts beside it: a payment's refunded total, a pre-authorisation's captured amount. */
  readonly amounts?: { readonly refunded?: Money; readonly captured?: Money };
  /** The merchant's order number, for a refund or a pre-authorisation (its payment). */
  readonly orderId?: string;
  /** What caused it: a notification (with its event key), a query, a reply, a resolve… */
  readonly cause: ChangeCause & { readonly eventKey?: string; readonly correction?: boolean };
  /** When it was committed (by paykit's clock). */
  readonly occurredAt: Date;
}

/** An event before the store gave it its id. */
export type EventDraft = Omit<PaykitEvent, 'id'>;

/** Which events {@link Store.listEvents} returns. */
export interface EventQuery {
  /** Only events after this id (default 0: from the start). */
  readonly after?: number;
  /** Only these types. */
  readonly types?: readonly string[];
  /** At most this many (default 100). */
  readonly limit?: number;
}
