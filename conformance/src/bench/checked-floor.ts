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

/**
 * The signing text over every key the message carries, sorted per message (a field the provider
 * adds later is covered): `k=v&k=v`, `sign` and empty values left out, and the literal `"null"`
 * too when `skipNullLiteral`.
 */
export function sortedSigningText(fields: Readonly<Record<string, string>>, skipNullLiteral = false): string {
  let text = '';
  for (const k of Object.keys(fields).sort()) {
    const v = fields[k] as string;
    if (k !== 'sign' && v !== '' && !(skipNullLiteral && v === 'null')) text += `${text === '' ? '' : '&'}${k}=${v}`;
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
