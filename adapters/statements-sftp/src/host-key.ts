// Host key pinning. The fingerprint is OpenSSH's: SHA-256 of the key blob the server sends (RFC
// 4253 6.6 public key format), base64 without padding, prefixed "SHA256:".
import { createHash, timingSafeEqual } from 'node:crypto';
import { err, ok } from 'neverthrow';
import { PaymentErrors, type PayResult, type SignatureError } from '@paykit/core';

const HOW = 'get it from LianLian, or read it with `ssh-keyscan -p <port> <host> | ssh-keygen -lf -` from a trusted network and compare it with what LianLian states';

/** The OpenSSH SHA-256 fingerprint (`SHA256:…`) of a host key blob in SSH wire format. */
export function hostKeyFingerprint(keyBlob: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Normalises `SHA256:<base64>` (padding optional) and checks that it holds 32 bytes. */
export function parseHostKeyFingerprint(text: unknown): PayResult<string> {
  const path = 'connection.hostKeySha256';
  if (typeof text !== 'string' || text.trim() === '') {
    return err(PaymentErrors.invalidConfig(`connection.hostKeySha256 is required: the SHA256:… fingerprint of the server's host key (${HOW})`, { path }));
  }
  const m = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(text.trim());
  if (m === null) {
    return err(PaymentErrors.invalidConfig(`connection.hostKeySha256 must look like SHA256:<43 base64 characters>, as ssh-keygen -l prints it (${HOW})`, { path }));
  }
  return ok(`SHA256:${m[1] as string}`);
}

/** Whether two normalised fingerprints are the same, compared in constant time. */
export function sameFingerprint(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What the host key check saw during one connection attempt. */
export interface HostKeyCheck {
  /** The fingerprint the server showed, once it showed one. */
  seen: string | undefined;
  /** Whether it differed from the expected one. */
  rejected: boolean;
}

/** A `hostVerifier` for ssh2 that accepts only the expected key and records what it saw. */
export function pinnedHostVerifier(expected: string, check: HostKeyCheck): (key: Buffer) => boolean {
  return (key: Buffer): boolean => {
    const seen = hostKeyFingerprint(key);
    check.seen = seen;
    check.rejected = !sameFingerprint(seen, expected);
    return !check.rejected;
  };
}

/** The error for a host key that is not the pinned one: which key was seen, and how to pin the right one. */
export function hostKeyMismatch(server: string, expected: string, seen: string | undefined): SignatureError {
  return PaymentErrors.signature(
    `the SFTP server ${server} showed host key ${seen ?? '(none)'} but connection.hostKeySha256 is ${expected}: nothing was sent to it. `
    + `If LianLian changed its key, confirm the new fingerprint with them and set connection.hostKeySha256 to it (${HOW}); otherwise someone may be intercepting the connection`,
    { path: 'connection.hostKeySha256' },
  );
}
