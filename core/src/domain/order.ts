import type { Money } from '../money/money.js';

/** A customer-facing order: what is being paid for. Plain data. */
export interface Order {
  /** The merchant's order number, unique per merchant; becomes the provider's order number. */
  readonly orderId: string;
  /** Amount to collect. */
  readonly amount: Money;
  /** Short description shown to the payer (goods name). */
  readonly description: string;
  /** When the merchant created the order. */
  readonly createdAt: Date;
  /** The merchant's user id, when the provider wants one (bound cards, risk control). */
  readonly customerId?: string;
  /** Free-form order details passed through to the provider when it has a field for them. */
  readonly details?: string;
  /** How long the order may be paid, in minutes. */
  readonly validForMinutes?: number;
}
