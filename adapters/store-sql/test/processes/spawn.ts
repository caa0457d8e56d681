import { spawn, type ChildProcess } from 'node:child_process';
import { request, Agent } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../../../..');

/** A running worker process. */
export interface Worker {
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves with the exit signal or code once the process is gone. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  stop(): Promise<void>;
}

/** Starts a worker (see worker.ts) with extra environment, and waits for its URL. */
export async function startWorker(env: Record<string, string>): Promise<Worker> {
  const child = spawn(process.execPath, ['--conditions=@paykit/source', '--import', 'tsx/esm', join(here, 'worker.ts')], {
    cwd: root, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'), ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on("data", (d: Buffer) => { stderr += d.toString(); if (process.env.PAYKIT_WORKER_STDERR) process.stderr.write(d); });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (l) => resolve((JSON.parse(l) as { url: string }).url));
    void exited.then((how) => reject(new Error(`worker exited (${String(how)}) before listening: ${stderr}`)));
  });
  return {
    url, child, exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One POST; resolves with the status and body, or with the transport error's code. */
export function post(url: string, body: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

/** Runs tasks with at most `limit` in flight. */
export async function inParallel<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  }));
}

/** What a process run to its end left: how it ended, the JSON lines it printed, its stderr. */
export interface Finished {
  readonly exited: NodeJS.Signals | number | null;
  readonly lines: readonly unknown[];
  readonly stderr: string;
}

/** Runs a test process (a `.ts` file beside this one) with extra environment until it ends. */
export function runProcess(file: string, env: Record<string, string>): Promise<Finished> {
  const child = spawn(process.execPath, ['--conditions=@paykit/source', '--import', 'tsx/esm', join(here, file)], {
    cwd: root, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'), ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); if (process.env.PAYKIT_WORKER_STDERR) process.stderr.write(d); });
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({
    exited: signal ?? code, stderr,
    lines: stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown),
  })));
}
