// A real SFTP server on 127.0.0.1 for the tests, built on ssh2's Server: a generated ed25519 host
// key, password and public-key logins, and a read-only SFTP subsystem over a temp directory
// (REALPATH, STAT/LSTAT/FSTAT, OPENDIR/READDIR, OPEN/READ/CLOSE). It records what clients asked
// for and injects faults: a dropped connection after some bytes of a file, a stall, refused logins.
import { createHash, timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, openSync, readdirSync, readSync, statSync, type Stats } from 'node:fs';
import { posix, join } from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, AuthContext, Connection, ParsedKey, SFTPWrapper } from 'ssh2';

const { Server, utils } = ssh2;
const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/** One READ request as the server received it. */
export interface ServedRead {
  readonly connection: number;
  readonly file: string;
  readonly offset: number;
  readonly length: number;
}

/** Faults to inject; each `times` counts connections it affects. */
export interface SftpFaults {
  /** Serve `bytes` bytes of `file` on a connection, then drop that connection. */
  dropAfter?: { file: string; bytes: number; times: number };
  /** Stop answering reads of `file` once `afterBytes` bytes were served on a connection. */
  stall?: { file: string; afterBytes: number; times: number };
  /** Refuse every login. */
  rejectAuth?: boolean;
  /** Called before a READ is served (tests change the file here). */
  onRead?: (file: string, offset: number) => void;
}

