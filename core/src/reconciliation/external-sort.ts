// Sorting a stream of any length in bounded memory: items are kept until a run is full, sorted,
// and written to a temporary file a line each; at the end the runs are merged (k-way, a binary
// heap of each run's next line), each run read back a chunk at a time. A stream that fits in one
// run never touches the disk. The runs are held by a LineRuns, on this thread or, with the
// `thread` option, on a worker's (sort-thread.ts).
//
// Each item is one string from the moment it is added: its sort string, `rank · key · NUL ·
// arrival`, then its value as JSON. The key is in a form whose UTF-16 order is its UTF-8 byte
// order (see byteOrderKey), and the arrival number makes every sort string unique, so the engine's
// own string sort and `<` order the lines by their sort strings, with no JavaScript comparator
// called millions of times. Holding one flat string per item rather than its objects keeps a run
// out of the garbage collector's way (a run of a statement is 50 000 items, kept alive until it
// is written: as objects they were copied by every young-generation collection meanwhile).
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { join } from 'node:path';
import { startSortThread } from './sort-thread.js';

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

// The key ends at a NUL, and a line at a newline: a character from U+0000 to U+000A inside the key
// is written as U+0001 and the character moved up by 0x10 (U+0001 U+0010 … U+0001 U+001A), which
// keeps the order (U+0001 is below every character left as it is, and the second character keeps
// theirs), leaves NUL to the end marker, less than anything a key holds, so a key sorts before
// every longer key it begins, and leaves newlines to the end of lines.
const LOW = /[\u0000-\u000a]/;

function escapeLow(key: string): string {
  return LOW.test(key) ? key.replace(/[\u0000-\u000a]/g, (c) => `\u0001${String.fromCharCode(c.charCodeAt(0) + 0x10)}`) : key;
}

function unescapeLow(key: string): string {
  return key.includes('\u0001') ? key.replace(/\u0001([\u0010-\u001a])/g, (_m, c: string) => String.fromCharCode(c.charCodeAt(0) - 0x10)) : key;
}

/** An item as one line: its sort string, then its value as JSON (which holds no newline). */
function lineOf(rank: number, key: string, seq: number, value: unknown): string {
  return `${String.fromCharCode(48 + rank)}${escapeLow(byteOrderKey(key))}\u0000${seq.toString(36).padStart(SEQ_WIDTH, '0')}${JSON.stringify(value) ?? 'null'}`;
}

/** The item a line holds. */
function itemOf<T>(line: string): SortItem<T> {
  const end = line.indexOf('\u0000');
  return { rank: line.charCodeAt(0) - 48, key: fromByteOrderKey(unescapeLow(line.slice(1, end))), value: JSON.parse(line.slice(end + 1 + SEQ_WIDTH)) as T };
}

/** Lines turned back into items at a time by {@link ExternalSorter.sorted}. */
const PARSED_AT_ONCE = 256;

/**
 * Sorted lines as JSON texts of `[rank, key, value]` items, {@link PARSED_AT_ONCE} a text: what the
 * sort thread sends back, so the thread that reconciles parses a text per few hundred items
 * rather than cutting up every line.
 */
export function itemTexts(lines: readonly string[]): string[] {
  const texts: string[] = [];
  for (let from = 0; from < lines.length; from += PARSED_AT_ONCE) {
    let text = '[';
    for (let i = from; i < lines.length && i < from + PARSED_AT_ONCE; i += 1) {
      const line = lines[i] as string;
      const end = line.indexOf('\u0000');
      text += `${i === from ? '' : ','}[${line.charCodeAt(0) - 48},${JSON.stringify(fromByteOrderKey(unescapeLow(line.slice(1, end))))},${line.slice(end + 1 + SEQ_WIDTH)}]`;
    }
    texts.push(`${text}]`);
  }
  return texts;
}

/** Sorted lines as a {@link RunSink} gives them: the lines, or {@link itemTexts} of them (from the sort thread). */
export type SortedBatch = { readonly lines: readonly string[] } | { readonly texts: readonly string[] };

/** Options of {@link ExternalSorter}. */
export interface ExternalSortOptions {
  /** Items kept in memory before a run is written out (default 50 000). */
  readonly runSize?: number;
  /** Where temporary files go (default the system temp folder). */
  readonly tmpDir?: string;
  /**
   * Sort and write runs, and merge them, on a worker thread, started once the first run is full
   * (a stream that fits in one run never starts one). This thread then only turns items into
   * lines and lines back into items (default false).
   */
  readonly thread?: boolean;
  /** @internal The sort thread's module, instead of paykit's own (tests: a missing one stands for an application bundled without paykit's files). */
  readonly threadEntry?: URL;
}

