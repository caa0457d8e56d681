// The `thread` option of ExternalSorter: a statement's runs sorted, written and merged on a worker
// thread, while the calling thread reads the statement and walks the ledger. Lines (strings) are
// all that cross: posting them costs a copy, about a tenth of what sorting, writing and reading
// them back costs the thread that does it, and the runs held in memory are the worker's garbage,
// not the caller's. The worker's entry is a module of its own (sort-worker.ts). A worker that
// cannot start (an application bundled into one file without paykit's files beside it) leaves the
// sort to the calling thread: the lines it was given are kept until it says it is ready.
import { rm } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { LineRuns, type RunSink, type SortedBatch } from './external-sort.js';

/** The key of `workerData` that tells the worker's module it was started as the sort thread. */
export const MARK = 'paykit-sort-thread';

/** Lines per message, either way. */
export const BATCH = 4096;

/** Messages to the worker. */
export type ToWorker =
  | { readonly op: 'lines'; readonly lines: string[] }
  | { readonly op: 'sort' }
  | { readonly op: 'next' }
  | { readonly op: 'close' };

/** Messages from the worker. */
export type FromWorker =
  | { readonly op: 'ready' }
  | { readonly op: 'taken'; readonly runs: number; readonly dir?: string }
  | { readonly op: 'batch'; readonly texts: string[]; readonly runs: number }
  | { readonly op: 'end'; readonly runs: number }
  | { readonly op: 'closed' }
  | { readonly op: 'error'; readonly message: string };

/**
 * Starts a worker holding the runs, with `first` (the full first run) already given to it.
 * Lines go out {@link BATCH} at a time; about half a run may be in flight before `push` asks its
 * caller to wait, so memory stays bounded however fast the statement is read. `entry` replaces
 * the worker's module (tests).
 */
export function startSortThread(runSize: number, tmpDir: string, first: readonly string[], entry?: URL): RunSink {
  return new ThreadRuns(runSize, tmpDir, first, entry);
}

class ThreadRuns implements RunSink {
  readonly #runSize: number;
  readonly #tmpDir: string;
  readonly #worker: Worker | undefined;
  readonly #window: number;
  #pending: string[] = [];
  #inFlight = 0;
  #runs = 0;
  #dir: string | undefined;
  #failure: Error | undefined;
  #ready = false;
  /** The batches posted before the worker said it was ready: what this thread sorts if it never does. */
  #unconfirmed: string[][] | undefined = [];
  /** The runs held by this thread, once the worker failed to start. */
  #local: Promise<LineRuns> | undefined;
  #localRuns: LineRuns | undefined;
  /** Told of every message (and of a failure): each waits for its own. */
  readonly #listeners = new Set<() => void>();
  readonly #replies: FromWorker[] = [];

