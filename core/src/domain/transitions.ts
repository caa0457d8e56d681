import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult } from '../errors/result.js';

/**
 * Why paykit stopped trying to settle a record on its own, and what a person should do. A record
 * in `needs_attention` is never asked about again by `resolvePending`; a verified provider report
 * (a notification, a query made by hand) still moves it on.
 */
export interface Attention {
  /** What went wrong, in a sentence. */
  readonly reason: string;
  /** What to do about it, in a sentence. */
  readonly action: string;
  /** When paykit gave up. */
  readonly since: Date;
  /** The status the record had before. */
  readonly from: string;
}

/** A status transition table: for each status, the statuses it may move to. */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

/** What applying a reported status to a recorded one does. */
export type TransitionOutcome<S extends string> =
  /** The record moves to `to`. */
  | { readonly kind: 'applied'; readonly from: S; readonly to: S }
  /** The report changes nothing: the same status again, or a late report the table says to ignore. */
  | { readonly kind: 'ignored'; readonly status: S; readonly reason: 'same-status' | 'would-downgrade' };

/**
 * Decides a transition by a table. A report of the current status is ignored; a report the table
 * lists in `ignoreFrom` (a late failure after a success, say) is ignored; anything else not in the
 * table is a `Conflict`.
 */
export function decideTransition<S extends string>(
  what: string,
  table: TransitionTable<S>,
  ignored: Partial<{ readonly [K in S]: readonly S[] }>,
  from: S,
  to: S,
): PayResult<TransitionOutcome<S>> {
  return guard('decideTransition', () => {
    if (from === to) return ok({ kind: 'ignored', status: from, reason: 'same-status' });
    if (table[from].includes(to)) return ok({ kind: 'applied', from, to });
    if ((ignored[from] ?? []).includes(to)) return ok({ kind: 'ignored', status: from, reason: 'would-downgrade' });
    return err(PaymentErrors.conflict(`${what} cannot move from ${from} to ${to}`));
  });
}

/** Statuses from which a table allows no move. */
export function finalStatuses<S extends string>(table: TransitionTable<S>): readonly S[] {
  return (Object.keys(table) as S[]).filter((s) => table[s].length === 0);
}

/** The record kinds whose status is money state. */
export type MoneyRecordKind = 'payment' | 'refund' | 'preauth' | 'payout';

/**
 * Statuses paykit may have recorded on its own reading (a failure it believed, a close it chose),
 * by record kind. A verified provider report that moves a record out of one of them is a
 * correction: applied (the provider's word wins), kept in the history marked as such, and logged.
 */
export const CORRECTABLE: { readonly [K in MoneyRecordKind]: readonly string[] } = {
  payment: ['closed'],
  refund: ['failed'],
  preauth: [],
  payout: ['failed', 'closed'],
};

/** Whether moving a record of `kind` from `from` to `to` overturns a status paykit recorded before. */
export function isCorrection(kind: string, from: string | null, to: string | null): boolean {
  if (from === null || to === null || from === to) return false;
  const correctable = (CORRECTABLE as Readonly<Record<string, readonly string[] | undefined>>)[kind];
  return correctable !== undefined && correctable.includes(from);
}
