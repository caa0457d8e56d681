/**
 * Example Pay: the template paykit provider plugin. Read it top-down: `wire.ts` (codecs),
 * `mapping.ts` (wire ↔ domain), `signer.ts`, `notifications.ts`, `api.ts` + `client.ts`
 * (operations), `plugin.ts` (the DI module), `simulator/`, `demo.ts`, `harness.ts` (the last three behind the `testing` entry).
 *
 * @packageDocumentation
 */
export { examplePlugin, exampleModule } from './plugin.js';
export { ExampleOptionsCodec, type ExampleOptions } from './config.js';
export type { ExampleOptionsInput } from './options.js';
export { exampleTools } from './tools.js';
export { verifyNotification, verifyReturnRequest, ACK, NACK } from './notifications.js';
export { mapPaymentStatus, mapRefundStatus, mapErrorCode } from './mapping.js';
export { ExampleStatements, type ExampleStatementPage } from './statements.js';
export { ExampleApi, type CallKind } from './api.js';
