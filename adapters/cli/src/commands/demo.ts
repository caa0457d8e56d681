import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { err, ok, ResultAsync, type Result } from 'neverthrow';
import {
  DISCREPANCY_KINDS, maskCardNumbersIn, PaymentErrors, reconciliationDigest, type PayResult, type PayResultAsync, type ReconciliationReport, type RecordKind, type Store,
  type StoredPayment, type StoredPayout, type StoredPreAuth, type StoredRefund,
} from '@paykit/core';
import { openStore, type DurableStore } from '@paykit/store-sql';
import { stringOption, type ParsedArgs } from '../argv.js';
import type { Command, CommandContext } from '../command.js';
import { describeThrown, EXIT, fail, usageError } from '../output.js';
import { ConsoleDemoReporter } from '../reporter.js';
import { startDemoMetrics } from './demo-metrics.js';

/** Where the demos record: nowhere lasting, or a PGlite data directory (a fresh temporary one unless named). */
type DemoStorePlan =
  | { readonly kind: 'memory' }
  | { readonly kind: 'pglite'; readonly dataDir?: string; readonly keep: boolean };

/** Where a run keeps its store: `pglite/` (the PGlite data directory) and `record.key` inside one directory. */
interface DemoDir {
  /** The run's directory. */
  readonly dir: string;
  /** The PGlite data directory in it. */
  readonly dataDir: string;
  /** The file holding the record key (base64) that seals payout records. */
  readonly keyFile: string;
  /** True when the command made the directory (under the system temp folder), so it may remove it. */
  readonly temporary: boolean;
}

/** A PGlite store the demos share, and the directory it lives in. */
interface OpenedDemoStore extends DemoDir {
  readonly store: DurableStore;
}

/** How many records of each kind the demos left in the store, and how many provider notifications changed them. */
interface DemoStoreSummary {
  readonly payments: number;
  readonly refunds: number;
  readonly preauths: number;
  readonly payouts: number;
  readonly notifications: number;
}

function planOf(args: ParsedArgs): Result<DemoStorePlan, string> {
  const kind = stringOption(args, 'store') ?? 'pglite';
  const dataDir = stringOption(args, 'data-dir');
  const keep = args.options.keep === true;
  if (kind === 'memory') {
    if (dataDir !== undefined || keep) return err(`${dataDir !== undefined ? '--data-dir' : '--keep'} needs the pglite store: leave out --store memory`);
    return ok({ kind: 'memory' });
  }
  if (kind !== 'pglite') return err(`--store "${kind.slice(0, 20)}" is unknown: use pglite (the default) or memory`);
  return ok({ kind: 'pglite', keep, ...(dataDir !== undefined ? { dataDir } : {}) });
}

/** The run's directory: the one named (new or empty), or a fresh one under the system temp folder. */
function prepareDemoDir(ctx: CommandContext, named: string | undefined): PayResult<DemoDir> {
  const layout = (dir: string, temporary: boolean): DemoDir => ({ dir, dataDir: join(dir, 'pglite'), keyFile: join(dir, 'record.key'), temporary });
  try {
    if (named === undefined) return ok(layout(mkdtempSync(join(tmpdir(), 'paykit-demo-')), true));
    const dir = resolve(ctx.io.cwd, named);
    const info = statSync(dir, { throwIfNoEntry: false });
    if (info !== undefined && (!info.isDirectory() || readdirSync(dir).length > 0)) {
      // Refused so that a run never mixes its orders with an earlier run's (the demos reuse order ids).
      return err(PaymentErrors.invalidRequest(`--data-dir ${dir} ${info.isDirectory() ? 'is not empty' : 'is not a directory'}: name a new or empty directory, or leave out --data-dir for a fresh temporary one`, { path: '--data-dir' }));
    }
    mkdirSync(dir, { recursive: true });
    return ok(layout(dir, false));
  } catch (e) {
    return err(PaymentErrors.invalidRequest(`cannot prepare the demo directory: ${describeThrown(e)}`, { path: '--data-dir' }));
  }
}

