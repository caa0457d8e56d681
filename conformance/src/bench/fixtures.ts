/**
 * Inputs shared by the processes of one bench run, so that a row's subject and baseline, each in a
 * process of its own, read the very same bytes (the same key, the same statement file).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variable naming the run's folder (set by the runner for its children). */
export const BENCH_DIR_ENV = 'PAYKIT_BENCH_DIR';

function benchDir(): string {
  let dir = process.env[BENCH_DIR_ENV];
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'paykit-bench-'));
    process.env[BENCH_DIR_ENV] = dir;
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The path of a file made once per bench run by `make` and then read by every process that asks
 * for the same `name`.
 *
 * @example
 * ```ts
 * const path = await sharedFile('JYMX-20000.txt', () => statementBytes(20_000));
 * ```
 */
export async function sharedFile(name: string, make: () => Uint8Array | Promise<Uint8Array>): Promise<string> {
  const path = join(benchDir(), name);
  if (existsSync(path)) return path;
  // Written aside and renamed, so a reader never sees half a file.
  const tmp = `${path}.${process.pid}`;
  writeFileSync(tmp, await make());
  renameSync(tmp, path);
  return path;
}

/** An RSA key pair shared by the processes of the run (made once per `name` and size). */
export async function sharedKeyPair(name: string, modulusLength: 1024 | 2048): Promise<{ readonly privateKey: KeyObject; readonly publicKey: KeyObject }> {
  const path = await sharedFile(`${name}-rsa-${modulusLength}.pem`, () => Buffer.from(
    generateKeyPairSync('rsa', { modulusLength }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'utf8'));
  const privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

const exitHooks: (() => unknown)[] = [];

/**
 * Registers clean-up for the end of a side's process (close a database, drop it, remove a
 * folder): the runner's child runs every hook, in reverse order, before it exits.
 */
export function atExit(hook: () => unknown): void {
  exitHooks.push(hook);
}

/** Runs the hooks registered with {@link atExit} (the child process calls it; errors are ignored). */
export async function runExitHooks(): Promise<void> {
  for (const hook of exitHooks.splice(0).reverse()) {
    try {
      await hook();
    } catch {
      // Clean-up is best effort: the process is ending either way.
    }
  }
}
