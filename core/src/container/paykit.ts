import type { Container, ServiceIdentifier } from 'inversify';
import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { Capability, CapabilityServices } from '../plugin/capabilities.js';
import type { ProviderPlugin } from '../plugin/contract.js';
import { CAPABILITY_TOKENS, Tokens } from '../plugin/tokens.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { PaykitConfig } from './config.js';
import { NotificationOps } from '../facade/notifications.js';
import { PaymentOps } from '../facade/payments.js';
import { PayoutOps } from '../facade/payouts.js';
import { PreAuthOps } from '../facade/preauth.js';
import { RefundOps } from '../facade/refunds.js';
import { resolvePending, type PendingReport, type ResolvePendingOptions } from '../facade/resolve-pending.js';
import { StatementOps } from '../facade/statements.js';
import { EventOps } from '../events/events.js';
import { prune, type PruneOptions, type PruneReport } from '../events/retention.js';
import { ReconciliationOps } from '../reconciliation/reconcile.js';
import type { ReconcileOptions, ReconciliationPeriod, ReconciliationReport } from '../reconciliation/types.js';

/** A configured provider instance. */
export interface Instance {
  /** Instance id from config. */
  readonly id: string;
  /** Its plugin. */
  readonly plugin: ProviderPlugin;
  /** Its child container. */
  readonly container: Container;
  /** Capabilities it serves. */
  readonly capabilities: readonly Capability[];
}

/** A short public description of an instance. */
export interface InstanceInfo {
  /** Instance id. */
  readonly id: string;
  /** Plugin id. */
  readonly pluginId: string;
  /** Capabilities. */
  readonly capabilities: readonly Capability[];
}

/** Per-call choice of instance, overriding the configured route. */
export interface CallOptions {
  /** Instance id to use. */
  readonly instance?: string;
}

/** What the facade's operation groups share: instances, routing and ports. */
export interface PaykitContext {
  /** Resolves a capability service for an operation (routes, explicit instance, or the record's instance). */
  service<C extends Capability>(capability: C, operation: string, instanceId?: string): PayResult<{ readonly instance: Instance; readonly service: CapabilityServices[C] }>;
  /** The store. */
  readonly store: Store;
  /** The clock. */
  readonly clock: Clock;
  /** The logger. */
  readonly logger: Logger;
}

/**
 * The merchant-facing facade: one provider-agnostic API whose operations are routed to the
 * configured instances. Build it with `createPaykit`.
 */
export class Paykit implements PaykitContext {
  /** Payments: create, query. */
  readonly payments: PaymentOps;
  /** Notifications: verify, record once, apply, acknowledge. */
  readonly notifications: NotificationOps;
  /** Refunds: create, query. */
  readonly refunds: RefundOps;
  /** Pre-authorisations: capture, void. */
  readonly preauth: PreAuthOps;
  /** Payouts: submit, confirm, resolve, query. */
  readonly payouts: PayoutOps;
  /** Statements: fetch, parse. */
  readonly statements: StatementOps;
  /** Merchant events: the outbox of every committed transition; subscribe, list, replay. */
  readonly events: EventOps;
  /** Reconciliation: statements against the records; runs, discrepancies, resolutions. */
  readonly reconciliation: ReconciliationOps;
  /** The store. */
  readonly store: Store;
  /** The clock. */
  readonly clock: Clock;
  /** The logger. */
  readonly logger: Logger;
  readonly #instances: ReadonlyMap<string, Instance>;
  readonly #routes: ReadonlyMap<string, string>;
  /** The validated configuration. */
  readonly config: PaykitConfig;

  /** Use `createPaykit` instead. */
  constructor(root: Container, instances: ReadonlyMap<string, Instance>, routes: ReadonlyMap<string, string>, config: PaykitConfig) {
    this.#instances = instances;
    this.#routes = routes;
    this.config = config;
    this.store = root.get(Tokens.Store);
    this.clock = root.get(Tokens.Clock);
    this.logger = root.get(Tokens.Logger);
    this.payments = new PaymentOps(this);
    this.notifications = new NotificationOps(this);
    this.refunds = new RefundOps(this);
    this.preauth = new PreAuthOps(this);
    this.payouts = new PayoutOps(this);
    this.statements = new StatementOps(this);
    this.events = new EventOps(this);
    this.reconciliation = new ReconciliationOps(this);
  }

  /**
   * Reconciles an instance's statement of a day or a month against paykit's records (see
   * {@link ReconciliationOps.run}): typed discrepancies with the evidence of both sides, totals
   * per day, repair by verified queries with `repair: true`, the run stored.
   *
   * @example
   * ```ts
   * const report = await paykit.reconcile({ instance: 'shop', date: '2026-12-01' }, { files, repair: true });
   * if (report.isOk()) console.log(report.value.counts.open, 'discrepancies remain');
   * ```
   */
  reconcile(period: ReconciliationPeriod, options: ReconcileOptions = {}): PayResultAsync<ReconciliationReport> {
    return this.reconciliation.run(period, options);
  }

