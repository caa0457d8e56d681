/**
 * An application bundled into one file with paykit's PGlite store inside it. The PGlite thread must
 * never be started from the bundle itself: that would run the whole application again on the
 * worker. Its module is a file of its own; missing beside a bundle, the store does not open and
 * says how to ship it.
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { runBundled } from '../../../core/test/support/bundle.js';

describe('the PGlite store bundled into an application', function () {
  this.timeout(60_000);

  it('does not run the application on the PGlite thread; without paykit\'s files beside the bundle it refuses to open, saying what to ship', async () => {
    const worker = fileURLToPath(new URL('../src/pglite-worker.ts', import.meta.url));
    const run = await runBundled(`import { pgliteWorkerClient } from ${JSON.stringify(worker)};`, `
      const opened = await pgliteWorkerClient('memory://').then(async (c) => { await c.close(); return 'opened'; }, (e) => String(e.message));
      process.stdout.write(opened);
    `);
    expect(run.stdout).to.match(/PGlite thread did not start/);
    expect(run.stdout).to.match(/keep @paykit\/store-sql external/);
    expect(run.threads).to.deep.equal(['main']);
  });
});
