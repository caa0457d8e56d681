/** The Example Pay plugin: what paykit loads for `"plugin": "example"`. */
import 'reflect-metadata';
import { ContainerModule } from 'inversify';
import { Tokens, type ProviderPlugin } from '@paykit/core';
import { ExampleApi } from './api.js';
import { ExamplePayments, ExampleRefunds } from './client.js';
import { ExampleOptionsCodec, type ExampleOptions } from './config.js';
import { ERROR_CODES, mapErrorCode, paymentStatuses, refundStatuses } from './mapping.js';
import { ExampleNotifications } from './notifications.js';
import { ExampleStatements } from './statements.js';
import { exampleTools } from './tools.js';

/** Binds the capability services of one instance (paykit gives each instance its own container). */
export const exampleModule = new ContainerModule(({ bind }) => {
  bind(ExampleApi).toSelf();
  bind(Tokens.Payments).to(ExamplePayments);
  bind(Tokens.Notifications).to(ExampleNotifications);
  bind(Tokens.Refunds).to(ExampleRefunds);
  bind(Tokens.Statements).to(ExampleStatements);
});

/**
 * Example Pay: the template provider. Payments by cashier redirect, JSON queries and refunds,
 * HMAC-SHA256 signatures, JSON notifications acknowledged with `SUCCESS`, a paged daily statement
 * for reconciliation.
 *
 * @example
 * ```ts
 * const paykit = await createPaykit({
 *   instances: { shop: { plugin: 'example', options: { merchantId: 'M100', key: 'env:EXAMPLE_KEY',
 *     baseUrl: 'https://api.example-pay.test', notifyUrl: 'https://shop.test/notify' } } },
 * }, { plugins: [examplePlugin], transport: kyTransport() });
 * ```
 */
export const examplePlugin: ProviderPlugin<ExampleOptions> = {
  id: 'example',
  displayName: 'Example Pay',
  capabilities: ['payments', 'notifications', 'refunds', 'statements'],
  configCodec: ExampleOptionsCodec,
  module: exampleModule,
  introspection: {
    paymentStatuses,
    refundStatuses,
    errorCodes: { codes: Object.keys(ERROR_CODES), map: mapErrorCode },
  },
  tools: exampleTools,
};
