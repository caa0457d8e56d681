// Sorting a stream of any length in bounded memory: items are kept until a run is full, sorted,
// and written to a temporary file as JSON lines; at the end the runs are merged (k-way, a binary
// heap of each run's next item), each run read back a chunk at a time. A stream that fits in one
// run never touches the disk.
//
// Each item is sorted by one string, `rank · key · NUL · arrival`, with the key in a form whose
// UTF-16 order is its UTF-8 byte order (see byteOrderKey): the engine's own string sort and `<`
// compare it, with no JavaScript comparator called millions of times.
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One sorted item: ordered by `rank`, then `key` in UTF-8 byte order, then arrival. */
export interface SortItem<T> {
  /** First sort field (0–9). */
  readonly rank: number;
  /** Second sort field, compared as UTF-8 bytes (the order `Store.listPage` walks ids in). */
  readonly key: string;
  /** The payload: plain JSON (no `Date`s, no `undefined` in arrays). */
  readonly value: T;
}

/**
 * Compares two strings in the byte order of their UTF-8 encodings (PostgreSQL's "C" collation),
 * which differs from JavaScript's `<` only where a character above U+FFFF (a surrogate pair) meets
 * one from U+E000 to U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  if (typeof a !== 'string' || typeof b !== 'string') return compareUtf8(String(a), String(b));
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        const xs = x <= 0xdfff;
        const ys = y <= 0xdfff;
        if (xs !== ys) return xs ? 1 : -1;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}

/**
 * A key in a form JavaScript's `<` compares in UTF-8 byte order: an ASCII key as it is, any other
 * as its UTF-8 bytes, one character each (their order is the bytes' order, and ASCII characters
 * are the same in both forms, so the two kinds compare correctly with each other too).
 */
export function byteOrderKey(key: string): string {
  for (let i = 0; i < key.length; i += 1) {
    if (key.charCodeAt(i) >= 0x80) return Buffer.from(key, 'utf8').toString('latin1');
  }
  return key;
}

/** The key a {@link byteOrderKey} stands for. */
function fromByteOrderKey(sortKey: string): string {
  for (let i = 0; i < sortKey.length; i += 1) {
    if (sortKey.charCodeAt(i) >= 0x80) return Buffer.from(sortKey, 'latin1').toString('utf8');
  }
  return sortKey;
}

/** Digits of the arrival number in the sort string (base 36: up to 78 billion items). */
const SEQ_WIDTH = 7;

// The key ends at a NUL: a NUL or U+0001 inside it is written as U+0001 and one more character
// (U+0001 U+0001, U+0001 U+0002), which keeps the order and leaves NUL to the end marker, less
// than anything a key holds, so a key sorts before every longer key it begins.
const LOW = /[\u0000\u0001]/;

function escapeLow(key: string): string {
  return LOW.test(key) ? key.replace(/[\u0000\u0001]/g, (c) => `\u0001${String.fromCharCode(c.charCodeAt(0) + 1)}`) : key;
}

function unescapeLow(key: string): string {
  return key.includes('\u0001') ? key.replace(/\u0001([\u0001\u0002])/g, (_m, c: string) => String.fromCharCode(c.charCodeAt(0) - 1)) : key;
}

function sortString(rank: number, key: string, seq: number): string {
  return `${String.fromCharCode(48 + rank)}${escapeLow(byteOrderKey(key))}\u0000${seq.toString(36).padStart(SEQ_WIDTH, '0')}`;
}

function itemOf<T>(sort: string, value: T): SortItem<T> {
  return { rank: sort.charCodeAt(0) - 48, key: fromByteOrderKey(unescapeLow(sort.slice(1, sort.length - SEQ_WIDTH - 1))), value };
}

/** Options of {@link ExternalSorter}. */
export interface ExternalSortOptions {
  /** Items kept in memory before a run is written out (default 50 000). */
  readonly runSize?: number;
  /** Where temporary files go (default the system temp folder). */
  readonly tmpDir?: string;
}

type Line<T> = [sort: string, value: T];

/** Reads a run file back, a chunk at a time, as parsed lines. */
class RunReader<T> {
  readonly #chunks: AsyncIterator<Buffer>;
  #rest = '';
  #items: Line<T>[] = [];
  #at = 0;
  #done = false;

  constructor(path: string) {
    this.#chunks = (createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** The next line, or undefined at the end of the run. */
  async next(): Promise<Line<T> | undefined> {
    while (this.#at >= this.#items.length) {
      if (this.#done) return undefined;
      await this.#fill();
    }
    const e = this.#items[this.#at] as Line<T>;
    this.#at += 1;
    return e;
  }

  /** The next line when it is already read, `null` when a read is needed, undefined at the end. */
  nextReady(): Line<T> | undefined | null {
    if (this.#at < this.#items.length) {
      const e = this.#items[this.#at] as Line<T>;
      this.#at += 1;
      return e;
    }
    return this.#done ? undefined : null;
  }

  async #fill(): Promise<void> {
    const r = await this.#chunks.next();
    this.#items = [];
    this.#at = 0;
    if (r.done === true) {
      this.#done = true;
      if (this.#rest.length > 0) this.#items.push(JSON.parse(this.#rest) as Line<T>);
      this.#rest = '';
      return;
    }
    const text = this.#rest + r.value.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.#items.push(JSON.parse(text.slice(start, nl)) as Line<T>);
      start = nl + 1;
    }
    this.#rest = text.slice(start);
  }
}

/**
 * Sorts a stream of items by (rank, key) in bounded memory: at most `runSize` items are held at
 * once, the rest wait in sorted runs on disk. Call {@link ExternalSorter.add} for every item, then
 * read {@link ExternalSorter.sorted} once, then {@link ExternalSorter.close} (always: it removes
 * the temporary files). Items of equal rank and key come out in the order they went in.
 *
 * @example
 * ```ts
 * const sorter = new ExternalSorter<string>();
 * try {
 *   for (const line of lines) await sorter.add(0, line.orderId, line.text);
 *   for await (const batch of sorter.sorted()) for (const item of batch) use(item);
 * } finally {
 *   await sorter.close();
 * }
 * ```
 */
export class ExternalSorter<T> {
  readonly #runSize: number;
  readonly #tmpDir: string;
  // The run being filled: sort strings, and the values by their arrival number in the run.
  #sorts: string[] = [];
  #values: T[] = [];
  #runStart = 0;
  #runs: string[] = [];
  #dir: string | undefined;
  #seq = 0;

