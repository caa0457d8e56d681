/** A day in China Standard Time, as the providers write it (`compact`) and as paykit's periods take it (`dashed`). */
export interface CstDay {
  /** `YYYYMMDD`. */
  readonly compact: string;
  /** `YYYY-MM-DD`. */
  readonly dashed: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The day in China Standard Time (UTC+8, no daylight saving) at `ms` since the epoch. */
export function cstDayAt(ms: number): CstDay {
  const compact = new Date(ms + 8 * HOUR_MS).toISOString().slice(0, 10).replace(/-/g, '');
  return { compact, dashed: `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}` };
}

/**
 * Today in China Standard Time, the day a test's simulated traffic made right after lands on (the
 * simulators date it with the real clock). Called within `marginMs` of midnight CST (16:00 UTC),
 * it first waits for the new day, so that traffic made right after stays on one day, whatever
 * hour the test suite runs. For tests; ask for it just before making the traffic, not when the file
 * loads. Resolves within `marginMs` plus a few milliseconds.
 *
 * @example
 * ```ts
 * const day = await trafficDay();
 * await payAnOrder(); // dated today
 * const report = await paykit.reconcile({ instance: 'shop', date: day.dashed });
 * ```
 */
export async function trafficDay(marginMs = 10_000, now: () => number = Date.now): Promise<CstDay> {
  const untilMidnight = DAY_MS - ((now() + 8 * HOUR_MS) % DAY_MS);
  if (untilMidnight <= marginMs) await new Promise((resolve) => setTimeout(resolve, untilMidnight + 20));
  return cstDayAt(now());
}
