// The sort thread's entry (started by sort-thread.ts): holds a statement's runs, one message at a time.
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { itemTexts, LineRuns, type SortedBatch } from './external-sort.js';
import { BATCH, MARK, type FromWorker, type ToWorker } from './sort-thread.js';

/** The worker: one message at a time, in order; any failure is told, and the next message still served. */
function serve(port: MessagePort, runSize: number, tmpDir: string): void {
  const runs = new LineRuns(runSize, tmpDir);
  let sorted: AsyncGenerator<SortedBatch> | undefined;
  const handle = async (m: ToWorker): Promise<void> => {
    if (m.op === 'lines') {
      for (const line of m.lines) {
        const spill = runs.push(line);
        if (spill !== undefined) await spill;
      }
      port.postMessage({ op: 'taken', runs: runs.runs, ...(runs.dir !== undefined ? { dir: runs.dir } : {}) } satisfies FromWorker);
    } else if (m.op === 'sort') {
      sorted = runs.sorted();
    } else if (m.op === 'next') {
      const lines: string[] = [];
      while (sorted !== undefined && lines.length < BATCH) {
        const r = await sorted.next();
        if (r.done === true) break;
        // This thread's own runs give lines.
        if ('lines' in r.value) for (const line of r.value.lines) lines.push(line);
      }
      port.postMessage((lines.length > 0 ? { op: 'batch', texts: itemTexts(lines), runs: runs.runs } : { op: 'end', runs: runs.runs }) satisfies FromWorker);
    } else {
      await runs.close();
      port.postMessage({ op: 'closed' } satisfies FromWorker);
    }
  };
  let chain = Promise.resolve();
  port.on('message', (m: ToWorker) => {
    chain = chain.then(() => handle(m)).catch((e: unknown) => {
      port.postMessage({ op: 'error', message: e instanceof Error ? e.message : String(e) } satisfies FromWorker);
    });
  });
}

if (!isMainThread && parentPort !== null && (workerData as Record<string, unknown> | null)?.[MARK] === true) {
  const data = workerData as { runSize: number; tmpDir: string };
  serve(parentPort, data.runSize, data.tmpDir);
  parentPort.postMessage({ op: 'ready' } satisfies FromWorker);
}
