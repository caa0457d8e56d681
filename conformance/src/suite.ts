import { capabilityGroup } from './groups/capabilities.js';
import { outcomeUnknownGroup, queryFaultGroup } from './groups/faults.js';
import { moneyGroup } from './groups/money.js';
import { notificationGroup } from './groups/notifications.js';
import { secretsGroup } from './groups/secrets.js';
import { statusGroup } from './groups/statuses.js';
import type { ConformanceHarness } from './harness.js';
import { newLedger } from './kit.js';

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
 * import { conformanceHarness } from '../src/index.js';
 *
 * describeProviderConformance(conformanceHarness());
 * ```
 */
export function describeProviderConformance(harness: ConformanceHarness): void {
  const ledger = newLedger();
  describe(`${harness.plugin.displayName} (${harness.plugin.id}) conformance`, function () {
    this.timeout(30_000);
    capabilityGroup(harness, ledger);
    moneyGroup(harness, ledger);
    statusGroup(harness, ledger);
    notificationGroup(harness, ledger);
    outcomeUnknownGroup(harness, ledger);
    queryFaultGroup(harness, ledger);
    secretsGroup(harness, ledger);
  });
}
