/**
 * The simulator's own reading of the Example Pay protocol, written independently of the plugin
 * (node:crypto directly, its own decimal parsing), so that a plugin bug cannot hide behind a
 * simulator that shares its code.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Minor-unit exponents of the currencies Example Pay settles. */
export const SIM_EXPONENTS: Readonly<Record<string, number>> = { CNY: 2, USD: 2, JPY: 0 };

/** The HMAC-SHA256 signature of fields (sorted `k=v&…`, empty values and `sign` left out), hex. */
export function simSign(fields: Readonly<Record<string, string | undefined>>, key: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== undefined && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k] ?? ''}`)
    .join('&');
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

/** Whether the fields carry a valid signature. */
export function simVerify(fields: Readonly<Record<string, string | undefined>>, key: string): boolean {
  const given = Buffer.from(fields.sign ?? '', 'utf8');
  const expected = Buffer.from(simSign(fields, key), 'utf8');
  return fields.sign_type === 'HMAC-SHA256' && given.length === expected.length && timingSafeEqual(given, expected);
}

/** Minor units of a wire decimal amount, or undefined when it is not a valid amount in the currency. */
export function simMinorUnits(amount: string | undefined, currency: string | undefined): number | undefined {
  const exponent = currency === undefined ? undefined : SIM_EXPONENTS[currency];
  const m = amount === undefined ? null : /^(\d{1,16})(?:\.(\d+))?$/.exec(amount);
  if (exponent === undefined || m === null) return undefined;
  const frac = m[2] ?? '';
  if (frac.length > exponent) return undefined;
  const minor = BigInt(`${m[1] ?? '0'}${frac.padEnd(exponent, '0')}`);
  return minor > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(minor);
}

/** A minor-unit count as the wire decimal string of the currency (`4965` CNY → `"49.65"`). */
export function simDecimal(minor: number, currency: string): string {
  const exponent = SIM_EXPONENTS[currency] ?? 2;
  if (exponent === 0) return String(minor);
  const digits = String(minor).padStart(exponent + 1, '0');
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** `YYYYMMDDHHmmss` in China Standard Time (UTC+8). */
export function simCstTimestamp(at: Date): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Example Pay's fee on a line: 0.6 % of the amount, rounded half up to a minor unit (the simulator's contract). */
export const SIM_FEE_BASIS_POINTS = 60;

/** The simulator's fee for an amount of minor units (integer arithmetic). */
export function simFee(amountMinor: number): number {
  return Math.floor((Math.abs(amountMinor) * SIM_FEE_BASIS_POINTS + 5000) / 10000);
}

/** `YYYYMMDD` of an instant in China Standard Time. */
export function simCstDay(at: Date): string {
  return simCstTimestamp(at).slice(0, 8);
}
