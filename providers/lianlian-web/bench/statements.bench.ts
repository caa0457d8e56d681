/**
 * Statement parsing rows for `npm run bench`:
 * - throughput of the streaming parser (its batch form, parseStatementBatches) against a bare line
 *   count of the same file (target ≥ 0.5). The count decodes: a statement's lines are lines of
 *   GBK text, and the parser must decode every byte strictly too, so "count the lines" here is
 *   "decode strictly and count the line breaks" (the row name says so). Reference rows: the text
 *   reader (every line decoded first), the per-entry form, node:readline's count, and a floor:
 *   a reader that builds the same entries with no check at all (see {@link floorEntries});
 * - peak memory of parsing 100,000 and 1,000,000 lines, each in its own child process so the
 *   numbers are clean (target: the larger under 1.5× the smaller).
 *
 * Run as a child (`… statements.bench.ts --memory-child <file> <lines>`) it parses a statement
 * file from disk, as a merchant would after the SFTP download, and prints its peak heap and RSS
 * as JSON. The parent writes the files (streamed) beforehand, so generating them costs the child
 * nothing.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { TextDecoder } from 'node:util';
import { ok } from 'neverthrow';
import type { PayResult } from '@paykit/core';
import { measureRatio, type BenchRow } from '@paykit/conformance/bench';
import { syntheticStatement } from '../src/simulator/statements.js';
import { parseStatement, parseStatementBatches } from '../src/statements/index.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const NAME = 'JYMX_201403251000001147_20240101.txt';

async function fileChunks(lines: number): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of syntheticStatement({ lines, layout: 'pipe', encoding: 'GBK' }).content) chunks.push(c);
  return chunks;
}

async function* replay(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

/** The parser, a chunk of entries at a time (parseStatementBatches): every line to a checked entry. */
async function parseAll(chunks: readonly Uint8Array[], reader: 'bytes' | 'text' = 'bytes'): Promise<number> {
  let n = 0;
  for await (const batch of parseStatementBatches({ name: NAME, content: replay(chunks) }, { encoding: 'GBK', reader })) {
    for (const r of batch) if (r.isOk()) n += 1;
  }
  return n;
}

/** The parser, one entry at a time (parseStatement, the statements capability's form). */
async function parseEach(chunks: readonly Uint8Array[]): Promise<number> {
  let n = 0;
  for await (const r of parseStatement({ name: NAME, content: replay(chunks) }, { encoding: 'GBK' })) if (r.isOk()) n += 1;
  return n;
}

/** The bare baseline: the same chunks streamed, decoded (strict GBK) and their line breaks counted. */
async function countLines(chunks: readonly Uint8Array[]): Promise<number> {
  const decoder = new TextDecoder('gbk', { fatal: true });
  let n = 0;
  for await (const c of replay(chunks)) {
    const text = decoder.decode(c, { stream: true });
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n += 1;
  }
  return n;
}

/**
 * The floor, for reference: the least any parser giving these entries does. One pass over the
 * bytes to the separators, amounts read as integers, times as Dates, ids sliced, the text columns
 * decoded once per distinct value (as the plugin does), one entry object per line in a Result. It
 * checks nothing (no digits, days, tokens, currencies, column counts or bytes outside the text
 * columns) and knows the file's layout, day and merchant, so it is a bound on the plugin, never a
 * way to read a file. Where it is near the target, a parser that checks cannot meet it.
 */
