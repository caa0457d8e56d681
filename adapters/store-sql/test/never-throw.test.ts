/**
 * Rule 3 for `migrate` and `pgliteWorkerClient`, which keep their Promise types: input of the wrong
 * shape rejects with an `InvalidConfig` PaymentError saying what to pass, before any work starts
 * (no statement sent), never with a TypeError.
 */
import { expect } from 'chai';
import { isPaymentError, type PaymentError } from '@paykit/core';
import { hostileValues } from '@paykit/conformance';
import { MIGRATIONS, migrate, pgliteWorkerClient, type SqlClient } from '../src/index.js';

/** A client that records the statements it is given and answers each with no rows. */
function recordingClient(): SqlClient & { readonly sent: string[] } {
  const sent: string[] = [];
  const query = async (text: string) => {
    sent.push(text);
    return [];
  };
  return { dialect: 'pglite', sent, query, prepared: (_name, text) => query(text), transaction: (work) => work(query), close: async () => undefined };
}

/** How a call settled: its value, or what it rejected with. */
async function settle(call: () => Promise<unknown>): Promise<{ readonly value?: unknown; readonly rejected?: unknown }> {
  let running: Promise<unknown>;
  try {
    running = call();
  } catch (e) {
    return expect.fail(`threw synchronously: ${String((e as Error)?.message ?? e)}`);
  }
  return running.then((value) => ({ value }), (rejected: unknown) => ({ rejected }));
}

function expectInvalidConfig(rejected: unknown, what: string, message: RegExp): void {
  expect(isPaymentError(rejected), `${what} rejects with a PaymentError, not ${String((rejected as Error)?.message ?? rejected)}`).to.equal(true);
  expect((rejected as PaymentError).kind, what).to.equal('InvalidConfig');
  expect((rejected as PaymentError).message, what).to.match(message);
}

describe('@paykit/store-sql given input of the wrong shape', function () {
  context('migrate', function () {
    it('rejects a client of the wrong shape with InvalidConfig naming what to pass', async function () {
      for (const [i, client] of hostileValues().entries()) {
        const { rejected } = await settle(() => migrate(client as never));
        expectInvalidConfig(rejected, `client ${i}`, /^migrate takes a SqlClient: one from pgliteClient, pgPoolClient or pgliteWorkerClient$/);
      }
    });

    it('rejects migrations of the wrong shape before sending any statement', async function () {
      // Undefined means MIGRATIONS, and an empty array applies nothing: both fit.
      const wrong = [...hostileValues().filter((v) => v !== undefined && !Array.isArray(v)), [{ version: '1', name: 'n', sql: 'SELECT 1' }], [null]];
      for (const [i, migrations] of wrong.entries()) {
        const client = recordingClient();
        const { rejected } = await settle(() => migrate(client, migrations as never));
        expectInvalidConfig(rejected, `migrations ${i}`, /array of migrations \{ version: a whole number, name, sql \}/);
        expect(client.sent, `migrations ${i}`).to.deep.equal([]);
      }
    });

    it('still applies every migration through a client of the right shape', async function () {
      const client = recordingClient();
      expect(await migrate(client)).to.deep.equal(MIGRATIONS.map((m) => m.version));
      expect(client.sent[0]).to.equal('SELECT pg_advisory_xact_lock(7311001)');
    });
  });

  context('pgliteWorkerClient', function () {
    it('rejects a data folder that is not a string with InvalidConfig saying what to pass', async function () {
      // Strings are folder names: they would open a database.
      for (const [i, dataDir] of hostileValues().filter((v) => typeof v !== 'string').entries()) {
        const { rejected } = await settle(() => pgliteWorkerClient(dataDir as never));
        expectInvalidConfig(rejected, `dataDir ${i}`, /^pgliteWorkerClient takes the data folder: a path, or "memory:\/\/"/);
      }
    });
  });
});
