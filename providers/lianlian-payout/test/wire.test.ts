/**
 * The io-ts codecs against every table of `lianlian-instantpay-payout-api.md` (and the README's
 * notification field list): each field's name, required flag and length, typed out here from the
 * spec rather than read from the codecs.
 */
import { expect } from 'chai';
import { isRight } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { ApplyFields, ApplyReply, ConfirmFields, PayoutNotification, QueryFields, QueryFound, QueryReply, Signed } from '../src/wire.js';

/** One table row: the field, whether the table requires it, its String(n) length (none: unbounded), whether n is exact. */
interface Row {
  readonly field: string;
  readonly required: boolean;
  readonly max?: number;
  readonly exact?: boolean;
  /** A valid value of a given length. */
  readonly fill?: (n: number) => string;
}

const digits = (n: number): string => '1'.repeat(n);
const letters = (n: number): string => 'a'.repeat(n);

const OID = '201606221000921503';
const BASE = { oid_partner: OID, api_version: '1.0', sign_type: 'RSA', no_order: '2017041316593411' };
const REPLY_BASE = { ret_code: '0000', ret_msg: '交易成功', sign_type: 'RSA', sign: 'c2lnbg==', oid_partner: OID };

const REQUEST_COMMON: readonly Row[] = [
  { field: 'oid_partner', required: true, max: 18, exact: true, fill: digits },
  { field: 'api_version', required: true },
  { field: 'sign_type', required: true },
  { field: 'no_order', required: true, max: 32, fill: letters },
];

const REPLY_COMMON: readonly Row[] = [
  { field: 'ret_code', required: true, max: 4, exact: true, fill: digits },
  { field: 'ret_msg', required: true, max: 100, fill: letters },
  { field: 'sign_type', required: true },
  { field: 'sign', required: true },
  { field: 'oid_partner', required: true, max: 18, exact: true, fill: digits },
];

const TABLES: readonly { name: string; codec: t.Decoder<unknown, unknown>; sample: Record<string, string>; rows: readonly Row[] }[] = [
  {
    name: '付款申请 request (payment.htm)',
    codec: ApplyFields,
    sample: {
      ...BASE, platform: 'shop', dt_order: '20170317165929', money_order: '0.02', card_no: '6216261234567890018', acct_name: '全渠道',
      bank_name: '招商银行', info_order: 'test测试10.00?', flag_card: '1', notify_url: 'http://10.20.41.35:8080/tradepayapi/receiveNotify.htm',
      memo: '代付', prcptcd: '308584000013', bank_code: '03080000', city_code: '440300', brabank_name: '招商银行深圳分行',
    },
    rows: [
      ...REQUEST_COMMON,
      { field: 'platform', required: false, max: 32, fill: letters },
      { field: 'dt_order', required: true, max: 14, exact: true, fill: digits },
      { field: 'money_order', required: true },
      { field: 'card_no', required: true, max: 32, fill: digits },
      { field: 'acct_name', required: true, fill: letters },
      { field: 'bank_name', required: false, fill: letters },
      { field: 'info_order', required: true, max: 255, fill: letters },
      { field: 'flag_card', required: true, max: 1, exact: true, fill: (n) => '0'.repeat(n) },
      { field: 'notify_url', required: true, max: 255, fill: letters },
      { field: 'memo', required: true, max: 24, fill: letters },
      { field: 'prcptcd', required: false, max: 12, exact: true, fill: digits },
      { field: 'bank_code', required: false, fill: digits },
      { field: 'city_code', required: false, fill: digits },
      { field: 'brabank_name', required: false, fill: letters },
    ],
  },
  {
    name: '确认付款 request (confirmPayment.htm)',
    codec: ConfirmFields,
    sample: { ...BASE, platform: 'shop', confirm_code: '137007', notify_url: 'http://192.168.110.13:8080/test/tradepayapi/receiveNotify.htm' },
    rows: [
      ...REQUEST_COMMON,
      { field: 'platform', required: false, fill: letters },
      { field: 'confirm_code', required: true, max: 6, fill: digits },
      { field: 'notify_url', required: true, max: 64, fill: letters },
    ],
  },
  {
    name: '付款结果查询 request (queryPayment.htm)',
    codec: QueryFields,
    sample: { ...BASE, platform: 'shop', oid_paybill: '2013051613121201' },
    rows: [
      ...REQUEST_COMMON,
      { field: 'platform', required: false, max: 32, fill: letters },
      { field: 'oid_paybill', required: false, max: 16, fill: digits },
    ],
  },
  {
    name: '付款申请 / 确认付款 reply',
    codec: ApplyReply,
    sample: { ...REPLY_BASE, no_order: '2016081814228', oid_paybill: '2016081847411984', confirm_code: '137007' },
    rows: [
      ...REPLY_COMMON,
      // Required by the table, but the spec's own 4005 samples omit it: optional, checked when present.
      { field: 'no_order', required: false, max: 32, fill: letters },
      { field: 'oid_paybill', required: false, max: 18, fill: digits },
      { field: 'confirm_code', required: false, max: 6, fill: digits },
    ],
  },
  {
    name: '付款结果查询 reply (an order found)',
    codec: QueryReply,
    sample: {
      ...REPLY_BASE, no_order: '2016072814226', dt_order: '20160728144057', money_order: '46.78', oid_paybill: '2016072846609676',
      result_pay: 'PROCESSING', settle_date: '20160728', info_order: '测试',
    },
    rows: [
      ...REPLY_COMMON,
      { field: 'oid_paybill', required: false, max: 18, fill: digits },
      { field: 'settle_date', required: false, max: 8, exact: true, fill: digits },
      { field: 'info_order', required: false, max: 255, fill: letters },
    ],
  },
  {
    name: '付款结果查询 reply: the fields required once ret_code is 0000',
    codec: QueryFound,
    sample: { no_order: '2016072814226', dt_order: '20160728144057', money_order: '46.78', result_pay: 'PROCESSING' },
    rows: [
      { field: 'no_order', required: true, max: 32, fill: letters },
      { field: 'dt_order', required: true, max: 14, exact: true, fill: digits },
      { field: 'money_order', required: true },
      { field: 'result_pay', required: true, fill: letters },
    ],
  },
  {
    name: 'payout result notification (README; card payout 3.3)',
    codec: PayoutNotification,
    sample: {
      oid_partner: OID, sign_type: 'RSA', sign: 'c2lnbg==', no_order: '2016072814226', dt_order: '20160728144057', money_order: '46.78',
      oid_paybill: '2016072846609676', info_order: '测试', result_pay: 'SUCCESS', settle_date: '20160728',
    },
    rows: [
      { field: 'oid_partner', required: true, max: 18, exact: true, fill: digits },
      { field: 'sign_type', required: true },
      { field: 'sign', required: true },
      { field: 'no_order', required: true, max: 32, fill: letters },
      { field: 'dt_order', required: true, max: 14, exact: true, fill: digits },
      { field: 'money_order', required: true },
      { field: 'result_pay', required: true, fill: letters },
      { field: 'oid_paybill', required: false, max: 18, fill: digits },
      { field: 'info_order', required: false, max: 255, fill: letters },
      { field: 'settle_date', required: false, max: 8, exact: true, fill: digits },
    ],
  },
];

