import { Worker } from 'node:worker_threads';
import type { Row, SqlClient, SqlQuery, SqlStep } from './client.js';

/**
 * PGlite on a worker thread. PGlite runs PostgreSQL compiled to WebAssembly inside the calling
 * thread: every statement blocks the thread until it is done, so on the main thread a group commit
 * of a burst of notifications holds up every other request the process serves. Here the database
 * lives on a thread of its own and the main thread only posts statements and receives rows
 * (structured clones: `Date`s, numbers, JSON values as PGlite parsed them). The worker's entry is a
 * module of its own (`pglite-thread.ts`), so a thread never loads anything but paykit's (see
 * {@link startWorker}).
 */

/** A statement or transaction step posted to the worker. */
export type Request =
  | { readonly id: number; readonly op: 'query'; readonly text: string; readonly params?: readonly unknown[] }
  | { readonly id: number; readonly op: 'prepared'; readonly name: string; readonly text: string; readonly params: readonly unknown[] }
  | { readonly id: number; readonly op: 'begin' }
  | { readonly id: number; readonly op: 'tx'; readonly tx: number; readonly text: string; readonly params?: readonly unknown[] }
  | { readonly id: number; readonly op: 'end'; readonly tx: number; readonly commit: boolean }
  | { readonly id: number; readonly op: 'script'; readonly steps: readonly SqlStep[] }
  | { readonly id: number; readonly op: 'close' };

/** A request before it is given its id. */
type RequestBody = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

/** The worker's answer to request `id`: rows, or the error with its SQLSTATE. */
export type Reply =
  | { readonly id: number; readonly rows: readonly Row[] }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

/** The key of `workerData` holding the data folder. */
export const MARK = 'paykit-pglite-worker';

/**
 * Opens PGlite in `dataDir` on a worker thread (see the exported `pgliteWorkerClient` in open.ts,
 * which checks its argument first: this module loads in the thread too, so it imports nothing of
 * core, whose whole index the thread would then load).
 */
export async function pgliteWorkerClient(dataDir: string): Promise<SqlClient> {
  const worker = startWorker({ [MARK]: dataDir });
  await new Promise<void>((resolve, reject) => {
    const failed = (e: unknown): void => reject(e instanceof Error ? e : new Error(String(e)));
    worker.once('error', (e) => failed(new Error(`the PGlite thread did not start (${e.message.slice(0, 200)}): it runs @paykit/store-sql's own pglite-thread.js, so an application bundled into one file must keep @paykit/store-sql external`, { cause: e })));
    worker.once('exit', (code) => failed(new Error(`the PGlite worker exited (${code}) before the database opened`)));
    worker.once('message', (m: { ready?: true; error?: { message: string; code?: string } }) => {
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      if (m.ready === true) resolve();
      else failed(errorOf(m.error ?? { message: 'the PGlite worker did not start' }));
    });
  });
  return new WorkerClient(worker);
}

/**
 * The worker's own module (`pglite-thread`) on a new thread, never this one: a thread started from
 * this module's URL would, in an application bundled into one file, run the whole application
 * again. Bundled without paykit's files beside it, the entry is missing and the thread fails to
 * start: `pgliteWorkerClient` rejects with that error. Run from TypeScript source (tests, the
 * bench), the thread first registers tsx's loader, which a worker does not inherit from its parent.
 */
function startWorker(data: Record<string, string>): Worker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(source ? './pglite-thread.ts' : './pglite-thread.js', import.meta.url);
  if (!source) return new Worker(entry, { workerData: data });
  // tsx is found from here, not from the working directory an eval'd worker would resolve against.
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

function errorOf(e: { readonly message: string; readonly code?: string }): Error {
  return Object.assign(new Error(e.message), e.code === undefined ? {} : { code: e.code });
}

class WorkerClient implements SqlClient {
  readonly dialect = 'pglite' as const;
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (rows: readonly Row[]) => void; reject: (e: Error) => void }>();
  #next = 1;
  #stopped: Error | undefined;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.unref();
    worker.on('message', (m: Reply) => {
      const call = this.#pending.get(m.id);
      if (!call) return;
      this.#settled(m.id);
      if ('error' in m) call.reject(errorOf(m.error));
      else call.resolve(m.rows);
    });
    const stop = (e: Error): void => {
      this.#stopped ??= e;
      for (const [id, call] of this.#pending) {
        this.#settled(id);
        call.reject(this.#stopped);
      }
    };
    worker.on('error', (e) => stop(e));
    worker.on('exit', (code) => stop(new Error(`the PGlite worker stopped (exit ${code})`)));
  }

  #call(request: RequestBody): Promise<readonly Row[]> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#next;
    this.#next += 1;
    return new Promise((resolve, reject) => {
      // A statement in flight keeps the process alive; an idle database does not.
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #settled(id: number): void {
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
  }

  query(text: string, params?: readonly unknown[]): Promise<readonly Row[]> {
    return this.#call(params === undefined ? { op: 'query', text } : { op: 'query', text, params });
  }

  prepared(name: string, text: string, params: readonly unknown[]): Promise<readonly Row[]> {
    return this.#call({ op: 'prepared', name, text, params });
  }

  async transaction<T>(work: (tx: SqlQuery) => Promise<T>): Promise<T> {
    // `begin` answers with no rows once the worker's transaction is open; its id names it.
    const tx = this.#next;
    await this.#call({ op: 'begin' });
    let out: T;
    try {
      out = await work((text, params) => this.#call(params === undefined ? { op: 'tx', tx, text } : { op: 'tx', tx, text, params }));
    } catch (e) {
      await this.#call({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw e;
    }
    await this.#call({ op: 'end', tx, commit: true });
    return out;
  }

  script(steps: readonly SqlStep[]): Promise<readonly Row[]> {
    return this.#call({ op: 'script', steps });
  }

  async close(): Promise<void> {
    if (this.#stopped) return;
    await this.#call({ op: 'close' });
    await this.#worker.terminate();
  }
}
