// The `thread` option of ExternalSorter: a statement's runs sorted, written and merged on a worker
// thread, while the calling thread reads the statement and walks the ledger. Lines (strings) are
// all that cross: posting them costs a copy, about a tenth of what sorting, writing and reading
// them back costs the thread that does it, and the runs held in memory are the worker's garbage,
// not the caller's. The same module is the worker's entry: loaded on the worker thread, it serves.
import { rm } from 'node:fs/promises';
import { isMainThread, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { LineRuns, type RunSink } from './external-sort.js';

const MARK = 'paykit-sort-thread';

/** Lines per message, either way. */
const BATCH = 4096;

type ToWorker =
  | { readonly op: 'lines'; readonly lines: string[] }
  | { readonly op: 'sort' }
  | { readonly op: 'next' }
  | { readonly op: 'close' };

type FromWorker =
  | { readonly op: 'taken'; readonly runs: number; readonly dir?: string }
  | { readonly op: 'batch'; readonly lines: string[]; readonly runs: number }
  | { readonly op: 'end'; readonly runs: number }
  | { readonly op: 'closed' }
  | { readonly op: 'error'; readonly message: string };

/**
 * Starts a worker holding the runs, with `first` (the full first run) already given to it.
 * Lines go out {@link BATCH} at a time; about half a run may be in flight before `push` asks its
 * caller to wait, so memory stays bounded however fast the statement is read.
 */
export function startSortThread(runSize: number, tmpDir: string, first: readonly string[]): RunSink {
  return new ThreadRuns(runSize, tmpDir, first);
}

class ThreadRuns implements RunSink {
  readonly #worker: Worker;
  readonly #window: number;
  #pending: string[] = [];
  #inFlight = 0;
  #runs = 0;
  #dir: string | undefined;
  #failure: Error | undefined;
  /** Told of every message (and of a failure): each waits for its own. */
  readonly #listeners = new Set<() => void>();
  readonly #replies: FromWorker[] = [];

  constructor(runSize: number, tmpDir: string, first: readonly string[]) {
    this.#window = Math.ceil(runSize / BATCH / 2) + 1;
    this.#worker = startWorker({ [MARK]: true, runSize, tmpDir });
    for (let i = 0; i < first.length; i += BATCH) {
      this.#pending = first.slice(i, i + BATCH);
      this.#flush();
    }
    this.#worker.on('message', (m: FromWorker) => {
      if (m.op === 'taken') {
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
    this.#worker.on('error', (e) => {
      this.#failure ??= e instanceof Error ? e : new Error(String(e));
      this.#wake();
    });
    this.#worker.on('exit', (code) => {
      this.#failure ??= new Error(`the sort thread stopped (exit code ${code})`);
      this.#wake();
    });
  }

  get runs(): number {
    return this.#runs;
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
    this.#worker.postMessage(m);
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const lines = this.#pending;
    this.#pending = [];
    this.#inFlight += 1;
    this.#post({ op: 'lines', lines });
  }

  push(line: string): Promise<void> | undefined {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    this.#pending.push(line);
    if (this.#pending.length < BATCH) return undefined;
    this.#flush();
    return this.#inFlight <= this.#window ? undefined : this.#until(() => this.#inFlight <= this.#window);
  }

  async #reply(): Promise<FromWorker> {
    await this.#until(() => this.#replies.length > 0);
    return this.#replies.shift() as FromWorker;
  }

  async *sorted(): AsyncGenerator<string[]> {
    this.#flush();
    this.#post({ op: 'sort' });
    // One batch asked for ahead: the worker merges the next while this one is used.
    this.#post({ op: 'next' });
    for (;;) {
      const m = await this.#reply();
      if (m.op !== 'batch') return;
      this.#post({ op: 'next' });
      yield m.lines;
    }
  }

  async close(): Promise<void> {
    if (this.#failure === undefined) {
      this.#post({ op: 'close' });
      await this.#until(() => this.#replies.some((m) => m.op === 'closed')).catch(() => undefined);
    }
    await this.#worker.terminate();
    // Whatever the thread managed before it stopped.
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
  }
}

/** The worker: one message at a time, in order; any failure is told, and the next message still served. */
function serve(port: MessagePort, runSize: number, tmpDir: string): void {
  const runs = new LineRuns(runSize, tmpDir);
  let sorted: AsyncGenerator<string[]> | undefined;
  const handle = async (m: ToWorker): Promise<void> => {
    if (m.op === 'lines') {
      for (const line of m.lines) {
        const spill = runs.push(line);
        if (spill !== undefined) await spill;
      }
      port.postMessage({ op: 'taken', runs: runs.runs, ...(runs.dir !== undefined ? { dir: runs.dir } : {}) } satisfies FromWorker);
    } else if (m.op === 'sort') {
      sorted = runs.sorted();
    } else if (m.op === 'next') {
      const lines: string[] = [];
      while (sorted !== undefined && lines.length < BATCH) {
        const r = await sorted.next();
        if (r.done === true) break;
        for (const line of r.value) lines.push(line);
      }
      port.postMessage((lines.length > 0 ? { op: 'batch', lines, runs: runs.runs } : { op: 'end', runs: runs.runs }) satisfies FromWorker);
    } else {
      await runs.close();
      port.postMessage({ op: 'closed' } satisfies FromWorker);
    }
  };
  let chain = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    chain = chain.then(() => handle(m)).catch((e: unknown) => {
      port.postMessage({ op: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
    });
  });
}

/**
 * This module on a new thread. Run from TypeScript source (tests, the bench), the thread first
 * registers tsx's loader, which a worker does not inherit from its parent; built, it loads the
 * compiled module directly. (The PGlite worker of store-sql starts the same way; it does not
 * import core, whose whole index its thread would then load, so the few lines are in each.)
 */
function startWorker(data: Record<string, unknown>): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts')) return new Worker(new URL(self), { workerData: data });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

if (!isMainThread && parentPort !== null && (workerData as Record<string, unknown> | null)?.[MARK] === true) {
  const data = workerData as { runSize: number; tmpDir: string };
  serve(parentPort, data.runSize, data.tmpDir);
}
