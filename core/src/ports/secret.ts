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

/** Masks a card or account number: first 6 and last 4 digits kept for 13+ digit numbers, else last 4. */
export function maskCardNumber(card: string): string {
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

/**
 * Masks every card-number-like run in a text: 13–19 digits standing as a word of their own, written
 * together or in groups separated by single spaces or dashes (`6222 0212 3456 7890`). Digits glued
 * to letters (`DEMO1795316657123`) are identifiers, and 14-digit timestamps stay readable.
 */
export function maskCardNumbersIn(text: string): string {
  return text.replace(/(?<![\w-])\d(?:[ -]?\d){12,18}(?![\w])/g, (m) => {
    const digits = m.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19) return m;
    if (digits.length === 14 && digits === m && isTimestamp(digits)) return m;
    return maskCardNumber(digits);
  });
}
