import 'reflect-metadata';
import { ContainerModule } from 'inversify';
import { Tokens, type ProviderPlugin } from '@paykit/core';
import { AllinpayConfigCodec, type AllinpayOptions } from './config.js';
import { ALLINPAY_ERROR_CODES, allinpayErrorCode } from './error-codes.js';
import { PROVIDER_ID, QUERY_WINDOW_MS } from './http.js';
import { paymentStatuses, refundStatuses } from './mapping.js';
import { AllinpayNotifications } from './notifications.js';
import { AllinpayPayments } from './payments.js';
import { AllinpayPreAuth } from './preauth.js';
import { AllinpayRefunds } from './refunds.js';
import { AllinpayStatements } from './statements.js';
import { allinpayTools } from './tools.js';

/** Binds the Allinpay capability services in an instance's container. */
export const allinpayMobileModule = new ContainerModule(({ bind }) => {
  bind(Tokens.Payments).to(AllinpayPayments);
  bind(Tokens.Notifications).to(AllinpayNotifications);
  bind(Tokens.Refunds).to(AllinpayRefunds);
  bind(Tokens.PreAuth).to(AllinpayPreAuth);
  bind(Tokens.Statements).to(AllinpayStatements);
});

/**
 * The Allinpay mobile payment control plugin (spec v2.7): payData for the iOS/Android control,
 * notifications, order and batch queries, refunds and their status, international-card pre-auth.
 *
 * @example
 * ```ts
 * const paykit = await createPaykit({ instances: { app: { plugin: 'allinpay-mobile', options: {
 *   merchantId: '100020091218001', md5Key: 'env:ALLINPAY_MD5_KEY', certificate: 'file:./TLCert.cer',
 *   receiveUrl: 'https://shop.example/allinpay/notify' } } } }, { plugins: [allinpayMobilePlugin], transport });
 * ```
 */
export const allinpayMobilePlugin: ProviderPlugin<AllinpayOptions> = {
  id: PROVIDER_ID,
  displayName: 'Allinpay mobile payment control',
  capabilities: ['payments', 'notifications', 'refunds', 'preauth', 'statements'],
  configCodec: AllinpayConfigCodec,
  module: allinpayMobileModule,
  introspection: {
    paymentStatuses,
    refundStatuses,
    errorCodes: { codes: ALLINPAY_ERROR_CODES, map: allinpayErrorCode },
  },
  tools: allinpayTools,
  // Spec 3.1 and 3.7: queries answer for the last month only (QUERY_WINDOW_MS says how that is read).
  limits: { queryWindowMs: QUERY_WINDOW_MS },
};
