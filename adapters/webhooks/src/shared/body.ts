import type { Readable } from 'node:stream';
import { PaymentErrors, type PaymentError } from '@paykit/core';

/** What reading a notification body gave. */
export type BodyRead =
  | { readonly kind: 'complete'; readonly bytes: Uint8Array }
  | { readonly kind: 'too-large'; readonly limit: number }
  | { readonly kind: 'aborted'; readonly afterMs?: number }
  | { readonly kind: 'unavailable'; readonly detail: string };

/** Why an already-read stream cannot be verified. */
export const STREAM_ALREADY_READ = 'the request body stream was already read by other middleware, so its exact bytes are gone';
/** Why a stream turned into text cannot be verified. */
export const STREAM_DECODED = 'other middleware set a text encoding on the request stream (req.setEncoding), so its exact bytes are gone';

/**
 * How long the whole body may take to arrive, in ms. A provider's notification (under 2 KiB) comes
 * at once; a client that trickles it, or stops halfway, would otherwise hold the request open (with
 * Fastify, whose requestTimeout is off by default, for ever).
 */
export const BODY_TIMEOUT_MS = 10_000;

/** The error of a body that did not arrive whole: cut off for taking too long, or dropped by `who`. */
export function incompleteBodyError(read: { readonly afterMs?: number }, who: 'provider' | 'client'): PaymentError {
  return read.afterMs !== undefined
    ? PaymentErrors.timeout(`the body did not arrive within ${read.afterMs} ms: the connection was closed`)
    : PaymentErrors.network(`the ${who} closed the connection before the whole body arrived`, false);
}

/**
 * Reads a request body stream into its exact bytes, up to `limit` bytes. A declared
 * `content-length` over the limit is refused before reading; a stream that passes the limit stops
 * being kept (the rest is drained and dropped). A client that goes away mid-body gives `aborted`;
 * a stream someone else already read gives `unavailable`. Never rejects.
 */
export function readBodyStream(stream: Readable, limit: number, declaredLength: string | undefined, timeoutMs = BODY_TIMEOUT_MS): Promise<BodyRead> {
  const declared = declaredLength === undefined ? undefined : Number(declaredLength);
  if (declared !== undefined && Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: 'too-large', limit });
  if (stream.readableDidRead || stream.readableEnded) return Promise.resolve({ kind: 'unavailable', detail: STREAM_ALREADY_READ });
  if (stream.readableEncoding !== null && stream.readableEncoding !== undefined) return Promise.resolve({ kind: 'unavailable', detail: STREAM_DECODED });
  if (stream.destroyed) return Promise.resolve({ kind: 'aborted' });
  return new Promise<BodyRead>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // Too slow: the connection is closed (nothing can be answered on it any more).
    const timer = setTimeout(() => {
      settle({ kind: 'aborted', afterMs: timeoutMs });
      stream.destroy();
    }, timeoutMs);
    const settle = (read: BodyRead): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      resolve(read);
    };
    const onData = (chunk: Buffer | string): void => {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      size += buf.length;
      if (size > limit) {
        chunks.length = 0;
        settle({ kind: 'too-large', limit });
        stream.resume(); // drain and drop the rest
        return;
      }
      chunks.push(buf);
    };
    const onEnd = (): void => settle({ kind: 'complete', bytes: new Uint8Array(Buffer.concat(chunks, size)) });
    const onClose = (): void => settle({ kind: 'aborted' });
    // Never removed: a late socket error must not become an uncaught exception.
    stream.on('error', () => settle({ kind: 'aborted' }));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('close', onClose);
  });
}