async function openDemoStore(ctx: CommandContext, named: string | undefined): Promise<PayResult<OpenedDemoStore>> {
  const prepared = prepareDemoDir(ctx, named);
  if (prepared.isErr()) return err(prepared.error);
  const demoDir = prepared.value;
  // A durable store keeps payout records (they hold account numbers) only sealed: each run makes its
  // own random record key and keeps it beside the data, readable by this user only, never printed.
  const recordKey = randomBytes(32).toString('base64');
  try {
    writeFileSync(demoDir.keyFile, `${recordKey}\n`, { mode: 0o600 });
  } catch (e) {
    if (demoDir.temporary) rmSync(demoDir.dir, { recursive: true, force: true });
    return err(PaymentErrors.invalidRequest(`cannot write the demo record key: ${describeThrown(e)}`, { path: '--data-dir' }));
  }
  const opened = await openStore({ kind: 'pglite', dataDir: demoDir.dataDir, recordKey });
  if (opened.isOk() && 'close' in opened.value) return ok({ ...demoDir, store: opened.value });
  if (demoDir.temporary) rmSync(demoDir.dir, { recursive: true, force: true });
  return err(opened.isErr() ? opened.error : PaymentErrors.internal('openStore returned a store that cannot be closed for a pglite config'));
}

/** The record kinds the demos write. */
type SummaryKind = Extract<RecordKind, 'payment' | 'refund' | 'preauth' | 'payout'>;

/** The record ids of one kind (the store lists values; each kind's id is one of its fields). */
function listIds(store: Store, kind: SummaryKind): PayResultAsync<readonly string[]> {
  switch (kind) {
    case 'payment':
      return store.list<StoredPayment>(kind).map((rs) => rs.map((r) => r.value.orderId));
    case 'preauth':
      return store.list<StoredPreAuth>(kind).map((rs) => rs.map((r) => r.value.orderId));
    case 'refund':
      return store.list<StoredRefund>(kind).map((rs) => rs.map((r) => r.value.refundId));
    case 'payout':
      return store.list<StoredPayout>(kind).map((rs) => rs.map((r) => r.value.payoutId));
  }
}

/**
 * Reads back, through the Store API, what the demos recorded: records per kind, and the distinct
 * provider notifications (event keys) found in those records' histories, i.e. those that changed one.
 */
