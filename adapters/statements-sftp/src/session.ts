// One SFTP connection: an ssh2 client logs in (with the host key pinned) and opens an SFTP channel;
// the few requests a read-only download needs go to that channel, each with a stall timer. Every
// callback, throw and timer of the library ends here as a PayResult.
import { err, ok } from 'neverthrow';
import { Client, type FileEntry, type SFTPWrapper, type Stats } from 'ssh2';
import type { PayResult } from '@paykit/core';
import { sftpFailure, StallTimeout, type FailureContext } from './errors.js';
import { pinnedHostVerifier, type HostKeyCheck } from './host-key.js';
import type { CheckedConnection } from './options.js';

/** A directory entry as listed. */
export interface RemoteEntry {
  /** File name (no directory). */
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
  /** Modification time, seconds since the epoch. */
  readonly mtime: number;
  /** Whether it is a regular file. */
  readonly isFile: boolean;
}

/** An open remote file and its attributes at the time it was opened. */
export interface RemoteHandle {
  /** The SFTP handle. */
  readonly handle: Buffer;
  /** Size in bytes when opened. */
  readonly size: number;
  /** Modification time when opened, seconds since the epoch. */
  readonly mtime: number;
}

type Callback<T> = (e: Error | null | undefined, value?: T) => void;

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

/** A logged-in SFTP connection. Close it with {@link SftpSession.close}. */
export class SftpSession {
  readonly #client: Client;
  readonly #sftp: SFTPWrapper;
  readonly #ctx: FailureContext;
  readonly #stallMs: number;
  #broken: PayResult<never> | undefined;
  #closed = false;

