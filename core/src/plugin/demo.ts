import type { Store } from '../ports/store.js';
import type { ReconciliationReport } from '../reconciliation/types.js';

/**
 * Where a provider's demo scenario writes its readable log (the `paykit demo` command prints it).
 * Everything passed here is redacted by the reporter before printing.
 */
export interface DemoReporter {
  /** Starts a titled section (one provider, one scenario). */
  section(title: string): void;
  /** Logs one step: what happened, and optionally the data (request, reply, notification, state). */
  step(what: string, detail?: unknown): void;
}

/**
 * What a demo runs with besides its reporter. Every field is optional: a demo given none behaves as
 * a standalone scenario on its own in-memory store.
 */
export interface DemoContext {
  /**
   * The store the demo's paykit records into (passed to `createPaykit` as `deps.store`).
   * `paykit demo` passes one durable store to every demo, so the demos' record ids must not collide:
   * prefix them with something of the provider's own. Absent: a fresh in-memory store.
   */
  readonly store?: Store;
  /**
   * Told of the reconciliation a demo ends with (its simulated day's statement against the
   * records): `paykit demo` prints what every demo found at the end.
   */
  readonly reconciled?: (report: ReconciliationReport) => void;
}

/** A provider's demo: starts its simulator in-process, walks orders through it, stops it. */
export interface ProviderDemo {
  /** Title of the demo section. */
  readonly title: string;
  /**
   * Runs the scenario; rejects only on a bug (the CLI reports it and exits non-zero).
   *
   * @param reporter where the steps are logged
   * @param context the store to record into, if not a fresh in-memory one
   */
  run(reporter: DemoReporter, context?: DemoContext): Promise<void>;
}
