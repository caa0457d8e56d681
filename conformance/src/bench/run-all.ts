/**
 * `npm run bench`: finds every `bench/*.bench.ts` of the packages, runs their rows in turn and
 * prints one table. `--strict` exits 1 when a row misses its target.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatTable, meetsTarget, type BenchRow } from './measure.js';

const root = resolve(import.meta.dirname, '../../..');
const packageDirs = ['core', 'conformance', ...['providers', 'adapters'].flatMap((d) =>
  existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => `${d}/${p}`) : [])];
const filter = process.argv.slice(2).find((a) => !a.startsWith('--'));
const files = packageDirs.flatMap((p) => {
  const dir = join(root, p, 'bench');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => join(dir, f)) : [];
}).filter((f) => filter === undefined || f.includes(filter));

const rows: BenchRow[] = [];
for (const file of files) {
  process.stderr.write(`bench: ${file.slice(root.length + 1)}\n`);
  const mod = (await import(pathToFileURL(file).href)) as { rows?: () => Promise<readonly BenchRow[]> };
  if (typeof mod.rows !== 'function') continue;
  rows.push(...(await mod.rows()));
}
process.stdout.write(`${formatTable(rows)}\n`);
const below = rows.filter((r) => !meetsTarget(r));
process.stdout.write(`\n${rows.length} rows, ${below.length} below target\n`);
if (process.argv.includes('--strict') && below.length > 0) process.exitCode = 1;
