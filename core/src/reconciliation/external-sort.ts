// Sorting a stream of any length in bounded memory: items are kept until a run is full, sorted,
// and written to a temporary file as JSON lines; at the end the runs are merged (k-way, a binary
// heap of each run's next item), each run read back a chunk at a time. A stream that fits in one
// run never touches the disk.
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One sorted item: ordered by `rank`, then `key` in UTF-8 byte order, then arrival. */
export interface SortItem<T> {
  /** First sort field. */
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

type Entry<T> = [rank: number, key: string, seq: number, value: T];

function compareEntries<T>(a: Entry<T>, b: Entry<T>): number {
  return a[0] - b[0] || compareUtf8(a[1], b[1]) || a[2] - b[2];
}

/** Options of {@link ExternalSorter}. */
export interface ExternalSortOptions {
  /** Items kept in memory before a run is written out (default 50 000). */
  readonly runSize?: number;
  /** Where temporary files go (default the system temp folder). */
  readonly tmpDir?: string;
}

/** Reads a run file back, a chunk at a time, as parsed entries. */
class RunReader<T> {
  readonly #chunks: AsyncIterator<Buffer>;
  #rest = '';
  #items: Entry<T>[] = [];
  #at = 0;
  #done = false;

  constructor(path: string) {
    this.#chunks = (createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** The next entry, or undefined at the end of the run. */
  async next(): Promise<Entry<T> | undefined> {
    while (this.#at >= this.#items.length) {
      if (this.#done) return undefined;
      await this.#fill();
    }
    const e = this.#items[this.#at] as Entry<T>;
    this.#at += 1;
    return e;
  }

  /** The next entry when it is already read, `null` when a read is needed, undefined at the end. */
  nextReady(): Entry<T> | undefined | null {
    if (this.#at < this.#items.length) {
      const e = this.#items[this.#at] as Entry<T>;
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
      if (this.#rest.length > 0) this.#items.push(JSON.parse(this.#rest) as Entry<T>);
      this.#rest = '';
      return;
    }
    const text = this.#rest + r.value.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.#items.push(JSON.parse(text.slice(start, nl)) as Entry<T>);
      start = nl + 1;
    }
    this.#rest = text.slice(start);
  }
}

/**
 * Sorts a stream of items by (rank, key) in bounded memory: at most `runSize` items are held at
 * once, the rest wait in sorted runs on disk. Call {@link ExternalSorter.add} for every item, then
 * read {@link ExternalSorter.sorted} once, then {@link ExternalSorter.close} (always: it removes
 * the temporary files).
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
  #buffer: Entry<T>[] = [];
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

  /** Adds an item; writes a sorted run out when the buffer is full. */
  add(rank: number, key: string, value: T): Promise<void> | undefined {
    this.#buffer.push([rank, key, this.#seq, value]);
    this.#seq += 1;
    return this.#buffer.length >= this.#runSize ? this.#spill() : undefined;
  }

  async #spill(): Promise<void> {
    const items = this.#buffer;
    this.#buffer = [];
    items.sort(compareEntries);
    this.#dir ??= await mkdtemp(join(this.#tmpDir, 'paykit-sort-'));
    const path = join(this.#dir, `run-${this.#runs.length}.jsonl`);
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'w');
      let chunk: string[] = [];
      let size = 0;
      for (const e of items) {
        const line = JSON.stringify(e);
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
      const items = this.#buffer;
      this.#buffer = [];
      items.sort(compareEntries);
      for (let i = 0; i < items.length; i += 1024) yield items.slice(i, i + 1024).map(toItem);
      return;
    }
    if (this.#buffer.length > 0) await this.#spill();
    const readers = this.#runs.map((p) => new RunReader<T>(p));
    // A binary min-heap of each run's next entry, by (rank, key, arrival).
    const heap: { e: Entry<T>; r: RunReader<T> }[] = [];
    const up = (i: number): void => {
      const node = heap[i] as { e: Entry<T>; r: RunReader<T> };
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const p = heap[parent] as { e: Entry<T>; r: RunReader<T> };
        if (compareEntries(p.e, node.e) <= 0) break;
        heap[i] = p;
        i = parent;
      }
      heap[i] = node;
    };
    const down = (i: number): void => {
      const node = heap[i] as { e: Entry<T>; r: RunReader<T> };
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && compareEntries((heap[r] as { e: Entry<T> }).e, (heap[l] as { e: Entry<T> }).e) < 0 ? r : l;
        if (compareEntries((heap[c] as { e: Entry<T> }).e, node.e) >= 0) break;
        heap[i] = heap[c] as { e: Entry<T>; r: RunReader<T> };
        i = c;
      }
      heap[i] = node;
    };
    for (const r of readers) {
      const e = await r.next();
      if (e !== undefined) {
        heap.push({ e, r });
        up(heap.length - 1);
      }
    }
    let batch: SortItem<T>[] = [];
    while (heap.length > 0) {
      const top = heap[0] as { e: Entry<T>; r: RunReader<T> };
      batch.push(toItem(top.e));
      let next = top.r.nextReady();
      if (next === null) next = await top.r.next();
      if (next === undefined) {
        const last = heap.pop() as { e: Entry<T>; r: RunReader<T> };
        if (heap.length > 0) {
          heap[0] = last;
          down(0);
        }
      } else {
        top.e = next;
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
    this.#buffer = [];
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
    this.#runs = [];
  }
}

function toItem<T>(e: Entry<T>): SortItem<T> {
  return { rank: e[0], key: e[1], value: e[3] };
}
