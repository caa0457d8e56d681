import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBodyStream, type BodyRead } from './shared/body.js';
import { requestLineOf, writeOutcome } from './shared/node-io.js';
import { processWebhook } from './shared/process.js';
import type { WebhookOptions, WebhookPaykit } from './shared/types.js';

/**
 * The Express request as the handler reads it: a `node:http` request plus what Express adds. Declared
 * here rather than imported from `express`, so these types need neither `@types/express` nor one
 * Express major: an Express 4 or 5 `Request` fits.
 */
export type ExpressRequestLike = IncomingMessage & {
  /** What a body parser left, if one ran (`express.raw()` leaves a Buffer). */
  readonly body?: unknown;
  /** The URL before any router mount path was stripped. */
  readonly originalUrl: string;
};

/** The handler {@link expressWebhook} returns: Express 4 and 5 accept it wherever they take a `RequestHandler`. */
export type ExpressWebhookHandler = (req: ExpressRequestLike, res: ServerResponse) => void;

/** What to do when a body parser got to the body first. */
const PARSED_BEFORE = 'a body parser mounted before the paykit route (express.json(), express.urlencoded() or express.text()) '
  + 'already parsed the body, and a re-serialised body cannot be verified: mount the paykit route before those parsers, '
  + 'or give it express.raw({ type: \'*/*\' })';

/** The exact body bytes of an Express request, whether or not a body parser ran first. */
export function expressBody(req: ExpressRequestLike, limit: number, timeoutMs?: number): Promise<BodyRead> {
  const parsed: unknown = req.body;
  if (Buffer.isBuffer(parsed)) {
    // express.raw() kept the bytes: use them as they are.
    return Promise.resolve(parsed.length > limit ? { kind: 'too-large', limit } : { kind: 'complete', bytes: new Uint8Array(parsed.buffer, parsed.byteOffset, parsed.length) });
  }
  if (req.readableDidRead || req.readableEnded) {
    return Promise.resolve({ kind: 'unavailable', detail: parsed === undefined ? 'other middleware already read the request body' : PARSED_BEFORE });
  }
  // No parser matched this content type (or none is mounted): the stream is still unread.
  return readBodyStream(req, limit, req.headers['content-length'], timeoutMs);
}

/**
 * An Express handler (Express 4 or 5) for provider notifications, mounted with `app.all(path, …)` (or `app.post`).
 * It works whether or not the app mounts body parsers: it uses the bytes `express.raw()` kept, or
 * reads the unread stream itself. When `express.json()`/`express.urlencoded()` already consumed the
 * body it does not verify a re-serialised copy: it answers the provider's rejection (so the
 * notification is delivered again) and logs through paykit's logger how to fix the mounting. The
 * acknowledgement is written only once paykit has durably recorded the notification. It never
 * calls `next`: every request gets a reply.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { expressWebhook } from '@paykit/webhooks';
 *
 * const app = express();
 * app.all('/paykit/notify/:instance', expressWebhook(paykit, { instanceFromPath: true })); // before express.json()
 * app.use(express.json());
 * ```
 */
export function expressWebhook(paykit: WebhookPaykit, options: WebhookOptions): ExpressWebhookHandler {
  return (req, res): void => {
    // Not returned: Express 5 wants a native promise, Express 4 ignores it, and the outcome never rejects anyway.
    void writeOutcome(res, processWebhook(paykit, options, {
      line: requestLineOf(req, req.originalUrl),
      readBody: (limit, timeoutMs) => expressBody(req, limit, timeoutMs),
    }));
  };
}
