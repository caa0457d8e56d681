import type { ServiceIdentifier } from 'inversify';
import type { SameCardPolicy } from './card-policy.js';
import type { RandomSource } from './payload.js';

/**
 * Tokens of the services this plugin binds beyond the shared capabilities. Merchants reach them with
 * `paykit.extension(instanceId, LianlianPayoutTokens.CardPolicy)`.
 */
export const LianlianPayoutTokens = {
  /** The "same card in, same card out" policy (guide 七). */
  CardPolicy: Symbol.for('paykit.lianlian-payout.CardPolicy') as ServiceIdentifier<SameCardPolicy>,
  /**
   * The random source of `pay_load` keys and nonces, bound by the plugin for its own client (pinned
   * in tests through `createLianlianPayoutPlugin({ random })`): not a merchant extension.
   *
   * @internal
   */
  Random: Symbol.for('paykit.lianlian-payout.Random') as ServiceIdentifier<RandomSource>,
} as const;
