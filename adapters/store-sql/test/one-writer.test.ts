// Issue 12, finding 11: two processes on one PGlite folder (an app and a cron resolve-pending).
// PGlite is one in-process PostgreSQL per data folder: a second one on the same files does not
// see the first one's writes and overwrites them, so writes it acknowledged were lost on reopen.
// The folder has one writer, and openStore says so instead of opening it twice.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { PaymentError } from '@paykit/core';
import { FOLDER_LOCK_FILE, lockDataFolder } from '../src/folder-lock.js';
import { openStore, type DurableStore } from '../src/index.js';
import { startWorker, type Worker } from './processes/spawn.js';

const LOCK = FOLDER_LOCK_FILE;

async function refusal(dataDir: string): Promise<PaymentError> {
  const opened = await openStore({ kind: 'pglite', dataDir });
  if (opened.isOk()) {
    await (opened.value as DurableStore).close();
    expect.fail(`openStore opened ${dataDir} although another store holds it`);
  }
  return opened.error;
}

async function mustOpen(dataDir: string): Promise<DurableStore> {
  const opened = await openStore({ kind: 'pglite', dataDir });
  if (opened.isErr()) expect.fail(`openStore refused ${dataDir}: ${opened.error.message}`);
  return opened.value as DurableStore;
}

describe('one writer per PGlite data folder', function () {
  this.timeout(120_000);
  let dir = '';
  let holder: Worker | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'paykit-one-writer-'));
  });
  after(async () => {
    await holder?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  context('when another process holds the folder', () => {
    before(async () => {
      holder = await startWorker({ PAYKIT_PGLITE_DIR: dir });
    });

    it('refuses to open it, naming the folder, the holder and PostgreSQL as the store for several processes', async () => {
      const e = await refusal(dir);
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.message).to.contain(dir);
      expect(e.message).to.contain(`process ${String(holder?.child.pid)} on ${hostname()}`);
      expect(e.message).to.contain('PostgreSQL');
      // The holder's lock says who holds it.
      const lock = JSON.parse(readFileSync(join(dir, LOCK), 'utf8')) as { pid: number; host: string };
      expect(lock).to.include({ pid: holder?.child.pid, host: hostname() });
    });

    it('takes the folder over once the holder was killed (SIGKILL leaves its lock behind)', async () => {
      holder?.child.kill('SIGKILL');
      expect(await holder?.exited).to.equal('SIGKILL');
      expect(existsSync(join(dir, LOCK)), 'the dead holder left its lock').to.equal(true);
      const store = await mustOpen(dir);
      try {
        const lock = JSON.parse(readFileSync(join(dir, LOCK), 'utf8')) as { pid: number };
        expect(lock.pid).to.equal(process.pid);
      } finally {
        await store.close();
      }
    });
  });

  context('when this process has the folder open already', () => {
    it('refuses a second open until the first store is closed, then opens it again', async () => {
      const first = await mustOpen(dir);
      let closed = false;
      try {
        const e = await refusal(dir);
        expect(e.kind).to.equal('InvalidConfig');
        expect(e.message).to.contain(dir);
        expect(e.message).to.contain('this process');
        await first.close();
        closed = true;
        expect(existsSync(join(dir, LOCK)), 'close() releases the lock').to.equal(false);
        const again = await mustOpen(dir);
        await again.close();
      } finally {
        if (!closed) await first.close();
      }
    });
  });
});

describe('the PGlite data folder lock', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'paykit-folder-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const plant = (holder: object) => writeFileSync(join(dir, LOCK), JSON.stringify({ since: '2026-01-01T00:00:00.000Z', tag: 'planted', ...holder }));

  context('when the lock was left by a process of this host that no longer runs', () => {
    it('takes it over, and releases it', () => {
      const gone = spawnSync(process.execPath, ['-e', '']).pid as number;
      plant({ pid: gone, host: hostname() });
      const lock = lockDataFolder(dir)._unsafeUnwrap();
      expect(JSON.parse(readFileSync(join(dir, LOCK), 'utf8'))).to.include({ pid: process.pid, host: hostname() });
      lock.release();
      expect(existsSync(join(dir, LOCK))).to.equal(false);
    });
  });

  context('when the lock belongs to another host', () => {
    it('refuses: paykit cannot tell whether that process runs, so it says which file to remove if not', () => {
      plant({ pid: process.pid, host: 'cron-box-7' });
      const e = lockDataFolder(dir)._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.message).to.contain('process ' + String(process.pid) + ' on cron-box-7');
      expect(e.message).to.contain(join(dir, LOCK));
      expect(JSON.parse(readFileSync(join(dir, LOCK), 'utf8'))).to.include({ host: 'cron-box-7' });
    });
  });

  context('when the lock file cannot be read', () => {
    it('refuses rather than guess', () => {
      writeFileSync(join(dir, LOCK), '{"pid":');
      const e = lockDataFolder(dir)._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.message).to.contain('cannot be read');
    });
  });
});
