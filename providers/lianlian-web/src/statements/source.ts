// The statement reconciliation reads from LianLian's files (spec 5; integration guide 九): the
// period's files picked by name, their lines streamed from the parser chunk by chunk, totalled
// per file and checked against the day's JYMXSUM summary when it is given.
//
// Which file covers what (a decision the spec leaves to the merchant, documented in
// docs/reconciliation.md):
//  - JYMX (交易明细) is the web payments instance's: payments (status 0, 收款) and refunds
//    (status 5). Its 付款 lines (flag 1: the merchant's own settlements and withdrawals from the
//    merchant site, spec 5.2) are no paykit record's: they become `adjustment` entries, counted in
//    the totals, never matched.
//  - FKMX (付款明细) is the payout instance's: each payout paid (status 0), and a payout whose
//    money came back (status 5: a new line with a negative amount and the original order number in
//    the oid_paybill column, as refunds are written) becomes a negative `payout` entry.
import { err, ok, ResultAsync } from 'neverthrow';
import {
  guard, PaymentErrors, type DayRange, type PayResult, type StatementEntry, type StatementFile, type StatementSelfCheck, type StatementSource,
} from '@paykit/core';
import { statementFileKind, type StatementFileFamily, type StatementFileKind } from './file-name.js';
import type { LianlianStatementEntry } from './line.js';
import { parseStatementBatches, type StatementParseOptions } from './parser.js';
import { addToStatementTotals, compareStatementTotals, emptyStatementTotals, readStatementSummary, type StatementTotals } from './summary.js';

/** What a LianLian statement source reads. */
export interface LianlianSourceOptions {
  /** `transactions` (JYMX, the web instance) or `payouts` (FKMX, the payout instance). */
  readonly family: Exclude<StatementFileFamily, 'summary'>;
  /** The merchant number the file names must carry. */
  readonly partnerId: string;
  /** How to parse (encoding, layout, currency); detected per file by default. */
  readonly parse?: StatementParseOptions;
}

/** A file with what its name says. */
export interface NamedFile {
  readonly file: StatementFile;
  readonly kind: StatementFileKind;
}

/**
 * The files of a range among those given: the detail files of the family (daily ones for the
 * days of the range, or else the monthly ones covering it; never both, which would count the
 * days twice) and, for transactions, the daily summaries. Files of other merchants, other
 * families, other days and unrelated names are left out.
 */
export function pickStatementFiles(files: readonly StatementFile[], range: DayRange, o: Pick<LianlianSourceOptions, 'family' | 'partnerId'>): {
  readonly details: readonly NamedFile[]; readonly summaries: ReadonlyMap<string, StatementFile>;
  /** Two files given for the same day or month of one family (spec 5, revision 1.9: `.txt` or `.csv`). */
  readonly twice?: readonly [StatementFile, StatementFile];
} {
  const named: NamedFile[] = [];
  for (const file of files) {
    const kind = statementFileKind(file?.name);
    if (kind.isErr() || kind.value.partnerId !== o.partnerId) continue;
    if (kind.value.to < range.from || kind.value.from > range.to) continue;
    named.push({ file, kind: kind.value });
  }
  const daily = named.filter((n) => n.kind.family === o.family && n.kind.period === 'daily');
  const monthly = named.filter((n) => n.kind.family === o.family && n.kind.period === 'monthly');
  // A day's reconciliation takes its daily file, else the month's; a longer range takes the
  // monthly files when given, else the daily ones.
  const oneDay = range.from === range.to;
  const useMonthly = monthly.length > 0 && (oneDay ? daily.length === 0 : true);
  const details = (useMonthly ? monthly : daily).sort((a, b) => (a.kind.from < b.kind.from ? -1 : a.kind.from > b.kind.from ? 1 : 0));
  const summaries = new Map<string, StatementFile>();
  if (o.family === 'transactions') for (const n of named) if (n.kind.family === 'summary') summaries.set(n.kind.from, n.file);
  // The same file under both suffixes would be read twice, each summary still agreeing with one.
  const seen = new Map<string, StatementFile>();
  for (const n of named) {
    if (n.kind.family !== o.family && !(o.family === 'transactions' && n.kind.family === 'summary')) continue;
    const key = `${n.kind.family} ${n.kind.period} ${n.kind.from}`;
    const first = seen.get(key);
    if (first !== undefined) return { details, summaries, twice: [first, n.file] };
    seen.set(key, n.file);
  }
  return { details, summaries };
}