/** Reads a run file back, a chunk at a time, a line at a time (parsed only when taken). */
class RunReader {
  readonly #chunks: AsyncIterator<Buffer>;
  // A character whose UTF-8 bytes straddle two chunks is decoded whole.
  readonly #decoder = new StringDecoder('utf8');
  #rest = '';
  #lines: string[] = [];
  #at = 0;
  #done = false;

  constructor(path: string) {
    this.#chunks = (createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  /** The next line, or undefined at the end of the run. */
  async next(): Promise<string | undefined> {
    while (this.#at >= this.#lines.length) {
      if (this.#done) return undefined;
      await this.#fill();
    }
    const line = this.#lines[this.#at] as string;
    this.#at += 1;
    return line;
  }

  /** The next line when it is already read, `null` when a read is needed, undefined at the end. */
  nextReady(): string | undefined | null {
    if (this.#at < this.#lines.length) {
      const line = this.#lines[this.#at] as string;
      this.#at += 1;
      return line;
    }
    return this.#done ? undefined : null;
  }

  async #fill(): Promise<void> {
    const r = await this.#chunks.next();
    this.#at = 0;
    if (r.done === true) {
      this.#done = true;
      const last = this.#rest + this.#decoder.end();
      this.#lines = last.length > 0 ? [last] : [];
      this.#rest = '';
      return;
    }
    const lines = (this.#rest + this.#decoder.write(r.value)).split('\n');
    this.#rest = lines.pop() as string;
    this.#lines = lines;
  }
}

/** Where sorted lines go: runs in this thread ({@link LineRuns}) or on a worker's. */
export interface RunSink {
  /** Takes a line; a promise when the caller must wait (a run being written, a worker catching up). */
  push(line: string): Promise<void> | undefined;
  /** Every line in order, in batches. Read it once. */
  sorted(): AsyncGenerator<SortedBatch>;
  /** Runs written to disk so far. */
  readonly runs: number;
  /** Removes the temporary files (and stops a worker). */
  close(): Promise<void>;
}

/** Lines in, sorted lines out, in bounded memory: the sorting itself, on whichever thread holds it. */
export class LineRuns implements RunSink {
  readonly #runSize: number;
  readonly #tmpDir: string;
  /** The run being filled. */
  #lines: string[] = [];
  #runs: string[] = [];
  #dir: string | undefined;

  constructor(runSize: number, tmpDir: string) {
    this.#runSize = runSize;
    this.#tmpDir = tmpDir;
  }

  get runs(): number {
    return this.#runs.length;
  }

  /** The folder the runs are in, once one is written. */
  get dir(): string | undefined {
    return this.#dir;
  }

  /** Whether the next line would make a run be written first. */
  get full(): boolean {
    return this.#lines.length >= this.#runSize;
  }

  /** Takes the lines held (handing them to another sink). */
  takeLines(): string[] {
    const lines = this.#lines;
    this.#lines = [];
    return lines;
  }

  /**
   * Takes a line; when the buffer is already full, writes it out as a sorted run first (so a
   * stream of exactly `runSize` lines never touches the disk). Returns a promise only then.
   */
  push(line: string): Promise<void> | undefined {
    if (this.#lines.length >= this.#runSize) return this.#spill().then(() => void this.#lines.push(line));
    this.#lines.push(line);
    return undefined;
  }

  /** The buffered run, sorted. */
  #sortedRun(): string[] {
    const run = this.takeLines();
    // Strings only, no comparator: the engine's own string order is the order wanted.
    run.sort();
    return run;
  }

  async #spill(): Promise<void> {
    const run = this.#sortedRun();
    this.#dir ??= await mkdtemp(join(this.#tmpDir, 'paykit-sort-'));
    const path = join(this.#dir, `run-${this.#runs.length}.jsonl`);
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'w');
      // About a megabyte per write.
      let from = 0;
      let size = 0;
      for (let i = 0; i < run.length; i += 1) {
        size += (run[i] as string).length + 1;
        if (size < 1 << 20 && i < run.length - 1) continue;
        await fh.write(`${run.slice(from, i + 1).join('\n')}\n`);
        from = i + 1;
        size = 0;
      }
    } finally {
      await fh?.close();
    }
    this.#runs.push(path);
  }

