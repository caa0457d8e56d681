import type { IncomingMessage, ServerResponse } from 'node:http';
import { ResultAsync } from 'neverthrow';
import { PaymentErrors } from '@paykit/core';
import { readBodyStream } from './shared/body.js';
import { requestLineOf, writeOutcome } from './shared/node-io.js';
import { misconfigured, processWebhook } from './shared/process.js';
import type { WebhookAccepted, WebhookOptions, WebhookPaykit, WebhookRejected, WebhookRequestLine } from './shared/types.js';

/**
 * A `node:http` request listener for notifications. It resolves, after the reply is written, with
 * what happened (Ok: acknowledged; Err: rejected, with the reason); node ignores the return value.
 */
export type NodeWebhookHandler = (req: IncomingMessage, res: ServerResponse) => ResultAsync<WebhookAccepted, WebhookRejected>;

/**
 * Reads a node request's exact body and runs it through paykit, without writing anything: for a
 * merchant's own server that writes the reply itself (`result.match(a => a.reply, r => r.reply)`).
 * Never throws or rejects: options or a request of the wrong shape are rejected with a 500 reply.
 *
 * @example
 * ```ts
 * const outcome = await processNodeWebhook(paykit, req, { instanceId: 'shop' });
 * const reply = outcome.match((accepted) => accepted.reply, (rejected) => rejected.reply);
 * res.writeHead(reply.status, reply.headers).end(reply.body);
 * ```
 */
export function processNodeWebhook(paykit: WebhookPaykit, req: IncomingMessage, options: WebhookOptions): ResultAsync<WebhookAccepted, WebhookRejected> {
  let line: WebhookRequestLine;
  try {
    line = requestLineOf(req);
  } catch {
    const error = PaymentErrors.invalidRequest('processNodeWebhook takes the node:http IncomingMessage of the notification request (the req of a request listener)', { path: 'req' });
    return new ResultAsync(Promise.resolve(misconfigured(paykit, error)));
  }
  return processWebhook(paykit, options, {
    line,
    readBody: (limit, timeoutMs) => readBodyStream(req, limit, req.headers['content-length'], timeoutMs),
  });
}

/**
 * A plain `node:http` handler for provider notifications: reads the raw body (64 KiB limit by
 * default), hands the exact bytes to `paykit.notifications.handle`, and writes the provider's exact
 * acknowledgement only once paykit has durably recorded the notification; otherwise the provider's
 * rejection (so it delivers again). Only POST (405 otherwise); an unknown instance gets 404. It never
 * throws and never leaves a request hanging.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { nodeWebhookHandler } from '@paykit/webhooks';
 *
 * // POST /paykit/notify/shop → instance "shop"
 * createServer(nodeWebhookHandler(paykit, { instanceFromPath: true })).listen(8080);
 * ```
 */
export function nodeWebhookHandler(paykit: WebhookPaykit, options: WebhookOptions): NodeWebhookHandler {
  return (req, res) => writeOutcome(res, processNodeWebhook(paykit, req, options));
}
