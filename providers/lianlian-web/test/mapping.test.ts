import { expect } from 'chai';
import fc from 'fast-check';
import { parseDecimal } from '@paykit/core';
import { amountFromWire, reportOf } from '../src/mapping.js';

/** Amount texts around the edges of the wire format (and past them). */
const EDGES = [
  '0', '0.0', '0.00', '00.00', '0.01', '0.1', '1', '1.', '.5', '1.5', '1.50', '1.505', '01.10', '210.97', '49.65',
  '999999999.99', '9999999999.9', '999999999999', '9999999999999', '123456789.12', '1e3', '-1', '+1', ' 1', '1 ', '1,00',
  '１', '1.2.3', '', '..', '0x10', 'NaN', '١٢', '12.345', '0.001',
];

/** Generated texts: mostly wire-shaped amounts, sometimes with a character that does not belong. */
const digits = (max: number): fc.Arbitrary<string> => fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: max }).map((ds) => ds.join(''));
const randomAmount = fc.tuple(
  digits(13),
  fc.option(digits(3), { freq: 3 }), // a fraction in two texts of three
  // A stray character in one text of eight.
  fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom('-', '+', 'e', ' ', '.', '１', 'x', '0')) }),
).map(([whole, frac, stray]) => {
  const text = frac === null ? whole : `${whole}.${frac}`;
  if (stray === undefined) return text;
  const at = stray[0] % (text.length + 1);
  return text.slice(0, at) + stray[1] + text.slice(at);
});

describe('LianLian web amounts and reports', function () {
  context('when reading money_order', function () {
    it('gives exactly what core parseDecimal gives for CNY (fen, or a Decode error), for edge cases and 20 000 generated texts', function () {
      const check = (text: string): void => {
        const expected = parseDecimal(text, 'CNY', { path: 'money_order', allowZero: false });
        const got = amountFromWire(text, 'money_order');
        if (expected.isOk()) {
          expect(got.isOk(), text).to.equal(true);
          expect(got._unsafeUnwrap(), text).to.deep.equal(expected.value);
          expect(Number.isSafeInteger(got._unsafeUnwrap().amount), text).to.equal(true);
        } else {
          expect(got.isErr(), text).to.equal(true);
          expect(got._unsafeUnwrapErr().kind, text).to.equal('Decode');
          expect(got._unsafeUnwrapErr().message, text).to.equal(`${expected.error.message} (in a message from LianLian)`);
        }
      };
      for (const text of EDGES) check(text);
      fc.assert(fc.property(randomAmount, check), { numRuns: 20_000 });
    });

    it('reads the documented example 210.97 as 21097 fen', function () {
      expect(amountFromWire('210.97', 'money_order')._unsafeUnwrap()).to.deep.equal({ amount: 21097, currency: 'CNY' });
    });
  });

  context('when building the report of a payment result', function () {
    const base = { no_order: 'N1', oid_paybill: '2013051613121201', money_order: '49.65' };

    it('maps a success with its settlement date, and its paid time', function () {
      const paidAt = new Date('2013-05-16T05:12:12Z');
      expect(reportOf({ ...base, result_pay: 'SUCCESS', settle_date: '20130516' }, { paidAt })._unsafeUnwrap()).to.deep.equal({
        orderId: 'N1', status: 'succeeded', amount: { amount: 4965, currency: 'CNY' }, providerPaymentId: '2013051613121201',
        providerStatus: 'SUCCESS', settleDate: '20130516', paidAt,
      });
    });

    it('maps a failure with the memo as its message, and leaves out what the message does not carry', function () {
      const paidAt = new Date('2013-05-16T05:12:12Z');
      expect(reportOf({ ...base, result_pay: 'FAILURE', memo: 'card expired' }, { paidAt })._unsafeUnwrap()).to.deep.equal({
        orderId: 'N1', status: 'failed', amount: { amount: 4965, currency: 'CNY' }, providerPaymentId: '2013051613121201',
        providerStatus: 'FAILURE', failure: { message: 'card expired' },
      });
      expect(reportOf({ ...base, result_pay: 'FAILURE' })._unsafeUnwrap().failure).to.deep.equal({ message: 'LianLian reports the payment failed' });
    });

    it('maps an undocumented result_pay to processing, never a success', function () {
      expect(reportOf({ ...base, result_pay: 'DONE' })._unsafeUnwrap()).to.deep.equal({
        orderId: 'N1', status: 'processing', amount: { amount: 4965, currency: 'CNY' }, providerPaymentId: '2013051613121201', providerStatus: 'DONE',
      });
    });

    it('hands the signed card and payer fields over as providerDetails, the id number masked', function () {
      const r = reportOf({
        ...base, result_pay: 'SUCCESS', no_agree: '2013051600001234', bank_code: '01020000', pay_type: '2', id_type: '0',
        id_no: '330106199001011234', acct_name: '张三',
      })._unsafeUnwrap();
      expect(r.providerDetails).to.deep.equal({
        no_agree: '2013051600001234', bank_code: '01020000', pay_type: '2', id_type: '0', id_no: '**************1234', acct_name: '张三',
      });
      expect(JSON.stringify(r)).not.to.include('330106199001');
    });

    it('keeps signed fields the table lacks in providerDetails, with card numbers masked', function () {
      const r = reportOf({ ...base, result_pay: 'SUCCESS' }, { extra: { pay_chnl: 'UNIONPAY', card_no: '6222020200112233445' } })._unsafeUnwrap();
      expect(r.providerDetails).to.deep.equal({ pay_chnl: 'UNIONPAY', card_no: '622202*********3445' });
    });

    it('refuses a zero or over-precise amount with a Decode error naming money_order', function () {
      for (const money_order of ['0.00', '1.005']) {
        const e = reportOf({ ...base, money_order, result_pay: 'SUCCESS' })._unsafeUnwrapErr();
        expect(e.kind, money_order).to.equal('Decode');
        expect(e.message, money_order).to.include('money_order');
      }
    });
  });
});