/** The OpenSSH SHA-256 fingerprint of an OpenSSH public key line, computed from its text. */
export function fingerprintOfPublicKeyLine(line: string): string {
  const blob = Buffer.from(line.split(' ')[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/**
 * An ed25519 key pair in OpenSSH format. ssh2's generator writes a private key its own parser
 * rejects about once in 300 keys ("Malformed OpenSSH private key"), so a key is taken only once it
 * parses.
 */
export function generateEd25519(): { private: string; public: string } {
  for (;;) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

function attrsOf(s: Stats): Attributes {
  return { mode: s.mode, uid: s.uid, gid: s.gid, size: s.size, atime: Math.floor(s.atimeMs / 1000), mtime: Math.floor(s.mtimeMs / 1000) };
}

type Handle = { kind: 'file'; fd: number; file: string } | { kind: 'dir'; path: string; listed: boolean };

/** A test SFTP server; start with {@link TestSftpServer.start}, stop with {@link TestSftpServer.close}. */
export class TestSftpServer {
  readonly username = 'merchant';
  readonly password = 'Pa55-w0rd-do-not-log';
  readonly hostKey = generateEd25519();
  readonly clientKey = generateEd25519();
  readonly reads: ServedRead[] = [];
  readonly opens: string[] = [];
  connections = 0;
  authAttempts = 0;
  faults: SftpFaults = {};
  port = 0;
  readonly #server: InstanceType<typeof Server>;
  readonly #live = new Set<Connection>();

  private constructor(readonly root: string) {
    this.#server = new Server({ hostKeys: [this.hostKey.private] }, (conn) => this.#accept(conn));
  }

  /** Starts serving `root` on 127.0.0.1, on a port the system picks. */
  static async start(root: string): Promise<TestSftpServer> {
    const s = new TestSftpServer(root);
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', () => resolve()));
    s.port = (s.#server.address() as { port: number }).port;
    return s;
  }

  /** The fingerprint clients should pin. */
  get fingerprint(): string {
    return fingerprintOfPublicKeyLine(this.hostKey.public);
  }

  /** Reads the server saw for one file, in order. */
  readsOf(file: string): ServedRead[] {
    return this.reads.filter((r) => r.file === file);
  }

  /** Stops listening and ends every connection. */
  async close(): Promise<void> {
    for (const c of this.#live) c.end();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(conn: Connection): void {
    this.connections += 1;
    const id = this.connections;
    this.#live.add(conn);
    conn.on('close', () => this.#live.delete(conn));
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => this.#authenticate(ctx));
    conn.on('ready', () => {
      // As the client does: without it every SFTP reply waits out Nagle and delayed ACKs (~90 ms a
      // round trip). ssh2's server Connection has setNoDelay, though its type definitions omit it.
      (conn as Connection & { setNoDelay(noDelay: boolean): void }).setNoDelay(true);
      conn.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => this.#serve(acceptSftp(), conn, id));
      });
    });
  }

  #authenticate(ctx: AuthContext): void {
    if (ctx.method === 'none') return ctx.reject(['password', 'publickey']);
    this.authAttempts += 1;
    if (this.faults.rejectAuth === true) return ctx.reject();
    if (ctx.method === 'password') {
      const a = Buffer.from(ctx.password);
      const b = Buffer.from(this.password);
      return a.length === b.length && timingSafeEqual(a, b) ? ctx.accept() : ctx.reject();
    }
    if (ctx.method === 'publickey') {
      const allowed = utils.parseKey(this.clientKey.public) as ParsedKey;
      if (ctx.key.algo !== allowed.type || !ctx.key.data.equals(allowed.getPublicSSH())) return ctx.reject();
      if (ctx.signature === undefined || ctx.blob === undefined) return ctx.accept();
      return allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : ctx.reject();
    }
    return ctx.reject();
  }

  #local(path: string): string {
    // Paths are confined to the root: ".." cannot climb out of it.
    return join(this.root, posix.normalize(`/${path}`));
  }

  #serve(sftp: SFTPWrapper, conn: Connection, connection: number): void {
    const handles = new Map<string, Handle>();
    const served = new Map<string, number>();
    let next = 0;
    let cut = false;
    const newHandle = (h: Handle): Buffer => {
      next += 1;
      handles.set(String(next), h);
      return Buffer.from(String(next));
    };
    const stat = (reqid: number, path: string): void => {
      try {
        sftp.attrs(reqid, attrsOf(statSync(this.#local(path))));
      } catch {
        sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
      }
    };
    sftp.on('REALPATH', (reqid, path) => {
      const p = posix.normalize(`/${path === '.' ? '' : path}`);
      sftp.name(reqid, [{ filename: p, longname: p, attrs: {} as Attributes }]);
    });
    sftp.on('STAT', stat);
    sftp.on('LSTAT', stat);
    sftp.on('OPENDIR', (reqid, path) => {
      try {
        if (!statSync(this.#local(path)).isDirectory()) return sftp.status(reqid, STATUS_CODE.FAILURE);
        sftp.handle(reqid, newHandle({ kind: 'dir', path: this.#local(path), listed: false }));
      } catch {
        sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
      }
    });
    sftp.on('READDIR', (reqid, handle) => {
      const h = handles.get(handle.toString());
      if (h?.kind !== 'dir') return sftp.status(reqid, STATUS_CODE.FAILURE);
      if (h.listed) return sftp.status(reqid, STATUS_CODE.EOF);
      h.listed = true;
      sftp.name(reqid, readdirSync(h.path).map((name) => {
        const attrs = attrsOf(statSync(join(h.path, name)));
        const type = (attrs.mode & 0o170000) === 0o040000 ? 'd' : '-';
        return { filename: name, longname: `${type}r--r--r-- 1 lianlian lianlian ${attrs.size} Jan 1 00:00 ${name}`, attrs };
      }));
    });
    sftp.on('OPEN', (reqid, path, flags) => {
      if ((flags & (OPEN_MODE.WRITE | OPEN_MODE.CREAT | OPEN_MODE.TRUNC | OPEN_MODE.APPEND)) !== 0) return sftp.status(reqid, STATUS_CODE.PERMISSION_DENIED);
      const file = posix.basename(path);
      this.opens.push(file);
      try {
        sftp.handle(reqid, newHandle({ kind: 'file', fd: openSync(this.#local(path), 'r'), file }));
      } catch {
        sftp.status(reqid, STATUS_CODE.NO_SUCH_FILE);
      }
    });
    sftp.on('FSTAT', (reqid, handle) => {
      const h = handles.get(handle.toString());
      if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE);
      sftp.attrs(reqid, attrsOf(fstatSync(h.fd)));
    });
    sftp.on('READ', (reqid, handle, offset, length) => {
      const h = handles.get(handle.toString());
      if (h?.kind !== 'file') return sftp.status(reqid, STATUS_CODE.FAILURE);
      this.reads.push({ connection, file: h.file, offset, length });
      this.faults.onRead?.(h.file, offset);
      if (cut) return; // this connection is going away or stalled: no answer
      const sent = served.get(h.file) ?? 0;
      const { stall, dropAfter } = this.faults;
      if (stall !== undefined && stall.file === h.file && stall.times > 0 && sent >= stall.afterBytes) {
        stall.times -= 1;
        cut = true;
        return;
      }
      const drop = dropAfter !== undefined && dropAfter.file === h.file && dropAfter.times > 0 && sent + length > dropAfter.bytes;
      const want = drop ? Math.max(0, dropAfter.bytes - sent) : length;
      const buf = Buffer.alloc(want);
      const n = want === 0 ? 0 : readSync(h.fd, buf, 0, want, offset);
      served.set(h.file, sent + n);
      if (n > 0) sftp.data(reqid, buf.subarray(0, n));
      else if (!drop) sftp.status(reqid, STATUS_CODE.EOF);
      if (drop) {
        dropAfter.times -= 1;
        cut = true;
        conn.end();
      }
    });
    sftp.on('CLOSE', (reqid, handle) => {
      const h = handles.get(handle.toString());
      handles.delete(handle.toString());
      if (h?.kind === 'file') closeSync(h.fd);
      sftp.status(reqid, STATUS_CODE.OK);
    });
    conn.on('close', () => {
      for (const h of handles.values()) if (h.kind === 'file') closeSync(h.fd);
      handles.clear();
    });
  }
}
