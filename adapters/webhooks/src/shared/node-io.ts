import type { IncomingMessage, ServerResponse } from 'node:http';
import { mapErrOf, mapOk, type HttpReply } from '@paykit/core';
import type { ResultAsync } from 'neverthrow';
import { headersToSend } from './replies.js';
import type { WebhookAccepted, WebhookRejected, WebhookRequestLine } from './types.js';

/** Method, URL and lower-case headers of a node request (repeated headers joined with `, `). */
export function requestLineOf(req: IncomingMessage, url: string = req.url ?? '/'): WebhookRequestLine {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: (req.method ?? '').toUpperCase(), url, headers };
}

/**
 * Writes a reply exactly (status, headers, UTF-8 body with its byte length). `close` asks the client
 * to drop the connection (after a body that was not read to its end). When the response can no
 * longer be written (already sent, socket gone, a throw), the socket is destroyed so nothing hangs.
 */
export function writeNodeReply(res: ServerResponse, reply: HttpReply, close = false): void {
  res.on('error', () => undefined);
  if (res.writableEnded) return;
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  try {
    const body = Buffer.from(reply.body, 'utf8');
    res.writeHead(reply.status, { ...headersToSend(reply, body.length), ...(close ? { connection: 'close' } : {}) });
    res.end(body);
  } catch {
    res.destroy();
  }
}

/** Rejections after which the request body was not read to its end: the connection is closed. */
const UNREAD_BODY: ReadonlySet<WebhookRejected['reason']> = new Set(['body-too-large', 'aborted']);

/** Writes the outcome's reply to a node response; resolves with the same outcome once written. */
export function writeOutcome(res: ServerResponse, outcome: ResultAsync<WebhookAccepted, WebhookRejected>): ResultAsync<WebhookAccepted, WebhookRejected> {
  const written = mapOk(outcome, (accepted) => {
    writeNodeReply(res, accepted.reply);
    return accepted;
  });
  return mapErrOf(written, (rejected) => {
    writeNodeReply(res, rejected.reply, UNREAD_BODY.has(rejected.reason));
    return rejected;
  });
}
