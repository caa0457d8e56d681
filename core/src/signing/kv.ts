/** Options for building a `k=v&…` string. */
export interface KvOptions {
  /** Field order: `sorted` (ascending by key, code-unit order) or an explicit list of keys. */
  readonly order: 'sorted' | readonly string[];
  /** Keys left out (e.g. `sign`, or unsigned reply fields). */
  readonly exclude?: readonly string[];
  /** Also skip fields whose value is the literal string `null` (LianLian's Java demo does). */
  readonly skipNullLiteral?: boolean;
  /** Pair separator, `&` by default. */
  readonly separator?: string;
}

const NONE: readonly string[] = [];

/**
 * The keys of `fields` in ascending code-unit order. A message has a few dozen keys at most, for
 * which an insertion sort comparing with `<` is about three times faster than `Array#sort`.
 */
function sortedKeys(fields: Readonly<Record<string, unknown>>): string[] {
  const keys = Object.keys(fields);
  if (keys.length > 64) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

/** A field value as it is signed: strings as is; objects as JSON text; empty/undefined skipped. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/**
 * Builds the `k=v&k=v` text that providers sign. Empty values are skipped.
 *
 * @example
 * ```ts
 * kvString({ b: '2', a: '1', sign: 'x', c: '' }, { order: 'sorted', exclude: ['sign'] }) // "a=1&b=2"
 * ```
 */
export function kvString(fields: Readonly<Record<string, unknown>>, o: KvOptions): string {
  // Built by concatenation over the keys, with no per-call set or array of parts: this runs for
  // every notification and reply a provider signs.
  const keys = o.order === 'sorted' ? sortedKeys(fields) : o.order;
  const exclude = o.exclude ?? NONE;
  const separator = o.separator ?? '&';
  let out = '';
  let first = true;
  for (const k of keys) {
    if (exclude.length > 0 && exclude.includes(k)) continue;
    const v = text(fields[k]);
    if (v === undefined || v === '') continue;
    if (o.skipNullLiteral === true && v === 'null') continue;
    out += first ? `${k}=${v}` : `${separator}${k}=${v}`;
    first = false;
  }
  return out;
}

/**
 * Parses a `k=v&k=v` text into fields without URL-decoding (provider reply bodies). A value may
 * contain `=`; the first `=` splits. Duplicate keys keep the last value.
 */
export function parseKv(textBody: string, separator = '&'): Record<string, string> {
  const out: Record<string, string> = {};
  if (textBody.length === 0) return out;
  for (const pair of textBody.split(separator)) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}
