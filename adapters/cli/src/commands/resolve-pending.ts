import { resolve } from 'node:path';
import { err, ok, type Result } from 'neverthrow';
import { loadConfigFile, PaymentErrors, PENDING_KINDS, type PaymentError, type PendingKind, type PendingReport, type ResolvePendingOptions } from '@paykit/core';
import { kyTransport } from '@paykit/transport-ky';
import { stringOption, type ParsedArgs } from '../argv.js';
import type { Command, CommandContext } from '../command.js';
import { EXIT, fail, redactedJson, usageError } from '../output.js';
import { safeText } from '../report/format.js';
import { buildFromConfigFile } from './shared.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `10m`, `2h`, `1d`, `500ms` or `0` into milliseconds; `flag` names the option in errors. */
export function parseDuration(text: string, flag = '--older-than'): Result<number, string> {
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(text.trim());
  const unit = m?.[2] ?? (m?.[1] !== undefined && Number(m[1]) === 0 ? 'ms' : undefined);
  if (!m || unit === undefined) return err(`${flag} "${text.slice(0, 20)}" is not a duration: use a whole number with a unit, e.g. 90s, 10m, 2h, 1d`);
  const ms = Number(m[1]) * (UNIT_MS[unit] ?? 1);
  return Number.isSafeInteger(ms) ? ok(ms) : err(`${flag} is too long`);
}

/** Parses `--kind payments,refunds` into a list of kinds. */
export function parseKinds(text: string): Result<readonly PendingKind[], string> {
  const parts = text.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
  const unknown = parts.filter((k) => !(PENDING_KINDS as readonly string[]).includes(k));
  if (parts.length === 0 || unknown.length > 0) {
    return err(`--kind ${unknown.length > 0 ? `"${unknown[0]?.slice(0, 20)}" is unknown` : 'is empty'}: use a comma-separated list of ${PENDING_KINDS.join(', ')}`);
  }
  return ok([...new Set(parts)] as PendingKind[]);
}

function parseCount(args: ParsedArgs, name: string): Result<number | undefined, string> {
  const v = stringOption(args, name);
  if (v === undefined) return ok(undefined);
  return /^[1-9]\d{0,5}$/.test(v) ? ok(Number(v)) : err(`--${name} must be a whole number from 1 to 999999`);
}

function optionsOf(args: ParsedArgs): Result<ResolvePendingOptions, string> {
  const older = stringOption(args, 'older-than');
  const kind = stringOption(args, 'kind');
  const olderThan = older === undefined ? ok(undefined) : parseDuration(older);
  if (olderThan.isErr()) return err(olderThan.error);
  const kinds = kind === undefined ? ok(undefined) : parseKinds(kind);
  if (kinds.isErr()) return err(kinds.error);
  const limit = parseCount(args, 'limit');
  if (limit.isErr()) return err(limit.error);
  const concurrency = parseCount(args, 'concurrency');
  if (concurrency.isErr()) return err(concurrency.error);
  const close = stringOption(args, 'close-not-found-after');
  const closeNotFoundAfter = close === undefined ? ok(undefined) : parseDuration(close, '--close-not-found-after');
  if (closeNotFoundAfter.isErr()) return err(closeNotFoundAfter.error);
  return ok({
    ...(olderThan.value !== undefined ? { olderThan: olderThan.value } : {}),
    ...(kinds.value !== undefined ? { kinds: kinds.value } : {}),
    ...(limit.value !== undefined ? { limit: limit.value } : {}),
    ...(concurrency.value !== undefined ? { concurrency: concurrency.value } : {}),
    ...(closeNotFoundAfter.value !== undefined ? { closeNotFoundAfter: closeNotFoundAfter.value } : {}),
  });
}

