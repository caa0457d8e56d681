import { expect } from 'chai';
import fc from 'fast-check';
import {
  addMoney, compareMoney, CURRENCIES, CURRENCY_CODES, currencyOf, fastMinorUnits, formatDecimal, formatMinorUnits, money,
  parseDecimal, parseMinorUnits, subtractMoney, sumMoney, type CurrencyCode, type Money, type PayResult,
} from '../src/index.js';

/** Unwraps an Ok, failing the test with the error message otherwise. */
function okValue<T>(r: PayResult<T>): T {
  if (r.isErr()) expect.fail(`expected Ok, got ${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/** Unwraps an Err, failing the test otherwise. */
function errValue<T>(r: PayResult<T>) {
  if (r.isOk()) expect.fail(`expected Err, got Ok(${JSON.stringify(r.value)})`);
  return r.error;
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

describe('money', () => {
  describe('currency registry', () => {
    // ISO 4217 table (alphabetic, numeric, minor unit) typed in from the standard, not read from the code.
    const iso: readonly [string, string, number][] = [
      ['CNY', '156', 2], ['USD', '840', 2], ['HKD', '344', 2], ['JPY', '392', 0], ['EUR', '978', 2],
      ['MYR', '458', 2], ['AUD', '036', 2], ['GBP', '826', 2], ['CAD', '124', 2], ['SGD', '702', 2], ['SEK', '752', 2],
    ];
    for (const [alpha, numeric, exponent] of iso) {
      context(`when looking up ${alpha}`, () => {
        it(`finds it by alphabetic code with exponent ${exponent}`, () => {
          const c = okValue(currencyOf(alpha));
          expect(c).to.deep.equal({ code: alpha, numeric, exponent });
        });
        it(`finds it by numeric code ${numeric}`, () => {
          expect(okValue(currencyOf(numeric)).code).to.equal(alpha);
        });
        it('accepts lower case', () => {
          expect(okValue(currencyOf(alpha.toLowerCase())).code).to.equal(alpha);
        });
      });
    }
    context('when the numeric code has no leading zero', () => {
      it('finds AUD by "36"', () => {
        expect(okValue(currencyOf('36')).code).to.equal('AUD');
      });
    });
    context('when the code is unknown', () => {
      it('is an InvalidRequest naming the known codes', () => {
        const e = errValue(currencyOf('XYZ'));
        expect(e.kind).to.equal('InvalidRequest');
        expect(e.message).to.contain('unknown currency "XYZ"').and.contain('CNY');
        expect(errValue(currencyOf('999')).kind).to.equal('InvalidRequest');
        expect(errValue(currencyOf('')).kind).to.equal('InvalidRequest');
      });
    });
  });

  describe('parseDecimal', () => {
    context('when the text is a plain decimal within the currency exponent', () => {
      const cases: readonly [string, string, number][] = [
        ['49.65', 'CNY', 4965], ['0.5', 'CNY', 50], ['100', 'CNY', 10000], ['1000', 'JPY', 1000],
        ['0.01', 'USD', 1], ['0', 'CNY', 0], ['0.00', 'CNY', 0], ['007.10', 'EUR', 710],
        ['90071992547409.91', 'CNY', Number.MAX_SAFE_INTEGER],
      ];
      for (const [text, currency, minor] of cases) {
        it(`parses "${text}" ${currency} exactly as ${minor} minor units`, () => {
          expect(okValue(parseDecimal(text, currency))).to.deep.equal({ amount: minor, currency });
        });
      }
      it('accepts the numeric currency code', () => {
        expect(okValue(parseDecimal('49.65', '156'))).to.deep.equal({ amount: 4965, currency: 'CNY' });
      });
    });

    context('when the text cannot be an exact amount', () => {
      const rejected: readonly [string, string, string][] = [
        ['1.005', 'CNY', 'allows at most 2'], ['1.5', 'JPY', 'allows at most 0'], ['-1', 'CNY', 'must not be negative'],
        ['1e3', 'CNY', 'not a plain decimal'], ['0x10', 'CNY', 'not a plain decimal'], ['', 'CNY', 'not a plain decimal'],
        [' 1', 'CNY', 'not a plain decimal'], ['1 ', 'CNY', 'not a plain decimal'], ['NaN', 'CNY', 'not a plain decimal'],
        ['Infinity', 'CNY', 'not a plain decimal'], ['+1', 'CNY', 'not a plain decimal'], ['1.', 'CNY', 'not a plain decimal'],
        ['.5', 'CNY', 'not a plain decimal'], ['1,00', 'CNY', 'not a plain decimal'], ['１２', 'CNY', 'not a plain decimal'],
        ['90071992547409.92', 'CNY', 'too large'], ['9007199254740992', 'JPY', 'too large'],
        ['123456789012345678901234', 'CNY', 'too large'],
      ];
      for (const [text, currency, says] of rejected) {
        it(`rejects "${text}" ${currency} with an InvalidRequest saying "${says}"`, () => {
          const e = errValue(parseDecimal(text, currency));
          expect(e.kind).to.equal('InvalidRequest');
          expect(e.code).to.equal('invalid_amount');
          expect(e.path).to.equal('amount');
          expect(e.message).to.contain(says);
        });
      }
      it('names the caller\'s path in the error', () => {
        const e = errValue(parseDecimal('1.005', 'CNY', { path: 'refund.amount' }));
        expect(e.path).to.equal('refund.amount');
        expect(e.message).to.match(/^refund\.amount "1\.005" has 3 decimals; CNY allows at most 2$/);
      });
      it('rejects an unknown currency', () => {
        expect(errValue(parseDecimal('1.00', 'ZZZ')).message).to.contain('unknown currency');
      });
    });

    context('when negatives are allowed', () => {
      it('parses "-12.30" as -1230', () => {
        expect(okValue(parseDecimal('-12.30', 'CNY', { allowNegative: true })).amount).to.equal(-1230);
      });
      it('still rejects past -2^53', () => {
        expect(errValue(parseDecimal('-90071992547409.92', 'CNY', { allowNegative: true })).message).to.contain('too large');
      });
    });

    context('when zero is not allowed', () => {
      it('rejects "0.00"', () => {
        expect(errValue(parseDecimal('0.00', 'CNY', { allowZero: false })).message).to.contain('greater than zero');
      });
    });

    context('on any text (short wire amounts take a fast path)', () => {
      // The rule restated character by character: optional "-", ASCII digits, optionally "." and
      // more digits, no more decimals than the exponent, within ±(2^53 - 1) minor units.
      function reference(text: string, exponent: number, o: { allowZero: boolean; allowNegative: boolean }): number | 'refused' {
        const negative = text.startsWith('-');
        const body = negative ? text.slice(1) : text;
        const parts = body.split('.');
        if (parts.length > 2) return 'refused';
        const [whole = '', frac = ''] = parts;
        const isDigits = (s: string): boolean => s.length > 0 && [...s].every((ch) => ch >= '0' && ch <= '9');
        if (!isDigits(whole) || (parts.length === 2 && !isDigits(frac)) || frac.length > exponent) return 'refused';
        let minor = 0n;
        for (const ch of whole + frac + '0'.repeat(exponent - frac.length)) minor = minor * 10n + BigInt(ch.charCodeAt(0) - 48);
        if (negative) minor = -minor;
        if (minor > MAX || minor < -MAX) return 'refused';
        if ((minor < 0n && !o.allowNegative) || (minor === 0n && !o.allowZero)) return 'refused';
        return Number(minor);
      }
      const digitsUpTo = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { maxLength: n }).map((ds) => ds.join(''));
      const wireLike = fc.tuple(fc.boolean(), digitsUpTo(18), fc.option(digitsUpTo(4)))
        .map(([minus, whole, frac]) => `${minus ? '-' : ''}${whole}${frac === null ? '' : `.${frac}`}`);
      const damaged = fc.tuple(wireLike, fc.nat(), fc.constantFrom('-', '+', 'e', ' ', '.', '１', 'x', '0', '٣', ''))
        .map(([t, at, ch]) => t.slice(0, at % (t.length + 1)) + ch + t.slice(at % (t.length + 1)));

      it('agrees with the rule restated in the test, for 10,000 generated texts in CNY, JPY and USD', () => {
        fc.assert(fc.property(fc.oneof(wireLike, damaged), fc.constantFrom<CurrencyCode>('CNY', 'JPY', 'USD'), fc.boolean(), fc.boolean(), (text, currency, allowZero, allowNegative) => {
          const expected = reference(text, CURRENCIES[currency].exponent, { allowZero, allowNegative });
          const got = parseDecimal(text, currency, { allowZero, allowNegative });
          if (expected === 'refused') expect(got.isErr(), text).to.equal(true);
          else expect(okValue(got), text).to.deep.equal({ amount: expected, currency });
        }), { numRuns: 10_000, seed: 0x5eed });
      });

      it('parseMinorUnits agrees with the same rule at exponent 0 (digits only), for 10,000 generated texts', () => {
        fc.assert(fc.property(fc.oneof(wireLike, damaged), fc.constantFrom<CurrencyCode>('CNY', 'JPY'), fc.boolean(), fc.boolean(), (text, currency, allowZero, allowNegative) => {
          const expected = reference(text, 0, { allowZero, allowNegative });
          const got = parseMinorUnits(text, currency, { allowZero, allowNegative });
          if (expected === 'refused') expect(got.isErr(), text).to.equal(true);
          else expect(okValue(got), text).to.deep.equal({ amount: expected, currency });
        }), { numRuns: 10_000, seed: 0x5eed2 });
      });

      it('reads the edges of the fast path exactly', () => {
        expect(okValue(parseDecimal('9999999999999.9', 'CNY')).amount).to.equal(999999999999990);
        expect(okValue(parseDecimal('90071992547409.91', 'CNY')).amount).to.equal(Number.MAX_SAFE_INTEGER);
        expect(errValue(parseDecimal('90071992547409.92', 'CNY')).message).to.contain('too large');
        expect(okValue(parseDecimal('999999999999999', 'JPY')).amount).to.equal(999999999999999);
        expect(errValue(parseDecimal('1.', 'CNY')).code).to.equal('invalid_amount');
        expect(errValue(parseDecimal('.5', 'CNY')).code).to.equal('invalid_amount');
        expect(okValue(parseDecimal('0', 'CNY')).amount).to.equal(0);
        expect(okValue(parseDecimal('7', 'cny')).amount, 'a lower-case code takes the general path').to.equal(700);
      });
    });
  });

  describe('parseMinorUnits', () => {
    it('parses "1000" CNY as 1000 fen', () => {
      expect(okValue(parseMinorUnits('1000', 'CNY'))).to.deep.equal({ amount: 1000, currency: 'CNY' });
    });
    it('parses the largest safe integer', () => {
      expect(okValue(parseMinorUnits('9007199254740991', 'USD')).amount).to.equal(Number.MAX_SAFE_INTEGER);
    });
    for (const bad of ['10.00', '1e3', '', ' 1', '+1', '0x10', 'NaN']) {
      it(`rejects "${bad}"`, () => {
        const e = errValue(parseMinorUnits(bad, 'CNY'));
        expect(e.kind).to.equal('InvalidRequest');
        expect(e.message).to.contain('integer count of minor units');
      });
    }
    it('rejects 2^53', () => {
      expect(errValue(parseMinorUnits('9007199254740992', 'CNY')).message).to.contain('too large');
    });
    it('rejects a negative unless allowed', () => {
      expect(errValue(parseMinorUnits('-5', 'CNY')).message).to.contain('must not be negative');
      expect(okValue(parseMinorUnits('-5', 'CNY', { allowNegative: true })).amount).to.equal(-5);
    });
  });

  describe('formatDecimal', () => {
    const cases: readonly [number, CurrencyCode, string, string][] = [
      [4965, 'CNY', '49.65', '49.65'], [50, 'CNY', '0.50', '0.5'], [10000, 'CNY', '100.00', '100'], [1, 'USD', '0.01', '0.01'],
      [0, 'CNY', '0.00', '0'], [1000, 'JPY', '1000', '1000'], [0, 'JPY', '0', '0'], [-1230, 'CNY', '-12.30', '-12.3'],
      [-5, 'EUR', '-0.05', '-0.05'], [Number.MAX_SAFE_INTEGER, 'CNY', '90071992547409.91', '90071992547409.91'],
    ];
    for (const [amount, currency, fixed, trim] of cases) {
      it(`writes ${amount} ${currency} as "${fixed}" (fixed) and "${trim}" (trim)`, () => {
        expect(okValue(formatDecimal({ amount, currency }))).to.equal(fixed);
        expect(okValue(formatDecimal({ amount, currency }, 'fixed'))).to.equal(fixed);
        expect(okValue(formatDecimal({ amount, currency }, 'trim'))).to.equal(trim);
      });
    }
    it('writes minor units as an integer string', () => {
      expect(okValue(formatMinorUnits({ amount: 4965, currency: 'CNY' }))).to.equal('4965');
      expect(okValue(formatMinorUnits({ amount: -7, currency: 'JPY' }))).to.equal('-7');
    });
    // Before, these threw (unknown currency) or wrote a wrong decimal to the wire (amount 49.65 → "49..65").
    const notMoney: readonly [string, unknown][] = [
      ['a float amount', { amount: 49.65, currency: 'CNY' }], ['NaN', { amount: Number.NaN, currency: 'CNY' }],
      ['an unsafe integer', { amount: 2 ** 53, currency: 'CNY' }], ['a string amount', { amount: '4965', currency: 'CNY' }],
      ['an unknown currency', { amount: 1, currency: 'XXX' }], ['null', null], ['a number', 4965],
    ];
    for (const [what, m] of notMoney) {
      it(`refuses ${what} with InvalidRequest, in both formatters`, () => {
        for (const r of [formatDecimal(m as never), formatDecimal(m as never, 'trim'), formatMinorUnits(m as never)]) {
          const e = errValue(r);
          expect(e.kind).to.equal('InvalidRequest');
          expect(e.message).to.match(/amount|currency/);
        }
      });
    }
    it('refuses a style other than fixed or trim', () => {
      expect(errValue(formatDecimal({ amount: 1, currency: 'CNY' }, 'round' as never)).kind).to.equal('InvalidRequest');
    });
  });

  describe('money()', () => {
    it('builds money from an integer and a currency code', () => {
      expect(okValue(money(4965, 'CNY'))).to.deep.equal({ amount: 4965, currency: 'CNY' });
      expect(okValue(money(4965, '156'))).to.deep.equal({ amount: 4965, currency: 'CNY' });
    });
    for (const bad of [49.65, 0.1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -(2 ** 53)]) {
      it(`rejects ${bad} with an InvalidRequest`, () => {
        const e = errValue(money(bad, 'CNY'));
        expect(e.kind).to.equal('InvalidRequest');
        expect(e.code).to.equal('invalid_amount');
        expect(e.message).to.contain('integer number of minor units');
      });
    }
    it('rejects a string amount', () => {
      expect(errValue(money('100' as unknown as number, 'CNY')).message).to.contain('got string');
    });
  });

  describe('arithmetic', () => {
    const cny = (amount: number): Money => ({ amount, currency: 'CNY' });
    const usd = (amount: number): Money => ({ amount, currency: 'USD' });
    it('adds, subtracts and compares in one currency', () => {
      expect(okValue(addMoney(cny(4965), cny(35)))).to.deep.equal(cny(5000));
      expect(okValue(subtractMoney(cny(100), cny(250)))).to.deep.equal(cny(-150));
      expect(okValue(compareMoney(cny(1), cny(2)))).to.equal(-1);
      expect(okValue(compareMoney(cny(2), cny(2)))).to.equal(0);
      expect(okValue(compareMoney(cny(3), cny(2)))).to.equal(1);
    });
    it('sums a list, and gives zero for an empty list', () => {
      expect(okValue(sumMoney([cny(1), cny(2), cny(3)], 'CNY'))).to.deep.equal(cny(6));
      expect(okValue(sumMoney([], 'JPY'))).to.deep.equal({ amount: 0, currency: 'JPY' });
    });
    context('when currencies differ', () => {
      for (const [name, r] of [
        ['addMoney', () => addMoney(cny(1), usd(1))], ['subtractMoney', () => subtractMoney(cny(1), usd(1))],
        ['compareMoney', () => compareMoney(cny(1), usd(1))], ['sumMoney', () => sumMoney([cny(1), usd(1)], 'CNY')],
      ] as const) {
        it(`${name} is an InvalidRequest naming both currencies`, () => {
          const e = errValue((r as () => PayResult<unknown>)());
          expect(e.kind).to.equal('InvalidRequest');
          expect(e.message).to.equal('cannot combine CNY and USD amounts');
        });
      }
      it('sumMoney rejects items in another currency than the total', () => {
        expect(errValue(sumMoney([usd(1)], 'CNY')).message).to.equal('cannot combine CNY and USD amounts');
      });
    });
    context('when the result leaves the safe integer range', () => {
      it('addMoney is an error, not a rounded float', () => {
        expect(errValue(addMoney(cny(Number.MAX_SAFE_INTEGER), cny(1))).kind).to.equal('InvalidRequest');
        expect(errValue(subtractMoney(cny(-Number.MAX_SAFE_INTEGER), cny(1))).kind).to.equal('InvalidRequest');
      });
    });
  });

  describe('fastMinorUnits', () => {
    it('reads a range in place', () => {
      expect(fastMinorUnits('x|12.5|y', 2, 6, 2)).to.equal(1250);
      expect(fastMinorUnits('1000', 0, 4, 0)).to.equal(1000);
    });
    it('gives NaN, never a throw or an endless loop, for anything that is not its fast path', () => {
      const odd: readonly [unknown, unknown, unknown, unknown][] = [
        [null, 0, 1, 2], [12.5, 0, 4, 2], ['12.5', 0, 4, Number.POSITIVE_INFINITY], ['12.5', 0, 4, Number.NaN], ['12.5', 0, 4, -1],
        ['12.5', 0, 4, 1.5], ['12.5', 0, 4, '2'], ['12.5', 0, 99, 2], ['12.5', undefined, undefined, 2],
      ];
      for (const [text, start, end, exponent] of odd) expect(fastMinorUnits(text as never, start as never, end as never, exponent as never)).to.be.NaN;
    });
  });

  describe('round trips (property-based)', () => {
    const anyCurrency = fc.constantFrom(...CURRENCY_CODES);
    const anyAmount = fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });

    it('parseDecimal(formatDecimal(m)) == m for every currency, safe integer and style', () => {
      fc.assert(fc.property(anyCurrency, anyAmount, fc.constantFrom('fixed' as const, 'trim' as const), (currency, amount, style) => {
        const m = { amount, currency };
        expect(okValue(parseDecimal(okValue(formatDecimal(m, style)), currency, { allowNegative: true }))).to.deep.equal(m);
      }), { numRuns: 2000 });
    });

    it('parseMinorUnits(formatMinorUnits(m)) == m', () => {
      fc.assert(fc.property(anyCurrency, anyAmount, (currency, amount) => {
        const m = { amount, currency };
        expect(okValue(parseMinorUnits(okValue(formatMinorUnits(m)), currency, { allowNegative: true }))).to.deep.equal(m);
      }), { numRuns: 2000 });
    });

    /**
     * Reference model, independent of the code under test: the value of "W.F" is the integer W·F
     * (digits concatenated) scaled by 10^(exponent − |F|), all in BigInt; more decimals than the
     * exponent, or a magnitude past 2^53 − 1, has no exact safe representation.
     */
    function referenceMinor(whole: string, frac: string, negative: boolean, exponent: number): bigint | 'reject' {
      if (frac.length > exponent) return 'reject';
      const magnitude = BigInt(whole + frac) * 10n ** BigInt(exponent - frac.length);
      if (magnitude > MAX) return 'reject';
      return negative ? -magnitude : magnitude;
    }

    it('agrees with an independent BigInt reference model on generated decimal strings', () => {
      const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
      fc.assert(fc.property(anyCurrency, digits(1, 20), fc.option(digits(1, 3), { nil: undefined }), fc.boolean(), (currency, whole, frac, negative) => {
        const text = `${negative ? '-' : ''}${whole}${frac === undefined ? '' : `.${frac}`}`;
        const expected = referenceMinor(whole, frac ?? '', negative, currency === 'JPY' || currency === 'KRW' ? 0 : 2);
        const r = parseDecimal(text, currency, { allowNegative: true });
        if (expected === 'reject') {
          expect(r.isErr(), `${text} ${currency} should be rejected`).to.equal(true);
        } else {
          expect(okValue(r)).to.deep.equal({ amount: Number(expected), currency });
        }
      }), { numRuns: 5000 });
    });

    it('the exponents the reference model assumes are the registry\'s', () => {
      for (const code of CURRENCY_CODES) expect(CURRENCIES[code].exponent).to.equal(code === 'JPY' || code === 'KRW' ? 0 : 2);
    });
  });
});
