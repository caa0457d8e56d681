import type { ServiceIdentifier } from 'inversify';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { HttpTransport } from '../ports/transport.js';
import type {
  NotificationsCapability, PaymentObserver, PaymentsCapability, PayoutsCapability, PreAuthCapability, RefundsCapability,
  StatementsCapability,
} from './capabilities.js';

/**
 * Injection tokens. A plugin's `ContainerModule` binds the capability tokens it serves; paykit binds
 * the port tokens and, per instance, `InstanceId` and `InstanceConfig` (the decoded options).
 * Each instance gets its own child container, so plugin modules bind plainly (no names).
 */
export const Tokens = {
  /** {@link HttpTransport}. */
  Transport: Symbol.for('paykit.Transport') as ServiceIdentifier<HttpTransport>,
  /** {@link Clock}. */
  Clock: Symbol.for('paykit.Clock') as ServiceIdentifier<Clock>,
  /** {@link Store}. */
  Store: Symbol.for('paykit.Store') as ServiceIdentifier<Store>,
  /** {@link Logger}. */
  Logger: Symbol.for('paykit.Logger') as ServiceIdentifier<Logger>,
  /** The instance id (string) from config. */
  InstanceId: Symbol.for('paykit.InstanceId') as ServiceIdentifier<string>,
  /** The instance's options, decoded by the plugin's config codec. */
  InstanceConfig: Symbol.for('paykit.InstanceConfig') as ServiceIdentifier<unknown>,
  /** {@link PaymentsCapability}. */
  Payments: Symbol.for('paykit.Payments') as ServiceIdentifier<PaymentsCapability>,
  /** {@link NotificationsCapability}. */
  Notifications: Symbol.for('paykit.Notifications') as ServiceIdentifier<NotificationsCapability>,
  /** {@link RefundsCapability}. */
  Refunds: Symbol.for('paykit.Refunds') as ServiceIdentifier<RefundsCapability>,
  /** {@link PreAuthCapability}. */
  PreAuth: Symbol.for('paykit.PreAuth') as ServiceIdentifier<PreAuthCapability>,
  /** {@link PayoutsCapability}. */
  Payouts: Symbol.for('paykit.Payouts') as ServiceIdentifier<PayoutsCapability>,
  /** {@link StatementsCapability}. */
  Statements: Symbol.for('paykit.Statements') as ServiceIdentifier<StatementsCapability>,
  /** {@link PaymentObserver}: optional, told about payments created on the instances it observes. */
  PaymentObserver: Symbol.for('paykit.PaymentObserver') as ServiceIdentifier<PaymentObserver>,
} as const;

/** The token of each capability's service. */
export const CAPABILITY_TOKENS = {
  payments: Tokens.Payments,
  notifications: Tokens.Notifications,
  refunds: Tokens.Refunds,
  preauth: Tokens.PreAuth,
  payouts: Tokens.Payouts,
  statements: Tokens.Statements,
} as const;
