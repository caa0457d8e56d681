import { capabilityGroup } from './groups/capabilities.js';
import { outcomeUnknownGroup, queryFaultGroup } from './groups/faults.js';
import { moneyGroup } from './groups/money.js';
import { notificationGroup } from './groups/notifications.js';
import { secretsGroup } from './groups/secrets.js';
import { statusGroup } from './groups/statuses.js';
import type { Store } from '@paykit/core';
import type { ConformanceHarness } from '@paykit/core/simulator';
import { newLedger } from './kit.js';

/** A store the whole suite runs on instead of in-memory ones (e.g. PGlite, to prove a plugin's records survive a durable store). */
export interface ConformanceStore {
  /** Shown in the suite title. */
  readonly name: string;
  /** Opens the store, once for the suite (every group's ids are unique, so they can share it). */
  open(): Promise<Store>;
  /** Closes it after the suite. */
  close?(store: Store): Promise<void>;
}

/** Options of {@link describeProviderConformance}. */
export interface ConformanceOptions {
  /** Run on this store; in-memory stores, one per group, when absent. */
  readonly store?: ConformanceStore;
}

/**
 * Declares the shared conformance suite for a provider plugin (mocha `describe`/`it`, chai
 * `expect`). Every group starts the harness's simulator, builds paykit against it with the kit's
 * loopback transport, an in-memory store and a memory logger, and drives the real plugin over HTTP.
 *
 * Groups: declared capabilities match behaviour; money survives the round trip; status mapping is
 * total; provider error codes map to standard codes; notifications; a lost or late reply to a
 * money-moving call gives OutcomeUnknown; faults on queries; secrets never leak (last, over
 * everything the others saw).
 *
 * @example
 * ```ts
 * // providers/acme/test/conformance.test.ts
 * import { describeProviderConformance } from '@paykit/conformance';
 * import { conformanceHarness } from '../src/testing.js';
 *
 * describeProviderConformance(conformanceHarness());
 * ```
 */
export function describeProviderConformance(base: ConformanceHarness, options: ConformanceOptions = {}): void {
  const ledger = newLedger();
  const durable = options.store;
  let store: Store | undefined;
  const harness: ConformanceHarness = durable ? { ...base, store: () => {
    if (store === undefined) throw new Error(`the ${durable.name} store did not open (see the before hook)`);
    return store;
  } } : base;
  describe(`${harness.plugin.displayName} (${harness.plugin.id}) conformance${durable ? ` on ${durable.name}` : ''}`, function () {
    this.timeout(30_000);
    if (durable) {
      before(async () => {
        store = await durable.open();
      });
      after(async () => {
        if (store !== undefined) await durable.close?.(store);
      });
    }
    capabilityGroup(harness, ledger);
    moneyGroup(harness, ledger);
    statusGroup(harness, ledger);
    notificationGroup(harness, ledger);
    outcomeUnknownGroup(harness, ledger);
    queryFaultGroup(harness, ledger);
    secretsGroup(harness, ledger);
  });
}
