import type { IncomingMessage } from 'node:http';
import type { HttpReply, PaymentError } from '@paykit/core';
import { readBodyStream, type BodyRead } from './shared/body.js';
import { headersToSend } from './shared/replies.js';
import { optionsError, WEBHOOK_OPTIONS_USAGE } from './shared/options.js';
import { processWebhook } from './shared/process.js';
import { DEFAULT_MAX_BODY_BYTES, type WebhookOptions, type WebhookPaykit, type WebhookRequestLine } from './shared/types.js';

/** Options of {@link fastifyWebhooks}: the route path besides the common webhook options. */
export type FastifyWebhookOptions = WebhookOptions & {
  /** Route path, e.g. `/paykit/notify/:instance` (with `instanceFromPath`) or `/ll/notify`. */
  readonly path: string;
};

/** The Fastify request as the route reads it (a `FastifyRequest` fits). */
export interface FastifyRequestLike {
  /** HTTP method. */
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  /** Request headers. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** What the content-type parser produced. */
  readonly body: unknown;
}

/** The Fastify reply as the route writes it (a `FastifyReply` fits). */
export interface FastifyReplyLike {
  /** Sets the status code. */
  code(statusCode: number): FastifyReplyLike;
  /** Sets headers. */
  headers(values: Record<string, string | number>): FastifyReplyLike;
  /** Sends the body. */
  send(payload: Buffer): FastifyReplyLike;
}

/**
 * The part of a `FastifyInstance` the plugin uses. Declared here rather than imported from
 * `fastify`, so these types do not need the optional `fastify` peer installed; a `FastifyInstance`
 * fits.
 */
export interface FastifyInstanceLike {
  /** Drops the inherited content-type parsers (in this plugin's own context only). */
  removeAllContentTypeParsers(): void;
  /** Registers a parser for a content type (`*`: any). */
  addContentTypeParser(contentType: string, parser: (request: FastifyRequestLike, payload: IncomingMessage) => Promise<unknown>): void;
  /** Routes every method of a path to a handler. */
  all(path: string, handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): void;
}

/** A Fastify plugin function as `app.register` takes it (encapsulated: not wrapped in fastify-plugin). */
export type FastifyWebhookPlugin = (app: FastifyInstanceLike) => Promise<void>;

/** What this plugin's parser puts in `request.body`: told apart from anything a parser elsewhere could produce. */
class RawBody {
  constructor(readonly read: BodyRead) {}
}

/**
 * Makes a plugin's own context hand its routes the raw bytes for any content type (the app's other
 * routes keep their parsers).
 */
export function acceptRawBodies(app: FastifyInstanceLike, limit: number, timeoutMs?: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', async (request, payload) => {
    const length = request.headers['content-length'];
    return new RawBody(await readBodyStream(payload, limit, typeof length === 'string' ? length : undefined, timeoutMs));
  });
}

/** The body {@link acceptRawBodies} read; Fastify skips parsing a request with no body at all: that is an empty body. */
export function rawBodyOf(request: FastifyRequestLike): BodyRead {
  return request.body instanceof RawBody ? request.body.read : { kind: 'complete', bytes: new Uint8Array(0) };
}

/** Sends a reply exactly (UTF-8 body with its byte length); `close` asks the client to drop the connection. */
export function sendExactly(reply: FastifyReplyLike, sent: HttpReply, close: boolean): FastifyReplyLike {
  const bytes = Buffer.from(sent.body, 'utf8');
  return reply.code(sent.status).headers({ ...headersToSend(sent, bytes.length), ...(close ? { connection: 'close' } : {}) }).send(bytes);
}

/** A plugin whose registration fails with `error`, through Fastify's plugin error path. */
export function failedPlugin(error: PaymentError): FastifyWebhookPlugin {
  return () => Promise.reject(error);
}

/** Method, URL and lower-case headers of a Fastify request. */
export function lineOf(request: FastifyRequestLike): WebhookRequestLine {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return { method: request.method.toUpperCase(), url: request.url, headers };
}

/**
 * A Fastify 5 plugin that registers the notification route in its own encapsulated context, whose
 * only content-type parser hands over the raw bytes for any content type (JSON, forms, text or none);
 * the app's other routes keep their parsers. Every method reaches the route so non-POST gets 405.
 * The acknowledgement is sent only once paykit has durably recorded the notification; otherwise the
 * provider's rejection. Never throws: options of the wrong shape (or none) make a plugin whose
 * registration fails with an `InvalidConfig` saying what to pass (`app.register`/`app.ready()` reject with it).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { fastifyWebhooks } from '@paykit/webhooks';
 *
 * const app = Fastify();
 * await app.register(fastifyWebhooks(paykit, { path: '/paykit/notify/:instance', instanceFromPath: true }));
 * await app.listen({ port: 8080 });
 * ```
 */
export function fastifyWebhooks(paykit: WebhookPaykit, options: FastifyWebhookOptions): FastifyWebhookPlugin {
  const invalid = optionsError(`fastifyWebhooks takes options { path, and ${WEBHOOK_OPTIONS_USAGE} }`, options, true);
  if (invalid !== undefined) return failedPlugin(invalid);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (app) => {
    // Only inside this plugin's context: the app's own routes keep their JSON and other parsers.
    acceptRawBodies(app, limit, options.handleTimeoutMs);
    app.all(options.path, async (request, reply) => {
      const outcome = await processWebhook(paykit, options, { line: lineOf(request), readBody: () => Promise.resolve(rawBodyOf(request)) });
      const sent = outcome.match((accepted) => accepted.reply, (rejected) => rejected.reply);
      const unread = outcome.isErr() && (outcome.error.reason === 'body-too-large' || outcome.error.reason === 'aborted');
      return sendExactly(reply, sent, unread);
    });
  };
}