async function floorEntries(chunks: readonly Uint8Array[], keep?: unknown[]): Promise<number> {
  const decoder = new TextDecoder('gbk', { fatal: true });
  const product = new FloorText(decoder);
  const info = new FloorText(decoder);
  const cut = new Int32Array(18);
  const midnight = Date.UTC(2024, 0, 1) - 8 * 3_600_000;
  let n = 0;
  let lineNo = 0;
  for await (const b of replay(chunks)) {
    const view = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
    const out: PayResult<unknown>[] = [];
    let start = 0;
    for (;;) {
      let k = 0;
      let i = start;
      for (; i < b.length; i += 1) {
        const c = b[i] as number;
        if (c === 0x0a) break;
        if (c === 0x7c && k < 18) cut[k++] = i + 1;
      }
      if (i >= b.length) break;
      const end = b[i - 1] === 0x0d ? i - 1 : i;
      const refund = b[cut[12] as number] === 0x35;
      const orderNo = view.slice(start, (cut[0] as number) - 1);
      const paybill = view.slice(cut[3] as number, (cut[4] as number) - 1);
      lineNo += 1;
      out.push(ok({
        kind: refund ? 'refund' : 'payment', orderId: refund ? paybill : orderNo,
        amount: { amount: floorMinor(b, cut[6] as number, (cut[7] as number) - 1), currency: 'CNY' },
        fee: { amount: floorMinor(b, cut[14] as number, (cut[15] as number) - 1), currency: 'CNY' },
        settleDate: '20240101', occurredAt: new Date(floorTime(b, cut[1] as number, midnight)), providerStatus: refund ? '5' : '0',
        product: product.of(b, cut[15] as number, (cut[16] as number) - 1), method: b[cut[16] as number] === 0x33 ? '快捷支付(信用卡)' : '快捷支付(借记卡)',
        description: info.of(b, cut[17] as number, end), line: lineNo, layout: 'pipe', partnerId: '201403251000001147', busiPartner: '101001', direction: 'in',
        refundId: refund ? orderNo : undefined, providerTransactionId: refund ? undefined : paybill, updatedAt: new Date(floorTime(b, cut[13] as number, midnight)),
        paidAmount: { amount: floorMinor(b, cut[8] as number, (cut[9] as number) - 1), currency: 'CNY' },
        settledAmount: { amount: floorMinor(b, cut[10] as number, (cut[11] as number) - 1), currency: 'CNY' },
        exchangeRate: view.slice(cut[12 - 1] as number, (cut[12] as number) - 1),
      }));
      start = i + 1;
    }
    for (const r of out) {
      if (r.isOk()) n += 1;
      if (keep !== undefined && r.isOk()) keep.push(r.value);
    }
  }
  return n;
}

/** A text column decoded once per distinct value (floor reader only). */
class FloorText {
  #bytes = new Uint8Array(0);
  #text = '';
  constructor(private readonly decoder: TextDecoder) {}

  of(b: Uint8Array, s: number, e: number): string {
    const kept = this.#bytes;
    let same = kept.length === e - s;
    for (let i = 0; same && i < kept.length; i += 1) same = kept[i] === b[s + i];
    if (!same) {
      this.#bytes = b.slice(s, e);
      this.#text = this.decoder.decode(this.#bytes);
    }
    return this.#text;
  }
}

/** Checks that the floor reader gives the plugin's entries for the bench file, so the floor row compares like with like. */
async function checkFloor(chunks: readonly Uint8Array[]): Promise<void> {
  const floor: unknown[] = [];
  const plugin: unknown[] = [];
  await floorEntries(chunks, floor);
  for await (const batch of parseStatementBatches({ name: NAME, content: replay(chunks) }, { encoding: 'GBK' })) {
    for (const r of batch) plugin.push(r.isOk() ? r.value : r.error);
  }
  // JSON drops the floor's undefined optional fields and writes Dates as text; key order does not matter here.
  deepStrictEqual(JSON.parse(JSON.stringify(floor)), JSON.parse(JSON.stringify(plugin)), 'the floor reader must give the entries the plugin gives');
}

/** Fen of `[-]digits.dd` at `b[s, e)`, unchecked (floor reader only). */
function floorMinor(b: Uint8Array, s: number, e: number): number {
  const negative = b[s] === 0x2d;
  let v = 0;
  for (let i = negative ? s + 1 : s; i < e; i += 1) if (b[i] !== 0x2e) v = v * 10 + (b[i] as number) - 0x30;
  return negative ? -v : v;
}

/** Epoch ms of the `hhmmss` after the day at `b[s, s + 14)`, the day being `midnight`, unchecked (floor reader only). */
function floorTime(b: Uint8Array, s: number, midnight: number): number {
  return midnight + floorTwo(b, s + 8) * 3_600_000 + floorTwo(b, s + 10) * 60_000 + floorTwo(b, s + 12) * 1000;
}

function floorTwo(b: Uint8Array, i: number): number {
  return ((b[i] as number) - 0x30) * 10 + (b[i + 1] as number) - 0x30;
}

