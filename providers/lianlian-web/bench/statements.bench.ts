/**
 * Statement parsing rows. Every side reads the same GBK file (pipe layout, 20,000 lines, in 64 KiB
 * chunks as `fs.createReadStream` gives them), decoding included:
 *
 * - paykit's parser (`parseStatementBatches`: every line to a checked, typed entry) against
 *   `papaparse`, the fastest general CSV parser in JavaScript, reading the same bytes to plain
 *   string rows (target ≥ 1.0), and against `csv-parse` (reference). The peers are given their
 *   fastest path: the file decoded into one string (strict GBK), then parsed whole;
 * - the per-entry form (`parseStatement`) against papaparse, for reference;
 * - the same three on a file whose every line has a description of its own (the simulator's
 *   synthetic file repeats one), for reference;
 * - the parser against a bare strict GBK decode and newline count (reference: the least any
 *   reader of the file does);
 * - peak memory of parsing 100,000 and 1,000,000 lines from disk, each in a process of its own
 *   (target: the larger under 1.5× the smaller: the parser streams).
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { TextDecoder } from 'node:util';
import Papa from 'papaparse';
import { parse as csvParse } from 'csv-parse/sync';
import { encodeText } from '@paykit/core';
import { measure, ratio, sharedFile, type Side } from '@paykit/conformance/bench';
import { chunked, formatSimStatementLine, syntheticLine, syntheticStatement } from '../src/simulator/statements.js';
import { parseStatement, parseStatementBatches } from '../src/statements/index.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const NAME = 'JYMX_201403251000001147_20240101.txt';
const LINES = 20_000;
const COLUMNS = 19;

type Variant = 'synthetic' | 'distinct';

/** The bench file's bytes: the simulator's synthetic file, or the same lines each with a description of its own. */
async function fileBytes(variant: Variant): Promise<Uint8Array> {
  if (variant === 'synthetic') {
    const chunks: Uint8Array[] = [];
    for await (const c of syntheticStatement({ lines: LINES, layout: 'pipe', encoding: 'GBK' }).content) chunks.push(c);
    return Buffer.concat(chunks);
  }
  const lines: string[] = [];
  for (let i = 0; i < LINES; i += 1) {
    // The spec's example description (5.2), with the payer and quantity changing per line.
    lines.push(`${formatSimStatementLine({ ...syntheticLine(i, '201403251000001147', '20240101'), info: `用户${13958000000 + i}购买了${(i % 9) + 1}桶羽毛球` }, 'pipe')}\n`);
  }
  return encodeText(lines.join(''), 'GBK')._unsafeUnwrap();
}

/** The file as a side reads it: 64 KiB chunks of the run's shared copy. */
async function chunksOf(variant: Variant): Promise<Uint8Array[]> {
  const bytes = readFileSync(await sharedFile(`${variant}-${LINES}-${NAME}`, () => fileBytes(variant)));
  const out: Uint8Array[] = [];
  for await (const c of chunked(new Uint8Array(bytes), 64 * 1024)) out.push(c);
  return out;
}

async function* replay(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}

/** The file decoded strictly into one string, a chunk at a time (what the peers are given to parse). */
function decodeAll(chunks: readonly Uint8Array[]): string {
  const decoder = new TextDecoder('gbk', { fatal: true });
  let text = '';
  for (const c of chunks) text += decoder.decode(c, { stream: true });
  return text + decoder.decode();
}

function expectRows(n: number, columns: number | undefined): void {
  if (n !== LINES || columns !== COLUMNS) throw new Error(`expected ${LINES} rows of ${COLUMNS} columns, got ${n} rows of ${columns}`);
}

function paykit(variant: Variant): Side {
  return {
    name: `paykit parseStatementBatches: every line to a checked, typed entry${variant === 'distinct' ? OWN : ''}`,
    setup: async () => {
      const chunks = await chunksOf(variant);
      const run = async (): Promise<number> => {
        let n = 0;
        for await (const batch of parseStatementBatches({ name: NAME, content: replay(chunks) }, { encoding: 'GBK' })) {
          for (const r of batch) if (r.isOk()) n += 1;
        }
        return n;
      };
      if ((await run()) !== LINES) throw new Error('the parser did not give an entry for every line');
      return run;
    },
  };
}

/** The per-entry form (`parseStatement`, what the statements capability yields), for reference. */
const paykitPerEntry: Side = {
  name: 'paykit parseStatement: one checked, typed entry at a time (the statements capability\'s form), for reference',
  setup: async () => {
    const chunks = await chunksOf('synthetic');
    const run = async (): Promise<number> => {
      let n = 0;
      for await (const r of parseStatement({ name: NAME, content: replay(chunks) }, { encoding: 'GBK' })) if (r.isOk()) n += 1;
      return n;
    };
    if ((await run()) !== LINES) throw new Error('the parser did not give an entry for every line');
    return run;
  },
};