  private constructor(client: Client, sftp: SFTPWrapper, ctx: FailureContext, stallMs: number) {
    this.#client = client;
    this.#sftp = sftp;
    this.#ctx = ctx;
    this.#stallMs = stallMs;
    // An SFTP channel with no error listener would throw its errors at the process.
    sftp.on('error', () => undefined);
    client.on('close', () => { this.#closed = true; });
  }

  /** Connects, checks the host key, logs in and opens the SFTP channel, within `connectTimeoutMs`. */
  static async open(c: CheckedConnection): Promise<PayResult<SftpSession>> {
    const hostKey: HostKeyCheck = { seen: undefined, rejected: false };
    const ctx: FailureContext = {
      server: `${c.host}:${c.port}`, username: c.username, hostKey, expectedHostKey: c.hostKeySha256,
      secrets: [c.password, c.privateKey, c.passphrase],
    };
    const client = new Client();
    // An error after the session started is reported by the request it breaks; without a
    // listener, ssh2 would throw it at the process.
    client.on('error', () => undefined);
    let timer: NodeJS.Timeout | undefined;
    const what = `connecting to ${ctx.server}`;
    try {
      const sftp = await new Promise<SFTPWrapper>((resolve, reject) => {
        timer = setTimeout(() => reject(new StallTimeout(`no SFTP session with ${ctx.server} within connectTimeoutMs ${c.connectTimeoutMs} ms`)), c.connectTimeoutMs);
        // ssh2's own error keeps its `level` (client-authentication, client-timeout) for sftpFailure.
        client.once('error', reject);
        client.once('close', () => reject(new Error(`the connection to ${ctx.server} closed before the SFTP session started`)));
        client.once('ready', () => {
          // SFTP is request and reply in small packets: without this, Nagle's algorithm and delayed
          // ACKs hold each request for tens of milliseconds (a one-file listing took 360 ms on loopback, 180 ms with this side fixed alone).
          client.setNoDelay(true);
          client.sftp((e, channel) => (e ? reject(e) : resolve(channel)));
        });
        client.connect({
          host: c.host, port: c.port, username: c.username, readyTimeout: c.connectTimeoutMs,
          hostVerifier: pinnedHostVerifier(c.hostKeySha256, hostKey),
          ...(c.password === undefined ? {} : { password: c.password.reveal() }),
          ...(c.privateKey === undefined ? {} : { privateKey: c.privateKey.reveal() }),
          ...(c.passphrase === undefined ? {} : { passphrase: c.passphrase.reveal() }),
        });
      });
      return ok(new SftpSession(client, sftp, ctx, c.stallTimeoutMs));
    } catch (e) {
      client.destroy();
      return err(sftpFailure(e, what, ctx));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lists a directory. */
  async list(dir: string): Promise<PayResult<RemoteEntry[]>> {
    const r = await this.#call<FileEntry[]>(`listing ${dir}`, (cb) => this.#sftp.readdir(dir, cb));
    return r.map((entries) => entries.map((e) => ({
      name: e.filename, size: e.attrs.size, mtime: e.attrs.mtime, isFile: (e.attrs.mode & S_IFMT) === S_IFREG,
    })));
  }

  /** Opens a file for reading and reads its size and time from the open handle. */
  async openRead(path: string): Promise<PayResult<RemoteHandle>> {
    const opened = await this.#call<Buffer>(`opening ${path}`, (cb) => this.#sftp.open(path, 'r', cb));
    if (opened.isErr()) return err(opened.error);
    const handle = opened.value;
    const stats = await this.stat(handle, path);
    if (stats.isErr()) {
      await this.closeFile(handle);
      return err(stats.error);
    }
    return ok({ handle, size: stats.value.size, mtime: stats.value.mtime });
  }

  /** Size and time of an open file now. */
  stat(handle: Buffer, path: string): Promise<PayResult<Stats>> {
    return this.#call<Stats>(`reading the attributes of ${path}`, (cb) => this.#sftp.fstat(handle, cb));
  }

  /** Reads up to `length` bytes at `position` into `buffer`; 0 at end of file. */
  read(handle: Buffer, path: string, buffer: Buffer, length: number, position: number): Promise<PayResult<number>> {
    return this.#call<number>(`reading ${path} at byte ${position}`, (cb) => this.#sftp.read(handle, buffer, 0, length, position, (e, n) => cb(e, n)));
  }

  /** Closes a file handle; a failure here changes nothing for a read-only download. */
  async closeFile(handle: Buffer): Promise<void> {
    if (this.#broken !== undefined) return;
    await this.#call<void>('closing a file', (cb) => this.#sftp.close(handle, (e) => cb(e)));
  }

  /** Ends the connection (politely, then by force after a second). */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    if (this.#broken === undefined && !this.#closed) {
      const closed = new Promise<void>((resolve) => {
        this.#client.once('close', () => resolve());
        this.#client.end();
      });
      await Promise.race([closed, new Promise((resolve) => { timer = setTimeout(resolve, 1000); })]);
      clearTimeout(timer);
    }
    this.#client.destroy();
  }

  /** Runs one SFTP request with the stall timer; a failure breaks the session for every later call. */
  #call<T>(what: string, start: (cb: Callback<T>) => void): Promise<PayResult<T>> {
    if (this.#broken !== undefined) return Promise.resolve(this.#broken);
    return new Promise<PayResult<T>>((resolve) => {
      let settled = false;
      const settle = (r: PayResult<T>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (r.isErr()) this.#break(r.error);
        resolve(r);
      };
      const fail = (e: unknown): void => settle(err(sftpFailure(e, what, this.#ctx)));
      const timer = setTimeout(() => fail(new StallTimeout(`no answer within connection.stallTimeoutMs ${this.#stallMs} ms`)), this.#stallMs);
      try {
        start((e, value) => (e ? fail(e) : settle(ok(value as T))));
      } catch (e) {
        fail(e);
      }
    });
  }

  #break(e: ReturnType<typeof sftpFailure>): void {
    // A status error (no such file) leaves the connection usable; anything else ends it.
    if (e.kind === 'NotFound' || e.kind === 'ProviderRejected' || e.kind === 'Unsupported') return;
    this.#broken = err(e);
    this.#client.destroy();
  }
}
