import type { Container, ServiceIdentifier } from 'inversify';
import { err, ok, ResultAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { Capability, CapabilityServices, PaymentObserver } from '../plugin/capabilities.js';
import type { ProviderPlugin } from '../plugin/contract.js';
import { CAPABILITY_TOKENS, Tokens } from '../plugin/tokens.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import type { PaykitConfig } from './config.js';
import type { OpenedStore } from './create-paykit.js';
import { NotificationOps } from '../facade/notifications.js';
import { PaymentOps } from '../facade/payments.js';
import { PayoutOps } from '../facade/payouts.js';
import { PreAuthOps } from '../facade/preauth.js';
import { RefundOps } from '../facade/refunds.js';
import { resolvePending, type PendingReport, type ResolvePendingOptions } from '../facade/resolve-pending.js';
import { StatementOps } from '../facade/statements.js';
import { EventOps } from '../events/events.js';
import { WebhookOps, type ConfiguredEndpoint } from '../events/webhook-ops.js';
import { prune, type PruneOptions, type PruneReport } from '../events/retention.js';
import { observeGauges } from '../observability/gauges.js';
import { checkHealth, type HealthOptions, type HealthReport } from '../observability/health.js';
import { instrumentService } from '../observability/instrument.js';
import { ATTR, SPANS } from '../observability/names.js';
import { errorType, resolveTotalsAttributes, Telemetry } from '../observability/telemetry.js';
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
  /** The payment observers of every instance that observes `instanceId` (see `PaymentObserver`). */
  paymentObservers?(instanceId: string): readonly PaymentObserver[];
  /** OpenTelemetry instrumentation (spans and metrics); absent or inactive: nothing is recorded. */
  readonly telemetry?: Telemetry;
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
  /** Outgoing webhooks of the config's `webhooks` section: start delivering, read delivery logs. */
  readonly webhooks: WebhookOps;
  /** Reconciliation: statements against the records; runs, discrepancies, resolutions. */
  readonly reconciliation: ReconciliationOps;
  /** The store. */
  readonly store: Store;
  /** The clock. */
  readonly clock: Clock;
  /** The logger. */
  readonly logger: Logger;
  readonly #root: Container;
  readonly #instances: ReadonlyMap<string, Instance>;
  readonly #routes: ReadonlyMap<string, string>;
  readonly #ownedStore: OpenedStore | undefined;
  #closing: Promise<PayResult<void>> | undefined;
  readonly #stopGauges: () => void;
  /** Instrumented services, per underlying service object (built once each). */
  readonly #instrumented = new WeakMap<object, unknown>();
  /** paykit's OpenTelemetry instrumentation: spans and metrics, recorded when a provider is registered. */
  readonly telemetry: Telemetry;
  /** The validated configuration. */
  readonly config: PaykitConfig;

  /**
   * Use `createPaykit` instead.
   *
   * @param ownedStore the store `createPaykit` opened from `config.store`, which {@link Paykit.close} closes
   * @param telemetry the instrumentation (`deps.telemetry` or the global providers)
   */
  constructor(root: Container, instances: ReadonlyMap<string, Instance>, routes: ReadonlyMap<string, string>, config: PaykitConfig, ownedStore?: OpenedStore, telemetry: Telemetry = new Telemetry(), endpoints: readonly ConfiguredEndpoint[] = []) {
    this.#root = root;
    this.#instances = instances;
    this.#routes = routes;
    this.#ownedStore = ownedStore;
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
    this.webhooks = new WebhookOps(this, this.events, root.get(Tokens.Transport), endpoints);
    this.telemetry = telemetry;
    this.#stopGauges = observeGauges(telemetry, this);
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
   * if (report.isOk()) console.log(report.value.totals); // { checked, settled, stillPending, failed, skipped, busy, needsAttention, remaining }
   * ```
   */
  resolvePending(options: ResolvePendingOptions = {}): PayResultAsync<PendingReport> {
    if (!this.telemetry.active) return resolvePending(this, options);
    return new ResultAsync(this.telemetry.inSpan(SPANS.resolvePending, {}, () => Promise.resolve(resolvePending(this, options)), (r) => (r.isErr()
      ? { [ATTR.outcome]: 'error', [ATTR.errorType]: errorType(r.error) }
      : { [ATTR.outcome]: 'ok', ...resolveTotalsAttributes(r.value.totals) })));
  }

  /**
   * Readiness: the store answers (within `timeoutMs`, 2 s by default), its schema has every
   * migration this paykit expects, and at least one instance is configured. Never fails: the
   * report says which check did not pass. The webhook adapters serve it on a path of your choice.
   *
   * @example
   * ```ts
   * const health = await paykit.health();
   * if (health.isOk() && !health.value.ready) console.error(health.value.checks);
   * ```
   */
  health(options: HealthOptions = {}): PayResultAsync<HealthReport> {
    return checkHealth({ store: this.store, instanceIds: [...this.#instances.keys()], closed: this.#closing !== undefined }, options);
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

  /** The payment observers of every instance that observes `instanceId`. */
  paymentObservers(instanceId: string): readonly PaymentObserver[] {
    const out: PaymentObserver[] = [];
    for (const i of this.#instances.values()) {
      if (!i.container.isBound(Tokens.PaymentObserver)) continue;
      const observer = i.container.get(Tokens.PaymentObserver);
      if (observer.observes(instanceId)) out.push(observer);
    }
    return out;
  }

  /**
   * Releases everything this paykit opened: the event subscriptions still running (those of
   * `events.subscribe` and `webhooks.start`; each finishes the handler call it is in), each
   * instance's services (their deactivation hooks run: connections, timers), then the store
   * `createPaykit` opened from `config.store`. A store
   * passed in as `deps.store` stays open: whoever opened it closes it. Calling it again resolves to
   * the first call's result; operations after it fail.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => server.close(async () => { await paykit.close(); }));
   * ```
   */
  close(): PayResultAsync<void> {
    this.#closing ??= this.#release();
    return new ResultAsync(this.#closing);
  }

  async #release(): Promise<PayResult<void>> {
    const failures: { readonly what: string; readonly error: unknown }[] = [];
    await this.events.stopAll().catch((e: unknown) => { failures.push({ what: 'the event subscriptions', error: e }); });
    try {
      this.#stopGauges();
    } catch (e) {
      failures.push({ what: 'the metrics gauges', error: e });
    }
    for (const inst of this.#instances.values()) {
      await inst.container.unbindAllAsync().catch((e: unknown) => { failures.push({ what: `instance ${inst.id}`, error: e }); });
    }
    await this.#root.unbindAllAsync().catch((e: unknown) => { failures.push({ what: 'paykit', error: e }); });
    if (this.#ownedStore?.close) {
      try {
        // @paykit/store-sql's close() resolves to a Result; a plain store's to anything.
        const closed: unknown = await this.#ownedStore.close();
        if (isErrResult(closed)) failures.push({ what: 'the store', error: closed.error });
      } catch (e) {
        failures.push({ what: 'the store', error: e });
      }
    }
    const first = failures[0];
    if (first === undefined) return ok(undefined);
    return err(PaymentErrors.internal(`paykit.close(): ${failures.map((f) => f.what).join(', ')} did not close cleanly`, { cause: first.error }));
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
      if (this.#closing !== undefined) return err(CLOSED());
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
      if (this.#closing !== undefined) return err(CLOSED());
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
        const service = inst.container.get(token);
        return ok({ instance: inst, service: this.telemetry.active ? this.#instrument(capability, inst, service) : service });
      } catch (e) {
        return err(PaymentErrors.internal(`instance ${id} could not build its ${capability} service`, { cause: e, providerId: inst.plugin.id }));
      }
    });
  }

  /** The service with its provider calls traced and counted (built once per service). */
  #instrument<C extends Capability>(capability: C, inst: Instance, service: CapabilityServices[C]): CapabilityServices[C] {
    let wrapped = this.#instrumented.get(service as object) as CapabilityServices[C] | undefined;
    if (wrapped === undefined) {
      wrapped = instrumentService(this.telemetry, capability, { id: inst.id, pluginId: inst.plugin.id }, service);
      this.#instrumented.set(service as object, wrapped);
    }
    return wrapped;
  }
}

const CLOSED = () => PaymentErrors.invalidRequest('this paykit was closed (paykit.close()): build a new one with createPaykit');

function isErrResult(v: unknown): v is { readonly error: unknown } {
  return typeof v === 'object' && v !== null && typeof (v as { isErr?: unknown }).isErr === 'function' && (v as { isErr(): boolean }).isErr();
}
