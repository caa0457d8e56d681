/**
 * Estimated arrival of a payout from LianLian's batch schedule (guide section 十): two batches a
 * day, at 10:30 and 14:00 China Standard Time. Before 10:30 → about 12:00 the same day;
 * 10:30–14:00 → about 17:00 the same day; after 14:00 → before 12:00 the next day.
 * The guide names no weekend or holiday rule, so none is applied.
 */
import { formatCst, parseCst } from '@paykit/core';

/** Which batch a payout submitted at a given time joins. */
export type PayoutBatch = 'morning' | 'afternoon' | 'next-day';

/** An arrival estimate. */
export interface ArrivalEstimate {
  /** The batch the payout joins. */
  readonly batch: PayoutBatch;
  /** The cut-off it made (CST `YYYYMMDDHHmmss`). */
  readonly cutoff: string;
  /** When the money should arrive (an instant; 12:00 or 17:00 CST). */
  readonly estimatedArrival: Date;
}

function at(day: string, hhmm: string): Date {
  // day is a formatCst date, so parseCst cannot fail here; fall back to epoch to keep the type total.
  return parseCst(`${day}${hhmm}00`).unwrapOr(new Date(0));
}

/**
 * Estimates when a payout submitted at `submittedAt` arrives (whatever the host time zone).
 *
 * @example
 * ```ts
 * estimateArrival(new Date('2024-03-01T01:00:00Z')) // 09:00 CST → morning batch, arrives 12:00 CST (04:00Z)
 * ```
 */
export function estimateArrival(submittedAt: Date): ArrivalEstimate {
  const cst = formatCst(submittedAt);
  const day = cst.slice(0, 8);
  const hhmm = cst.slice(8, 12);
  if (hhmm < '1030') return { batch: 'morning', cutoff: `${day}103000`, estimatedArrival: at(day, '1200') };
  if (hhmm < '1400') return { batch: 'afternoon', cutoff: `${day}140000`, estimatedArrival: at(day, '1700') };
  const next = formatCst(new Date(at(day, '1200').getTime() + 24 * 60 * 60 * 1000)).slice(0, 8);
  return { batch: 'next-day', cutoff: `${next}103000`, estimatedArrival: at(next, '1200') };
}