/** A second reference: Node's own streamed line reader (readline over the same chunks), counting lines. */
async function readlineCount(chunks: readonly Uint8Array[]): Promise<number> {
  let n = 0;
  const rl = createInterface({ input: Readable.from(replay(chunks)), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const _ of rl) n += 1;
  return n;
}

interface MemoryReport { readonly lines: number; readonly parsed: number; readonly peakHeap: number; readonly baseHeap: number; readonly maxRss: number }

async function memoryChild(path: string, lines: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseHeap = process.memoryUsage().heapUsed;
  let peakHeap = baseHeap;
  let parsed = 0;
  const content = createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>;
  for await (const r of parseStatement({ name: NAME, content }, { encoding: 'GBK' })) {
    if (r.isOk()) parsed += 1;
    if ((parsed & 0x3ff) === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const report: MemoryReport = { lines, parsed, peakHeap, baseHeap, maxRss: process.resourceUsage().maxRSS * 1024 };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function writeFile(dir: string, lines: number): Promise<string> {
  const path = join(dir, `${lines}-${NAME}`);
  await pipeline(syntheticStatement({ lines, layout: 'pipe', encoding: 'GBK' }).content, createWriteStream(path));
  return path;
}

function runChild(path: string, lines: number): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '--conditions=@paykit/source', '--import', 'tsx/esm', THIS_FILE, '--memory-child', path, String(lines)],
      { maxBuffer: 1 << 20, timeout: 600_000 }, (error, stdout) => {
        if (error) reject(error);
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as MemoryReport);
      });
  });
}

const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** The statement rows of the benchmark table. */
export async function rows(): Promise<BenchRow[]> {
  const chunks = await fileChunks(2000);
  await checkFloor(chunks);
  const out: BenchRow[] = [await measureRatio({
    name: 'lianlian-web statement parse, parseStatementBatches (2,000 GBK pipe lines → checked entries)',
    baseline: 'bare line count of the same chunks, decoding included: TextDecoder("gbk", fatal) streamed + "\\n" count',
    subject: () => parseAll(chunks),
    bare: () => countLines(chunks),
    target: 0.5,
  }), await measureRatio({
    name: 'lianlian-web statement parse, parseStatementBatches with reader "text" (every line decoded first; same file), for reference',
    baseline: 'the same bare decode + line count',
    subject: () => parseAll(chunks, 'text'),
    bare: () => countLines(chunks),
  }), await measureRatio({
    name: 'lianlian-web statement parse, parseStatement one entry at a time (same file), for reference',
    baseline: 'the same bare decode + line count',
    subject: () => parseEach(chunks),
    bare: () => countLines(chunks),
  }), await measureRatio({
    name: 'lianlian-web statement parse floor: the same entries with no check at all (see floorEntries), for reference',
    baseline: 'the same bare decode + line count',
    subject: () => floorEntries(chunks),
    bare: () => countLines(chunks),
  }), await measureRatio({
    name: 'lianlian-web statement parse, parseStatementBatches (same file), for reference',
    baseline: 'node:readline line count of the same chunks (no decoding check)',
    subject: () => parseAll(chunks),
    bare: () => readlineCount(chunks),
  })];
  const dir = await mkdtemp(join(tmpdir(), 'paykit-ll-statements-'));
  let small: MemoryReport;
  let large: MemoryReport;
  try {
    small = await runChild(await writeFile(dir, 100_000), 100_000);
    large = await runChild(await writeFile(dir, 1_000_000), 1_000_000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const fits = large.peakHeap < small.peakHeap * 1.5;
  const detail = (r: MemoryReport): string => `peak heap ${mb(r.peakHeap)} (start ${mb(r.baseHeap)}), max RSS ${mb(r.maxRss)}, ${r.parsed} entries`;
  out.push(
    { kind: 'metric', name: 'lianlian-web statement parse, 100,000 lines', value: detail(small) },
    {
      kind: 'metric', name: 'lianlian-web statement parse, 1,000,000 lines', value: `${detail(large)}; ×${(large.peakHeap / small.peakHeap).toFixed(2)} of 100,000`,
      meetsTarget: fits && large.parsed === 1_000_000 && small.parsed === 100_000, target: 'peak heap < 1.5× the 100,000-line run',
    },
  );
  return out;
}

const childAt = process.argv.indexOf('--memory-child');
if (childAt !== -1 && process.argv[1] === THIS_FILE) await memoryChild(String(process.argv[childAt + 1]), Number(process.argv[childAt + 2]));