  /** A sorter; nothing is written until the first run is full. */
  constructor(options: ExternalSortOptions = {}) {
    this.#runSize = Math.max(1, options.runSize ?? 50_000);
    this.#tmpDir = options.tmpDir ?? tmpdir();
  }

  /** Items added so far. */
  get count(): number {
    return this.#seq;
  }

  /** Runs written to disk so far. */
  get runs(): number {
    return this.#runs.length;
  }

  /**
   * Adds an item (`rank` from 0 to 9); when the buffer is already full, writes it out as a sorted
   * run first (so a stream of exactly `runSize` items never touches the disk). Returns a promise
   * only then.
   */
  add(rank: number, key: string, value: T): Promise<void> | undefined {
    if (this.#sorts.length >= this.#runSize) return this.#spill().then(() => this.#push(rank, key, value));
    this.#push(rank, key, value);
    return undefined;
  }

  #push(rank: number, key: string, value: T): void {
    this.#sorts.push(sortString(rank, key, this.#seq));
    this.#values.push(value);
    this.#seq += 1;
  }

  /** The buffered run, sorted: each sort string with its value. */
  #sortedRun(): { readonly sorts: string[]; readonly values: T[]; readonly start: number } {
    const run = { sorts: this.#sorts, values: this.#values, start: this.#runStart };
    this.#sorts = [];
    this.#values = [];
    this.#runStart = this.#seq;
    // Strings only, no comparator: the engine's own string order is the order wanted.
    run.sorts.sort();
    return run;
  }

  static #valueAt<T>(run: { readonly values: T[]; readonly start: number }, sort: string): T {
    return run.values[parseInt(sort.slice(sort.length - SEQ_WIDTH), 36) - run.start] as T;
  }

  async #spill(): Promise<void> {
    const run = this.#sortedRun();
    this.#dir ??= await mkdtemp(join(this.#tmpDir, 'paykit-sort-'));
    const path = join(this.#dir, `run-${this.#runs.length}.jsonl`);
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'w');
      let chunk: string[] = [];
      let size = 0;
      for (const sort of run.sorts) {
        const line = JSON.stringify([sort, ExternalSorter.#valueAt(run, sort)]);
        chunk.push(line);
        size += line.length + 1;
        if (size >= 1 << 20) {
          await fh.write(`${chunk.join('\n')}\n`);
          chunk = [];
          size = 0;
        }
      }
      if (chunk.length > 0) await fh.write(`${chunk.join('\n')}\n`);
    } finally {
      await fh?.close();
    }
    this.#runs.push(path);
  }

  /** Every item in order, in batches of up to 1 024. Read it once. */
  async *sorted(): AsyncGenerator<SortItem<T>[]> {
    if (this.#runs.length === 0) {
      const run = this.#sortedRun();
      for (let i = 0; i < run.sorts.length; i += 1024) {
        const end = Math.min(run.sorts.length, i + 1024);
        const batch = new Array<SortItem<T>>(end - i);
        for (let k = i; k < end; k += 1) {
          const sort = run.sorts[k] as string;
          batch[k - i] = itemOf(sort, ExternalSorter.#valueAt(run, sort));
        }
        yield batch;
      }
      return;
    }
    if (this.#sorts.length > 0) await this.#spill();
    const readers = this.#runs.map((p) => new RunReader<T>(p));
    // A binary min-heap of each run's next line, by its sort string.
    type Node = { line: Line<T>; r: RunReader<T> };
    const heap: Node[] = [];
    const up = (i: number): void => {
      const node = heap[i] as Node;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const p = heap[parent] as Node;
        if (p.line[0] <= node.line[0]) break;
        heap[i] = p;
        i = parent;
      }
      heap[i] = node;
    };
    const down = (i: number): void => {
      const node = heap[i] as Node;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (heap[r] as Node).line[0] < (heap[l] as Node).line[0] ? r : l;
        if ((heap[c] as Node).line[0] >= node.line[0]) break;
        heap[i] = heap[c] as Node;
        i = c;
      }
      heap[i] = node;
    };
    for (const r of readers) {
      const line = await r.next();
      if (line !== undefined) {
        heap.push({ line, r });
        up(heap.length - 1);
      }
    }
    let batch: SortItem<T>[] = [];
    while (heap.length > 0) {
      const top = heap[0] as Node;
      batch.push(itemOf(top.line[0], top.line[1]));
      let next = top.r.nextReady();
      if (next === null) next = await top.r.next();
      if (next === undefined) {
        const last = heap.pop() as Node;
        if (heap.length > 0) {
          heap[0] = last;
          down(0);
        }
      } else {
        top.line = next;
        down(0);
      }
      if (batch.length >= 1024) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** Removes the temporary files. */
  async close(): Promise<void> {
    this.#sorts = [];
    this.#values = [];
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
    this.#runs = [];
  }
}
