import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult } from '../errors/result.js';

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
