// Reconciliation runs kept in the store (record kind `reconciliation`):
//   p:<instance>:<period>          the period: how many runs, who is running one now, the last outcome;
//   r:<instance>:<period>:<run>    each run's report;
//   d:<instance>:<period>:<id>     each discrepancy ever found in the period, with where it stands
//                                  (open, fixed since, repaired, resolved with a note).
// Re-running a period compares what it finds with the discrepancy records: new, found again,
// reopened, and fixed (open before, not found now).
import { err, errAsync, ok, okAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PayResult, PayResultAsync } from '../errors/result.js';
import type { IdentifiedRecord, Store } from '../ports/store.js';
import type { Money } from '../money/money.js';
import { commitValue, type ProtocolContext } from '../protocol/commit.js';
import { LEASE_OWNER, type Lease } from '../protocol/tracking.js';
import type { DiscrepancyDraft } from './describe.js';
import type { CheckedPeriod } from './period.js';
import type { Discrepancy, DiscrepancyKind, DiscrepancySubject, ReconciliationChanges, ReconciliationReport, RepairOutcome } from './types.js';

/** The stored state of a period. */
export interface PeriodRecord {
  /** The instance. */
  readonly instance: string;
  /** `YYYY-MM-DD` or `YYYY-MM`. */
  readonly period: string;
  /** Runs started. */
  readonly runs: number;
  /** `running`, or how the last run ended: `clean`, `open` (discrepancies remain) or `failed`. */
  readonly status: 'running' | 'clean' | 'open' | 'failed';
  /** The run in progress holds the period until then. */
  readonly lease?: Lease;
  /** The last run that finished. */
  readonly lastRun?: number;
  /** When it finished. */
  readonly lastRunAt?: string;
  /** Why the last run failed, when it did. */
  readonly failure?: string;
}

/** Where a stored discrepancy stands. */
export type StoredDiscrepancyStatus = 'open' | 'fixed' | 'repaired' | 'resolved';

/** A discrepancy as stored, with its history in the period. */
export interface DiscrepancyRecord {
  /** Where it stands: open, fixed (not found any more), repaired (by a verified query), resolved (by a person). */
  readonly status: StoredDiscrepancyStatus;
  /** The discrepancy as last found. */
  readonly discrepancy: Discrepancy;
  /** The run that first found it. */
  readonly firstSeenRun: number;
  /** The last run that found it. */
  readonly lastSeenRun: number;
  /** The run that found it gone. */
  readonly fixedInRun?: number;
  /** The note it was resolved with. */
  readonly resolution?: { readonly note: string; readonly at: string };
}

/** A stored run. */
export interface RunRecord {
  /** `clean` or `open`. */
  readonly status: 'clean' | 'open';
  /** The report. */
  readonly report: ReconciliationReport;
}

const periodId = (p: CheckedPeriod): string => `p:${p.instance}:${p.value}`;
const runId = (p: CheckedPeriod, run: number): string => `r:${p.instance}:${p.value}:${String(run).padStart(6, '0')}`;
/** The record id of a discrepancy of a period. */
export const discrepancyRecordId = (p: CheckedPeriod, id: string): string => `d:${p.instance}:${p.value}:${id}`;
const discrepancyPrefix = (p: CheckedPeriod): string => `d:${p.instance}:${p.value}:`;

/**
 * Starts a run: the period's next run number, with the period held by this process until
 * `leaseMs` from now. `Conflict` while another run of the period holds it.
 */