  constructor(runSize: number, tmpDir: string, first: readonly string[], entry?: URL) {
    this.#runSize = runSize;
    this.#tmpDir = tmpDir;
    this.#window = Math.ceil(runSize / BATCH / 2) + 1;
    try {
      this.#worker = startWorker(entry, { [MARK]: true, runSize, tmpDir });
    } catch (e) {
      this.#failure = e instanceof Error ? e : new Error(String(e));
    }
    this.#worker?.on('message', (m: FromWorker) => {
      if (m.op === 'ready') {
        this.#ready = true;
        this.#unconfirmed = undefined;
      } else if (m.op === 'taken') {
        this.#inFlight -= 1;
        this.#runs = m.runs;
        this.#dir = m.dir ?? this.#dir;
      } else if (m.op === 'error') {
        this.#failure ??= new Error(`sorting the statement: ${m.message}`);
      } else {
        if (m.op === 'batch' || m.op === 'end') this.#runs = m.runs;
        this.#replies.push(m);
      }
      this.#wake();
    });
    this.#worker?.on('error', (e) => {
      this.#failure ??= e instanceof Error ? e : new Error(String(e));
      this.#wake();
    });
    this.#worker?.on('exit', (code) => {
      this.#failure ??= new Error(`the sort thread stopped (exit code ${code})`);
      this.#wake();
    });
    for (let i = 0; i < first.length; i += BATCH) {
      this.#pending = first.slice(i, i + BATCH);
      this.#flush();
    }
  }

  get runs(): number {
    return this.#localRuns?.runs ?? this.#runs;
  }

  /** Whether the worker failed before it was ready: its lines are then sorted in this thread. */
  #fallsBack(): boolean {
    return this.#failure !== undefined && !this.#ready;
  }

  /** The runs in this thread, given every line the worker was sent (in order), made once. */
  #toLocal(): Promise<LineRuns> {
    this.#local ??= (async () => {
      const local = new LineRuns(this.#runSize, this.#tmpDir);
      this.#localRuns = local;
      const batches = [...(this.#unconfirmed ?? []), this.#pending];
      this.#unconfirmed = undefined;
      this.#pending = [];
      for (const batch of batches) {
        for (const line of batch) {
          const spill = local.push(line);
          if (spill !== undefined) await spill;
        }
      }
      return local;
    })();
    return this.#local;
  }

  #wake(): void {
    for (const l of [...this.#listeners]) l();
  }

  /** Resolves once `ready()` holds, or rejects with the thread's failure. */
  #until(ready: () => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.#failure !== undefined && !ready()) {
          this.#listeners.delete(check);
          reject(this.#failure);
        } else if (ready()) {
          this.#listeners.delete(check);
          resolve();
        }
      };
      this.#listeners.add(check);
      check();
    });
  }

  #post(m: ToWorker): void {
    if (this.#failure !== undefined) throw this.#failure;
    this.#worker?.postMessage(m);
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const lines = this.#pending;
    this.#pending = [];
    this.#unconfirmed?.push(lines);
    // Kept for this thread, which sorts them once it sees the failure.
    if (this.#fallsBack()) return;
    this.#inFlight += 1;
    this.#post({ op: 'lines', lines });
  }

  push(line: string): Promise<void> | undefined {
    if (this.#local !== undefined || this.#fallsBack()) return this.#toLocal().then((local) => local.push(line));
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    this.#pending.push(line);
    if (this.#pending.length < BATCH) return undefined;
    this.#flush();
    if (this.#inFlight <= this.#window) return undefined;
    return this.#until(() => this.#inFlight <= this.#window).catch((e: unknown) => {
      if (!this.#fallsBack()) throw e;
      return this.#toLocal().then(() => undefined);
    });
  }

  async #reply(): Promise<FromWorker> {
    await this.#until(() => this.#replies.length > 0);
    return this.#replies.shift() as FromWorker;
  }

  async *sorted(): AsyncGenerator<SortedBatch> {
    if (this.#local === undefined) {
      this.#flush();
      // A worker that never starts fails within milliseconds; one that started said so long ago.
      await this.#until(() => this.#ready).catch((e: unknown) => {
        if (!this.#fallsBack()) throw e;
      });
    }
    if (this.#local !== undefined || this.#fallsBack()) {
      yield* (await this.#toLocal()).sorted();
      return;
    }
    this.#post({ op: 'sort' });
    // One batch asked for ahead: the worker merges the next while this one is used.
    this.#post({ op: 'next' });
    for (;;) {
      const m = await this.#reply();
      if (m.op !== 'batch') return;
      this.#post({ op: 'next' });
      yield { texts: m.texts };
    }
  }

  async close(): Promise<void> {
    if (this.#local !== undefined) await (await this.#local).close();
    if (this.#failure === undefined) {
      this.#post({ op: 'close' });
      await this.#until(() => this.#replies.some((m) => m.op === 'closed')).catch(() => undefined);
    }
    await this.#worker?.terminate();
    // Whatever the thread managed before it stopped.
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
  }
}

/**
 * The worker's own module (`sort-worker`) on a new thread, never this one: a thread started from
 * this module's URL would, in an application bundled into one file, run the whole application
 * again. Run from TypeScript source (tests, the bench), the thread first registers tsx's loader,
 * which a worker does not inherit from its parent; built, it loads the compiled module directly.
 * (The PGlite worker of store-sql starts the same way; it does not import core, whose whole index
 * its thread would then load, so the few lines are in each.)
 */
function startWorker(entry: URL | undefined, data: Record<string, unknown>): Worker {
  const source = import.meta.url.endsWith('.ts');
  const url = entry ?? new URL(source ? './sort-worker.ts' : './sort-worker.js', import.meta.url);
  if (!source) return new Worker(url, { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}
