// Internal to core (not re-exported by the errors index): how messages quote values they were given.

/** What a message says in place of a value that cannot be turned into text. */
export const UNPRINTABLE = '(a value that cannot be shown as text)';

/** A value given where text belongs, as text; never throws (a `toString` that throws gives a placeholder). */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return String(v);
  } catch {
    return UNPRINTABLE;
  }
}

/** What kind of value `v` is, for a message saying what was given (`null`, `undefined`, `number`, `object`…); never reads it. */
export function kindOf(v: unknown): string {
  return v === null ? 'null' : typeof v;
}
