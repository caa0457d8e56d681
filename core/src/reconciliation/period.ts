import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult } from '../errors/result.js';
import type { DayRange } from '../plugin/capabilities.js';
import { formatCstDate } from '../time/cst.js';

/** A checked reconciliation period. */
export interface CheckedPeriod {
  /** The instance. */
  readonly instance: string;
  /** A day or a month. */
  readonly kind: 'day' | 'month';
  /** `YYYY-MM-DD` or `YYYY-MM`, as given. */
  readonly value: string;
  /** First day, `YYYY-MM-DD`. */
  readonly from: string;
  /** Last day, `YYYY-MM-DD`. */
  readonly to: string;
  /** The same days as the providers take them (`YYYYMMDD`). */
  readonly range: DayRange;
}

const INSTANCE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function daysIn(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one (UTC arithmetic on whole days only).
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Checks `{ instance, date: 'YYYY-MM-DD' }` or `{ instance, month: 'YYYY-MM' }`; every problem is an
 * `InvalidRequest` naming the field.
 */
export function checkPeriod(input: unknown): PayResult<CheckedPeriod> {
  return guard('checkPeriod', () => check(input));
}

function check(input: unknown): PayResult<CheckedPeriod> {
  if (typeof input !== 'object' || input === null) {
    return err(PaymentErrors.invalidRequest('the period must be { instance, date: "YYYY-MM-DD" } or { instance, month: "YYYY-MM" }', { path: 'period' }));
  }
  const p = input as { instance?: unknown; date?: unknown; month?: unknown };
  if (typeof p.instance !== 'string' || !INSTANCE.test(p.instance)) {
    return err(PaymentErrors.invalidRequest('period.instance must be the id of a configured instance (letters, digits, "-", "_", ".")', { path: 'instance' }));
  }
  if ((p.date === undefined) === (p.month === undefined)) {
    return err(PaymentErrors.invalidRequest('give either period.date ("YYYY-MM-DD") or period.month ("YYYY-MM"), not both or neither', { path: 'date' }));
  }
  if (p.date !== undefined) {
    const m = typeof p.date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(p.date) : null;
    const y = Number(m?.[1]);
    const mo = Number(m?.[2]);
    const d = Number(m?.[3]);
    if (!m || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) {
      return err(PaymentErrors.invalidRequest(`period.date "${String(p.date).slice(0, 20)}" is not a real day: use YYYY-MM-DD`, { path: 'date' }));
    }
    const day = p.date as string;
    return ok({ instance: p.instance, kind: 'day', value: day, from: day, to: day, range: { from: compact(day), to: compact(day) } });
  }
  const m = typeof p.month === 'string' ? /^(\d{4})-(\d{2})$/.exec(p.month) : null;
  const mo = Number(m?.[2]);
  if (!m || mo < 1 || mo > 12) return err(PaymentErrors.invalidRequest(`period.month "${String(p.month).slice(0, 20)}" is not a month: use YYYY-MM`, { path: 'month' }));
  const month = p.month as string;
  const from = `${month}-01`;
  const to = `${month}-${String(daysIn(Number(m[1]), mo)).padStart(2, '0')}`;
  return ok({ instance: p.instance, kind: 'month', value: month, from, to, range: { from: compact(from), to: compact(to) } });
}

/** `YYYY-MM-DD` → `YYYYMMDD`. */
export function compact(day: string): string {
  return day.replace(/-/g, '');
}

/** `YYYYMMDD` → `YYYY-MM-DD`; undefined for anything else. */
export function dashed(day: string | undefined): string | undefined {
  return day !== undefined && /^\d{8}$/.test(day) ? `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}` : undefined;
}

/** The China Standard Time day of an instant, `YYYY-MM-DD`; undefined for an invalid date. */
export function cstDay(at: Date | string | undefined): string | undefined {
  if (at === undefined) return undefined;
  const d = at instanceof Date ? at : new Date(at);
  return Number.isNaN(d.getTime()) ? undefined : dashed(formatCstDate(d));
}

/**
 * `dashed` with the last answer kept: the lines and records of a period nearly all carry the same
 * settlement day, and this runs for each of millions.
 */
export function dashedCache(): (day: string | undefined) => string | undefined {
  let lastIn: string | undefined;
  let lastOut: string | undefined;
  return (day) => {
    if (day === undefined) return undefined;
    if (day !== lastIn) {
      lastIn = day;
      lastOut = dashed(day);
    }
    return lastOut;
  };
}
