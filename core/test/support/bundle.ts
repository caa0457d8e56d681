/**
 * Bundles a small application into one ESM file with esbuild (as many services ship) and runs it
 * with node: for tests of what paykit does inside a bundle (its worker threads above all).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/** esbuild, as tsx (the dev dependency that runs the tests) brings it. */
async function esbuild(): Promise<Esbuild> {
  const fromTsx = createRequire(fileURLToPath(import.meta.resolve('tsx')));
  const mod = (await import(pathToFileURL(fromTsx.resolve('esbuild')).href)) as Partial<Esbuild> & { default?: Esbuild };
  return mod.build !== undefined ? (mod as Esbuild) : (mod.default as Esbuild);
}

/** What a bundled application printed, and which threads ran its top level (`main`, `worker`), in order. */
export interface BundledRun {
  readonly stdout: string;
  readonly threads: readonly string[];
}

/**
 * Bundles an application (every import inlined) in a fresh temporary folder and runs it. Its top
 * level first notes the thread running it; then, on the main thread only, it runs `main` (the body
 * of an async function; `imports` are its import lines, module paths absolute).
 */
export async function runBundled(imports: string, main: string): Promise<BundledRun> {
  const dir = mkdtempSync(join(tmpdir(), 'paykit-bundle-'));
  try {
    const marker = join(dir, 'threads.txt');
    writeFileSync(join(dir, 'app.ts'), `import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
${imports}
appendFileSync(${JSON.stringify(marker)}, isMainThread ? 'main\\n' : 'worker\\n');
if (isMainThread) await (async () => {
${main}
})();
`);
    await (await esbuild()).build({ entryPoints: [join(dir, 'app.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: join(dir, 'app.mjs'), logLevel: 'silent' });
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'app.mjs')], { cwd: dir, timeout: 30_000 });
    return { stdout, threads: readFileSync(marker, 'utf8').trim().split('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
