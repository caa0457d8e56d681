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
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(reviveDates);
  const obj = value as Record<string, unknown>;
  if (typeof obj.$date === 'string' && onlyKey(obj)) return new Date(obj.$date);
  // Walked in place, without a list of keys per object: every record read goes through here
  // (reconciliation reads millions).
  for (const k in obj) {
    const v = obj[k];
    if (v !== null && typeof v === 'object') obj[k] = reviveDates(v);
  }
  return obj;
}

/** Whether a parsed JSON object has exactly one key. */
function onlyKey(obj: Record<string, unknown>): boolean {
  let n = 0;
  for (const _k in obj) {
    n += 1;
    if (n > 1) return false;
  }
  return n === 1;
}
