// A config file with a `store` section, as the application uses it, in every command that reads a
// config: the CLI handles the store itself (the library needs `openStore` passed in).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { openStore } from '@paykit/store-sql';
import { runCli } from '../src/index.js';
import { FAKE_PROVIDERS } from './fixtures/fakepay.js';
import { MemoryIo, tempDir } from './fixtures/memory-io.js';

const KEY = 'K123secret';
const RECORD_KEY = Buffer.alloc(32, 7).toString('base64');

/** A config directory: the fakepay instance, and the given store section. */
function configDir(store: object, files: Record<string, string> = {}): string {
  return tempDir({
    'paykit.json': JSON.stringify({ instances: { shop: { plugin: 'fakepay', options: { merchantId: 'M1', md5Key: 'env:FAKE_KEY', gatewayUrl: 'https://pay.example.com' } } }, store }),
    ...files,
  });
}

async function run(argv: readonly string[], stdin = '', env: Record<string, string> = {}): Promise<{ code: number; io: MemoryIo }> {
  // From another directory: the data folder resolves from the config file's folder.
  const io = new MemoryIo(stdin, { FAKE_KEY: KEY, ...env }, tempDir({}));
  const code = await runCli(argv, io, FAKE_PROVIDERS);
  return { code, io };
}

describe('a config file with a store section', function () {
  this.timeout(60_000);

  describe('paykit config check', () => {
    context('when the PGlite data folder does not exist yet', () => {
      it('validates the section, says the first start creates the folder, and creates nothing', async () => {
        const dir = configDir({ kind: 'pglite', dataDir: 'data', recordKey: 'env:RECORD_KEY' });
        const { code, io } = await run(['config', 'check', `${dir}/paykit.json`], '', { RECORD_KEY });
        expect(io.stderr).to.equal('');
        expect(code).to.equal(0);
        expect(io.stdout).to.contain(`store: pglite, data folder ${join(dir, 'data')} (not created yet: the application's first start creates it)`);
        expect(existsSync(join(dir, 'data'))).to.equal(false);
        expect(io.stdout).not.to.contain(RECORD_KEY);
      });
    });

    context('when the PGlite data folder holds a paykit database', () => {
      it('says so without opening it (a PGlite folder is for one process, and the application may have it open)', async () => {
        const dir = configDir({ kind: 'pglite', dataDir: 'data' });
        const store = (await openStore({ kind: 'pglite', dataDir: join(dir, 'data') }))._unsafeUnwrap();
        await (store as { close(): PromiseLike<unknown> }).close();
        const { code, io } = await run(['config', 'check', `${dir}/paykit.json`]);
        expect(code).to.equal(0);
        expect(io.stdout).to.contain(`store: pglite, data folder ${join(dir, 'data')} (a database is there; not opened: a PGlite folder is for one process at a time)`);
      });
    });

    context('when the data folder holds something that is not a database', () => {
      it('exits 1 naming config.store.dataDir', async () => {
        const dir = configDir({ kind: 'pglite', dataDir: 'data' });
        mkdirSync(join(dir, 'data'));
        writeFileSync(join(dir, 'data', 'notes.txt'), 'hello');
        const { code, io } = await run(['config', 'check', `${dir}/paykit.json`]);
        expect(code).to.equal(1);
        expect(io.stderr).to.contain('config.store.dataDir').and.to.contain('not a PGlite data folder');
      });
    });

    context('when the record key is not 32 bytes of base64', () => {
      it('exits 1 naming config.store.recordKey, without printing it', async () => {
        const dir = configDir({ kind: 'pglite', recordKey: 'env:RECORD_KEY' });
        const { code, io } = await run(['config', 'check', `${dir}/paykit.json`], '', { RECORD_KEY: 'too-short-record-key' });
        expect(code).to.equal(1);
        expect(io.stderr).to.contain('recordKey');
        expect(io.stderr).not.to.contain('too-short-record-key');
      });
    });

    context('when the store references an unset variable', () => {
      it('exits 1 naming config.store.url', async () => {
        const dir = configDir({ kind: 'postgres', url: 'env:UNSET_DATABASE_URL' });
        const { code, io } = await run(['config', 'check', `${dir}/paykit.json`]);
        expect(code).to.equal(1);
        expect(io.stderr).to.contain('config.store.url: environment variable UNSET_DATABASE_URL is not set');
      });
    });

    context('when the PostgreSQL server cannot be reached', () => {
      it('exits 1 saying the store could not be opened, without the password', async () => {
        const dir = configDir({ kind: 'postgres', url: 'env:DATABASE_URL' });
        const { code, io } = await run(['config', 'check', `${dir}/paykit.json`], '', { DATABASE_URL: 'postgres://shop:pg-secret-pw@127.0.0.1:1/shop' });
        expect(code).to.equal(1);
        expect(io.stderr).to.contain('error:').and.to.contain('config.store');
        expect(io.stderr + io.stdout).not.to.contain('pg-secret-pw');
      });
    });
  });

  describe('paykit request', () => {
    it('prints the request and leaves the store alone: it neither reads nor writes records', async () => {
      const dir = configDir({ kind: 'pglite', dataDir: 'data' });
      const { code, io } = await run(['request', '--config', `${dir}/paykit.json`, 'payments.query'], '{"orderId":"A1001"}');
      expect(io.stderr).to.contain('not sent');
      expect(code).to.equal(0);
      expect(io.stdout).to.contain('POST https://pay.example.com/query');
      expect(existsSync(join(dir, 'data'))).to.equal(false);
    });

    it('still refuses a store section that is wrong, naming it', async () => {
      const dir = configDir({ kind: 'postgres', url: 'env:UNSET_DATABASE_URL' });
      const { code, io } = await run(['request', '--config', `${dir}/paykit.json`, 'payments.query'], '{"orderId":"A1001"}');
      expect(code).to.equal(1);
      expect(io.stderr).to.contain('config.store.url');
    });
  });
});
