/**
 * Return routes: where the payer's side comes back after paying (LianLian's cashier POSTs its form
 * to `url_return`, Example Pay redirects the browser with a signed query, the merchant's app posts
 * Allinpay's control result). Each hands the exact request to `paykit.payments.handleReturn`, which
 * verifies it, never records its claim, and queries a payment still waiting; the route answers
 * JSON, or the page the merchant's `render` callback makes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expressBody, type ExpressRequestLike, type ExpressWebhookHandler } from './express.js';
import { acceptRawBodies, failedPlugin, lineOf, rawBodyOf, sendExactly, type FastifyWebhookPlugin } from './fastify.js';
import { readBodyStream } from './shared/body.js';
import { requestLineOf, writeNodeReply } from './shared/node-io.js';
import { optionsError } from './shared/options.js';
import { processReturn, RETURN_OPTIONS_USAGE, type ReturnOptions, type ReturnOutcome, type ReturnPaykit } from './shared/return-process.js';
import { DEFAULT_MAX_BODY_BYTES } from './shared/types.js';

/** A `node:http` request listener for payer returns; resolves with what happened once the reply is written. */
export type NodeReturnHandler = (req: IncomingMessage, res: ServerResponse) => Promise<ReturnOutcome>;

/**
 * A plain `node:http` handler for payer returns: GET (a redirect back) or POST (a form, the app's
 * result; its raw body read up to 64 KiB by default), the instance from the options, then
 * `paykit.payments.handleReturn`. Answers JSON (`returnJson`), or `options.render`'s reply. Never
 * throws and never leaves a request hanging.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { nodeReturnHandler } from '@paykit/webhooks';
 *
 * // GET or POST /paykit/return/shop → instance "shop"
 * createServer(nodeReturnHandler(paykit, { instanceFromPath: true })).listen(8081);
 * ```
 */
export function nodeReturnHandler(paykit: ReturnPaykit, options: ReturnOptions): NodeReturnHandler {
  return async (req, res) => {
    const answer = await processReturn(paykit, options, {
      line: requestLineOf(req),
      readBody: (limit, timeoutMs) => readBodyStream(req, limit, req.headers['content-length'], timeoutMs),
    });
    writeNodeReply(res, answer.reply, answer.closeConnection);
    return answer.outcome;
  };
}

/**
 * An Express handler (Express 4 or 5) for payer returns, mounted with `app.all(path, …)`. Like the
 * notification handler it verifies exact bytes: mount it before `express.urlencoded()` and
 * `express.json()` (or give it `express.raw({ type: '*\/*' })`), else a POSTed return is answered
 * 500 and the log says how to fix the mounting. It never calls `next`.
 *
 * @example
 * ```ts
 * app.all('/paykit/return/:instance', expressReturn(paykit, { instanceFromPath: true })); // before express.json()
 * ```
 */
export function expressReturn(paykit: ReturnPaykit, options: ReturnOptions): ExpressWebhookHandler {
  return (req: ExpressRequestLike, res) => {
    void processReturn(paykit, options, { line: requestLineOf(req, req.originalUrl), readBody: (limit, timeoutMs) => expressBody(req, limit, timeoutMs) })
      .then((answer) => writeNodeReply(res, answer.reply, answer.closeConnection));
  };
}

/** Options of {@link fastifyReturns}: the route path besides the return options. */
export type FastifyReturnOptions = ReturnOptions & {
  /** Route path, e.g. `/paykit/return/:instance` (with `instanceFromPath`). */
  readonly path: string;
};

/**
 * A Fastify 5 plugin that registers the return route in its own encapsulated context, whose only
 * content-type parser hands over the raw bytes (the app's other routes keep their parsers). Every
 * method reaches the route, so anything but GET and POST gets 405. Options of the wrong shape (or
 * none) make a plugin whose registration fails with an `InvalidConfig` saying what to pass.
 *
 * @example
 * ```ts
 * await app.register(fastifyReturns(paykit, { path: '/paykit/return/:instance', instanceFromPath: true }));
 * ```
 */
export function fastifyReturns(paykit: ReturnPaykit, options: FastifyReturnOptions): FastifyWebhookPlugin {
  const invalid = optionsError(`fastifyReturns takes options { path, and ${RETURN_OPTIONS_USAGE} }`, options, true);
  if (invalid !== undefined) return failedPlugin(invalid);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (app) => {
    acceptRawBodies(app, limit, options.handleTimeoutMs);
    app.all(options.path, async (request, reply) => {
      const answer = await processReturn(paykit, options, { line: lineOf(request), readBody: () => Promise.resolve(rawBodyOf(request)) });
      return sendExactly(reply, answer.reply, answer.closeConnection);
    });
  };
}
