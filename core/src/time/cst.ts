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
  return guard('parseCst', () => {
    const m = typeof text === 'string' ? /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/.exec(text) : null;
    if (!m) return err(PaymentErrors.invalidRequest(`${path} "${String(text).slice(0, 20)}" must be YYYYMMDDHHmmss (China Standard Time)`, { path }));
    const [y, mo, d, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number, number, number, number];
    const utc = Date.UTC(y, mo - 1, d, h, mi, s);
    const check = new Date(utc);
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || check.getUTCHours() !== h || check.getUTCMinutes() !== mi || check.getUTCSeconds() !== s) {
      return err(PaymentErrors.invalidRequest(`${path} "${text}" is not a real date and time`, { path }));
    }
    return ok(new Date(utc - CST_OFFSET_MS));
  });
}

/** Whether a CST timestamp is within `maxAgeMs` of `now` (either side, for clock skew). */
export function isFresh(timestamp: Date, now: Date, maxAgeMs: number): boolean {
  return Math.abs(now.getTime() - timestamp.getTime()) <= maxAgeMs;
}
