import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { expect } from 'chai';
import type { StoredPayment } from '@paykit/core';
import { openStore, type DurableStore } from '../src/index.js';
import { freshDatabase, postgresUrl, skipWithoutPostgres } from './postgres-db.js';
import { ACK, notification, orderId } from './processes/notifications.js';
import { post, startWorker } from './processes/spawn.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

type Where = { PAYKIT_PG_URL: string } | { PAYKIT_PGLITE_DIR: string };

function storeConfig(where: Where): Parameters<typeof openStore>[0] {
  return 'PAYKIT_PG_URL' in where ? { kind: 'postgres', url: where.PAYKIT_PG_URL } : { kind: 'pglite', dataDir: where.PAYKIT_PGLITE_DIR };
}

async function readPayment(where: Where, id: string): Promise<{ status?: string }> {
  const store = (await openStore(storeConfig(where)))._unsafeUnwrap() as DurableStore;
  try {
    const rec = (await store.get<StoredPayment>('payment', id))._unsafeUnwrap();
    return rec ? { status: rec.value.status } : {};
  } finally {
    await store.close();
  }
}

/**
 * LianLian delivers a SUCCESS; the merchant process dies (SIGKILL) before or after committing it,
 * without answering; a new process starts on the same port and database; LianLian's retry comes.
 */
function crashScenarios(where: () => Where): void {
  for (const point of ['before-commit', 'after-commit'] as const) {
    context(`when the process is killed ${point.replace('-', ' the ')}`, () => {
      it('loses nothing: the retry is acknowledged and the payment succeeded with exactly one transition', async () => {
        const port = String(await freePort());
        const n = point === 'before-commit' ? 1 : 2;
        const url = (base: string) => `${base}/paykit/notify/shop`;
        const body = notification(n, 'SUCCESS').body;

        const doomed = await startWorker({ ...where(), PORT: port, PAYKIT_CRASH: point });
        const first = await post(url(doomed.url), body);
        expect(first, 'the first delivery got no acknowledgement').to.have.property('error');
        expect(await doomed.exited).to.equal('SIGKILL');
        // What the dead process left: nothing before the commit; the whole commit after it.
        const left = await readPayment(where(), orderId(n));
        expect(left.status).to.equal(point === 'before-commit' ? undefined : 'succeeded');

        const restarted = await startWorker({ ...where(), PORT: port });
        try {
          const retry = await post(url(restarted.url), body);
          expect(retry).to.deep.equal({ status: 200, body: ACK });
          const again = await post(url(restarted.url), body);
          expect(again).to.deep.equal({ status: 200, body: ACK });
        } finally {
          await restarted.stop();
        }

        const store = (await openStore(storeConfig(where())))._unsafeUnwrap() as DurableStore;
        try {
          const rec = (await store.get<StoredPayment>('payment', orderId(n)))._unsafeUnwrap();
          expect(rec?.value.status).to.equal('succeeded');
          expect(rec?.value.amount).to.deep.equal({ amount: 100 + n, currency: 'CNY' });
          const history = (await store.history('payment', orderId(n)))._unsafeUnwrap();
          expect(history.map((v) => v.status)).to.deep.equal(['succeeded']);
          expect((await store.recordNotification('lianlian-web', `shop:${orderId(n)}:20261122${String(n).padStart(8, '0')}:SUCCESS`, '{}'))._unsafeUnwrap()).to.equal('duplicate');
        } finally {
          await store.close();
        }
      });
    });
  }
}

describe('a merchant process killed between receiving a notification and acknowledging it', function () {
  this.timeout(120_000);

  describe('with the embedded PGlite store (a data directory on disk)', () => {
    let dir = '';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'paykit-crash-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    crashScenarios(() => ({ PAYKIT_PGLITE_DIR: dir }));
  });

  describe('with PostgreSQL (DATABASE_URL)', () => {
    let db: { url: string; drop: () => Promise<void> } | undefined;
    before(async function () {
      skipWithoutPostgres(this, 'crash test on PostgreSQL');
      db = await freshDatabase(postgresUrl as string);
    });
    after(async () => db?.drop());
    crashScenarios(() => ({ PAYKIT_PG_URL: (db as { url: string }).url }));
  });
});
