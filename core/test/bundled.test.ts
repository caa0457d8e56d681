/**
 * An application bundled into one file (esbuild, as many services ship) with paykit inside it. The
 * statement's sort thread must never be started from the bundle itself: that would run the whole
 * application a second time, on the worker. Its module is a file of its own; missing beside a
 * bundle, the thread cannot start and the sort happens in the calling thread.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { runBundled } from './support/bundle.js';

describe('paykit bundled into an application', function () {
  this.timeout(60_000);

  it('sorts a statement longer than one run without running the application again on a worker', async () => {
    const sorter = fileURLToPath(new URL('../src/reconciliation/external-sort.ts', import.meta.url));
    // 200 lines in runs of 16: the sort thread is asked for at the first full run.
    const run = await runBundled(`import { ExternalSorter } from ${JSON.stringify(sorter)};`, `
      const sorter = new ExternalSorter<number>({ runSize: 16, thread: true });
      for (let n = 0; n < 200; n += 1) await sorter.add(0, 'k' + String((n * 37) % 200).padStart(3, '0'), n);
      const keys: string[] = [];
      for await (const batch of sorter.sorted()) for (const item of batch) keys.push(item.key);
      await sorter.close();
      process.stdout.write(JSON.stringify({ count: keys.length, first: keys[0], last: keys[keys.length - 1], sorted: keys.every((k, i) => i === 0 || keys[i - 1] < k) }));
    `);
    expect(JSON.parse(run.stdout)).to.deep.equal({ count: 200, first: 'k000', last: 'k199', sorted: true });
    expect(run.threads).to.deep.equal(['main']);
  });
});