export function beginRun(ctx: ProtocolContext, period: CheckedPeriod, leaseMs: number): PayResultAsync<{ readonly run: number; readonly previous?: number }> {
  const now = ctx.clock.now();
  const lease: Lease = { owner: LEASE_OWNER, until: new Date(now.getTime() + leaseMs) };
  return commitValue(ctx, (tx) => tx.get<PeriodRecord>('reconciliation', periodId(period)).andThen((cur) => {
    if (cur === undefined) {
      return tx.insert<PeriodRecord>('reconciliation', periodId(period), { instance: period.instance, period: period.value, runs: 1, status: 'running', lease })
        .map(() => ({ run: 1 }));
    }
    const held = cur.value.lease;
    if (cur.value.status === 'running' && held !== undefined && held.owner !== LEASE_OWNER && new Date(held.until).getTime() > now.getTime()) {
      return errAsync(PaymentErrors.conflict(`a reconciliation of ${period.instance} ${period.value} is running in another process (until ${new Date(held.until).toISOString()}); run it again when that one ends`, { retryable: true }));
    }
    const run = cur.value.runs + 1;
    const { failure: _f, ...rest } = cur.value;
    return tx.update<PeriodRecord>('reconciliation', periodId(period), cur.version, { ...rest, runs: run, status: 'running', lease })
      .map(() => ({ run, ...(cur.value.lastRun !== undefined ? { previous: cur.value.lastRun } : {}) }));
  }), { attempts: 4 });
}

/**
 * Renews the lease of a run in progress, if this process still holds the period: a run keeps a
 * short lease alive while it works, so a run that was killed frees its period soon after.
 */
export function renewRun(ctx: ProtocolContext, period: CheckedPeriod, leaseMs: number): PayResultAsync<void> {
  return commitValue(ctx, (tx) => tx.get<PeriodRecord>('reconciliation', periodId(period)).andThen((cur) => {
    if (cur === undefined || cur.value.status !== 'running' || cur.value.lease?.owner !== LEASE_OWNER) return okAsync(undefined);
    const lease: Lease = { owner: LEASE_OWNER, until: new Date(ctx.clock.now().getTime() + leaseMs) };
    return tx.update<PeriodRecord>('reconciliation', periodId(period), cur.version, { ...cur.value, lease }).map(() => undefined);
  }), { attempts: 4 });
}

/** Ends a run that failed: the period is free again and says why. */
export function failRun(ctx: ProtocolContext, period: CheckedPeriod, why: string): PayResultAsync<void> {
  return commitValue(ctx, (tx) => tx.get<PeriodRecord>('reconciliation', periodId(period)).andThen((cur) => {
    if (cur === undefined || cur.value.lease?.owner !== LEASE_OWNER) return okAsync(undefined);
    const { lease: _l, ...rest } = cur.value;
    return tx.update<PeriodRecord>('reconciliation', periodId(period), cur.version, { ...rest, status: 'failed', failure: why.slice(0, 500) }).map(() => undefined);
  }), { attempts: 4 });
}

/** Walks the discrepancy records of a period in id order, a page at a time. */
export async function* discrepancyRecords(store: Store, period: CheckedPeriod): AsyncGenerator<PayResult<IdentifiedRecord<DiscrepancyRecord>[]>> {
  const prefix = discrepancyPrefix(period);
  let after = prefix;
  for (;;) {
    const page = await store.listPage<DiscrepancyRecord>('reconciliation', { after, limit: 500 });
    if (page.isErr()) {
      yield err(page.error);
      return;
    }
    const mine = page.value.filter((r) => r.id.startsWith(prefix));
    if (mine.length > 0) yield ok(mine);
    const last = page.value.at(-1);
    if (mine.length < page.value.length || page.value.length < 500 || last === undefined) return;
    after = last.id;
  }
}

/** What {@link recordFindings} gives back: the run's discrepancies with their states, and the changes. */
export interface RecordedFindings {
  /** The discrepancies, each with its state and change since the last run. */
  readonly discrepancies: readonly Discrepancy[];
  /** What changed. */
  readonly changes: ReconciliationChanges;
}

const MAX_FIXED_LISTED = 1000;

/**
 * The figures a discrepancy states, as text: both sides' amounts and the line's fee, the count of a
 * duplicate, the fee the schedule gives, the summary's figure, and why the statuses differ. Not the
 * wording, where a line sits in its file, nor paykit's status of the moment: a re-run with the same
 * figures is the same discrepancy.
 */
