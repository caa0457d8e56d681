import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { err, ok } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { textOf } from '../errors/text.js';
import type { PayResult } from '../errors/result.js';
import { maskCardNumbersIn, Secret } from '../ports/secret.js';
import { isSensitiveField } from '../ports/logger.js';
import { EVENT_TYPES } from '../ports/event-log.js';

/** io-ts codec: a non-empty string that becomes a {@link Secret} (never printed). */
export const SecretFromString = new t.Type<Secret, string, unknown>(
  'Secret',
  (u): u is Secret => u instanceof Secret,
  (u, c) => (u instanceof Secret ? t.success(u)
    : typeof u === 'string' && u.length > 0 ? t.success(new Secret(u)) : t.failure(u === undefined ? undefined : '[REDACTED]', c, 'expected a non-empty secret string')),
  (s) => s.reveal(),
);

/** io-ts codec: an http(s) URL string. */
export const UrlString = new t.Type<string, string, unknown>(
  'Url',
  (u): u is string => typeof u === 'string',
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected a URL string');
    try {
      const url = new URL(u);
      return url.protocol === 'https:' || url.protocol === 'http:' ? t.success(u) : t.failure(u, c, 'expected an http(s) URL');
    } catch {
      return t.failure(u, c, 'expected an absolute URL such as https://example.com/notify');
    }
  },
  t.identity,
);

function describeValue(v: unknown): string {
  if (v === '[REDACTED]') return 'a value (hidden)';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `"${maskCardNumbersIn(v.slice(0, 40))}"`;
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}

function isCombinator(type: t.Decoder<unknown, unknown> | undefined): boolean {
  const tag = (type as { _tag?: unknown } | undefined)?._tag;
  return tag === 'IntersectionType' || tag === 'UnionType';
}

/**
 * Reports io-ts validation errors as one message naming each offending path and what was expected,
 * e.g. `instances.main.options.md5Key: expected a non-empty secret string, got nothing`.
 */
export function reportIoTsErrors(errors: t.Errors, root: string): { message: string; path: string } {
  const lines = new Map<string, string>();
  for (const e of errors) {
    // A key under an intersection or union is a member index ("0", "1"), not a field: leave it out.
    const keys = e.context.slice(1).filter((c, i) => !isCombinator(e.context[i]?.type)).map((c) => c.key);
    const path = [root, ...keys].filter((k) => k !== '').join('.');
    // Skip the noise of union/intersection members: keep the deepest message per path.
    const last = e.context[e.context.length - 1];
    const expected = e.message ?? `expected ${last?.type.name ?? 'a valid value'}`;
    // A secret's value is never shown, nor a card, account or id number's; a missing one is said
    // to be missing ("got nothing").
    const hidden = e.value !== undefined && (/secret|key|password/i.test(path) || isSensitiveField(String(keys[keys.length - 1] ?? ''))) ? '[REDACTED]' : e.value;
    lines.set(path, `${path}: ${expected}, got ${describeValue(hidden)}`);
  }
  const all = [...lines.values()];
  const firstPath = [...lines.keys()][0] ?? root;
  return { message: all.slice(0, 8).join('; ') + (all.length > 8 ? `; and ${all.length - 8} more` : ''), path: firstPath };
}

/** The context handed to field codecs on the fast path: only a failure reads it, and a failure is decoded again in full. */
const FAST_CONTEXT: t.Context = [];

/** One field of a record codec, as {@link acceptsUnchanged} checks it. */
interface FieldCheck {
  readonly key: string;
  readonly type: t.Mixed;
  readonly partial: boolean;
}

/** Each record codec's fields, flattened once (null: a codec of another kind, always decoded in full). */
const FIELDS_OF = new WeakMap<object, readonly FieldCheck[] | null>();

function fieldsOf(codec: unknown): readonly FieldCheck[] | null {
  if (typeof codec !== 'object' || codec === null) return null;
  let fields = FIELDS_OF.get(codec);
  if (fields === undefined) {
    fields = flatten(codec, []);
    FIELDS_OF.set(codec, fields);
  }
  return fields;
}

/** The fields of `t.type`, `t.partial` and intersections of them, in the order io-ts checks them; null for any other codec. */
function flatten(codec: unknown, out: FieldCheck[]): FieldCheck[] | null {
  const tagged = codec as { _tag?: string; props?: Record<string, t.Mixed>; types?: readonly unknown[] };
  switch (tagged._tag) {
    case 'IntersectionType':
      for (const member of tagged.types ?? []) if (flatten(member, out) === null) return null;
      return out;
    case 'InterfaceType':
    case 'PartialType':
      for (const key in tagged.props) out.push({ key, type: tagged.props[key] as t.Mixed, partial: tagged._tag === 'PartialType' });
      return out;
    default:
      return null;
  }
}

/**
 * True when every field of a record codec (`t.type`, `t.partial`, an intersection of them) accepts
 * `u`'s value unchanged, so that io-ts would return `u` itself; false when anything would fail or be
 * transformed, or the codec is of another kind. Validates each field without building io-ts's
 * per-field context (the path of an error), over the codec's fields flattened once: on false,
 * {@link decodeWith} decodes in full, so the errors and any transformed output are exactly io-ts's.
 */
function acceptsUnchanged(codec: unknown, u: unknown): boolean {
  if (u === null || typeof u !== 'object' || Array.isArray(u)) return false;
  const fields = fieldsOf(codec);
  if (fields === null) return false;
  const record = u as Record<string, unknown>;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as FieldCheck;
    const value = record[f.key];
    const result = f.type.validate(value, FAST_CONTEXT);
    if (isLeft(result)) {
      if (f.partial && value === undefined) continue;
      return false;
    }
    if (result.right !== value || (!f.partial && value === undefined && !Object.prototype.hasOwnProperty.call(record, f.key))) return false;
  }
  return true;
}

/** Decodes unknown input with a codec into a Result, with an error naming the paths to fix. */
export function decodeWith<A>(codec: t.Decoder<unknown, A>, input: unknown, root: string, kind: 'request' | 'config' | 'reply' = 'request'): PayResult<A> {
  let result: t.Validation<A>;
  try {
    if (acceptsUnchanged(codec, input)) return ok(input as A);
    result = codec.decode(input);
  } catch (e) {
    return err(PaymentErrors.internal(`${textOf(root)}: validator threw`, { cause: e }));
  }
  if (isLeft(result)) {
    // `root` is read only on failure, as text: whatever it is (a proxy, a symbol), the error is made.
    const { message, path } = reportIoTsErrors(result.left, textOf(root));
    if (kind === 'config') return err(PaymentErrors.invalidConfig(message, { path }));
    if (kind === 'reply') return err(PaymentErrors.decode(message, { path }));
    return err(PaymentErrors.invalidRequest(message, { path }));
  }
  return ok(result.right);
}

/**
 * An event type paykit publishes (`payment.succeeded`, `refund.failed`…, see `EVENT_TYPES`): a
 * misspelt one would match no event, and a consumer filtering on it would pass over every event.
 */
export const EventTypeCodec = new t.Type<string, string, unknown>('EventType', (u): u is string => typeof u === 'string' && EVENT_TYPES.includes(u),
  (u, c) => (typeof u === 'string' && EVENT_TYPES.includes(u) ? t.success(u)
    : t.failure(u, c, `expected an event type paykit publishes (<kind>.<status>): ${EVENT_TYPES.join(', ')}`)), t.identity);
