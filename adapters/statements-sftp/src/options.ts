// What a fetch needs, and the one place it is checked. LianLian hands out the SFTP parameters
// (host, port, account, key or password) after signing and filters by source IP (integration
// guide 九, 方式二); the file names come from spec 5.1, 5.3 and 5.5.
import { err, ok, Result } from 'neverthrow';
import { PaymentErrors, Secret, type PayResult } from '@paykit/core';
import type { StatementFileFamily } from '@paykit/provider-lianlian-web';
import { parseHostKeyFingerprint } from './host-key.js';

/** How to reach and authenticate to LianLian's SFTP server. */
export interface SftpConnectionOptions {
  /** Host name or IP address. */
  readonly host: string;
  /** TCP port; default 22. */
  readonly port?: number;
  /** Account name LianLian assigned. */
  readonly username: string;
  /** Password, when the account uses one. */
  readonly password?: Secret;
  /** Private key (OpenSSH or PEM text), when the account uses key authentication. */
  readonly privateKey?: Secret;
  /** Passphrase of an encrypted {@link SftpConnectionOptions.privateKey}. */
  readonly passphrase?: Secret;
  /**
   * The SHA-256 fingerprint of the server's host key as OpenSSH prints it, `SHA256:<base64>`
   * (`ssh-keyscan -p <port> <host> | ssh-keygen -lf -`). Required: a server showing another key
   * is refused before any credential is sent.
   */
  readonly hostKeySha256: string;
  /** Limit on TCP connect, handshake and authentication, in ms; default 20 000. */
  readonly connectTimeoutMs?: number;
  /** Limit on any single SFTP request (listing, open, one read) without an answer, in ms; default 30 000. */
  readonly stallTimeoutMs?: number;
}

/** How often, and how patiently, a dropped or stalled fetch is resumed. */
export interface RetryOptions {
  /** Connections tried in total, the first included; default 4. */
  readonly attempts?: number;
  /** Wait before the first retry, in ms; doubled for each further retry. Default 500. */
  readonly initialDelayMs?: number;
  /** Longest wait between retries, in ms; default 10 000. */
  readonly maxDelayMs?: number;
}

/** What {@link fetchStatementFiles} downloads, from where, to where. */
export interface FetchStatementOptions {
  /** The server and credentials. */
  readonly connection: SftpConnectionOptions;
  /** Remote directory holding the files; default `.` (the login directory). */
  readonly remoteDir?: string;
  /** Local directory the files are written to; created when missing. */
  readonly localDir: string;
  /** The merchant number (`oid_partner`, 18 digits) in the file names. */
  readonly partnerId: string;
  /** A settlement day `YYYYMMDD` (daily files) or a month `YYYYMM` (monthly files). */
  readonly period: string;
  /** Which files to take; default all of JYMX, FKMX and JYMXSUM. */
  readonly families?: readonly StatementFileFamily[];
  /** Retries after a dropped connection or a stall. */
  readonly retry?: RetryOptions;
  /**
   * Bytes asked for by one SFTP read; default 30 KiB, under the 32 KiB every server accepts and
   * under what ssh2 sends in one request (it splits larger reads itself).
   */
  readonly readSize?: number;
  /** Reads kept in flight at once; default 8. */
  readonly readsInFlight?: number;
}

/** {@link SftpConnectionOptions} checked, with defaults filled in. */
export interface CheckedConnection {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: Secret | undefined;
  readonly privateKey: Secret | undefined;
  readonly passphrase: Secret | undefined;
  /** The expected fingerprint, normalised to `SHA256:<base64 without padding>`. */
  readonly hostKeySha256: string;
  readonly connectTimeoutMs: number;
  readonly stallTimeoutMs: number;
}

/** {@link FetchStatementOptions} checked, with defaults filled in. */
export interface CheckedFetchOptions {
  readonly connection: CheckedConnection;
  readonly remoteDir: string;
  readonly localDir: string;
  readonly partnerId: string;
  readonly period: string;
  readonly families: ReadonlySet<StatementFileFamily>;
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly readSize: number;
  readonly readsInFlight: number;
}

const FAMILIES: readonly StatementFileFamily[] = ['transactions', 'payouts', 'summary'];

function bad(path: string, message: string): PayResult<never> {
  return err(PaymentErrors.invalidConfig(message, { path }));
}