function figuresOf(d: DiscrepancyDraft | Discrepancy): string {
  const x = d as unknown as {
    readonly reason?: string; readonly count?: number; readonly expectedFee?: Money;
    readonly statement?: { readonly amount?: unknown; readonly fee?: unknown }; readonly paykit?: { readonly amount?: unknown };
    readonly difference?: { readonly field?: string; readonly expected?: unknown; readonly actual?: unknown };
  };
  const money = (m: unknown): unknown => (typeof m === 'object' && m !== null ? [(m as Money).amount, (m as Money).currency] : m ?? null);
  return JSON.stringify([d.kind, x.reason ?? null, money(x.statement?.amount), money(x.statement?.fee), money(x.paykit?.amount), x.count ?? null,
    money(x.expectedFee), x.difference === undefined ? null : [x.difference.field ?? null, x.difference.expected ?? null, x.difference.actual ?? null]]);
}

/**
 * Records what a run found: each discrepancy's record created or brought up to date (a resolved
 * one stays resolved; one that was gone is reopened), then every record the run did not find that
 * was open marked fixed. Commits in batches; memory holds one batch.
 */
export async function recordFindings(
  ctx: ProtocolContext, period: CheckedPeriod, run: number, previous: number | undefined,
  drafts: readonly { readonly draft: DiscrepancyDraft; readonly repair?: RepairOutcome }[],
): Promise<PayResult<RecordedFindings>> {
  const out: Discrepancy[] = [];
  const changes = { new: [] as string[], reopened: [] as string[], changed: [] as string[], fixed: [] as ReconciliationChanges['fixed'][number][], unchanged: 0 };
  for (let i = 0; i < drafts.length; i += 200) {
    const batch = drafts.slice(i, i + 200);
    const done = await commitValue(ctx, (tx) => {
      const decided: Discrepancy[] = [];
      const step = (k: number): PayResultAsync<Discrepancy[]> => {
        if (k >= batch.length) return okAsync(decided);
        const { draft, repair } = batch[k] as { draft: DiscrepancyDraft; repair?: RepairOutcome };
        const id = discrepancyRecordId(period, draft.id);
        return tx.get<DiscrepancyRecord>('reconciliation', id).andThen((cur) => {
          const was = cur?.value;
          const change = was === undefined ? 'new' as const : was.status === 'fixed' || was.status === 'repaired' ? 'reopened' as const
            : figuresOf(was.discrepancy) !== figuresOf(draft) ? 'changed' as const : 'unchanged' as const;
          const repaired = repair?.outcome === 'repaired';
          const state = repaired ? 'repaired' as const : was?.status === 'resolved' && change === 'unchanged' ? 'resolved' as const : 'open' as const;
          const firstSeenRun = was?.firstSeenRun ?? run;
          const d = {
            ...draft, state, change, firstSeenRun,
            ...(repair !== undefined ? { repair } : {}),
            ...(state === 'resolved' && was?.resolution !== undefined ? { resolution: was.resolution } : {}),
          } as Discrepancy;
          decided.push(d);
          const record: DiscrepancyRecord = {
            status: state, discrepancy: d, firstSeenRun, lastSeenRun: run,
            ...(state === 'resolved' && was?.resolution !== undefined ? { resolution: was.resolution } : {}),
          };
          const write = cur === undefined ? tx.insert('reconciliation', id, record) : tx.update('reconciliation', id, cur.version, record);
          return write.andThen(() => step(k + 1));
        });
      };
      return step(0);
    }, { attempts: 4 });
    if (done.isErr()) return err(done.error);
    for (const d of done.value) {
      out.push(d);
      if (d.change === 'new') changes.new.push(d.id);
      else if (d.change === 'reopened') changes.reopened.push(d.id);
      else if (d.change === 'changed') changes.changed.push(d.id);
      else changes.unchanged += 1;
    }
  }
  // Open before and not found now: fixed since the last run.
  for await (const page of discrepancyRecords(ctx.store, period)) {
    if (page.isErr()) return err(page.error);
    const gone = page.value.filter((r) => r.value.lastSeenRun < run && r.value.status === 'open');
    if (gone.length === 0) continue;
    const written = await commitValue(ctx, (tx) => {
      const step = (k: number): PayResultAsync<void> => {
        const r = gone[k];
        if (r === undefined) return okAsync(undefined);
        return tx.get<DiscrepancyRecord>('reconciliation', r.id).andThen((cur) => {
          if (cur === undefined || cur.value.status !== 'open' || cur.value.lastSeenRun >= run) return step(k + 1);
          return tx.update<DiscrepancyRecord>('reconciliation', r.id, cur.version, { ...cur.value, status: 'fixed', fixedInRun: run }).andThen(() => step(k + 1));
        });
      };
      return step(0);
    }, { attempts: 4 });
    if (written.isErr()) return err(written.error);
    for (const r of gone) {
      if (changes.fixed.length >= MAX_FIXED_LISTED) break;
      const d = r.value.discrepancy;
      changes.fixed.push({ id: d.id, kind: d.kind as DiscrepancyKind, ...(d.subject !== undefined ? { subject: d.subject as DiscrepancySubject } : {}), message: d.message });
    }
  }
  return ok({ discrepancies: out, changes: { ...(previous !== undefined ? { previousRun: previous } : {}), ...changes } });
}