  /**
   * Settles every payment, refund and payout whose outcome is unknown or stale by asking its
   * provider through the facade operations (`payments.query`, `refunds.query`, `payouts.resolve`,
   * `payouts.query`), so transitions follow the domain tables and a success is never undone. Records
   * younger than `olderThan` (10 minutes by default, by the injected clock) are left alone. One
   * record's error is reported in its entry and never stops the others.
   *
   * @example
   * ```ts
   * const report = await paykit.resolvePending({ olderThan: 10 * 60_000, kinds: ['payments', 'payouts'] });
   * if (report.isOk()) console.log(report.value.totals); // { checked, settled, stillPending, failed, skipped, remaining }
   * ```
   */
  resolvePending(options: ResolvePendingOptions = {}): PayResultAsync<PendingReport> {
    return resolvePending(this, options);
  }

  /**
   * Removes outbox events every consumer has passed and notification-ledger entries their provider
   * can no longer redeliver, once older than `olderThan` (see {@link prune}).
   *
   * @example
   * ```ts
   * const report = await paykit.prune({ olderThan: 90 * 24 * 3_600_000 });
   * ```
   */
  prune(options: PruneOptions): PayResultAsync<PruneReport> {
    const windows = new Map<string, number | undefined>();
    for (const i of this.#instances.values()) windows.set(i.plugin.id, i.plugin.limits?.redeliveryWindowMs);
    return prune(this, windows, options);
  }

  /** Every configured instance with its capabilities (run-time discovery). */
  instances(): readonly InstanceInfo[] {
    return [...this.#instances.values()].map((i) => ({ id: i.id, pluginId: i.plugin.id, capabilities: i.capabilities }));
  }

  /** The capabilities of an instance; `NotFound` for an unknown instance id. */
  capabilities(instanceId: string): PayResult<readonly Capability[]> {
    return guard('capabilities', () => {
      const inst = this.#instances.get(instanceId);
      return inst ? ok(inst.capabilities) : err(PaymentErrors.notFound(`no instance "${String(instanceId).slice(0, 64)}"; configured are ${[...this.#instances.keys()].join(', ')}`));
    });
  }

  /** The instance that serves an operation by the routes (`payments.create` → `payments` → the only capable instance). */
  routeOf(operation: string): string | undefined {
    return this.#routes.get(operation) ?? this.#routes.get(operation.split('.')[0] ?? '');
  }

  /**
   * A provider-specific service an instance's plugin binds beyond the shared capabilities (e.g.
   * LianLian's card BIN query), by the token the plugin package exports. `Unsupported` when the
   * instance's plugin binds nothing for it.
   *
   * @example
   * ```ts
   * const cards = paykit.extension('shop', LianlianWebTokens.Cards);
   * ```
   */
  extension<T>(instanceId: string, token: ServiceIdentifier<T>): PayResult<T> {
    return guard('extension', () => {
      const inst = this.#instances.get(instanceId);
      if (!inst) return err(PaymentErrors.notFound(`no instance "${String(instanceId).slice(0, 64)}"; configured are ${[...this.#instances.keys()].join(', ')}`));
      try {
        if (!inst.container.isBound(token)) return err(PaymentErrors.unsupported(String(token.toString()), `${inst.plugin.displayName} (instance ${instanceId}) offers no such service`, { providerId: inst.plugin.id }));
        return ok(inst.container.get(token));
      } catch (e) {
        return err(PaymentErrors.internal(`instance ${instanceId} could not build the requested service`, { cause: e, providerId: inst.plugin.id }));
      }
    });
  }

  /** Resolves the service of a capability for an operation. */
  service<C extends Capability>(capability: C, operation: string, instanceId?: string): PayResult<{ readonly instance: Instance; readonly service: CapabilityServices[C] }> {
    return guard('service', () => {
      const id = instanceId ?? this.routeOf(`${capability}.${operation}`);
      if (id === undefined) {
        return err(PaymentErrors.unsupported(capability, `no instance serves ${capability}.${operation}: add a route "${capability}" to an instance whose plugin supports it`));
      }
      const inst = this.#instances.get(id);
      if (!inst) return err(PaymentErrors.notFound(`no instance "${String(id).slice(0, 64)}"; configured are ${[...this.#instances.keys()].join(', ')}`));
      if (!inst.capabilities.includes(capability)) {
        return err(PaymentErrors.unsupported(capability, `${inst.plugin.displayName} (instance ${id}) does not support ${capability}; it supports ${inst.capabilities.join(', ')}`, { providerId: inst.plugin.id }));
      }
      try {
        const token = CAPABILITY_TOKENS[capability] as ServiceIdentifier<CapabilityServices[C]>;
        return ok({ instance: inst, service: inst.container.get(token) });
      } catch (e) {
        return err(PaymentErrors.internal(`instance ${id} could not build its ${capability} service`, { cause: e, providerId: inst.plugin.id }));
      }
    });
  }
}
