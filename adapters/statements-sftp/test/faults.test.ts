import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Secret } from '@paykit/core';
import { fetchStatementFiles, type FetchStatementOptions } from '../src/index.js';
import { bigStatement, connectionTo, PARTNER, removeDir, tempDir, writeFiles } from './helpers/fixtures.js';
import { fingerprintOfPublicKeyLine, generateEd25519, TestSftpServer } from './helpers/sftp-server.js';

const DAY = '20240301';

describe('fetchStatementFiles under faults', () => {
  let remote: string;
  let local: string;
  let server: TestSftpServer;
  let big: { name: string; bytes: Buffer };

  before(async () => {
    big = await bigStatement(4000, DAY);
  });

  beforeEach(async () => {
    remote = tempDir('remote');
    local = tempDir('local');
    writeFiles(remote, new Map([[big.name, big.bytes]]));
    server = await TestSftpServer.start(remote);
  });

  afterEach(async () => {
    await server.close();
    removeDir(remote);
    removeDir(local);
  });

  const options = (over: Partial<FetchStatementOptions> = {}): FetchStatementOptions => ({
    connection: connectionTo(server), remoteDir: '/', localDir: local, partnerId: PARTNER, period: DAY,
    retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 40 }, ...over,
  });
  const partsIn = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.part'));

  it('uses a file large enough to be cut in the middle', () => {
    expect(big.bytes.length).to.be.greaterThan(300_000);
  });

  context('when the connection drops in the middle of a file', () => {
    it('reconnects, reads on from the partial offset and ends with a byte-identical file', async () => {
      const cut = 100_000;
      server.faults.dropAfter = { file: big.name, bytes: cut, times: 1 };
      const files = (await fetchStatementFiles(options()))._unsafeUnwrap();
      expect(server.connections).to.equal(2);
      const second = server.readsOf(big.name).filter((r) => r.connection === 2);
      expect(second[0]?.offset).to.equal(cut);
      expect(second.every((r) => r.offset >= cut)).to.equal(true);
      expect(files[0]?.resumedFrom).to.equal(cut);
      expect(readFileSync(join(local, big.name)).equals(big.bytes)).to.equal(true);
      expect(partsIn(local)).to.deep.equal([]);
    });

    it('resumes a part left by an earlier fetch that gave up', async () => {
      server.faults.dropAfter = { file: big.name, bytes: 150_000, times: 1 };
      const first = await fetchStatementFiles(options({ retry: { attempts: 1 } }));
      expect(first._unsafeUnwrapErr().kind).to.equal('Network');
      const [part] = partsIn(local);
      expect(statSync(join(local, part as string)).size).to.equal(150_000);
      const files = (await fetchStatementFiles(options()))._unsafeUnwrap();
      expect(files[0]?.resumedFrom).to.equal(150_000);
      expect(server.readsOf(big.name).filter((r) => r.connection === 2)[0]?.offset).to.equal(150_000);
      expect(readFileSync(join(local, big.name)).equals(big.bytes)).to.equal(true);
    });
  });

  context('when the server stops answering in the middle of a file', () => {
    it('gives up on the stalled connection after stallTimeoutMs and resumes on a new one', async () => {
      server.faults.stall = { file: big.name, afterBytes: 64 * 1024, times: 1 };
      const started = Date.now();
      const files = (await fetchStatementFiles(options({ connection: connectionTo(server, { stallTimeoutMs: 300 }) })))._unsafeUnwrap();
      expect(Date.now() - started).to.be.lessThan(5000);
      expect(server.connections).to.equal(2);
      expect(files[0]?.resumedFrom).to.be.greaterThanOrEqual(64 * 1024);
      expect(readFileSync(join(local, big.name)).equals(big.bytes)).to.equal(true);
    });

    it('is a retryable Timeout once the attempts are used up', async () => {
      server.faults.stall = { file: big.name, afterBytes: 0, times: 99 };
      const e = (await fetchStatementFiles(options({ connection: connectionTo(server, { stallTimeoutMs: 200 }), retry: { attempts: 2, initialDelayMs: 10 } })))._unsafeUnwrapErr();
      expect([e.kind, e.retryable]).to.deep.equal(['Timeout', true]);
      expect(server.connections).to.equal(2);
    });
  });

  context('when every connection drops', () => {
    it('stops after retry.attempts connections with a retryable Network error and keeps the part', async () => {
      server.faults.dropAfter = { file: big.name, bytes: 40_000, times: 99 };
      const e = (await fetchStatementFiles(options()))._unsafeUnwrapErr();
      expect([e.kind, e.retryable]).to.deep.equal(['Network', true]);
      expect(e.message).to.contain('gave up after 3 connections');
      expect(server.connections).to.equal(3);
      // Each connection resumed where the previous one stopped, 40 000 bytes further each time.
      const firstOffsets = [1, 2, 3].map((c) => server.reads.find((r) => r.connection === c)?.offset);
      expect(firstOffsets).to.deep.equal([0, 40_000, 80_000]);
      const [part] = partsIn(local);
      expect(statSync(join(local, part as string)).size).to.equal(120_000);
      expect(readdirSync(local)).to.not.include(big.name);
    });
  });

  context('when the server shows another host key than the pinned one', () => {
    it('refuses it before logging in, names the key seen and how to pin it, and downloads nothing', async () => {
      const other = fingerprintOfPublicKeyLine(generateEd25519().public);
      const e = (await fetchStatementFiles(options({ connection: connectionTo(server, { hostKeySha256: other }) })))._unsafeUnwrapErr();
      expect([e.kind, e.retryable, e.path]).to.deep.equal(['Signature', false, 'connection.hostKeySha256']);
      expect(e.message).to.contain(server.fingerprint).and.to.contain(other).and.to.contain('ssh-keygen');
      expect(server.authAttempts).to.equal(0);
      expect(server.connections).to.equal(1);
      expect(readdirSync(local)).to.deep.equal([]);
    });
  });

  context('when the password is wrong', () => {
    it('is a non-retryable ProviderRejected that does not contain the password, tried once', async () => {
      const wrong = 'Wr0ng-Secret-Password!';
      const e = (await fetchStatementFiles(options({ connection: connectionTo(server, { password: new Secret(wrong) }) })))._unsafeUnwrapErr();
      expect([e.kind, e.code, e.retryable]).to.deep.equal(['ProviderRejected', 'permission_denied', false]);
      expect(e.message).to.contain('connection.password');
      expect(JSON.stringify(e)).to.not.contain(wrong).and.to.not.contain(server.password);
      expect(server.connections).to.equal(1);
      expect(readdirSync(local)).to.deep.equal([]);
    });

    it('is the same when the server refuses every login, key or password', async () => {
      server.faults.rejectAuth = true;
      const connection = connectionTo(server, { password: undefined, privateKey: new Secret(server.clientKey.private) });
      const e = (await fetchStatementFiles(options({ connection })))._unsafeUnwrapErr();
      expect([e.kind, e.retryable]).to.deep.equal(['ProviderRejected', false]);
      expect(JSON.stringify(e)).to.not.contain(server.clientKey.private.split('\n')[1] as string);
    });
  });

  context('when the remote file grows while it is downloaded', () => {
    it('is a Conflict naming the sizes, with neither the file nor a part kept', async () => {
      let grown = false;
      server.faults.onRead = (file) => {
        if (file !== big.name || grown) return;
        grown = true;
        appendFileSync(join(remote, big.name), 'O9999999999,late line\r\n');
      };
      const e = (await fetchStatementFiles(options()))._unsafeUnwrapErr();
      expect([e.kind, e.retryable]).to.deep.equal(['Conflict', true]);
      expect(e.message).to.contain(`listed ${big.bytes.length} bytes`);
      expect(readdirSync(local)).to.deep.equal([]);
    });
  });

  context('when nothing listens on the port', () => {
    it('is a retryable Network error that was never sent', async () => {
      const port = server.port;
      await server.close();
      const e = (await fetchStatementFiles(options({ connection: connectionTo(server, { port }), retry: { attempts: 1 } })))._unsafeUnwrapErr();
      expect([e.kind, e.retryable]).to.deep.equal(['Network', true]);
      expect(e.kind === 'Network' && e.sent).to.equal(false);
      server = await TestSftpServer.start(remote);
    });
  });
});
