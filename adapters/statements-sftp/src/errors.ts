// The one place where what ssh2 throws or reports becomes a PaymentError. Network and timeout
// failures are retryable (a download reads only, so repeating it is harmless); authentication,
// host key and configuration failures are not. Library text is scrubbed of every secret before
// it is kept.
import { PaymentErrors, type PaymentError, type Secret } from '@paykit/core';
import { hostKeyMismatch, type HostKeyCheck } from './host-key.js';

/** Where a failure happened, for the message, and what must never appear in it. */
export interface FailureContext {
  /** `host:port`. */
  readonly server: string;
  /** The account, named in authentication failures. */
  readonly username: string;
  /** The host key check of this connection. */
  readonly hostKey: HostKeyCheck;
  /** The expected fingerprint. */
  readonly expectedHostKey: string;
  /** Secrets whose text is removed from any library message kept. */
  readonly secrets: readonly (Secret | undefined)[];
}

/** Thrown by our own timers; recognised by {@link sftpFailure}. */
export class StallTimeout extends Error {
  /** What was waited for and how long. */
  constructor(message: string) {
    super(message);
    this.name = 'StallTimeout';
  }
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7) that a read-only client can meet. */
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;
const SFTP_OP_UNSUPPORTED = 8;

/** Removes every secret (and every line of a multi-line secret such as a key) from a text. */
export function scrubSecrets(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s === undefined) continue;
    const value = s.reveal();
    const parts = [value, ...value.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= 8)];
    for (const p of parts) if (p.length > 0) out = out.split(p).join('[REDACTED]');
  }
  return out;
}

function fieldOf(e: unknown, name: 'code' | 'level'): unknown {
  return typeof e === 'object' && e !== null && name in e ? (e as Record<string, unknown>)[name] : undefined;
}

/** A scrubbed copy of a library error (name and message only), safe to keep as a cause. */
function safeCause(e: unknown, ctx: FailureContext): Error {
  const copy = new Error(scrubSecrets(e instanceof Error ? e.message : String(e), ctx.secrets).slice(0, 300));
  copy.name = e instanceof Error ? e.name : typeof e;
  return copy;
}

/** Turns anything ssh2 or our timers produced while doing `what` into a PaymentError. */
export function sftpFailure(e: unknown, what: string, ctx: FailureContext): PaymentError {
  if (ctx.hostKey.rejected) return hostKeyMismatch(ctx.server, ctx.expectedHostKey, ctx.hostKey.seen);
  const cause = safeCause(e, ctx);
  const code = fieldOf(e, 'code');
  const level = fieldOf(e, 'level');
  if (e instanceof StallTimeout) return PaymentErrors.timeout(`${what}: ${e.message}; the fetch resumes where it stopped when run again`, { cause });
  if (level === 'client-authentication') {
    return PaymentErrors.providerRejected(
      `the SFTP server ${ctx.server} refused the login of "${ctx.username}": check connection.username and connection.password or connection.privateKey (and that this machine's IP is on LianLian's allow list)`,
      { code: 'permission_denied', path: 'connection.username', cause },
    );
  }
  if (level === 'client-timeout') {
    return PaymentErrors.timeout(`${what}: no SSH handshake with ${ctx.server} in time; check the host, the port and that LianLian allows this IP, or raise connection.connectTimeoutMs`, { cause });
  }
  if (/privateKey/i.test(cause.message) && /parse|unsupported|encrypted|passphrase/i.test(cause.message)) {
    return PaymentErrors.invalidConfig(`connection.privateKey cannot be used: ${cause.message}; give an OpenSSH or PEM private key (and connection.passphrase when it is encrypted)`, { path: 'connection.privateKey' });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return PaymentErrors.network(`${what}: cannot reach ${ctx.server} (${String(code)}); check connection.host and connection.port`, false, { cause });
  }
  if (code === SFTP_NO_SUCH_FILE) return PaymentErrors.notFound(`${what}: no such file or directory on ${ctx.server}; check remoteDir`, { path: 'remoteDir', cause });
  if (code === SFTP_PERMISSION_DENIED) {
    return PaymentErrors.providerRejected(`${what}: the server denied access; ask LianLian to grant the account read access`, { code: 'permission_denied', cause });
  }
  if (code === SFTP_OP_UNSUPPORTED) return PaymentErrors.unsupported('sftp', `${what}: the server does not support this SFTP request`, { cause });
  // Whatever else breaks mid-session (reset, closed channel, "No response from server") is the
  // network: retryable, as reading a file again has no effect on the server.
  return PaymentErrors.network(`${what}: the connection to ${ctx.server} failed (${cause.message}); the fetch resumes where it stopped when run again`, true, { retryable: true, cause });
}
