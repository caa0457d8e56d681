import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult } from '../errors/result.js';

const PEM = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/** Strips PEM armour and whitespace; returns the DER bytes, or undefined if it is not base64. */
function derOf(text: string): { der: Buffer; label?: string } | undefined {
  const m = PEM.exec(text);
  const body = (m ? m[2] ?? '' : text).replace(/\s+/g, '');
  if (body.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  return m?.[1] !== undefined ? { der: Buffer.from(body, 'base64'), label: m[1] } : { der: Buffer.from(body, 'base64') };
}

function bytesOf(input: string | Uint8Array): { der: Buffer; label?: string } | undefined {
  if (typeof input === 'string') return derOf(input);
  // DER starts with a SEQUENCE tag (0x30); anything else is treated as text (PEM or base64).
  if (input.length > 0 && input[0] === 0x30) return { der: Buffer.from(input) };
  return derOf(Buffer.from(input).toString('latin1'));
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/**
 * Loads an RSA private key from PEM (PKCS#1 `RSA PRIVATE KEY` or PKCS#8 `PRIVATE KEY`), or from
 * bare base64 / raw DER in either form, with or without line breaks.
 * The error never includes the key material.
 */
export function loadPrivateKey(input: string | Uint8Array): PayResult<KeyObject> {
  return guard('loadPrivateKey', () => {
    const parsed = bytesOf(input);
    if (!parsed) return err(PaymentErrors.invalidConfig('private key is neither PEM nor base64 DER: paste the PKCS#8 or PKCS#1 key text'));
    const key = attempt(() => createPrivateKey({ key: parsed.der, format: 'der', type: 'pkcs8' }))
      ?? attempt(() => createPrivateKey({ key: parsed.der, format: 'der', type: 'pkcs1' }));
    return key ? ok(key) : err(PaymentErrors.invalidConfig('private key could not be read as PKCS#8 or PKCS#1 DER: check that it is an unencrypted RSA private key'));
  });
}

/**
 * Loads an RSA public key from PEM or bare base64 / DER: X.509 SubjectPublicKeyInfo (`MIGf…`),
 * PKCS#1 `RSA PUBLIC KEY`, or an X.509 certificate (`.cer`, PEM or DER).
 */
export function loadPublicKey(input: string | Uint8Array): PayResult<KeyObject> {
  return guard('loadPublicKey', () => {
    const parsed = bytesOf(input);
    if (!parsed) return err(PaymentErrors.invalidConfig('public key is neither PEM nor base64 DER: paste the key or certificate text'));
    const key = attempt(() => createPublicKey({ key: parsed.der, format: 'der', type: 'spki' }))
      ?? attempt(() => createPublicKey({ key: parsed.der, format: 'der', type: 'pkcs1' }))
      ?? attempt(() => new X509Certificate(parsed.der).publicKey);
    return key ? ok(key) : err(PaymentErrors.invalidConfig('public key could not be read as SPKI, PKCS#1 or an X.509 certificate'));
  });
}

/** Loads the public key of an X.509 certificate given as PEM or DER (bytes or base64 text). */
export function loadCertificate(input: string | Uint8Array): PayResult<X509Certificate> {
  return guard('loadCertificate', () => {
    const parsed = bytesOf(input);
    if (!parsed) return err(PaymentErrors.invalidConfig('certificate is neither PEM nor DER'));
    const cert = attempt(() => new X509Certificate(parsed.der));
    return cert ? ok(cert) : err(PaymentErrors.invalidConfig('certificate could not be read as X.509 (PEM or DER)'));
  });
}
