// Records are JSON with `Date`s in them (creation and request times). In the database a date is
// `{"$date": "<ISO 8601>"}`, turned back into a `Date` on the way out, so a record read back equals
// the one written.

/** Serialises a change set or record value to JSON, tagging dates. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, function tagDates(this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : v;
  });
}

/** Restores dates in a value read from the database (already parsed from jsonb by the driver). */
export function reviveDates(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveDates);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && keys[0] === '$date' && typeof obj.$date === 'string') return new Date(obj.$date);
  for (const k of keys) obj[k] = reviveDates(obj[k]);
  return obj;
}
