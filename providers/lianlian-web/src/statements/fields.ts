// Column readers of the statement line parser. Each reads one column in place, as the range
// [start, end) of the decoded chunk text, without slicing, regexes or closures: a statement file
// has a million lines and each has up to 19 columns. Every reader gives exactly what core's
// parseDecimal / parseCst give for the same text (test/statements-fields.test.ts checks this
// property against them); anything outside the fast path is handed to core itself.
import { fastMinorUnits, parseCst, parseDecimal, type CurrencyCode, type Money, type PayResult } from '@paykit/core';

// Core's range reader of decimals, re-exported: the line parser reads amounts with it in place.
export { fastMinorUnits };

/**
 * Whether a UTF-16 code unit is white space as `String.prototype.trim` and the regex `\s` see it
 * (ECMAScript WhiteSpace and LineTerminator).
 */
export function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f
    || c === 0x3000 || c === 0xfeff;
}

/** Whether `text[start, end)` is exactly `count` ASCII digits. */
export function isDigits(text: string, start: number, end: number, count: number): boolean {
  if (end - start !== count) return false;
  for (let i = start; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Whether `text[start, end)` is 1 to `max` characters, none of them white space (`^\S{1,max}$`). */
export function isToken(text: string, start: number, end: number, max: number): boolean {
  if (end <= start || end - start > max) return false;
  for (let i = start; i < end; i += 1) {
    const c = text.charCodeAt(i);
    // Printable ASCII is never space; only the rest needs the full test.
    if ((c <= 0x20 || c >= 0x7f) && isSpace(c)) return false;
  }
  return true;
}

/** Whether `text[start, end)` is a plain decimal of 1–12 digits with an optional 1–12-digit fraction. */
export function isRate(text: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i += 1;
  const whole = i - start;
  if (whole < 1 || whole > 12) return false;
  if (i === end) return true;
  if (text.charCodeAt(i) !== 0x2e) return false;
  const from = i + 1;
  for (i = from; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return end - from >= 1 && end - from <= 12;
}

/**
 * The amount `text[start, end)` in `currency` as parseDecimal (negatives allowed) reads it: the
 * path for what core's `fastMinorUnits` leaves (NaN), so its error or its exact big value is core's.
 */
export function slowAmount(text: string, start: number, end: number, currency: CurrencyCode): PayResult<Money> {
  return parseDecimal(text.slice(start, end), currency, { allowNegative: true });
}

/** Bound of {@link DayCache}: a file spans a day or a month, so a few distinct days at most. */
const DAY_CACHE_LIMIT = 1024;

/**
 * China Standard Time midnights of the days met in a file, keyed by `yyyymmdd` as an integer;
 * NaN for a day that does not exist. Each distinct day is checked once, by core's parseCst.
 */
export class DayCache {
  readonly #days = new Map<number, number>();
  #lastKey = -1;
  #lastMs = Number.NaN;

  /** Midnight (epoch ms) of the 8-digit day at `text[start, start + 8)`, NaN when not a real day or not digits. */
  midnight(text: string, start: number): number {
    let key = 0;
    for (let i = start; i < start + 8; i += 1) {
      const c = text.charCodeAt(i);
      if (c < 0x30 || c > 0x39) return Number.NaN;
      key = key * 10 + (c - 0x30);
    }
    if (key === this.#lastKey) return this.#lastMs;
    let ms = this.#days.get(key);
    if (ms === undefined) {
      const day = parseCst(text.slice(start, start + 8));
      ms = day.isOk() ? day.value.getTime() : Number.NaN;
      if (this.#days.size >= DAY_CACHE_LIMIT) this.#days.clear();
      this.#days.set(key, ms);
    }
    this.#lastKey = key;
    this.#lastMs = ms;
    return ms;
  }

  /** Whether `text[start, end)` is a real `YYYYMMDD` day. */
  isDay(text: string, start: number, end: number): boolean {
    return end - start === 8 && this.midnight(text, start) === this.midnight(text, start);
  }

  /**
   * Epoch ms of `yyyymmdd[ ]hh[:]mm[:]ss` China Standard Time at `text[start, end)` (the forms
   * of both layouts), NaN when it is not one or not a real time; the same instant parseCst gives.
   */
  dateTime(text: string, start: number, end: number): number {
    if (end - start < 14) return Number.NaN;
    const day = this.midnight(text, start);
    if (day !== day) return Number.NaN;
    let i = start + 8;
    if (text.charCodeAt(i) === 0x20) i += 1;
    const h = twoDigits(text, i);
    i += 2;
    if (text.charCodeAt(i) === 0x3a) i += 1;
    const m = twoDigits(text, i);
    i += 2;
    if (text.charCodeAt(i) === 0x3a) i += 1;
    const s = twoDigits(text, i);
    if (i + 2 !== end || !(h < 24 && m < 60 && s < 60)) return Number.NaN;
    return day + h * 3_600_000 + m * 60_000 + s * 1000;
  }
}

/** The two digits at `text[i, i + 2)` as a number, NaN when either is not a digit (or is past the end). */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 0x30;
  const b = text.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}
