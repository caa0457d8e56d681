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

/** Replaces every run of 13–19 digits in a text with its masked form. */
export function maskCardNumbersIn(text: string): string {
  return text.replace(/(?<!\d)\d{13,19}(?!\d)/g, (m) => maskCardNumber(m));
}