  async *sorted(): AsyncGenerator<SortedBatch> {
    if (this.#runs.length === 0) {
      const run = this.#sortedRun();
      for (let i = 0; i < run.length; i += 1024) yield { lines: run.slice(i, i + 1024) };
      return;
    }
    if (this.#lines.length > 0) await this.#spill();
    const readers = this.#runs.map((p) => new RunReader(p));
    // A binary min-heap of each run's next line.
    type Node = { line: string; r: RunReader };
    const heap: Node[] = [];
    const up = (i: number): void => {
      const node = heap[i] as Node;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const p = heap[parent] as Node;
        if (p.line <= node.line) break;
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
        const c = r < n && (heap[r] as Node).line < (heap[l] as Node).line ? r : l;
        if ((heap[c] as Node).line >= node.line) break;
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
    let batch: string[] = [];
    while (heap.length > 0) {
      const top = heap[0] as Node;
      batch.push(top.line);
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
        yield { lines: batch };
        batch = [];
      }
    }
    if (batch.length > 0) yield { lines: batch };
  }

  async close(): Promise<void> {
    this.#lines = [];
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
    this.#runs = [];
  }
}

/**
 * Sorts a stream of items by (rank, key) in bounded memory: at most `runSize` items are held at
 * once, the rest wait in sorted runs on disk. Call {@link ExternalSorter.add} for every item, then
 * read {@link ExternalSorter.sorted} once, then {@link ExternalSorter.close} (always: it removes
 * the temporary files and stops the worker thread, if one was started). Items of equal rank and
 * key come out in the order they went in.
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
  readonly #thread: boolean;
  readonly #threadEntry: URL | undefined;
  #sink: RunSink;
  #seq = 0;

  /** A sorter; nothing is written (and no thread started) until the first run is full. */
  constructor(options: ExternalSortOptions = {}) {
    this.#runSize = Math.max(1, options.runSize ?? 50_000);
    this.#tmpDir = options.tmpDir ?? tmpdir();
    this.#thread = options.thread === true;
    this.#threadEntry = options.threadEntry;
    this.#sink = new LineRuns(this.#runSize, this.#tmpDir);
  }

  /** Items added so far. */
  get count(): number {
    return this.#seq;
  }

  /** Runs written to disk so far. */
  get runs(): number {
    return this.#sink.runs;
  }

  /**
   * Adds an item (`rank` from 0 to 9). Returns a promise when the caller must wait before the
   * next: a run being written out (or, with `thread`, the worker catching up).
   */
  add(rank: number, key: string, value: T): Promise<void> | undefined {
    const line = lineOf(rank, key, this.#seq, value);
    this.#seq += 1;
    if (this.#thread && this.#sink instanceof LineRuns && this.#sink.full) {
      // The first run is full: from here on the runs are the worker's, starting with this one.
      this.#sink = startSortThread(this.#runSize, this.#tmpDir, this.#sink.takeLines(), this.#threadEntry);
    }
    return this.#sink.push(line);
  }

  /** Every item in order, in batches of up to 256. Read it once. */
  async *sorted(): AsyncGenerator<SortItem<T>[]> {
    // Parsed a few hundred at a time, as they are used: parsed items then die young, before a
    // collection would copy them (a batch of 4 096 parsed whole outlived several young-generation
    // collections).
    for await (const sorted of this.#sink.sorted()) {
      if ('texts' in sorted) {
        for (const text of sorted.texts) {
          const rows = JSON.parse(text) as [number, string, T][];
          const batch = new Array<SortItem<T>>(rows.length);
          for (let i = 0; i < rows.length; i += 1) {
            const r = rows[i] as [number, string, T];
            batch[i] = { rank: r[0], key: r[1], value: r[2] };
          }
          yield batch;
        }
        continue;
      }
      const lines = sorted.lines;
      for (let from = 0; from < lines.length; from += PARSED_AT_ONCE) {
        const to = Math.min(lines.length, from + PARSED_AT_ONCE);
        const batch = new Array<SortItem<T>>(to - from);
        for (let i = from; i < to; i += 1) batch[i - from] = itemOf<T>(lines[i] as string);
        yield batch;
      }
    }
  }

  /** Removes the temporary files (and stops the worker thread). */
  async close(): Promise<void> {
    await this.#sink.close();
  }
}