const decodes = (codec: t.Decoder<unknown, unknown>, u: unknown): boolean => isRight(codec.decode(u));

describe('LianLian payout wire codecs', () => {
  for (const table of TABLES) {
    context(`for the ${table.name} table`, () => {
      it('accepts the spec sample with every field', () => {
        expect(decodes(table.codec, table.sample)).to.equal(true);
      });
      for (const row of table.rows) {
        const without = Object.fromEntries(Object.entries(table.sample).filter(([k]) => k !== row.field));
        it(`${row.required ? 'requires' : 'does not require'} ${row.field}`, () => {
          expect(decodes(table.codec, without)).to.equal(!row.required);
        });
        if (row.max !== undefined && row.fill !== undefined) {
          const { max, fill } = row;
          it(`limits ${row.field} to ${row.exact ? 'exactly ' : ''}${max} characters`, () => {
            expect(decodes(table.codec, { ...table.sample, [row.field]: fill(max) }), `${max} characters`).to.equal(true);
            expect(decodes(table.codec, { ...table.sample, [row.field]: fill(max + 1) }), `${max + 1} characters`).to.equal(false);
            if (row.exact === true && max > 1) expect(decodes(table.codec, { ...table.sample, [row.field]: fill(max - 1) }), `${max - 1} characters`).to.equal(false);
          });
        } else if (row.fill !== undefined) {
          const { fill } = row;
          it(`takes ${row.field} of any length (String, no length given)`, () => {
            expect(decodes(table.codec, { ...table.sample, [row.field]: fill(300) })).to.equal(true);
          });
        }
      }
    });
  }

  context('for money_order', () => {
    const apply = TABLES[0]!.sample;
    const found = TABLES[5]!.sample;
    it('takes Number(10,2) on apply: 99999999.99 yes, 100000000.00 and three decimals no', () => {
      expect(decodes(ApplyFields, { ...apply, money_order: '99999999.99' })).to.equal(true);
      expect(decodes(ApplyFields, { ...apply, money_order: '100000000.00' })).to.equal(false);
      expect(decodes(ApplyFields, { ...apply, money_order: '0.025' })).to.equal(false);
      expect(decodes(ApplyFields, { ...apply, money_order: '49.6' })).to.equal(true);
    });
    it('takes Number(8,2) in the query reply: 999999.99 yes, 1000000.00 no', () => {
      expect(decodes(QueryFound, { ...found, money_order: '999999.99' })).to.equal(true);
      expect(decodes(QueryFound, { ...found, money_order: '1000000.00' })).to.equal(false);
    });
    it('refuses a number, a sign or an exponent instead of a decimal string', () => {
      for (const bad of [49.65, '-1.00', '1e3', '', ' 1.00']) expect(decodes(ApplyFields, { ...apply, money_order: bad }), String(bad)).to.equal(false);
    });
  });

  context('for the fixed values', () => {
    it('takes api_version 1.0 and sign_type RSA only, and flag_card 0 or 1', () => {
      const apply = TABLES[0]!.sample;
      expect(decodes(ApplyFields, { ...apply, api_version: '1.1' })).to.equal(false);
      expect(decodes(ApplyFields, { ...apply, sign_type: 'MD5' })).to.equal(false);
      expect(decodes(ApplyFields, { ...apply, flag_card: '2' })).to.equal(false);
      expect(decodes(ApplyReply, { ...TABLES[3]!.sample, sign_type: 'MD5' })).to.equal(false);
    });
    it('requires a non-empty sign of any length (the table\'s String(3) cannot hold an RSA signature)', () => {
      expect(decodes(Signed, { sign: 'x'.repeat(172) })).to.equal(true);
      expect(decodes(Signed, { sign: '' })).to.equal(false);
    });
  });
});
