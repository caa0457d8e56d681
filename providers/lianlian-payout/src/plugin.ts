/** The `lianlian-payout` plugin: its container module, vocabularies and tools. */
import { ContainerModule } from 'inversify';
import { Tokens, type ProviderPlugin } from '@paykit/core';
import { SameCardPayIns, SameCardPolicy } from './card-policy.js';
import { LianlianPayouts } from './client.js';
import { LianlianPayoutConfigCodec, type LianlianPayoutOptions } from './config.js';
import { mapErrorCode, payoutStatusOf, RESULT_PAY, RET_CODES } from './mapping.js';
import { LianlianPayoutNotifications } from './notifications.js';
import { systemRandom, type RandomSource } from './payload.js';
import { LianlianPayoutStatements } from './statements.js';
import { lianlianPayoutTools } from './tools.js';
import { LianlianPayoutTokens } from './tokens.js';

/** Options of {@link createLianlianPayoutPlugin}. */
export interface LianlianPayoutPluginOptions {
  /** Random source of `pay_load` keys and nonces (tests pin it); node:crypto by default. */
  readonly random?: RandomSource;
}

/**
 * Builds the plugin, optionally with a fixed random source (tests). Merchants use
 * {@link lianlianPayoutPlugin}.
 *
 * @example
 * ```ts
 * const plugin = createLianlianPayoutPlugin({ random: { chars: (n) => 'A'.repeat(n) } });
 * ```
 */
export function createLianlianPayoutPlugin(o: LianlianPayoutPluginOptions = {}): ProviderPlugin<LianlianPayoutOptions> {
  const random = o.random ?? systemRandom;
  return {
    id: 'lianlian-payout',
    displayName: 'LianLian payout',
    capabilities: ['payouts', 'notifications', 'statements'],
    configCodec: LianlianPayoutConfigCodec,
    module: new ContainerModule(({ bind }) => {
      bind(LianlianPayoutTokens.Random).toConstantValue(random);
      bind(LianlianPayoutTokens.CardPolicy).to(SameCardPolicy);
      bind(Tokens.PaymentObserver).to(SameCardPayIns);
      bind(Tokens.Payouts).to(LianlianPayouts);
      bind(Tokens.Notifications).to(LianlianPayoutNotifications);
      bind(Tokens.Statements).to(LianlianPayoutStatements);
    }),
    introspection: {
      payoutStatuses: { wire: RESULT_PAY, map: payoutStatusOf },
      errorCodes: { codes: RET_CODES, map: mapErrorCode },
    },
    tools: lianlianPayoutTools,
    // Result notifications are retried like the web ones: 30 times, 2 minutes apart (2014 document).
    limits: { redeliveryWindowMs: 30 * 2 * 60_000 },
  };
}

/**
 * The LianLian payout plugin: encrypted payouts (`pay_load`), review confirmation, payout query,
 * result notifications, unknown-outcome safety, FKMX payout statements for reconciliation.
 *
 * @example
 * ```ts
 * const paykit = await createPaykit({ instances: { payouts: { plugin: 'lianlian-payout', options: {
 *   oidPartner: '201606221000921503', privateKey: 'file:merchant.pem', lianlianPublicKey: 'env:LL_PUBLIC_KEY',
 *   notifyUrl: 'https://shop.example/notify/payout' } } } }, { plugins: [lianlianPayoutPlugin], transport: kyTransport() });
 * ```
 */
export const lianlianPayoutPlugin: ProviderPlugin<LianlianPayoutOptions> = createLianlianPayoutPlugin();

