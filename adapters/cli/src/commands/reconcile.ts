import { createReadStream, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { err, ok, type Result } from 'neverthrow';
import {
  loadConfigFile, maskCardNumbersIn, PaymentErrors, redact, type FeeSchedule, type Paykit, type PayResult, type ReconcileOptions, type ReconcileProgress,
  type ReconciliationPeriod, type StatementFile,
} from '@paykit/core';
import { kyTransport } from '@paykit/transport-ky';
import { stringOption, type ParsedArgs } from '../argv.js';
import type { Command, CommandContext } from '../command.js';
import { describeThrown, EXIT, fail, usageError } from '../output.js';
import { renderReconciliationHtml } from '../report/html.js';
import { renderReconciliationCsv, renderReconciliationText } from '../report/text.js';
import { buildFromConfigFile } from './shared.js';

/** The statement files `--file` names: the file, or every regular file of the directory, streamed from disk. */
export function statementFilesAt(cwd: string, path: string): PayResult<readonly StatementFile[]> {
  const full = resolve(cwd, path);
  const streamed = (p: string): StatementFile => ({ name: basename(p), content: createReadStream(p, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array> });
  try {
    const info = statSync(full, { throwIfNoEntry: false });
    if (info === undefined) return err(PaymentErrors.invalidRequest(`--file ${path}: no such file or directory`, { path: '--file' }));
    if (info.isFile()) return ok([streamed(full)]);
    if (!info.isDirectory()) return err(PaymentErrors.invalidRequest(`--file ${path} is neither a file nor a directory`, { path: '--file' }));
    const names = readdirSync(full).filter((n) => statSync(join(full, n), { throwIfNoEntry: false })?.isFile() === true).sort();
    if (names.length === 0) return err(PaymentErrors.invalidRequest(`--file ${path} is an empty directory: put the period's statement files in it`, { path: '--file' }));
    return ok(names.map((n) => streamed(join(full, n))));
  } catch (e) {
    return err(PaymentErrors.invalidRequest(`--file ${path} cannot be read: ${describeThrown(e)}`, { path: '--file' }));
  }
}

/**
 * The report as JSON for the terminal: redacted as every CLI output is, and every text with its
 * card numbers masked, identifiers included (an order number written like a card number is shown
 * masked: the stored run keeps it whole).
 */
export function reportJson(report: unknown): string {
  return JSON.stringify(redact(report), (_key, value: unknown) => (typeof value === 'string' ? maskCardNumbersIn(value) : value), 2);
}

/** `0.5`, `0.5%` or `0.55%` as basis points (50, 55), without floating point. */
export function parseFeeRate(text: string): Result<number, string> {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?%?$/.exec(text.trim());
  const bps = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : Number.NaN;
  return m && bps <= 10_000 ? ok(bps) : err(`--fee-rate "${text.slice(0, 20)}" is not a percentage: write it like 0.5 or 0.5% (at most two decimals, at most 100)`);
}

function minor(args: ParsedArgs, name: string): Result<number | undefined, string> {
  const v = stringOption(args, name);
  if (v === undefined) return ok(undefined);
  return /^\d{1,15}$/.test(v) ? ok(Number(v)) : err(`--${name} must be a whole number of minor units (fen, cents), 0 or more`);
}

/** The fee schedule of `--fee-rate`, `--fee-fixed`, `--fee-min`, `--fee-rounding`, `--fee-tolerance`. */
export function feesOf(args: ParsedArgs): Result<FeeSchedule | undefined, string> {
  const rate = stringOption(args, 'fee-rate');
  const fixed = minor(args, 'fee-fixed');
  const min = minor(args, 'fee-min');
  const tolerance = minor(args, 'fee-tolerance');
  const rounding = stringOption(args, 'fee-rounding');
  for (const r of [fixed, min, tolerance]) if (r.isErr()) return err(r.error);
  if (rounding !== undefined && !['down', 'half-up', 'up'].includes(rounding)) return err('--fee-rounding must be down, half-up or up');
  if (rate === undefined) {
    if (fixed.isOk() && fixed.value !== undefined) return ok({ basisPoints: 0, fixed: fixed.value, ...(min.isOk() && min.value !== undefined ? { minimum: min.value } : {}) });
    if ([min, tolerance].some((r) => r.isOk() && r.value !== undefined) || rounding !== undefined) return err('--fee-min, --fee-rounding and --fee-tolerance need --fee-rate or --fee-fixed');
    return ok(undefined);
  }
  const bps = parseFeeRate(rate);
  if (bps.isErr()) return err(bps.error);
  return ok({
    basisPoints: bps.value,
    ...(fixed.isOk() && fixed.value !== undefined ? { fixed: fixed.value } : {}),
    ...(min.isOk() && min.value !== undefined ? { minimum: min.value } : {}),
    ...(tolerance.isOk() && tolerance.value !== undefined ? { tolerance: tolerance.value } : {}),
    ...(rounding !== undefined ? { rounding: rounding as FeeSchedule['rounding'] & string } : {}),
  });
}

function periodOf(args: ParsedArgs): Result<ReconciliationPeriod, string> {
  const instance = stringOption(args, 'instance');
  const date = stringOption(args, 'date');
  const month = stringOption(args, 'month');
  if (instance === undefined) return err('--instance is required: the config instance whose statement it is');
  if ((date === undefined) === (month === undefined)) return err('give --date YYYY-MM-DD or --month YYYY-MM');
  return ok(date !== undefined ? { instance, date } : { instance, month: month as string });
}

/** Builds paykit on the config's durable store, runs `work` and closes it (and the store) whatever happened. */
async function withDurablePaykit(ctx: CommandContext, file: string, work: (paykit: Paykit) => Promise<number>): Promise<number> {
  const loaded = loadConfigFile(resolve(ctx.io.cwd, file));
  if (loaded.isErr()) return fail(ctx.io, loaded.error);
  if ((loaded.value.store?.kind ?? 'memory') === 'memory') {
    return fail(ctx.io, PaymentErrors.invalidConfig(`config.store is ${loaded.value.store ? '"memory"' : 'not set (memory)'}: a memory store starts empty in this process, so there are no records to reconcile and nowhere to keep the run; set "store" to the pglite or postgres store your application writes to`, { path: 'config.store' }));
  }
  const built = await buildFromConfigFile(ctx, file, kyTransport(), 'open');
  if (built.isErr()) return fail(ctx.io, built.error);
  try {
    return await work(built.value.paykit);
  } finally {
    // A durable store holds a database (PGlite keeps its data directory open): always let it go.
    await built.value.paykit.close();
  }
}

function write(ctx: CommandContext, path: string, text: string, flag: string): PayResult<string> {
  const full = resolve(ctx.io.cwd, path);
  try {
    writeFileSync(full, text, 'utf8');
    return ok(full);
  } catch (e) {
    return err(PaymentErrors.invalidRequest(`${flag} ${path} cannot be written: ${describeThrown(e)}`, { path: flag }));
  }
}

const HELP = `Usage: paykit reconcile --config FILE --instance ID (--date YYYY-MM-DD | --month YYYY-MM)
                        [--file PATH] [--repair] [--fee-rate 0.5%] [--json] [--csv FILE] [--html FILE]
       paykit reconcile resolve --config FILE --instance ID (--date … | --month …) --id ID --note TEXT

Reconciles an instance's statement of a day or a month (China Standard Time days for the Chinese
providers) against the payments, refunds and payouts paykit recorded in the durable store the
config names. The statement comes from the provider's API (Allinpay's batch query and refund
queries, Example Pay's statement) or from --file: a statement file, or a directory of them
(LianLian's JYMX, JYMXSUM and FKMX as fetched over SFTP or downloaded: the period's files are
picked by name). Every difference is reported with the evidence of both sides: missing in paykit,
missing at the provider, amount or currency mismatch, status mismatch, fee, duplicate line, a
summary that disagrees with the lines, an unreadable line. The run and its discrepancies are kept
in the store; running a period again says what changed since the last run.

With --repair, what a verified query can settle (a success paykit missed, a status paykit has
otherwise) is asked of the provider and recorded by the transition rules, as payments.query,
refunds.query and payouts.query do. The statement alone never changes a record.

Prints a summary and each discrepancy (or the report as JSON), and exits 0 when no discrepancy is
open, 1 when some remain (or on an error), 2 on a command line mistake. Runs that last more than
two seconds print a progress line on standard error.

  resolve   marks a discrepancy resolved with a note saying what was done: it no longer counts as
            open, in this run's report or the next

Options:
  --config FILE        paykit config file with a "store" section
  --instance ID        the config instance whose statement it is
  --date YYYY-MM-DD    the day to reconcile
  --month YYYY-MM      the month to reconcile
  --file PATH          a statement file, or a directory of statement files (default: the provider's API)
  --repair             settle repairable discrepancies by verified provider queries
  --fee-rate PERCENT   the contract's fee per line, e.g. 0.5% (a line charged otherwise is a fee discrepancy)
  --fee-fixed MINOR    a fixed fee per line, in minor units (with or without --fee-rate)
  --fee-min MINOR      the least fee of a line, in minor units
  --fee-rounding MODE  how the percentage rounds to a minor unit: down, half-up (default) or up
  --fee-tolerance MINOR  accept fees this many minor units off
  --json               print the report as JSON (amounts in minor units)
  --csv FILE           write the discrepancies as CSV
  --html FILE          write the report as one self-contained HTML page (filters, chart; opens from disk)
  --progress           print progress lines from the start (by default after two seconds)
  --id ID              resolve: the discrepancy's id, as the report shows it
  --note TEXT          resolve: what was done
  -h, --help           show this help

Examples:
  paykit reconcile --config paykit.config.json --instance shop --date 2026-12-01 --file ./statements --repair --html report.html
  paykit reconcile --config paykit.config.json --instance app --month 2026-11 --json > november.json
  paykit reconcile resolve --config paykit.config.json --instance shop --date 2026-12-01 --id 3f2a09c1d4e5b6a7 --note "fee refunded, ticket 1234"
`;

/** `paykit reconcile`: a statement of a day or a month against the records; `reconcile resolve` marks a discrepancy done. */
export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: "reconcile a provider's statement of a day or month against the records (report as text, JSON, CSV or HTML)",
  options: {
    config: 'string', instance: 'string', date: 'string', month: 'string', file: 'string', repair: 'boolean', json: 'boolean', csv: 'string', html: 'string',
    'fee-rate': 'string', 'fee-fixed': 'string', 'fee-min': 'string', 'fee-rounding': 'string', 'fee-tolerance': 'string', progress: 'boolean', id: 'string', note: 'string',
  },
  help: HELP,
  async run(args, ctx) {
    const { io } = ctx;
    const [sub, ...extra] = args.positionals;
    if (extra.length > 0 || (sub !== undefined && sub !== 'resolve')) return usageError(io, 'reconcile', `unexpected argument "${(sub === 'resolve' ? extra[0] : sub)?.slice(0, 40)}"`);
    const config = stringOption(args, 'config');
    if (config === undefined) return usageError(io, 'reconcile', '--config is required');
    const period = periodOf(args);
    if (period.isErr()) return usageError(io, 'reconcile', period.error);
    if (sub === 'resolve') {
      const id = stringOption(args, 'id');
      const note = stringOption(args, 'note');
      if (id === undefined || note === undefined) return usageError(io, 'reconcile', 'resolve needs --id ID and --note TEXT');
      return withDurablePaykit(ctx, config, async (paykit) => {
        const done = await paykit.reconciliation.resolve(period.value, id, note);
        if (done.isErr()) return fail(io, done.error);
        io.out(`Resolved ${done.value.kind} ${done.value.id}${done.value.subject ? ` (${done.value.subject.kind} ${done.value.subject.id})` : ''}: ${note}\n`);
        return EXIT.ok;
      });
    }
    const fees = feesOf(args);
    if (fees.isErr()) return usageError(io, 'reconcile', fees.error);
    const fileArg = stringOption(args, 'file');
    const files = fileArg === undefined ? ok(undefined) : statementFilesAt(io.cwd, fileArg);
    if (files.isErr()) return fail(io, files.error);
    const started = Date.now();
    const always = args.options.progress === true;
    const onProgress = (p: ReconcileProgress): void => {
      if (!always && Date.now() - started < 2000) return;
      io.err(`reconcile: ${p.phase}: ${p.lines.toLocaleString('en')} lines, ${p.records.toLocaleString('en')} records walked, ${p.discrepancies} discrepancies\n`);
    };
    const options: ReconcileOptions = {
      onProgress,
      ...(files.value !== undefined ? { files: files.value } : {}),
      ...(args.options.repair === true ? { repair: true } : {}),
      ...(fees.value !== undefined ? { fees: fees.value } : {}),
    };
    return withDurablePaykit(ctx, config, async (paykit) => {
      const report = await paykit.reconcile(period.value, options);
      if (report.isErr()) return fail(io, report.error);
      const r = report.value;
      const csv = stringOption(args, 'csv');
      const html = stringOption(args, 'html');
      for (const [path, text, flag] of [[csv, csv === undefined ? '' : renderReconciliationCsv(r.discrepancies), '--csv'], [html, html === undefined ? '' : renderReconciliationHtml(r), '--html']] as const) {
        if (path === undefined) continue;
        const written = write(ctx, path, text, flag);
        if (written.isErr()) return fail(io, written.error);
        if (args.options.json !== true) io.err(`wrote ${written.value}\n`);
      }
      io.out(args.options.json === true ? `${reportJson(r)}\n` : renderReconciliationText(r));
      return r.clean ? EXIT.ok : EXIT.error;
    });
  },
};