function summarizeStore(store: Store): PayResultAsync<DemoStoreSummary> {
  const kinds: readonly SummaryKind[] = ['payment', 'refund', 'preauth', 'payout'];
  return ResultAsync.combine(kinds.map((kind) => listIds(store, kind).andThen((ids) =>
    ResultAsync.combine(ids.map((id) => store.history(kind, id))).map((histories) => ({ kind, count: ids.length, histories })))))
    .map((perKind) => {
      const count = (kind: SummaryKind): number => perKind.find((k) => k.kind === kind)?.count ?? 0;
      const eventKeys = new Set(perKind.flatMap((k) => k.histories.flat()).flatMap((v) => (v.eventKey === null ? [] : [v.eventKey])));
      return { payments: count('payment'), refunds: count('refund'), preauths: count('preauth'), payouts: count('payout'), notifications: eventKeys.size };
    });
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

function renderSummary(s: DemoStoreSummary): string {
  return `Read back from the store: ${plural(s.payments, 'payment', 'payments')}, ${plural(s.refunds, 'refund', 'refunds')}, `
    + `${plural(s.preauths, 'pre-authorisation', 'pre-authorisations')}, ${plural(s.payouts, 'payout', 'payouts')}; `
    + `${plural(s.notifications, 'provider notification', 'provider notifications')} changed them.\n`;
}

/**
 * Prints the merchant events the demo committed (after event id `after`): what
 * `paykit.events.subscribe` hands to merchant code. Returns the last id printed.
 */
async function printEvents(ctx: CommandContext, store: Store, after: number): Promise<number> {
  const events = await store.listEvents({ after, limit: 1000 });
  if (events.isErr() || events.value.length === 0) return after;
  ctx.io.out(`  Merchant events it committed (paykit.events.subscribe hands each to your code, once per consumer):\n`);
  for (const e of events.value) ctx.io.out(`    #${e.id} ${e.type} ${e.record.kind} ${e.record.id} (${e.from ?? 'new'} → ${e.to}; ${e.cause.source}${e.cause.correction ? ', correction' : ''})\n`);
  return events.value.at(-1)?.id ?? after;
}

/** Runs the selected demos on one reporter each; returns the ids of those that failed and how many finished. */
async function runDemos(ctx: CommandContext, selected: CommandContext['providers'], store: Store | undefined): Promise<{ failed: string[]; ran: number }> {
  const { io } = ctx;
  const failed: string[] = [];
  const reconciled: ReconciliationReport[] = [];
  let ran = 0;
  let seen = 0;
  for (const { plugin, demo } of selected) {
    if (demo === undefined) {
      io.out(`\n=== ${plugin.displayName} (${plugin.id}): no demo ===\n`);
      continue;
    }
    io.out(`\n=== ${plugin.displayName} (${plugin.id}): ${demo.title} ===\n`);
    try {
      await demo.run(new ConsoleDemoReporter((text) => io.out(text)), { ...(store === undefined ? {} : { store }), reconciled: (r) => reconciled.push(r) });
      ran += 1;
      if (store !== undefined) seen = await printEvents(ctx, store, seen);
    } catch (e) {
      // A demo rejects only on a bug: report it in one line and go on with the others.
      failed.push(plugin.id);
      io.err(`error: demo of ${plugin.id} failed: ${describeThrown(e)}\n`);
    }
  }
  if (reconciled.length > 0) io.out(renderReconciliations(reconciled));
  return { failed, ran };
}

/** What the demos' closing reconciliations found: per instance, the discrepancies and what repair did. */
export function renderReconciliations(reports: readonly ReconciliationReport[]): string {
  const out = ['', '=== Reconciliation of the simulated days (what each demo put into its statement, found) ==='];
  for (const r of reports) {
    const c = r.counts;
    const kinds = DISCREPANCY_KINDS.filter((k) => c.byKind[k] > 0).map((k) => `${k} ${c.byKind[k]}`).join(', ');
    out.push(`  ${r.instance} (${r.providerId}) ${r.period.value}: ${c.statementLines} lines, ${c.matched} matched, ${c.discrepancies} discrepancies (${kinds || 'none'}); ${c.repaired} repaired by a verified query, ${c.open} open`);
    for (const line of reconciliationDigest(r).discrepancies) out.push(`    ${maskCardNumbersIn(line)}`);
  }
  out.push('  (paykit reconcile --config FILE --instance ID --date YYYY-MM-DD [--file PATH] [--repair] [--html FILE] does this against your records.)');
  return `${out.join('\n')}\n`;
}

/** Runs the demos on the PGlite store, prints the summary, closes the store and removes or keeps its directory. */
async function runOnPglite(ctx: CommandContext, selected: CommandContext['providers'], plan: Extract<DemoStorePlan, { kind: 'pglite' }>): Promise<number | { failed: string[]; ran: number }> {
  const { io } = ctx;
  const opened = await openDemoStore(ctx, plan.dataDir);
  if (opened.isErr()) return fail(io, opened.error);
  const { store, dir, dataDir, keyFile, temporary } = opened.value;
  const removed = temporary && !plan.keep;
  io.out(`Store: PGlite (embedded PostgreSQL), data directory ${dataDir}, record key in ${keyFile}${removed ? ` (${dir} is removed at the end; --keep keeps it)` : ''}\n`);
  let summary: PayResult<DemoStoreSummary> | undefined;
  let outcome: { failed: string[]; ran: number };
  try {
    outcome = await runDemos(ctx, selected, store);
    summary = await summarizeStore(store);
  } finally {
    // PGlite holds its data directory until closed: close it before removing the directory or exiting.
    const closed = await store.close();
    if (closed.isErr()) io.err(`warning: closing the demo store failed: ${closed.error.message}\n`);
    if (removed) rmSync(dir, { recursive: true, force: true });
  }
  if (summary.isErr()) return fail(io, summary.error);
  io.out(`\n${renderSummary(summary.value)}`);
  if (!removed) {
    io.out(`Kept ${dir}: pglite/ is a PGlite data directory, record.key the key that seals its payout records. Name them as a config's store, `
      + `{ "kind": "pglite", "dataDir": "${dataDir}", "recordKey": "file:${keyFile}" }, or pass them to openStore from @paykit/store-sql.\n`);
  }
  return outcome;
}

/** `paykit demo`: runs every built-in provider's demo against its in-process simulator, recording into one store. */
export const demoCommand: Command = {
  name: 'demo',
  summary: "run each provider's demo against its local simulator",
  options: { provider: 'string', store: 'string', 'data-dir': 'string', keep: 'boolean', metrics: 'boolean' },
  help: `Usage: paykit demo [--provider ID] [--store pglite|memory] [--data-dir DIR] [--keep] [--metrics]

Runs every built-in provider's demo scenario in turn: each starts its simulator on 127.0.0.1,
walks orders through it and prints a readable log (keys hidden, card numbers masked).
Nothing leaves this machine. By default every demo records into one embedded PGlite store in a
fresh directory under the system temp folder, with a fresh random key sealing its payout records;
at the end the command reads back how many payments, refunds, pre-authorisations and payouts it
holds, closes it and removes the directory.
Exits 0 when every demo finishes, 1 otherwise.

Options:
  --provider ID          run only this provider's demo
  --store pglite|memory  pglite (default): one durable store for all demos;
                         memory: each demo on its own in-memory store, nothing written to disk
  --data-dir DIR         keep the store in DIR (new or empty) instead: DIR/pglite is the PGlite
                         data directory, DIR/record.key the run's record key; it is kept
  --keep                 keep the temporary directory and print how to read it
  --metrics              print at the end the OpenTelemetry metrics paykit recorded during the
                         demos (notifications, provider calls, unknown outcomes, records by state)
  -h, --help             show this help

Example:
  paykit demo
  paykit demo --keep
  paykit demo --metrics
  npm start
`,
  async run(args, ctx) {
    const { io } = ctx;
    if (args.positionals.length > 0) return usageError(io, 'demo', `unexpected argument "${args.positionals[0]}"`);
    const plan = planOf(args);
    if (plan.isErr()) return usageError(io, 'demo', plan.error);
    const only = stringOption(args, 'provider');
    const selected = only === undefined ? ctx.providers : ctx.providers.filter((p) => p.plugin.id === only);
    if (only !== undefined && selected.length === 0) {
      return usageError(io, 'demo', `unknown provider "${only.slice(0, 64)}"; built-in providers are ${ctx.providers.map((p) => p.plugin.id).join(', ')}`);
    }
    let outcome: number | { failed: string[]; ran: number };
    // Registered before the demos build their paykits: each takes the global meter provider then.
    const recorded = args.options.metrics === true ? startDemoMetrics() : undefined;
    try {
      if (plan.value.kind === 'memory') {
        io.out('Store: in memory (each demo its own; nothing is written to disk)\n');
        outcome = await runDemos(ctx, selected, undefined);
      } else {
        outcome = await runOnPglite(ctx, selected, plan.value);
      }
      if (recorded !== undefined && typeof outcome !== 'number') io.out(`\nMetrics paykit recorded (OpenTelemetry; see docs/observability.md):\n${await recorded.render()}`);
    } finally {
      await recorded?.stop();
    }
    if (typeof outcome === 'number') return outcome;
    if (outcome.failed.length > 0) {
      io.err(`${outcome.failed.length} demo(s) failed: ${outcome.failed.join(', ')}\n`);
      return EXIT.error;
    }
    io.out(`\n${outcome.ran} demo(s) finished.\n`);
    return EXIT.ok;
  },
};
