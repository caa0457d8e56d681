/**
 * `@paykit/provider-allinpay-mobile`: the Allinpay mobile payment control (spec v2.7) as a paykit
 * plugin: payData for the iOS/Android control, notifications, order and batch queries, refunds and
 * refund status, international-card pre-authorisation, error codes.
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

export { allinpayMobilePlugin, allinpayMobileModule } from './plugin.js';
export { AllinpayOptionsCodec, AllinpayConfigCodec, CertificateKey, settingsOf, type AllinpayOptions, type AllinpaySettings } from './config.js';
export type { AllinpayOptionsInput } from './options.js';
export { allinpayErrorCode, ALLINPAY_ERROR_CODES, type AllinpayCodeMapping } from './error-codes.js';
export type { ErrorCategory, ErrorRow } from './error-table.js';
export {
  parseSyncResult, allinpayCurrency, receiveUrlFor, notificationCurrency, CURRENCY_PARAM, type AudCode, CROSS_BORDER_CURRENCIES, INTERNATIONAL_CARD_CURRENCIES, paymentStatuses, refundStatuses,
  type SyncResult, type SyncOutcome, type CurrencyTable,
} from './mapping.js';
export { internationalExt1, md5SignMsg, md5SignMsgIn, INPUT_CHARSETS, signSource, linesSignedText, batchSignedText, type Signed } from './signer.js';
export { buildPayData, buildOrderQuery, AllinpayPaymentExtra, type BuiltPayData } from './payments.js';
export { verifyPaymentResult, parseNotificationForm, ALLINPAY_ACK, type VerifiedPaymentResult } from './notifications.js';
export { verifyRefundReply, verifyRefundQueryReply, type RefundQueryReply } from './refunds.js';
export { verifyPreAuthReply, type PreAuthReplyRecord, type PreAuthOperation } from './preauth.js';
export { parseBatchReply, AllinpayStatements, type BatchPage, type BatchQueryPage } from './statements.js';
export type { WireOf, WireField, WireSpec, RequiredFields, OptionalFields } from './wire.js';
export { checkInternationalCard, forControl, CVV2_MASK, type InternationalCard } from './international.js';
export { allinpayTools, SIGNABLE_MESSAGES, type VerifiableMessage } from './tools.js';
export { QUERY_WINDOW_MS } from './http.js';
