/**
 * The parts every provider's checked-floor bench side shares: a hand-written notification path
 * with the checks the spec requires and no library, against which a plugin is compared. Each
 * provider's side adds its own sign type, verification, amount and report.
 */

/** One field's rule from a spec table: its name, length range, form, and whether it is required. */
export type FieldRule = readonly [name: string, min: number, max: number, form: RegExp | undefined, required: boolean];

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The body as a flat JSON object of strings (strict UTF-8, at most 64 KiB), or undefined. */
export function flatStringFields(body: Uint8Array): Record<string, string> | undefined {
  if (body.length === 0 || body.length > 65_536) return undefined;
  const json = JSON.parse(STRICT_UTF8.decode(body)) as unknown;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const f = json as Record<string, unknown>;
  for (const k in f) if (typeof f[k] !== 'string') return undefined;
  return f as Record<string, string>;
}

/** The keys a spec table lists (sign and sign type included), sorted, and as a set: see {@link sortedSigningText}. */
export interface KnownKeys {
  /** The keys in signing order. */
  readonly sorted: readonly string[];
  /** The same keys, to look one up. */
  readonly set: ReadonlySet<string>;
}

/** The {@link KnownKeys} of a table's field rules plus any other keys the message signs (`sign_type`). */
export function knownKeysOf(rules: readonly FieldRule[], ...others: string[]): KnownKeys {
  const sorted = [...rules.map((r) => r[0]), ...others].sort();
  return { sorted, set: new Set(sorted) };
}

/**
 * The signing text over every key the message carries (a field the provider adds later is
 * covered): `k=v&k=v`, `sign` and empty values left out, and the literal `"null"` too when
 * `skipNullLiteral`. A message whose keys are all in `known` is signed in the table's sorted order,
 * with no sort; only one carrying another key is sorted.
 */
export function sortedSigningText(fields: Readonly<Record<string, string>>, known: KnownKeys, skipNullLiteral = false): string {
  let onlyKnown = true;
  for (const k in fields) {
    if (!known.set.has(k)) {
      onlyKnown = false;
      break;
    }
  }
  let text = '';
  for (const k of onlyKnown ? known.sorted : Object.keys(fields).sort()) {
    const v = fields[k];
    if (v !== undefined && k !== 'sign' && v !== '' && !(skipNullLiteral && v === 'null')) text += `${text === '' ? '' : '&'}${k}=${v}`;
  }
  return text;
}

/** Whether every field keeps its rule: required ones present, each within its length and form. */
export function fieldsKeepRules(fields: Readonly<Record<string, string>>, rules: readonly FieldRule[]): boolean {
  for (const [name, min, max, form, required] of rules) {
    const v = fields[name];
    if (v === undefined ? required : v.length < min || v.length > max || (form !== undefined && !form.test(v))) return false;
  }
  return true;
}

const NOT_BASE64 = /[^A-Za-z0-9+/=]/;

/**
 * Whether `s` is base64 as providers send it, nothing else (node's decoder skips characters it
 * does not know): no character outside the alphabet, `=` only as the last one or two.
 */
export function isStrictBase64(s: string): boolean {
  if (s.length === 0 || NOT_BASE64.test(s)) return false;
  const pad = s.indexOf('=');
  return pad === -1 || (pad > 0 && pad >= s.length - 2 && (pad === s.length - 1 || s.charCodeAt(pad + 1) === 61));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const twoDigits = (t: string, i: number): number => (t.charCodeAt(i) - 48) * 10 + t.charCodeAt(i + 1) - 48;

/**
 * A `YYYYMMDDHHmmss` of 14 digits (checked beforehand), in China Standard Time, as a date; undefined
 * when it is not a real time.
 */
export function cstTime(t: string): Date | undefined {
  const y = twoDigits(t, 0) * 100 + twoDigits(t, 2);
  const mo = twoDigits(t, 4);
  const d = twoDigits(t, 6);
  const h = twoDigits(t, 8);
  const mi = twoDigits(t, 10);
  const sec = twoDigits(t, 12);
  const leapDay = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 1 : 0;
  if (mo < 1 || mo > 12 || d < 1 || d > (DAYS_IN_MONTH[mo - 1] as number) + leapDay || h > 23 || mi > 59 || sec > 59) return undefined;
  return new Date(Date.UTC(y, mo - 1, d, h - 8, mi, sec));
}
