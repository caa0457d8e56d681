/**
 * `@paykit/webhooks`: receive provider notifications over HTTP with `node:http`, Express 5 or
 * Fastify 5. Each adapter hands paykit the exact body bytes (never a re-serialised copy) and sends
 * the provider's exact acknowledgement only once paykit has verified and durably recorded the
 * notification; anything else gets the provider's rejection, so the provider delivers again.
 *
 * @example
 * ```ts
 * import { listenForNotifications } from '@paykit/webhooks';
 *
 * const server = await listenForNotifications(paykit, { instanceFromPath: true, port: 8080 });
 * // LianLian: notify_url = https://shop.example/paykit/notify/shop  (proxied to this server)
 * ```
 *
 * @packageDocumentation
 */
export { nodeWebhookHandler, processNodeWebhook, type NodeWebhookHandler } from './node.js';
export { expressWebhook, type ExpressRequestLike, type ExpressWebhookHandler } from './express.js';
export {
  fastifyWebhooks, type FastifyInstanceLike, type FastifyReplyLike, type FastifyRequestLike, type FastifyWebhookOptions, type FastifyWebhookPlugin,
} from './fastify.js';
export { listenForNotifications, type ListenOptions, type WebhookServer } from './server.js';
export {
  DEFAULT_HANDLE_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, type InstanceChoice, type WebhookAccepted, type WebhookOptions,
  type WebhookPaykit, type WebhookRejected, type WebhookRejectionReason, type WebhookRequestLine,
} from './shared/types.js';