function papaparse(variant: Variant): Side {
  return {
    name: `papaparse: the file decoded (strict GBK) and parsed whole to string rows (delimiter "|", newline "\\n")${variant === 'distinct' ? OWN : ''}`,
    setup: async () => {
      const chunks = await chunksOf(variant);
      // Its fastest correct use: newline given (no guessing), and the one empty row after the
      // file's last line break dropped by hand (`skipEmptyLines` measured about a fifth slower).
      const run = (): string[][] => {
        const { data } = Papa.parse<string[]>(decodeAll(chunks), { delimiter: '|', newline: '\n' });
        if (data.length > 0 && data[data.length - 1]?.length === 1 && data[data.length - 1]?.[0] === '') data.pop();
        return data;
      };
      const rows = run();
      expectRows(rows.length, rows[0]?.length);
      return run;
    },
  };
}

function csvParseSide(variant: Variant): Side {
  return {
    name: `csv-parse (sync): the file decoded (strict GBK) and parsed whole to string rows (delimiter "|")${variant === 'distinct' ? OWN : ''}`,
    setup: async () => {
      const chunks = await chunksOf(variant);
      const run = (): string[][] => csvParse(decodeAll(chunks), { delimiter: '|' }) as string[][];
      const rows = run();
      expectRows(rows.length, rows[0]?.length);
      return run;
    },
  };
}

const perOp = { count: LINES, unit: 'lines' };
const OWN = ' (every line with a description of its own), for reference';

interface MemoryReport { readonly lines: number; readonly parsed: number; readonly peakHeap: number; readonly baseHeap: number; readonly maxRss: number }

/** In a process of its own: parses a statement file from disk, as a merchant would after the download, and reports peak heap and RSS. */
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

function memoryRun(path: string, lines: number): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', '--conditions=@paykit/source', '--import', 'tsx/esm', THIS_FILE, '--memory-child', path, String(lines)],
      { maxBuffer: 1 << 20, timeout: 600_000 }, (error, stdout) => {
        if (error) reject(error);
        else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as MemoryReport);
      });
  });
}

const MB = 1024 * 1024;

/** The statement rows of lianlian-web. */
export const rows = [
  ratio({ id: 'lianlian-web.statement.papaparse', subject: paykit('synthetic'), baseline: papaparse('synthetic'), target: 1.0, perOp }),
  ratio({ id: 'lianlian-web.statement.csv-parse', subject: paykit('synthetic'), baseline: csvParseSide('synthetic'), perOp }),
  ratio({ id: 'lianlian-web.statement.per-entry.papaparse', subject: paykitPerEntry, baseline: papaparse('synthetic'), perOp }),
  ratio({ id: 'lianlian-web.statement.distinct.papaparse', subject: paykit('distinct'), baseline: papaparse('distinct'), perOp }),
  ratio({ id: 'lianlian-web.statement.distinct.csv-parse', subject: paykit('distinct'), baseline: csvParseSide('distinct'), perOp }),
  ratio({
    id: 'lianlian-web.statement.bare-decode', subject: paykit('synthetic'), perOp,
    baseline: {
      name: 'bare strict GBK decode of the same chunks + newline count (no rows at all)',
      setup: async () => {
        const chunks = await chunksOf('synthetic');
        return () => {
          const decoder = new TextDecoder('gbk', { fatal: true });
          let n = 0;
          for (const c of chunks) {
            const text = decoder.decode(c, { stream: true });
            for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n += 1;
          }
          return n;
        };
      },
    },
  }),
  measure({
    id: 'lianlian-web.statement.memory',
    name: 'peak heap parsing a GBK statement from disk (parseStatement), 100,000 and 1,000,000 lines, each in a process of its own',
    run: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'paykit-ll-statements-'));
      try {
        const write = async (lines: number): Promise<string> => {
          const path = join(dir, `${lines}-${NAME}`);
          await pipeline(syntheticStatement({ lines, layout: 'pipe', encoding: 'GBK' }).content, createWriteStream(path));
          return path;
        };
        const small = await memoryRun(await write(100_000), 100_000);
        const large = await memoryRun(await write(1_000_000), 1_000_000);
        if (small.parsed !== 100_000 || large.parsed !== 1_000_000) throw new Error(`parsed ${small.parsed} and ${large.parsed} entries`);
        return [
          { name: 'peak heap, 100,000 lines', unit: 'MB', samples: [small.peakHeap / MB] },
          { name: 'peak heap, 1,000,000 lines', unit: 'MB', samples: [large.peakHeap / MB] },
          { name: 'max RSS, 1,000,000 lines', unit: 'MB', samples: [large.maxRss / MB] },
          { name: 'peak heap, 1,000,000 ÷ 100,000', unit: '×', samples: [large.peakHeap / small.peakHeap], target: { op: '<', value: 1.5 } },
        ];
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  }),
];

const childAt = process.argv.indexOf('--memory-child');
if (childAt !== -1 && process.argv[1] === THIS_FILE) await memoryChild(String(process.argv[childAt + 1]), Number(process.argv[childAt + 2]));
