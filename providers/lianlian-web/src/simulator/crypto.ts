// The simulator's own signing, written directly on node:crypto (independent of the plugin's
// signer, so a bug there cannot hide behind the same bug here).
import { createHash, createSign, createVerify, type KeyObject } from 'node:crypto';
import { decodeText, encodeText, type Charset } from '@paykit/core';

/** LianLian's sign string: sorted non-empty fields except `sign` and `unsigned`, `k=v` joined by `&`. */
export function simSigningText(fields: Readonly<Record<string, unknown>>, unsigned: readonly string[] = []): string {
  return Object.keys(fields).filter((k) => k !== 'sign' && !unsigned.includes(k)).sort()
    .map((k) => [k, fields[k]] as const)
    .filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== 'null')
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('&');
}

function bytes(text: string, charset: string): Buffer {
  const r = encodeText(text, charset as Charset);
  if (r.isErr()) throw new Error(`simulator cannot encode text in ${charset}`);
  return Buffer.from(r.value);
}

function text(b: Buffer, charset: string): string {
  const r = decodeText(b, charset as Charset);
  if (r.isErr()) throw new Error(`form value is not valid ${charset}`);
  return r.value;
}

/** Keys the simulator signs and verifies with. */
export interface SimKeys {
  /** Shared MD5 key. */
  readonly md5Key?: string;
  /** LianLian's private key (signs RSA replies and notifications). */
  readonly lianlianPrivateKey?: KeyObject;
  /** The merchant's public key (verifies RSA requests). */
  readonly merchantPublicKey?: KeyObject;
}

/** Signs a text as LianLian does. */
export function simSign(text: string, signType: 'MD5' | 'RSA', keys: SimKeys, charset = 'UTF-8'): string {
  if (signType === 'MD5') return createHash('md5').update(bytes(`${text}&key=${keys.md5Key ?? ''}`, charset)).digest('hex');
  if (!keys.lianlianPrivateKey) throw new Error('simulator has no LianLian private key for RSA');
  return createSign('RSA-MD5').update(bytes(text, charset)).sign(keys.lianlianPrivateKey, 'base64');
}

/**
 * A signature that no longer verifies (the `bad-signature` fault): its first character changed.
 * The first character, because the last ones of base64 can carry padding bits a decoder drops;
 * and always to a different one, or a signature that already starts with the replacement would
 * come back unchanged (and verify).
 */
export function simSpoil(signature: string, signType: 'MD5' | 'RSA'): string {
  const was = signature[0];
  const now = signType === 'MD5' ? (was === '0' ? '1' : '0') : (was === 'A' ? 'B' : 'A');
  return `${now}${signature.slice(1)}`;
}

/** Verifies a merchant's signature. */
export function simVerify(text: string, signType: string, signature: string, keys: SimKeys, charset = 'UTF-8'): boolean {
  if (signType === 'MD5') return keys.md5Key !== undefined && createHash('md5').update(bytes(`${text}&key=${keys.md5Key}`, charset)).digest('hex') === signature;
  if (signType !== 'RSA' || !keys.merchantPublicKey) return false;
  try {
    return createVerify('RSA-MD5').update(bytes(text, charset)).verify(keys.merchantPublicKey, signature, 'base64');
  } catch {
    return false;
  }
}

/** `49.65` → 4965, by string arithmetic; undefined unless it has at most two decimals. */
export function yuanToFen(text: string): number | undefined {
  const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** 4965 → `49.65`. */
export function fenToYuan(fen: number): string {
  const s = String(fen).padStart(3, '0');
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}

/** Percent-encodes a form value's bytes in `charset` (every byte but unreserved ASCII). */
export function simEncodeFormValue(value: string, charset: string): string {
  let out = '';
  for (const b of bytes(value, charset)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Decodes a urlencoded form whose values are in `charset`. */
export function simParseForm(body: Buffer): Record<string, string> {
  const raw = body.toString('latin1');
  const pairs = raw.length === 0 ? [] : raw.split('&').map((p) => {
    const i = p.indexOf('=');
    return [i < 0 ? p : p.slice(0, i), i < 0 ? '' : p.slice(i + 1)] as const;
  });
  const toBytes = (s: string): Buffer => Buffer.from(s.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
  const charsetPair = pairs.find(([k]) => k === 'charset_name');
  const charset = charsetPair ? toBytes(charsetPair[1]).toString('latin1') : 'UTF-8';
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) out[toBytes(k).toString('latin1')] = text(toBytes(v), charset);
  return out;
}
