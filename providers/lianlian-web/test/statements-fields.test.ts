import { expect } from 'chai';
import fc from 'fast-check';
import { parseCst, parseDecimal, type CurrencyCode } from '@paykit/core';
import { DayCache, fastMinorUnits, isSpace, slowAmount } from '../src/statements/fields.js';
import { parseStatementLine } from '../src/statements/index.js';

const PARTNER = '201403251000001147';

// What the line parser does with an amount column: the fast path, else core.
function readAmount(text: string, currency: CurrencyCode, exponent: number) {
  const n = fastMinorUnits(text, 0, text.length, exponent);
  return Number.isNaN(n) ? slowAmount(text, 0, text.length, currency) : { amount: n, currency };
}

// Amount-like text: digits, signs, points, spaces, exponents and the odd letter, any length.
const amountish = fc.array(fc.constantFrom('0', '1', '5', '9', '.', '-', '+', ' ', 'e', 'x', '٣'), { maxLength: 24 }).map((a) => a.join(''));
// Well-formed decimals: an optional minus, 1–20 whole digits (leading zeros allowed), 0–3 decimals.
const decimal = fc.tuple(fc.boolean(), fc.stringMatching(/^\d{1,20}$/), fc.stringMatching(/^(\.\d{1,3})?$/)).map(([neg, w, f]) => `${neg ? '-' : ''}${w}${f}`);

describe('LianLian statement column readers', () => {
  context('when reading an amount', () => {
    for (const [currency, exponent] of [['CNY', 2], ['JPY', 0]] as const) {
      it(`gives exactly what core parseDecimal gives for any text (${currency})`, () => {
        fc.assert(fc.property(fc.oneof(amountish, decimal), (text) => {
          const mine = readAmount(text, currency, exponent);
          const core = parseDecimal(text, currency, { allowNegative: true });
          if (core.isErr()) return 'isErr' in mine && mine.isErr();
          const value = 'isOk' in mine ? mine._unsafeUnwrap() : mine;
          // Object.is: "-0.00" must be 0, never -0.
          return Object.is(value.amount, core.value.amount) && value.currency === core.value.currency;
        }), { numRuns: 20_000 });
      });
    }

    it('takes the integer fast path for every well-formed amount of up to 15 digits, exactly', () => {
      fc.assert(fc.property(fc.boolean(), fc.stringMatching(/^\d{1,13}$/), fc.stringMatching(/^\d{0,2}$/), (neg, whole, frac) => {
        const text = `${neg ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`;
        // Independent: the digits with the fraction padded to 2 places, as a bigint.
        const expected = BigInt(`${neg ? '-' : ''}${whole}${frac.padEnd(2, '0')}`);
        const n = fastMinorUnits(text, 0, text.length, 2);
        return Number.isSafeInteger(n) && BigInt(n) === expected && !Object.is(n, -0);
      }), { numRuns: 20_000 });
    });

    it('reads the column in place inside a longer text', () => {
      expect(fastMinorUnits('x|12.5|y', 2, 6, 2)).to.equal(1250);
      expect(fastMinorUnits('x|-0.01|y', 2, 7, 2)).to.equal(-1);
      expect(fastMinorUnits('x|1.005|y', 2, 7, 2)).to.be.NaN;
    });

    it('gives the line entry the amount parseDecimal gives', () => {
      fc.assert(fc.property(decimal, (text) => {
        const line = `O1,${PARTNER},20140528 16:35:56,101001,P1,20140528,${text},0,${text.startsWith('-') ? 5 : 0},20140528 16:35:56,0,WEB支付网关,储蓄卡快捷支付,x`;
        const r = parseStatementLine(line, 1, 'comma', { family: 'transactions', currency: 'CNY' });
        const core = parseDecimal(text, 'CNY', { allowNegative: true });
        if (core.isErr()) return r.isErr() && r.error.path === 'line 1.money_order';
        // A negative non-refund is not a line error here: status 5 is set for negative text.
        return r.isOk() && Object.is(r.value.amount.amount, core.value.amount);
      }), { numRuns: 5000 });
    });
  });

  context('when reading a China Standard Time', () => {
    const digits = (n: number) => fc.stringMatching(new RegExp(`^\\d{${n}}$`));
    // Mostly plausible dates and times (so real ones are common), sometimes anything.
    const stamp = fc.tuple(
      fc.oneof(fc.integer({ min: 1990, max: 2100 }).map(String), digits(4)),
      fc.oneof(fc.integer({ min: 1, max: 12 }).map((m) => String(m).padStart(2, '0')), digits(2)),
      fc.oneof(fc.integer({ min: 1, max: 31 }).map((d) => String(d).padStart(2, '0')), digits(2)),
      fc.oneof(fc.integer({ min: 0, max: 24 }).map((h) => String(h).padStart(2, '0')), digits(2)),
      fc.oneof(fc.integer({ min: 0, max: 60 }).map((m) => String(m).padStart(2, '0')), digits(2)),
      fc.oneof(fc.integer({ min: 0, max: 60 }).map((s) => String(s).padStart(2, '0')), digits(2)),
    );

    it('gives the instant parseCst gives, or none when parseCst refuses, in both layouts\' forms', () => {
      fc.assert(fc.property(stamp, fc.boolean(), ([y, mo, d, h, mi, s], spaced) => {
        const compact = `${y}${mo}${d}${h}${mi}${s}`;
        const text = spaced ? `${y}${mo}${d} ${h}:${mi}:${s}` : compact;
        const core = parseCst(compact);
        const ms = new DayCache().dateTime(text, 0, text.length);
        return core.isOk() ? ms === core.value.getTime() : Number.isNaN(ms);
      }), { numRuns: 20_000 });
    });

    it('gives the same instants when one cache reads many stamps (as in a file)', () => {
      const cache = new DayCache();
      fc.assert(fc.property(stamp, ([y, mo, d, h, mi, s]) => {
        const text = `${y}${mo}${d}${h}${mi}${s}`;
        const core = parseCst(text);
        const ms = cache.dateTime(text, 0, text.length);
        return core.isOk() ? ms === core.value.getTime() : Number.isNaN(ms);
      }), { numRuns: 20_000 });
    });

    it('refuses malformed forms', () => {
      const cache = new DayCache();
      for (const text of ['2014052816355', '20140528 16:35', '20140528-16:35:56', '20140528 16:35:5x', '201405281635566', '2014/05/2816:35:56']) {
        expect(cache.dateTime(text, 0, text.length), text).to.be.NaN;
      }
      expect(cache.isDay('20140229', 0, 8)).to.equal(false);
      expect(cache.isDay('20240229', 0, 8)).to.equal(true);
    });
  });

  context('when trimming columns', () => {
    it('treats exactly the characters of String.prototype.trim as white space', () => {
      for (let c = 0; c <= 0xffff; c += 1) {
        if (isSpace(c) !== /\s/.test(String.fromCharCode(c))) expect.fail(`U+${c.toString(16)}`);
      }
    });
  });
});
