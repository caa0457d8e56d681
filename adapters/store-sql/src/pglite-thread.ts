// The PGlite worker thread's entry (started by `pgliteWorkerClient` in pglite-worker.ts): opens the
// database in the folder it is given and answers the main thread's requests until `close`.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pgliteClient, runScript, type Row, type SqlClient, type SqlQuery } from './client.js';
import { MARK, type Request } from './pglite-worker.js';

/** The worker thread: opens the database and answers requests until `close`. */
async function serve(dataDir: string): Promise<void> {
  const port = parentPort;
  if (!port) return;
  let client: SqlClient;
  try {
    client = pgliteClient(await PGlite.create(dataDir));
  } catch (e) {
    port.postMessage({ error: wireError(e) });
    return;
  }
  const open = new Map<number, { query: SqlQuery; end: (commit: boolean) => void; done: Promise<unknown> }>();
  const run = async (m: Request): Promise<readonly Row[]> => {
    switch (m.op) {
      case 'query': return client.query(m.text, m.params);
      case 'prepared': return client.prepared(m.name, m.text, m.params);
      case 'begin': {
        // The transaction stays open (PGlite's lock held) until `end` settles `finished`.
        let end: (commit: boolean) => void = () => undefined;
        const finished = new Promise<void>((resolve, reject) => {
          end = (commit) => (commit ? resolve() : reject(new RolledBack()));
        });
        return new Promise((entered, failed) => {
          const done = client.transaction(async (query) => {
            open.set(m.id, { query, end, done });
            entered([]);
            await finished;
          });
          done.catch((e: unknown) => (open.has(m.id) ? undefined : failed(e)));
        });
      }
      case 'tx': {
        const tx = open.get(m.tx);
        if (!tx) throw new Error(`no open transaction ${m.tx}`);
        return tx.query(m.text, m.params);
      }
      case 'end': {
        const tx = open.get(m.tx);
        if (!tx) throw new Error(`no open transaction ${m.tx}`);
        tx.end(m.commit);
        try {
          await tx.done;
        } catch (e) {
          if (!(e instanceof RolledBack)) throw e;
        } finally {
          open.delete(m.tx);
        }
        return [];
      }
      case 'script':
        return runScript(client, m.steps);
      case 'close':
        await client.close();
        return [];
      default:
        throw new Error('unknown request');
    }
  };
  port.on('message', (m: Request) => {
    run(m).then((rows) => port.postMessage({ id: m.id, rows }), (e: unknown) => port.postMessage({ id: m.id, error: wireError(e) }));
  });
  port.postMessage({ ready: true });
}

/** A rollback asked for by the main thread (not a failure). */
class RolledBack extends Error {}

function wireError(e: unknown): { message: string; code?: string } {
  const code = typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
  return { message: e instanceof Error ? e.message : String(e), ...(code === undefined ? {} : { code }) };
}

if (!isMainThread && typeof (workerData as Record<string, unknown> | null)?.[MARK] === 'string') {
  await serve((workerData as Record<string, string>)[MARK] as string);
}