/** A table of the report: one row per record, its error under it, then the totals. */
export function renderPendingReport(report: PendingReport): string {
  const head = ['KIND', 'ID', 'INSTANCE', 'OPERATION', 'BEFORE', 'AFTER', 'OUTCOME'];
  const rows = report.entries.map((e) => [e.kind, e.id, e.instanceId, e.operation, e.before, e.after ?? '-', e.outcome]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const out: string[] = [];
  if (report.entries.length === 0) out.push('No pending records are due.');
  else {
    out.push(line(head));
    for (const [i, e] of report.entries.entries()) {
      out.push(line(rows[i] ?? []));
      if (e.error) out.push(`    ${e.error.kind} [${e.error.code}] ${safeText(e.error.message)}`);
      if (e.attention) out.push(`    needs attention: ${e.attention.reason}`, `    what to do: ${e.attention.action}`);
    }
  }
  for (const u of report.unlisted ?? []) out.push(`could not list ${u.kind}: ${u.error.kind} [${u.error.code}] ${safeText(u.error.message)} (none of them was checked)`);
  const t = report.totals;
  out.push('', `checked ${t.checked}: settled ${t.settled}, still pending ${t.stillPending}, failed ${t.failed}, skipped ${t.skipped}`
    + (t.busy > 0 ? `, busy ${t.busy}` : '') + (t.needsAttention > 0 ? `, needs attention ${t.needsAttention}` : '')
    + (t.remaining > 0 ? `; ${t.remaining} more due beyond --limit` : ''));
  return `${out.join('\n')}\n`;
}

/** Builds paykit on the config's durable store, runs the scan and closes paykit (and the store) whatever happened. */
async function scan(ctx: CommandContext, file: string, options: ResolvePendingOptions): Promise<Result<PendingReport, PaymentError>> {
  const loaded = loadConfigFile(resolve(ctx.io.cwd, file));
  if (loaded.isErr()) return err(loaded.error);
  const kind = loaded.value.store?.kind ?? 'memory';
  if (kind === 'memory') {
    return err(PaymentErrors.invalidConfig(`config.store is ${loaded.value.store ? '"memory"' : 'not set (memory)'}: a memory store starts empty in this process, so there is nothing to resolve; set "store" to the pglite or postgres store your application writes to`, { path: 'config.store' }));
  }
  const built = await buildFromConfigFile(ctx, file, kyTransport(), 'open');
  if (built.isErr()) return err(built.error);
  const { paykit } = built.value;
  try {
    return await paykit.resolvePending(options);
  } finally {
    // A durable store holds a database (PGlite keeps its data directory open): always let it go.
    await paykit.close();
  }
}

/** `paykit resolve-pending`: settles payments, refunds and payouts whose outcome is unknown or stale. */
export const resolvePendingCommand: Command = {
  name: 'resolve-pending',
  summary: 'settle stale payments, refunds and payouts by asking their providers',
  options: { config: 'string', 'older-than': 'string', kind: 'string', limit: 'string', concurrency: 'string', 'close-not-found-after': 'string', json: 'boolean' },
  help: `Usage: paykit resolve-pending --config FILE [--older-than 10m] [--kind payments,refunds,payouts,preauths] [--close-not-found-after 8d] [--json]

Opens the durable store the config names (pglite or postgres; a memory store has nothing to
resolve) and asks each record's provider about every payment still created, pending or
processing, every refund pending or processing, every payout of unknown outcome, in flight or
held for review, and every capture or void of unknown outcome, once its last send or check is
older than --older-than. Each check holds the record's lease, so two runs never act on one record
at once. Answers are applied by the domain rules: a success is never undone, a refund the provider
never received fails and frees its amount, and a payout of unknown outcome is sent again, with the
same provider order number, only when the provider has no record of it. A record that cannot be
settled (too many checks without an answer, past the provider's query window) becomes
needs_attention and is listed on every run with what to do. One record's error never stops the others.
Prints a table (or the report as JSON) and exits 0 when nothing failed and nothing needs
attention, 1 otherwise; a record whose instance cannot do the operation is skipped, one whose
outcome stays unknown is pending, one another process is settling is busy.

Options:
  --config FILE        paykit config file with a "store" section (references resolve from its directory)
  --older-than TIME    only records at least this old: 500ms, 90s, 10m, 2h, 1d (default 10m)
  --kind LIST          comma-separated: payments, refunds, payouts, preauths (default all)
  --limit N            check at most N records, oldest first
  --concurrency N      provider calls at once (default 4)
  --close-not-found-after TIME
                       close a payment its provider has no record of once it is this old (the
                       payer never reached the cashier); off by default, when such a payment fails
                       every run. A success that comes later still applies
  --json               print the report as JSON
  -h, --help           show this help

Example:
  paykit resolve-pending --config paykit.config.json --older-than 15m --kind payments,payouts
`,
  async run(args, ctx) {
    const { io } = ctx;
    const configFile = stringOption(args, 'config');
    if (configFile === undefined) return usageError(io, 'resolve-pending', '--config is required');
    if (args.positionals.length > 0) return usageError(io, 'resolve-pending', `unexpected argument "${args.positionals[0]?.slice(0, 40)}"`);
    const options = optionsOf(args);
    if (options.isErr()) return usageError(io, 'resolve-pending', options.error);
    const report = await scan(ctx, configFile, options.value);
    if (report.isErr()) return fail(io, report.error);
    io.out(args.options.json === true ? `${redactedJson(report.value)}\n` : renderPendingReport(report.value));
    const { totals, unlisted } = report.value;
    return totals.failed > 0 || totals.needsAttention > 0 || (unlisted?.length ?? 0) > 0 ? EXIT.error : EXIT.ok;
  },
};
