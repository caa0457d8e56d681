/**
 * `@paykit/provider-lianlian-web`: LianLian web payments (spec v2.2) for paykit — the cashier form,
 * sync return, async notifications, order query, card BIN / bound cards / unbind, and a simulator.
 *
 * @example
 * ```ts
 * import { lianlianWebPlugin, renderCashierPage } from '@paykit/provider-lianlian-web';
 * const paykit = (await createPaykit(config, { plugins: [lianlianWebPlugin], transport: kyTransport() }))._unsafeUnwrap();
 * const r = await paykit.payments.create(input);
 * if (r.isOk() && r.value.action.kind === 'redirect') send(renderCashierPage(r.value.action));
 * ```
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

export { lianlianWebPlugin, lianlianWebModule } from './plugin.js';
export { LianlianWebOptionsCodec, DEFAULT_API_BASE_URL, DEFAULT_CASHIER_URL, type LianlianWebOptions } from './config.js';
export type { LianlianWebOptionsInput } from './options.js';
export { renderCashierPage, buildShareingData, PaymentExtraCodec, type SplitReceiver } from './form.js';
export { parseSyncReturn, verifyNotificationBody, eventKeyOf, ACK_REPLY, type SyncReturnHint, type VerifiedLianlianNotification } from './notifications.js';
export type { ExtraFields } from './signed-message.js';
export {
  LianlianWebTokens, type LianlianWebCardsService, type CardBin, type BoundCard, type BoundCardPage, type BoundCardQuery,
  type UnbindRequest, type CardType,
} from './cards.js';
export { type LianlianWebOrdersService, type OrderQueryRef } from './order-query.js';
export { signingText, signText, verifyFields, loadKeys, type LoadedKeys } from './signer.js';
export { paymentStatusOf, codeMappingOf, RESULT_PAY, type ResultPay } from './mapping.js';
export { NOTIFICATION_ACK, SignTypeCodec, type SignType } from './wire.js';
export * from './reference/index.js';
export * from './statements/index.js';
