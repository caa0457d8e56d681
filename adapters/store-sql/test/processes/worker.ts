// A merchant process for the multi-process and crash tests: paykit with a LianLian web instance,
// the store named by the environment, and the node:http webhook adapter. It prints its URL as one
// JSON line on stdout. PAYKIT_CRASH makes it kill itself (SIGKILL: no cleanup, no reply) at the
// first notification commit, just before or just after the commit reaches the database.
// PAYKIT_CONSUMERS (comma-separated names) subscribes the process as those event consumers; each
// handled event is appended as a JSON line to PAYKIT_HANDLED_LOG (start and end times included).
import { appendFileSync } from 'node:fs';
import { createPaykit, JsonLogger } from '@paykit/core';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { listenForNotifications } from '@paykit/webhooks';
import { openStore } from '../../src/index.js';
import { dyingAt } from './crash.js';
import { WORKER_INSTANCE_OPTIONS } from './notifications.js';

type CrashPoint = 'before-commit' | 'after-commit';

async function main(): Promise<void> {
  const env = process.env;
  const config = env.PAYKIT_PG_URL ? { kind: 'postgres' as const, url: env.PAYKIT_PG_URL } : { kind: 'pglite' as const, dataDir: env.PAYKIT_PGLITE_DIR ?? '' };
  const opened = await openStore(config, { maxConnections: 4 });
  if (opened.isErr()) throw new Error(opened.error.message);
  const crash = env.PAYKIT_CRASH as CrashPoint | undefined;
  const store = crash ? dyingAt(opened.value, (c) => (c.notification ? (crash === 'before-commit' ? 'before' : 'after') : undefined)) : opened.value;
  const paykit = await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options: WORKER_INSTANCE_OPTIONS } } }, { plugins: [lianlianWebPlugin], store, logger: new JsonLogger((process.env.PAYKIT_LOG_LEVEL ?? 'warn') as 'warn') });
  if (paykit.isErr()) throw new Error(paykit.error.message);
  for (const consumer of (env.PAYKIT_CONSUMERS ?? '').split(',').filter((c) => c !== '')) {
    const log = env.PAYKIT_HANDLED_LOG ?? '';
    const sub = paykit.value.events.subscribe(consumer, async (event) => {
      const start = performance.timeOrigin + performance.now();
      // A little work, so that two processes handling one event at once would overlap.
      await new Promise((r) => setTimeout(r, 1 + (event.id % 3)));
      appendFileSync(log, `${JSON.stringify({ consumer, pid: process.pid, id: event.id, record: event.record.id, type: event.type, start, end: performance.timeOrigin + performance.now() })}\n`);
    }, { pollIntervalMs: 50, leaseMs: Number(env.PAYKIT_LEASE_MS ?? 30_000) });
    if (sub.isErr()) throw new Error(sub.error.message);
  }
  const server = await listenForNotifications(paykit.value, { instanceFromPath: true, port: Number(env.PORT ?? 0) });
  if (server.isErr()) throw new Error(server.error.message);
  process.stdout.write(`${JSON.stringify({ url: server.value.url })}\n`);
  process.on('SIGTERM', () => {
    void server.value.close().then(async () => {
      if ('close' in opened.value) await opened.value.close();
      process.exit(0);
    });
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`worker failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