/** Stores the run's report and frees the period. */
export function finishRun(ctx: ProtocolContext, period: CheckedPeriod, report: ReconciliationReport): PayResultAsync<void> {
  return commitValue(ctx, (tx) => tx.insert<RunRecord>('reconciliation', runId(period, report.run), { status: report.clean ? 'clean' : 'open', report })
    .andThen(() => tx.get<PeriodRecord>('reconciliation', periodId(period)))
    .andThen((cur) => {
      if (cur === undefined) return errAsync(PaymentErrors.internal(`the period record of ${period.instance} ${period.value} is gone`));
      const { lease: _l, failure: _f, ...rest } = cur.value;
      return tx.update<PeriodRecord>('reconciliation', periodId(period), cur.version, {
        ...rest, status: report.clean ? 'clean' : 'open', lastRun: report.run, lastRunAt: report.finishedAt,
      }).map(() => undefined);
    }), { attempts: 4 });
}

/** The period's record, if it was ever reconciled. */
export function readPeriod(store: Store, period: CheckedPeriod): PayResultAsync<PeriodRecord | undefined> {
  return store.get<PeriodRecord>('reconciliation', periodId(period)).map((v) => v?.value);
}

/** A stored run's report. */
export function readRun(store: Store, period: CheckedPeriod, run: number): PayResultAsync<ReconciliationReport | undefined> {
  return store.get<RunRecord>('reconciliation', runId(period, run)).map((v) => v?.value.report);
}

/**
 * Marks a discrepancy of a period resolved, with a note saying what was done; it then no longer
 * counts as open in this or later runs. `NotFound` for an id the period never had.
 */
export function resolveDiscrepancy(ctx: ProtocolContext, period: CheckedPeriod, id: string, note: string): PayResultAsync<Discrepancy> {
  const at = ctx.clock.now().toISOString();
  return commitValue(ctx, (tx) => tx.get<DiscrepancyRecord>('reconciliation', discrepancyRecordId(period, id)).andThen((cur) => {
    if (cur === undefined) return errAsync(PaymentErrors.notFound(`${period.instance} ${period.value} has no discrepancy ${id}: the ids are in the run's report`, { path: 'id' }));
    const resolution = { note, at };
    const discrepancy = { ...cur.value.discrepancy, state: 'resolved', resolution } as Discrepancy;
    return tx.update<DiscrepancyRecord>('reconciliation', discrepancyRecordId(period, id), cur.version, { ...cur.value, status: 'resolved', resolution, discrepancy })
      .map(() => discrepancy);
  }), { attempts: 4 });
}

/** The states of a period's discrepancies now (a person may have resolved some since a run), by id. */
export async function currentStates(store: Store, period: CheckedPeriod): Promise<PayResult<Map<string, DiscrepancyRecord>>> {
  const out = new Map<string, DiscrepancyRecord>();
  for await (const page of discrepancyRecords(store, period)) {
    if (page.isErr()) return err(page.error);
    for (const r of page.value) out.set(r.value.discrepancy.id, r.value);
  }
  return ok(out);
}
