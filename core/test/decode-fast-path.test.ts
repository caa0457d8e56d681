/**
 * `decodeWith` accepts a record whose every field a record codec accepts unchanged without building
 * io-ts's per-field context, and decodes in full otherwise. Whatever path it takes, its result must
 * be exactly io-ts's: the same value (the input itself, or the transformed copy), the same refusals.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as t from 'io-ts';
import { isRight } from 'fp-ts/lib/Either.js';
import { decodeWith } from '../src/index.js';

/** A string of 1–8 digits. */
const Digits = new t.Type<string, string, unknown>('Digits', (u): u is string => typeof u === 'string' && /^\d{1,8}$/.test(u),
  (u, c) => (typeof u === 'string' && /^\d{1,8}$/.test(u) ? t.success(u) : t.failure(u, c, 'expected 1-8 digits')), t.identity);
/** A codec that transforms: a digit string becomes a number. */
const NumberFromDigits = new t.Type<number, string, unknown>('NumberFromDigits', (u): u is number => typeof u === 'number',
  (u, c) => (typeof u === 'string' && /^\d{1,8}$/.test(u) ? t.success(Number(u)) : t.failure(u, c, 'expected 1-8 digits')), String);
/** A codec that gives a value for a missing field. */
const DefaultedDigits = new t.Type<string, string, unknown>('DefaultedDigits', (u): u is string => typeof u === 'string',
  (u, c) => (u === undefined ? t.success('0') : Digits.validate(u, c)), t.identity);

const codecs = {
  plain: t.intersection([t.type({ a: Digits, b: t.literal('X') }), t.partial({ c: Digits, d: t.keyof({ Y: null, N: null }) })]),
  transforming: t.intersection([t.type({ a: NumberFromDigits }), t.partial({ c: Digits })]),
  optionalUndefined: t.type({ a: Digits, u: t.union([t.undefined, Digits]) }),
  defaulted: t.partial({ a: DefaultedDigits, c: Digits }),
  nested: t.intersection([t.type({ a: Digits }), t.intersection([t.partial({ c: Digits }), t.type({ b: t.literal('X') })])]),
  exact: t.exact(t.type({ a: Digits })),
} as const;

const value = fc.oneof(fc.constantFrom('1', '42', 'X', 'Y', 'N', '', 'abc', '123456789'), fc.constant(undefined), fc.integer(), fc.constant(null));
const record = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'u', 'extra'), value);
const input = fc.oneof(record, record, record, fc.constantFrom(null, undefined, 'text', 7, [] as unknown));

describe('decodeWith: the path that skips io-ts contexts gives io-ts\'s own results', () => {
  for (const [name, codec] of Object.entries(codecs) as [string, t.Decoder<unknown, unknown>][]) {
    it(`${name}: the same value or the same refusal as codec.decode, for any input`, () => {
      fc.assert(fc.property(input, (u) => {
        const ours = decodeWith(codec, u, 'm', 'reply');
        const theirs: t.Validation<unknown> = codec.decode(u);
        expect(ours.isOk()).to.equal(isRight(theirs));
        if (ours.isOk() && isRight(theirs)) {
          expect(ours.value).to.deep.equal(theirs.right);
          // Identity too: io-ts returns the input itself when nothing changed, a copy otherwise.
          expect(ours.value === u).to.equal(theirs.right === u);
        }
      }), { numRuns: 2000 });
    });
  }

  it('returns the transformed copy, not the input, when a field codec transforms', () => {
    const input = { a: '42', c: '7' };
    const r = decodeWith(codecs.transforming, input, 'm', 'reply');
    expect(r.isOk() && r.value).to.deep.equal({ a: 42, c: '7' });
  });

  it('adds a field a codec gives a value for when the message lacks it', () => {
    const r = decodeWith(codecs.defaulted, { c: '1' }, 'm', 'reply');
    expect(r.isOk() && r.value).to.deep.equal({ a: '0', c: '1' });
  });

  it('keeps fields no codec names (t.type and t.partial do) and drops them under t.exact', () => {
    expect(decodeWith(codecs.plain, { a: '1', b: 'X', extra: 'kept' }, 'm')._unsafeUnwrap()).to.deep.equal({ a: '1', b: 'X', extra: 'kept' });
    expect(decodeWith(codecs.exact, { a: '1', extra: 'dropped' }, 'm')._unsafeUnwrap()).to.deep.equal({ a: '1' });
  });

  it('names the offending field when it refuses, as the full decode does', () => {
    const r = decodeWith(codecs.plain, { a: '1', b: 'X', c: 'abc' }, 'notification', 'reply');
    expect(r.isErr() && r.error.kind).to.equal('Decode');
    expect(r.isErr() && r.error.message).to.contain('notification.c: expected 1-8 digits');
  });
});
