import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * A secret value (MD5 key, private key, password) that never prints itself: `String()`,
 * `JSON.stringify`, template literals and `util.inspect` all give `[REDACTED]`.
 * Read it with {@link Secret.reveal} only where it is used.
 */
export class Secret {
  readonly #value: string;

  /** Wraps a secret string. */
  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself. Call only where it is used (signing, decryption). */
  reveal(): string {
    return this.#value;
  }

  /** Always `[REDACTED]`. */
  toString(): string {
    return REDACTED;
  }

  /** Always `[REDACTED]`. */
  toJSON(): string {
    return REDACTED;
  }

  /** Always `[REDACTED]`. */
  [inspect.custom](): string {
    return REDACTED;
  }
}

/** A value given where text belongs (JavaScript callers), as text; '' when it cannot be made text. */
function asText(v: unknown): string {
  try {
    return v === undefined || v === null ? '' : String(v);
  } catch {
    return '';
  }
}

/** Masks a card or account number: first 6 and last 4 digits kept for 13+ digit numbers, else last 4. */
export function maskCardNumber(card: string): string {
  if (typeof card !== 'string') return maskCardNumber(asText(card));
  const digits = card.replace(/\s+/g, '');
  if (digits.length >= 13) return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
  if (digits.length > 4) return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
  return '*'.repeat(digits.length);
}

/**
 * Whether 14 digits read as a `YYYYMMDDHHmmss` timestamp of 1900–2099. No card number has
 * exactly 14 digits and starts with 19 or 20 (14-digit cards are Diners, 30/36/38), so these
 * provider timestamps are left readable.
 */
function isTimestamp(digits: string): boolean {
  const m = /^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$/.exec(digits);
  return m !== null;
}

/** The Luhn check every card scheme's numbers pass (some UnionPay numbers excepted). */
function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i -= 1, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) d = d > 4 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Could this digit run be a card number: it passes the Luhn check, or it is UnionPay's (62…, not all of which pass it)? */
function couldBeCard(digits: string): boolean {
  return digits.startsWith('62') || passesLuhn(digits);
}

const LETTER = /[\p{L}_]/u;
const WORD = /[\p{L}\p{N}_]/u;
const ESCAPE_BEFORE = /%[0-9A-Fa-f]{2}$/;
const ESCAPE_AFTER = /^%[0-9A-Fa-f]{2}/;

/**
 * Whether a digit run is glued to a word: a letter or `_` right before or after it, or a `-` joining
 * it to one (`ORDER-…`). A percent escape next to it (`%3D…%26`) is a separator, not a letter.
 */
function gluedToWord(text: string, start: number, end: number): boolean {
  const before = text.slice(Math.max(0, start - 3), start);
  const after = text.slice(end, end + 3);
  const left = ESCAPE_BEFORE.test(before) ? undefined : before.at(-1);
  const right = ESCAPE_AFTER.test(after) ? undefined : after[0];
  const glued = (c: string | undefined, next: string | undefined): boolean => c !== undefined && (LETTER.test(c) || (c === '-' && next !== undefined && WORD.test(next)));
  return glued(left, before.at(-2)) || glued(right, after[1]);
}

/**
 * 13–19 digits, together or in groups split by single spaces, dashes, `+` or `%20` (form and URL
 * encodings of a space), with no digit right before or after, except the digits of a percent escape.
 */
const DIGIT_RUN = /(?:(?<=%[0-9A-Fa-f]{2})|(?<!\d))\d(?:(?:[ +-]|%20)?\d){12,18}(?!\d)/g;

/** Options of {@link maskCardNumbersIn}. */
export interface MaskOptions {
  /**
   * Leave readable every run that cannot be a card number (neither UnionPay's 62… nor passing the
   * Luhn check), standing alone or not: merchant, order and transaction numbers stay readable.
   * Errors use it; logs and the CLI mask every standalone run (default false).
   */
  readonly keepIdentifiers?: boolean;
}

/**
 * Masks every card-number-like run in a text: 13–19 digits, written together or in groups separated
 * by single spaces, dashes, `+` or `%20` (`6222 0212 3456 7890`), also inside percent-encoded text
 * (`card_no%3D6222…%26`). A run glued to letters (`DEMO1795316657123`, an identifier) stays readable
 * unless it could be a card number (it passes the Luhn check or starts with UnionPay's 62), and a
 * 14-digit timestamp standing alone stays readable. With `keepIdentifiers`, a standalone run is
 * judged like a glued one.
 */
export function maskCardNumbersIn(text: string, o: MaskOptions = {}): string {
  if (typeof text !== 'string') return maskCardNumbersIn(asText(text), o);
  const keep = o?.keepIdentifiers === true;
  return text.replace(DIGIT_RUN, (m: string, offset: number) => {
    const whole = maskedRun(text, m, offset, keep);
    if (whole !== undefined) return whole;
    // Read whole, the run is something else (an identifier, a timestamp); a group of it may still be
    // a card number on its own: in `A1 6222…` the "1 " joined the card's run and glued it to a word.
    if (!SEPARATOR.test(m)) return m;
    return m.replace(/\d{13,19}/g, (group: string, at: number) => maskedRun(text, group, offset + at, keep) ?? group);
  });
}

const SEPARATOR = /%20|[ +-]/;

/** A digit run found at `offset` of `text`, masked; undefined when it stays readable. */
function maskedRun(text: string, run: string, offset: number, keepIdentifiers: boolean): string | undefined {
  const digits = run.replace(/%20|[ +-]/g, '');
  if (digits.length < 13 || digits.length > 19) return undefined;
  // A 14-digit timestamp is no card number (see isTimestamp), in any mode.
  if (digits.length === 14 && digits === run && isTimestamp(digits)) return undefined;
  if (keepIdentifiers || gluedToWord(text, offset, offset + run.length)) return couldBeCard(digits) ? maskCardNumber(digits) : undefined;
  return maskCardNumber(digits);
}
