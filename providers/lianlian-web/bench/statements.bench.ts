/**
 * Statement parsing rows for `npm run bench`:
 * - throughput of the streaming parser (its batch form, parseStatementBatches) against a bare line
 *   count of the same file (target ≥ 0.5). The count decodes: a statement's lines are lines of
 *   GBK text, and the parser must decode every byte strictly too, so "count the lines" here is
 *   "decode strictly and count the line breaks" (the row name says so). Reference rows: the text
 *   reader (every line decoded first), the per-entry form, and node:readline's count;
 * - peak memory of parsing 100,000 and 1,000,000 lines, each in its own child process so the
 *   numbers are clean (target: the larger under 1.5× the smaller).
 *
 * Run as a child (`… statements.bench.ts --memory-child <file> <lines>`) it parses a statement
 * file from disk, as a merchant would after the SFTP download, and prints its peak heap and RSS
 * as JSON. The parent writes the files (streamed) beforehand, so generating them costs the child
 * nothing.
 */
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