/** A LianLian entry as reconciliation reads it (see the file's opening comment), from `source`. */
export function reconciliationEntryOf(e: LianlianStatementEntry, family: LianlianSourceOptions['family'], source: string): StatementEntry {
  if (family === 'payouts') {
    // A status 5 line of a payout file: the payout's money back, under the original order number.
    if (e.kind === 'refund') return { ...e, kind: 'payout', orderId: e.orderId, source };
    return { ...e, kind: 'payout', source };
  }
  if (e.kind === 'payout') return { ...e, kind: 'adjustment', source };
  return { ...e, source };
}

/**
 * The statement of a range from LianLian's files, for reconciliation. `NotFound` when no detail
 * file of the range is among those given; the files' own summaries are checked once read.
 */
export function lianlianStatementSource(files: readonly StatementFile[], range: DayRange, o: LianlianSourceOptions): PayResult<StatementSource> {
  return guard('lianlian-web.lianlianStatementSource', () => {
    if (!Array.isArray(files)) return err(PaymentErrors.invalidRequest('files must be an array of statement files ({ name, content })', { path: 'files' }));
    if (typeof range?.from !== 'string' || typeof range.to !== 'string') {
      return err(PaymentErrors.invalidRequest('range must be { from, to }, each a YYYYMMDD day', { path: 'range' }));
    }
    if ((o?.family !== 'transactions' && o?.family !== 'payouts') || typeof o.partnerId !== 'string') {
      return err(PaymentErrors.invalidRequest('o must be { family: "transactions" or "payouts", partnerId: the merchant number }', { path: 'o' }));
    }
    const picked = pickStatementFiles(files, range, o);
    if (picked.twice !== undefined) {
      const [a, b] = picked.twice;
      return err(PaymentErrors.conflict(`${a.name} and ${b.name} are the same statement file (spec 5: a day's file ends in .txt or .csv): give one of them, or every line is counted twice`, { path: 'files' }));
    }
    if (picked.details.length === 0) {
      const prefix = o.family === 'transactions' ? 'JYMX' : 'FKMX';
      return err(PaymentErrors.notFound(
        `none of the ${files.length} files given is ${prefix}_${o.partnerId}_${range.from}.txt (or .csv, or the month's ${prefix}_${o.partnerId}_${range.from.slice(0, 6)}.txt): `
        + `give the ${o.family === 'transactions' ? 'transaction' : 'payout'} file of the period (LianLian publishes a day's files before 08:00 China time the next day, spec 5.7)`,
        { path: 'files', providerId: o.family === 'transactions' ? 'lianlian-web' : 'lianlian-payout' },
      ));
    }
    const totals = new Map<string, StatementTotals>();
    const origins: string[] = [];
    async function* batches(): AsyncGenerator<PayResult<StatementEntry>[]> {
      for (const { file, kind } of picked.details) {
        origins.push(file.name);
        const t = emptyStatementTotals(o.parse?.currency ?? 'CNY');
        if (kind.period === 'daily') totals.set(kind.from, t);
        for await (const batch of parseStatementBatches(file, o.parse)) {
          const out = new Array<PayResult<StatementEntry>>(batch.length);
          for (let i = 0; i < batch.length; i += 1) {
            const r = batch[i] as PayResult<LianlianStatementEntry>;
            addToStatementTotals(t, r, kind.period === 'daily' ? kind.from : undefined);
            out[i] = r.isOk() ? ok(reconciliationEntryOf(r.value, o.family, file.name)) : err(r.error.path?.startsWith('line ') === true ? { ...r.error, message: `${file.name}: ${r.error.message}` } : r.error);
          }
          yield out;
        }
      }
    }
    const checks = (): ResultAsync<readonly StatementSelfCheck[], import('@paykit/core').PaymentError> => ResultAsync.fromSafePromise((async () => {
      const out: StatementSelfCheck[] = [];
      for (const [day, t] of totals) {
        const summary = picked.summaries.get(day);
        if (summary === undefined) continue;
        const read = await readStatementSummary(summary, { ...(o.parse?.encoding !== undefined ? { encoding: o.parse.encoding } : {}), ...(o.parse?.currency !== undefined ? { currency: o.parse.currency } : {}) });
        if (read.isErr()) {
          out.push({ source: summary.name, differences: [{ field: 'file', expected: 'a readable JYMXSUM summary (spec 5.6)', actual: read.error.message }] });
          continue;
        }
        origins.push(summary.name);
        out.push({ source: summary.name, differences: compareStatementTotals(read.value, t) });
      }
      return out;
    })());
    return ok({ batches: batches(), origins: () => origins, checks });
  });
}
