import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Secret } from '@paykit/core';
import { fetchStatementFiles, type FetchStatementOptions } from '../src/index.js';
import { connectionTo, dayFiles, GBK_DAY, OTHER_PARTNER, PARTNER, removeDir, tempDir, UTF8_DAY, writeFiles } from './helpers/fixtures.js';
import { TestSftpServer } from './helpers/sftp-server.js';

describe('fetchStatementFiles', () => {
  let remote: string;
  let local: string;
  let server: TestSftpServer;
  const gbkFiles = dayFiles(GBK_DAY);
  const utf8Files = dayFiles(UTF8_DAY);

  beforeEach(async () => {
    remote = tempDir('remote');
    local = tempDir('local');
    writeFiles(remote, gbkFiles);
    writeFiles(remote, utf8Files);
    server = await TestSftpServer.start(remote);
  });

  afterEach(async () => {
    await server.close();
    removeDir(remote);
    removeDir(local);
  });

  const options = (over: Partial<FetchStatementOptions> = {}): FetchStatementOptions => ({
    connection: connectionTo(server), remoteDir: '/', localDir: local, partnerId: PARTNER, period: GBK_DAY.day,
    retry: { attempts: 2, initialDelayMs: 10 }, ...over,
  });

  context('when a settlement day\'s files are on the server', () => {
    it('downloads that day\'s FKMX, JYMX and JYMXSUM files byte for byte and nothing else', async () => {
      const r = await fetchStatementFiles(options());
      const files = r._unsafeUnwrap();
      expect(files.map((f) => f.name)).to.deep.equal([...gbkFiles.keys()].sort());
      for (const f of files) {
        const expected = gbkFiles.get(f.name) as Uint8Array;
        expect(readFileSync(f.path).equals(Buffer.from(expected)), f.name).to.equal(true);
        expect(f.size).to.equal(expected.length);
        expect(f.downloaded).to.equal(true);
        expect(f.resumedFrom).to.equal(0);
        expect(f.kind.period).to.equal('daily');
      }
      // Name order: 'S' (JYMXSUM) sorts before '_' (JYMX_).
      expect(files.map((f) => f.kind.family)).to.deep.equal(['payouts', 'summary', 'transactions']);
      expect(readdirSync(local).sort()).to.deep.equal([...gbkFiles.keys()].sort());
    });

    it('takes a file the server holds under both suffixes (spec 5: .txt or .csv) once, as .csv', async () => {
      const txt = `JYMX_${PARTNER}_${GBK_DAY.day}.txt`;
      const csv = `JYMX_${PARTNER}_${GBK_DAY.day}.csv`;
      writeFileSync(join(remote, csv), gbkFiles.get(txt) as Uint8Array);
      const files = (await fetchStatementFiles(options({ families: ['transactions'] })))._unsafeUnwrap();
      expect(files.map((f) => f.name)).to.deep.equal([csv]);
    });

    it('fetches only the families asked for', async () => {
      const files = (await fetchStatementFiles(options({ families: ['summary'], period: UTF8_DAY.day })))._unsafeUnwrap();
      expect(files.map((f) => f.name)).to.deep.equal([`JYMXSUM_${PARTNER}_${UTF8_DAY.day}.txt`]);
      expect(server.opens).to.deep.equal([`JYMXSUM_${PARTNER}_${UTF8_DAY.day}.txt`]);
    });

    it('logs in with a private key instead of a password', async () => {
      const connection = connectionTo(server, { password: undefined, privateKey: new Secret(server.clientKey.private) });
      const files = (await fetchStatementFiles(options({ connection })))._unsafeUnwrap();
      expect(files).to.have.length(3);
    });
  });

  context('when the fingerprint is written with its base64 padding', () => {
    it('accepts it as the same key', async () => {
      const connection = connectionTo(server, { hostKeySha256: ` ${server.fingerprint}= ` });
      expect((await fetchStatementFiles(options({ connection, families: ['summary'] }))).isOk()).to.equal(true);
    });
  });

  context('when the files are already complete locally', () => {
    it('does not open them on the server again and reports them as not downloaded', async () => {
      (await fetchStatementFiles(options()))._unsafeUnwrap();
      const opensBefore = server.opens.length;
      const readsBefore = server.reads.length;
      const again = (await fetchStatementFiles(options()))._unsafeUnwrap();
      expect(again.map((f) => f.downloaded)).to.deep.equal([false, false, false]);
      expect(server.opens.length).to.equal(opensBefore);
      expect(server.reads.length).to.equal(readsBefore);
    });

    it('downloads a local file again when its size differs from the server\'s', async () => {
      (await fetchStatementFiles(options()))._unsafeUnwrap();
      const name = `JYMX_${PARTNER}_${GBK_DAY.day}.txt`;
      writeFileSync(join(local, name), 'truncated');
      const again = (await fetchStatementFiles(options()))._unsafeUnwrap();
      expect(again.find((f) => f.name === name)?.downloaded).to.equal(true);
      expect(readFileSync(join(local, name)).equals(Buffer.from(gbkFiles.get(name) as Uint8Array))).to.equal(true);
    });
  });

  context('when a month is asked for', () => {
    it('selects that merchant\'s monthly files by name, not the month\'s daily files, other months or other merchants', async () => {
      const month = `JYMX_${PARTNER}_202401.txt`;
      const payouts = `FKMX_${PARTNER}_202401.txt`;
      for (const name of [month, payouts, `JYMX_${PARTNER}_202402.txt`, `JYMX_${OTHER_PARTNER}_202401.txt`, 'README.txt', `JYMX_${PARTNER}_202401.txt.bak`]) {
        writeFileSync(join(remote, name), `content of ${name}\n`);
      }
      const files = (await fetchStatementFiles(options({ period: '202401' })))._unsafeUnwrap();
      expect(files.map((f) => f.name)).to.deep.equal([payouts, month]);
      expect(files.map((f) => [f.kind.period, f.kind.from, f.kind.to])).to.deep.equal([['monthly', '20240101', '20240131'], ['monthly', '20240101', '20240131']]);
      expect(readFileSync(join(local, month), 'utf8')).to.equal(`content of ${month}\n`);
      expect(server.opens.sort()).to.deep.equal([payouts, month].sort());
    });
  });

  context('when the server has no file for the day yet', () => {
    it('returns a retryable NotFound that says when LianLian publishes', async () => {
      const r = await fetchStatementFiles(options({ period: '20240105' }));
      const e = r._unsafeUnwrapErr();
      expect(e.kind).to.equal('NotFound');
      expect(e.retryable).to.equal(true);
      expect(e.message).to.contain('08:00');
      expect(readdirSync(local)).to.deep.equal([]);
    });
  });

  context('when the remote directory does not exist', () => {
    it('returns a non-retryable NotFound naming remoteDir', async () => {
      const e = (await fetchStatementFiles(options({ remoteDir: '/nowhere' })))._unsafeUnwrapErr();
      expect([e.kind, e.retryable, e.path]).to.deep.equal(['NotFound', false, 'remoteDir']);
    });
  });

  context('when the options are incomplete', () => {
    const cases: Array<[string, (o: FetchStatementOptions) => FetchStatementOptions, string]> = [
      ['no host key fingerprint', (o) => ({ ...o, connection: { ...o.connection, hostKeySha256: '' } }), 'connection.hostKeySha256'],
      ['a fingerprint in another format', (o) => ({ ...o, connection: { ...o.connection, hostKeySha256: 'MD5:ab:cd' } }), 'connection.hostKeySha256'],
      ['a password given as a plain string', (o) => ({ ...o, connection: { ...o.connection, password: 'plain' as unknown as Secret } }), 'connection.password'],
      ['neither password nor key', (o) => ({ ...o, connection: { ...o.connection, password: undefined } }), 'connection.password'],
      ['a short merchant number', (o) => ({ ...o, partnerId: '12345' }), 'partnerId'],
      ['a period that is neither day nor month', (o) => ({ ...o, period: '2024-01-01' }), 'period'],
      ['zero attempts', (o) => ({ ...o, retry: { attempts: 0 } }), 'retry.attempts'],
      ['a private key that does not parse', (o) => ({ ...o, connection: { ...o.connection, password: undefined, privateKey: new Secret('-----BEGIN OPENSSH PRIVATE KEY-----\nnot-a-key-but-secret-text\n-----END OPENSSH PRIVATE KEY-----') } }), 'connection.privateKey'],
    ];
    for (const [what, spoil, path] of cases) {
      it(`returns InvalidConfig at ${path} for ${what}, without connecting`, async () => {
        const e = (await fetchStatementFiles(spoil(options())))._unsafeUnwrapErr();
        expect([e.kind, e.path, e.retryable]).to.deep.equal(['InvalidConfig', path, false]);
        expect(server.connections).to.equal(0);
        expect(JSON.stringify(e)).to.not.contain('not-a-key-but-secret-text').and.to.not.contain(server.password);
      });
    }
  });
});
