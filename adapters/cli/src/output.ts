import { formatPaymentError, isPaymentError, maskCardNumber, maskCardNumbersIn, maskFieldValue, redact, type PaymentError } from '@paykit/core';
import type { CliIo } from './io.js';

/** Exit codes: success, a failed operation or invalid input, a command line mistake. */
export const EXIT = { ok: 0, error: 1, usage: 2 } as const;

/** Prints a paykit error as one line on stderr and returns exit code 1. Never a stack trace. */
export function fail(io: CliIo, error: PaymentError): number {
  io.err(`error: ${formatPaymentError(error)}\n`);
  return EXIT.error;
}

/** Prints a command line mistake with a pointer to the help and returns exit code 2. */
export function usageError(io: CliIo, command: string, message: string): number {
  io.err(`paykit ${command}: ${message}\nRun "paykit ${command} --help" for usage.\n`);
  return EXIT.usage;
}

/** Describes anything thrown (a bug) in one line, without a stack trace. */
export function describeThrown(e: unknown): string {
  if (isPaymentError(e)) return formatPaymentError(e);
  if (e instanceof Error) return maskCardNumbersIn(`${e.name}: ${e.message}`);
  return maskCardNumbersIn(String(e));
}

/** Pretty JSON of a value after core's `redact` (secrets hidden, card numbers masked). */
export function redactedJson(value: unknown): string {
  return JSON.stringify(redact(value), null, 2) ?? 'undefined';
}

/** Indents every line of a text. */
export function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text.split('\n').map((line) => `${pad}${line}`).join('\n');
}

/** Card-number fields of signed texts: shown as the first 6 and last 4 digits, which is what users compare. */
const CARD_FIELDS = /^(card_no|cardNo|cardNumber|card_number|pan|acct_no|accountNumber)$/;

/**
 * Masks card numbers in a `k=v&…` text (a signed string), field by field, leaving every other
 * character exact: card-number fields (`card_no=…`, `cardNo=…`, `acct_no=…`) keep their first 6 and
 * last 4 digits, identifier fields (`oid_paybill`, `no_order`, `oid_partner`) are shown as they are,
 * and other values have card-number-like runs masked, glued to letters or not.
 */
export function maskCardFields(text: string): string {
  return text.replace(/(^|[&|\n])([^=&|\n]*)=([^&|\r\n]*)/g,
    (_m, sep: string, key: string, value: string) => `${sep}${key}=${CARD_FIELDS.test(key) ? maskCardNumber(value) : maskFieldValue(key, value)}`);
}
