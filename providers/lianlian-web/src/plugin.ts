import * as t from 'io-ts';
import { ContainerModule } from 'inversify';
import { Tokens, type ProviderPlugin } from '@paykit/core';
import { LianlianWebCards, LianlianWebTokens } from './cards.js';
import { LianlianWebOptionsCodec, type LianlianWebOptions } from './config.js';
import { InstanceKeys } from './keys.js';
import { missingRiskGroups, riskGroupsMessage } from './reference/index.js';
import { errorCodes, paymentStatuses, PROVIDER_ID } from './mapping.js';
import { LianlianWebNotifications } from './notifications.js';
import { LianlianWebOrders } from './order-query.js';
import { LianlianWebPayments } from './payments.js';
import { LianlianWebStatements } from './statements/index.js';
import { lianlianWebTools } from './tools.js';

/** The options codec plus the checks that need several options: keys present for the sign types, and parseable. */
const CheckedOptionsCodec = new t.Type<LianlianWebOptions, unknown, unknown>(
  'LianlianWebOptions',
  LianlianWebOptionsCodec.is,
  (u, c) => {
    const base = LianlianWebOptionsCodec.validate(u, c);
    if (base._tag === 'Left') return base;
    const keys = InstanceKeys.load(base.right);
    if (keys.isErr()) {
      const key = keys.error.path ?? 'options';
      // The key's value is never shown; a missing key is reported as missing ("got nothing").
      const given = (base.right as unknown as Record<string, unknown>)[key] === undefined ? undefined : '[REDACTED]';
      return t.failure(given, [...c, { key, type: t.unknown, actual: given }], keys.error.message);
    }
    // Told when the config loads, not by LianLian's risk control at the first payment (spec 6.2.2).
    const declared = base.right.riskGroups ?? [];
    const missing = missingRiskGroups(base.right.goodsCategory, (g) => declared.includes(g));
    if (missing.length > 0) {
      const fix = `list them in riskGroups (${JSON.stringify([...new Set([...declared, ...missing])])}) and pass them in extra.riskItem (a buildRiskItem input) with every payment`;
      return t.failure(declared, [...c, { key: 'riskGroups', type: t.unknown, actual: declared }], `${riskGroupsMessage(base.right.goodsCategory, missing)}: ${fix}`);
    }
    return base;
  },
  (a) => LianlianWebOptionsCodec.encode(a),
);

/** Notifications LianLian sends until one is acknowledged (spec 4.3: 总共通知 30次). */
export const NOTIFICATION_ATTEMPTS = 30;
/** Time between them (spec 4.3: 时间间隔频率为 2分钟). */
export const NOTIFICATION_INTERVAL_MS = 2 * 60 * 1000;

/** Binds the LianLian web services of one instance. */
export const lianlianWebModule = new ContainerModule(({ bind }) => {
  bind(InstanceKeys).toSelf();
  bind(Tokens.Payments).to(LianlianWebPayments);
  bind(Tokens.Notifications).to(LianlianWebNotifications);
  bind(Tokens.Statements).to(LianlianWebStatements);
  bind(LianlianWebTokens.Cards).to(LianlianWebCards);
  bind(LianlianWebTokens.Orders).to(LianlianWebOrders);
});

/**
 * The LianLian web payment plugin (spec v2.2): cashier form, sync return, async notifications,
 * order query, statements (spec 5), card BIN / bound-card / unbind services via `LianlianWebTokens.Cards`,
 * and the order query by LianLian's payment number via `LianlianWebTokens.Orders`.
 *
 * @example
 * ```ts
 * const paykit = await createPaykit({
 *   instances: { shop: { plugin: 'lianlian-web', options: { oidPartner: '201408071000001543', signType: 'MD5', md5Key: 'env:LL_MD5_KEY', notifyUrl: 'https://shop.example/ll/notify', goodsCategory: '1002' } } },
 * }, { plugins: [lianlianWebPlugin], transport: kyTransport() });
 * ```
 */
export const lianlianWebPlugin: ProviderPlugin<LianlianWebOptions> = {
  id: PROVIDER_ID,
  displayName: 'LianLian web payments',
  capabilities: ['payments', 'notifications', 'statements'],
  configCodec: CheckedOptionsCodec,
  module: lianlianWebModule,
  introspection: { paymentStatuses, errorCodes },
  tools: lianlianWebTools,
  // Spec 4.3: an unacknowledged notification is sent 30 times, 2 minutes apart.
  limits: { redeliveryWindowMs: NOTIFICATION_ATTEMPTS * NOTIFICATION_INTERVAL_MS },
};
