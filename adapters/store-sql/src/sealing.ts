import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import { PaymentErrors, type PayResult, type RecordKind } from '@paykit/core';

/**
 * Records sealed at rest: a payout keeps the beneficiary's account (card) number it is resent
 * with, and a card number must not sit readable in a database, its backups and its replicas.
 */
export const SEALED_KINDS: ReadonlySet<RecordKind> = new Set<RecordKind>(['payout']);

const VERSION = 'v1';
const STRICT_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Seals record values with AES-256-GCM. The record's kind and id are authenticated with it, so a
 * sealed value copied onto another record does not open.
 */
export class RecordSealer {
  readonly #key: KeyObject;

  private constructor(key: KeyObject) {
    this.#key = key;
  }

  /** A sealer from the configured key: base64 of exactly 32 bytes. The key never appears in an error. */
  static fromBase64(text: string, path = 'store.recordKey'): PayResult<RecordSealer> {
    const trimmed = text.trim();
    const bytes = STRICT_BASE64.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
    if (bytes.length !== 32) {
      return err(PaymentErrors.invalidConfig(`${path}: expected base64 of 32 random bytes (e.g. \`openssl rand -base64 32\`), got ${bytes.length === 0 ? 'something else' : `${bytes.length} bytes`}`, { path }));
    }
    return ok(new RecordSealer(createSecretKey(bytes)));
  }

  /** Seals a record's JSON text; the result is itself JSON (`{"$sealed": …}`). */
  seal(kind: RecordKind, id: string, json: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(`${kind}\u0000${id}`, 'utf8'));
    const body = Buffer.concat([cipher.update(json, 'utf8'), cipher.final()]);
    return JSON.stringify({ $sealed: [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.') });
  }

  /** Opens a sealed value of a record back into its JSON text. */
  open(kind: RecordKind, id: string, sealed: string): PayResult<string> {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
      return err(PaymentErrors.internal(`${kind} ${id}: its sealed value is not in a format this version reads`));
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
      decipher.setAAD(Buffer.from(`${kind}\u0000${id}`, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return ok(Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8'));
    } catch {
      return err(PaymentErrors.signature(`${kind} ${id}: its sealed value does not open with store.recordKey: the key changed, or the row was altered or copied from another record`));
    }
  }

  /** Never prints the key. */
  toJSON(): string {
    return '[RecordSealer]';
  }
}
