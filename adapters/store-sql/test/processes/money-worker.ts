// A merchant process for the money-protocol crash and multi-process tests: paykit (see money.ts)
// on the store the environment names (payout records sealed with PAYKIT_RECORD_KEY), running the
// tasks of PAYKIT_TASKS (JSON), PAYKIT_CONCURRENCY at a time, then printing their results as one
// JSON line. PAYKIT_CLOCK_OFFSET_MS starts its clock that far ahead (a resolve task moves it
// further). PAYKIT_CRASH ({ operation, point }) makes it kill itself with SIGKILL (no cleanup, no
// reply) at a commit of that operation:
// - before-claim: instead of the claim commit (nothing recorded, nothing sent);
// - after-claim: right after the claim commit, before sending;
// - before-settle: instead of the settle commit, after the provider acted on the request;
// - after-settle: right after the settle commit, before the caller hears of it;
// - before-release / after-release: at the commit that ends an operation the provider refused.
import type { Clock } from '@paykit/core';
import { openStore } from '../../src/index.js';
import { dyingAt } from './crash.js';
import { moneyPaykit, runMoneyTask, type MoneyRig, type MoneyTask, type MoneyTaskResult } from './money.js';
import { inParallel } from './spawn.js';

/** Where a process kills itself. */
export type MoneyCrashPoint = 'before-claim' | 'after-claim' | 'before-settle' | 'after-settle' | 'before-release' | 'after-release';

/** The crash a worker is told to stage. */
export interface MoneyCrash {
  readonly operation: 'refunds.create' | 'payouts.submit' | 'payouts.confirm';
  readonly point: MoneyCrashPoint;
}

async function main(): Promise<void> {
  const env = process.env;
  // Payout records hold account numbers: a durable store keeps them sealed with the record key.
  const sealed = env.PAYKIT_RECORD_KEY ? { recordKey: env.PAYKIT_RECORD_KEY } : {};
  const config = env.PAYKIT_PG_URL ? { kind: 'postgres' as const, url: env.PAYKIT_PG_URL, ...sealed } : { kind: 'pglite' as const, dataDir: env.PAYKIT_PGLITE_DIR ?? '', ...sealed };
  const opened = await openStore(config, { maxConnections: 4 });
  if (opened.isErr()) throw new Error(opened.error.message);
  const crash = env.PAYKIT_CRASH ? JSON.parse(env.PAYKIT_CRASH) as MoneyCrash : undefined;
  const stage = crash?.point.endsWith('claim') ? 'claim' : crash?.point.endsWith('release') ? 'local' : 'reply';
  const store = crash ? dyingAt(opened.value, (c) => (c.cause?.operation === crash.operation && c.cause.source === stage ? (crash.point.startsWith('before') ? 'before' : 'after') : undefined)) : opened.value;
  let offset = Number(env.PAYKIT_CLOCK_OFFSET_MS ?? 0);
  const clock: Clock = { now: () => new Date(Date.now() + offset) };
  const rig = JSON.parse(env.PAYKIT_MONEY_RIG ?? '{}') as MoneyRig;
  const paykit = await moneyPaykit(rig, store, clock);
  const tasks = JSON.parse(env.PAYKIT_TASKS ?? '[]') as MoneyTask[];
  const results: MoneyTaskResult[] = [];
  await inParallel(tasks, Number(env.PAYKIT_CONCURRENCY ?? 1), async (task) => {
    results.push(await runMoneyTask(paykit, task, (ms) => { offset += ms; }));
  });
  if ('close' in opened.value) await opened.value.close();
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`money worker failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