function whole(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function orDefault(value: number | undefined, fallback: number, min: number, max: number, path: string): PayResult<number> {
  if (value === undefined) return ok(fallback);
  return whole(value, min, max) ? ok(value) : bad(path, `${path} must be a whole number from ${min} to ${max}`);
}

/** Checks the connection options; every message names the option to fix and never holds a secret. */
export function checkConnection(c: SftpConnectionOptions | undefined): PayResult<CheckedConnection> {
  if (typeof c !== 'object' || c === null) return bad('connection', 'connection is required: { host, port, username, password or privateKey, hostKeySha256 }');
  if (typeof c.host !== 'string' || c.host.trim() === '') return bad('connection.host', 'connection.host is required: the SFTP host LianLian gave you');
  if (typeof c.username !== 'string' || c.username === '') return bad('connection.username', 'connection.username is required: the SFTP account LianLian gave you');
  for (const name of ['password', 'privateKey', 'passphrase'] as const) {
    const v = c[name];
    if (v !== undefined && !(v instanceof Secret)) return bad(`connection.${name}`, `connection.${name} must be a Secret (new Secret(value)) so it never prints`);
  }
  if (c.password === undefined && c.privateKey === undefined) {
    return bad('connection.password', 'set connection.password or connection.privateKey (as Secret values): the server needs one to log in');
  }
  const fingerprint = parseHostKeyFingerprint(c.hostKeySha256);
  if (fingerprint.isErr()) return err(fingerprint.error);
  return Result.combine([
    orDefault(c.port, 22, 1, 65535, 'connection.port'),
    orDefault(c.connectTimeoutMs, 20_000, 1, 600_000, 'connection.connectTimeoutMs'),
    orDefault(c.stallTimeoutMs, 30_000, 1, 600_000, 'connection.stallTimeoutMs'),
  ]).map(([port, connectTimeoutMs, stallTimeoutMs]) => ({
    host: c.host.trim(), port, username: c.username, password: c.password, privateKey: c.privateKey, passphrase: c.passphrase,
    hostKeySha256: fingerprint.value, connectTimeoutMs, stallTimeoutMs,
  }));
}

/** Checks the fetch options; defaults: remote `.`, all families, 4 attempts, 500 ms → 10 s backoff, 30 KiB × 8 reads. */
export function checkFetchOptions(o: FetchStatementOptions | undefined): PayResult<CheckedFetchOptions> {
  if (typeof o !== 'object' || o === null) return bad('options', 'options are required: { connection, localDir, partnerId, period }');
  const connection = checkConnection(o.connection);
  if (connection.isErr()) return err(connection.error);
  if (typeof o.localDir !== 'string' || o.localDir === '') return bad('localDir', 'localDir is required: the local directory the files are written to');
  const remoteDir = o.remoteDir ?? '.';
  if (typeof remoteDir !== 'string' || remoteDir === '') return bad('remoteDir', 'remoteDir must be a non-empty path (default ".")');
  if (typeof o.partnerId !== 'string' || !/^\d{18}$/.test(o.partnerId)) {
    return bad('partnerId', 'partnerId must be the 18-digit merchant number (oid_partner) that the file names carry');
  }
  if (typeof o.period !== 'string' || !/^\d{6}(\d{2})?$/.test(o.period)) {
    return bad('period', 'period must be a settlement day YYYYMMDD (daily files) or a month YYYYMM (monthly files)');
  }
  const families = o.families ?? FAMILIES;
  if (!Array.isArray(families) || families.length === 0 || families.some((f) => !FAMILIES.includes(f))) {
    return bad('families', `families must list some of ${FAMILIES.join(', ')}`);
  }
  const r = o.retry ?? {};
  return Result.combine([
    orDefault(r.attempts, 4, 1, 100, 'retry.attempts'),
    orDefault(r.initialDelayMs, 500, 0, 600_000, 'retry.initialDelayMs'),
    orDefault(r.maxDelayMs, 10_000, 0, 3_600_000, 'retry.maxDelayMs'),
    orDefault(o.readSize, 30 * 1024, 1, 256 * 1024, 'readSize'),
    orDefault(o.readsInFlight, 8, 1, 64, 'readsInFlight'),
  ]).map(([attempts, initialDelayMs, maxDelayMs, readSize, readsInFlight]) => ({
    connection: connection.value, remoteDir, localDir: o.localDir, partnerId: o.partnerId, period: o.period, families: new Set(families),
    attempts, initialDelayMs, maxDelayMs, readSize, readsInFlight,
  }));
}
