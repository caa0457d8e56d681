import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, type PayResult } from '../errors/result.js';

/** China Standard Time is UTC+8 all year (no daylight saving). */
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * Formats an instant as `YYYYMMDDHHmmss` in China Standard Time, whatever the host time zone.
 *
 * @example
 * ```ts
 * formatCst(new Date('2024-01-01T00:00:00Z')) // "20240101080000"
 * ```
 */
export function formatCst(at: Date): string {
  const t = new Date(at.getTime() + CST_OFFSET_MS);
  return `${t.getUTCFullYear()}${pad(t.getUTCMonth() + 1)}${pad(t.getUTCDate())}${pad(t.getUTCHours())}${pad(t.getUTCMinutes())}${pad(t.getUTCSeconds())}`;
}

/** Formats the China Standard Time date of an instant as `YYYYMMDD`. */
export function formatCstDate(at: Date): string {
  return formatCst(at).slice(0, 8);
}

/**
 * Parses `YYYYMMDDHHmmss` (or `YYYYMMDD`) given in China Standard Time into an instant.
 * Rejects impossible dates (Feb 30, hour 24…).
 */
export function parseCst(text: string, path = 'timestamp'): PayResult<Date> {
  // A real date written in digits needs no guard (nothing on this path can throw): this runs once
  // or twice for every notification and statement line. Anything else is reported under the guard.
  if (typeof text === 'string' && (text.length === 14 || text.length === 8) && allDigits(text)) {
    const at = cstInstant(text);
    if (at !== undefined) return ok(at);
  }
  return guard('parseCst', () => {
    const n = typeof text === 'string' ? text.length : 0;
    if ((n !== 14 && n !== 8) || !allDigits(text)) return err(PaymentErrors.invalidRequest(`${path} "${String(text).slice(0, 20)}" must be YYYYMMDDHHmmss (China Standard Time)`, { path }));
    return err(PaymentErrors.invalidRequest(`${path} "${text}" is not a real date and time`, { path }));
  });
}

/** The instant of 8 or 14 ASCII digits read as China Standard Time, or undefined for an impossible date. */
function cstInstant(text: string): Date | undefined {
  // Digits read in place, no intermediate array.
  const long = text.length === 14;
  const y = num(text, 0, 4);
  const mo = num(text, 4, 2);
  const d = num(text, 6, 2);
  const h = long ? num(text, 8, 2) : 0;
  const mi = long ? num(text, 10, 2) : 0;
  const s = long ? num(text, 12, 2) : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  if (y >= 100) return new Date(Date.UTC(y, mo - 1, d, h, mi, s) - CST_OFFSET_MS);
  const utc = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  utc.setUTCFullYear(y); // Date.UTC reads years 0-99 as 1900-1999
  return new Date(utc.getTime() - CST_OFFSET_MS);
}

/** Whether every character of `text` is an ASCII digit. */
function allDigits(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The number written by the `count` ASCII digits of `text` from `from`. */
function num(text: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i += 1) v = v * 10 + (text.charCodeAt(i) - 48);
  return v;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Whether a CST timestamp is within `maxAgeMs` of `now` (either side, for clock skew). */
export function isFresh(timestamp: Date, now: Date, maxAgeMs: number): boolean {
  return Math.abs(now.getTime() - timestamp.getTime()) <= maxAgeMs;
}

/**
 * The China Standard Time days of a range `{ from, to }` (`YYYYMMDD` each), in order, at most
 * `max` of them: for providers whose statements are asked for one day at a time. Errors name the
 * field; `tooLong` says why the range is limited.
 *
 * @example
 * ```ts
 * cstDaysOf({ from: '20240130', to: '20240202' }, 31, 'a statement covers at most 31 days')
 * // Ok(['20240130', '20240131', '20240201', '20240202'])
 * ```
 */
export function cstDaysOf(range: { readonly from: string; readonly to: string }, max: number, tooLong: string): PayResult<string[]> {
  return guard('cstDaysOf', () => {
    const from = parseCst(String(range?.from), 'range.from');
    const to = parseCst(String(range?.to), 'range.to');
    if (from.isErr()) return err(from.error);
    if (to.isErr()) return err(to.error);
    const days: string[] = [];
    for (let t = from.value.getTime(); t <= to.value.getTime(); t += 86_400_000) {
      days.push(formatCstDate(new Date(t)));
      if (days.length > max) return err(PaymentErrors.invalidRequest(tooLong, { path: 'range' }));
    }
    return days.length > 0 ? ok(days) : err(PaymentErrors.invalidRequest('range.from is after range.to', { path: 'range' }));
  });
}
