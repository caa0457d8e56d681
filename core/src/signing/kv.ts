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

/** The last key list {@link sortedKeys} sorted, and its order: messages of one kind come with the same keys. */
let lastKeys: readonly string[] = [];
let lastSorted: readonly string[] = [];

/**
 * The keys of `fields` in ascending code-unit order. A message has a few dozen keys at most, for
 * which an insertion sort comparing with `<` is about three times faster than `Array#sort`; when
 * the keys are those of the previous call, in the same order, its sorted list is returned again
 * (comparing the lists is cheaper than sorting them).
 */
function sortedKeys(fields: Readonly<Record<string, unknown>>): readonly string[] {
  const keys = Object.keys(fields);
  if (sameList(keys, lastKeys)) return lastSorted;
  const sorted = keys.slice();
  if (sorted.length > 64) sorted.sort();
  else {
    for (let i = 1; i < sorted.length; i++) {
      const key = sorted[i] as string;
      let j = i - 1;
      while (j >= 0 && (sorted[j] as string) > key) {
        sorted[j + 1] = sorted[j] as string;
        j--;
      }
      sorted[j + 1] = key;
    }
  }
  lastKeys = keys;
  lastSorted = sorted;
  return sorted;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
