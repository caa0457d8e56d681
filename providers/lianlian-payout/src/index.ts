/**
 * `@paykit/provider-lianlian-payout`: LianLian payouts with the encrypted `pay_load`, review
 * confirmation, payout query, result notifications and unknown-outcome safety.
 *
 * @example
 * ```ts
 * import { lianlianPayoutPlugin } from '@paykit/provider-lianlian-payout';
 * const paykit = await createPaykit(config, { plugins: [lianlianPayoutPlugin], transport: kyTransport() });
 * const payout = await paykit.payouts.submit({ payoutId: 'W-1', amount: { amount: 4965, currency: 'CNY' },
 *   account: { type: 'private', accountNumber: '6216261234567890018', accountName: '张三' }, description: '提现' });
 * ```
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

export { lianlianPayoutPlugin, createLianlianPayoutPlugin, type LianlianPayoutPluginOptions } from './plugin.js';
export { LianlianPayoutOptionsCodec, LianlianPayoutConfigCodec, DEFAULT_BASE_URL, type LianlianPayoutOptions } from './config.js';
export type { LianlianPayoutOptionsInput } from './options.js';
export { LianlianPayoutTokens } from './tokens.js';
export { SameCardPolicy, allowanceOf, RELEASING_STATUSES, type CardAllowance, type CardLedger } from './card-policy.js';
export { reserveLimits, dayLedgerId, type DayLedger, type PayoutLimits } from './limits.js';
export { estimateArrival, type ArrivalEstimate, type PayoutBatch } from './arrival.js';
export { encryptPayload, encryptWithKeys, systemRandom, counterBlock, drawKeys, type RandomSource, type PayloadKeys } from './payload.js';
export { encryptedBody, LianlianPayouts, PROVIDER_ID } from './client.js';
export { LianlianPayoutNotifications, verifyPayoutNotification, ACK_BODY, type VerifiedPayoutNotification } from './notifications.js';
export { payoutStatusOf, mapErrorCode, classifyMoneyCode, classifyQueryCode, RESULT_PAY, RET_CODES, HOLD_CODES, QUERY_FIRST_CODES, type ResultPay, type RetCodeClass } from './mapping.js';
export { signText, signFields, verifyFields, verifyNotificationFields, type NotificationKeys, type NotifySignType } from './signer.js';
export { filterMemo, CORPORATE_BRANCH_EXEMPT } from './requests.js';
export { lianlianPayoutTools, guessRequest, type PayoutRequestMessage } from './tools.js';
export { LianlianPayoutStatements } from './statements.js';
