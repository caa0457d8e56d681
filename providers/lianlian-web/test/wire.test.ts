import { expect } from 'chai';
import fc from 'fast-check';
import * as t from 'io-ts';
import {
  BindListReplyCodec, BindListRequestCodec, CardBinReplyCodec, CardBinRequestCodec, NotificationAckCodec, NotificationCodec,
  OrderQueryReplyCodec, OrderQueryRequestCodec, SyncReturnCodec, UnbindReplyCodec, UnbindRequestCodec, WebPaymentRequestCodec,
} from '../src/wire.js';

// The field tables of spec 4.1–4.7, written out here independently of src/wire.ts: name, required
// (是/否), values that fit the documented length and values one character too short or too long.
interface Field { readonly name: string; readonly required: boolean; readonly ok: readonly string[]; readonly bad: readonly string[] }
/** 变(n): 1 to n characters. */
const V = (name: string, required: boolean, n: number, ch = 'a'): Field => ({ name, required, ok: [ch.repeat(n), '用'.repeat(n)], bad: ['', ch.repeat(n + 1)] });
/** 定(n) digits. */
const D = (name: string, required: boolean, n: number): Field => ({ name, required, ok: ['1'.repeat(n)], bad: ['1'.repeat(n - 1), '1'.repeat(n + 1)] });
/** A field with its own valid and invalid values (enumerations, formats). */
const E = (name: string, required: boolean, ok: string[], bad: string[]): Field => ({ name, required, ok, bad });

const signType = E('sign_type', true, ['MD5', 'RSA'], ['SHA', 'md5', '']);
const sign = E('sign', true, ['s'.repeat(255)], ['', 's'.repeat(256)]);
const retCode = E('ret_code', true, ['0000'], ['000', '00000']);
const moneyOrder = E('money_order', true, ['49.65', '123456789.12'], ['', '1234567890.12', '-1', '1e3']);
const cardNo = E('card_no', true, ['1'.repeat(15), '1'.repeat(19)], ['1'.repeat(14), '1'.repeat(20)]);
// 定(16) in the tables, but spec 4.4's example reply has the 13-digit "2013051500001": 1 to 16 digits.
const oidPaybill = E('oid_paybill', true, ['1'.repeat(16), '2013051500001', '1'], ['', '1'.repeat(17), '201305150000A']);
const paymentResult = [
  D('oid_partner', true, 18), signType, sign, D('dt_order', true, 14), V('no_order', true, 32), oidPaybill,
  moneyOrder, V('result_pay', true, 12, 'S'), D('settle_date', false, 8), V('info_order', false, 255),
  E('pay_type', false, ['2'], ['', '22']), D('bank_code', false, 8),
];

const TABLES: [string, t.Decoder<unknown, unknown>, Field[]][] = [
  ['4.1 web payment request', WebPaymentRequestCodec, [
    V('version', true, 6), E('charset_name', false, ['UTF-8', 'GBK', 'GB2312', 'GB18030'], ['', 'BIG5']), D('oid_partner', true, 18),
    V('platform', false, 32), V('user_id', true, 32), D('timestamp', true, 14), signType, sign,
    E('busi_partner', true, ['101001'], ['10100', '1010011']), V('no_order', true, 32), D('dt_order', true, 14), V('name_goods', true, 40),
    V('info_order', false, 255), { ...moneyOrder }, V('notify_url', true, 128), V('url_return', false, 128),
    E('userreq_ip', false, ['122_11_37_211', '1'.repeat(32)], ['', '1'.repeat(33), '122.11.37.211']), V('url_order', false, 255),
    E('valid_order', false, ['10080', '9'.repeat(8)], ['', '9'.repeat(9)]), D('bank_code', false, 8), E('pay_type', false, ['2', 'D'], ['', '22']),
    E('no_agree', false, ['2'.repeat(16)], ['2'.repeat(15), '2'.repeat(17)]), V('shareing_data', false, 1024),
    E('risk_item', true, ['{"frms_ware_category":"1002"}'], ['', 'not json']), E('id_type', false, ['0', '10', 'X'], ['', '100']),
    V('id_no', false, 32), V('acct_name', false, 12), E('flag_modify', false, ['0', '1'], ['', '01']), { ...cardNo, required: false },
    V('back_url', false, 128),
  ]],
  ['4.2 sync return', SyncReturnCodec, paymentResult],
  ['4.3 notification', NotificationCodec, [
    ...paymentResult, E('no_agree', false, ['2'.repeat(16)], ['2'.repeat(15), '2'.repeat(17)]),
    E('id_type', false, ['0', '10'], ['', '100']), V('id_no', false, 32), V('acct_name', false, 12),
  ]],
  ['4.3 notification reply', NotificationAckCodec, [retCode, V('ret_msg', true, 100)]],
  ['4.4 order query request', OrderQueryRequestCodec, [
    D('oid_partner', true, 18), signType, sign, V('no_order', true, 32), D('dt_order', true, 14), { ...oidPaybill, required: false }, V('query_version', false, 6),
  ]],
  ['4.4 order query reply', OrderQueryReplyCodec, [retCode, V('ret_msg', true, 100), ...paymentResult, V('bank_name', false, 32), V('memo', false, 255)]],
  ['4.5 card BIN request', CardBinRequestCodec, [D('oid_partner', true, 18), signType, sign, cardNo]],
  ['4.5 card BIN reply', CardBinReplyCodec, [
    retCode, V('ret_msg', true, 100), signType, sign, cardNo, D('bank_code', true, 8), V('bank_name', true, 32), E('card_type', true, ['2', '3'], ['', '23']),
  ]],
  ['4.6 bound-card list request', BindListRequestCodec, [
    D('oid_partner', true, 18), V('user_id', true, 32), V('platform', false, 32), signType, sign,
    E('no_agree', false, ['2'.repeat(16)], ['2'.repeat(15), '2'.repeat(17)]), { ...cardNo, required: false }, E('offset', true, ['0', '9'.repeat(8)], ['', '9'.repeat(9)]),
  ]],
  ['4.6 bound-card list reply', BindListReplyCodec, [
    retCode, V('ret_msg', true, 100), V('user_id', true, 32), E('count', true, ['0', '9'.repeat(8)], ['', '9'.repeat(9)]), signType, sign,
  ]],
  ['4.7 unbind request', UnbindRequestCodec, [
    D('oid_partner', true, 18), V('user_id', true, 32), V('platform', false, 32), E('pay_type', false, ['2'], ['', '22']), signType, sign,
    E('no_agree', true, ['2'.repeat(16)], ['2'.repeat(15), '2'.repeat(17)]),
  ]],
  ['4.7 unbind reply', UnbindReplyCodec, [retCode, V('ret_msg', true, 100), signType, sign]],
];

const decodes = (codec: t.Decoder<unknown, unknown>, u: unknown): boolean => codec.decode(u)._tag === 'Right';

describe('LianLian web wire codecs', function () {
  for (const [table, codec, fields] of TABLES) {
    context(`the ${table} table`, function () {
      const full = Object.fromEntries(fields.map((f) => [f.name, f.ok[0] as string]));
      const minimal = Object.fromEntries(fields.filter((f) => f.required).map((f) => [f.name, f.ok[0] as string]));

      it('accepts a message with every field, and one with only the required fields', function () {
        expect(decodes(codec, full), JSON.stringify(codec.decode(full))).to.equal(true);
        expect(decodes(codec, minimal)).to.equal(true);
      });

      it('refuses the message without each required field, and accepts it without each optional one', function () {
        for (const f of fields) {
          const { [f.name]: _dropped, ...rest } = full;
          expect(decodes(codec, rest), `${f.name} dropped`).to.equal(!f.required);
        }
      });

      it('accepts values of the documented length and refuses ones outside it', function () {
        for (const f of fields) {
          for (const value of f.ok) expect(decodes(codec, { ...full, [f.name]: value }), `${f.name}=${value}`).to.equal(true);
          for (const value of f.bad) expect(decodes(codec, { ...full, [f.name]: value }), `${f.name}=${value}`).to.equal(false);
          expect(decodes(codec, { ...full, [f.name]: 12 }), `${f.name} as a number`).to.equal(false);
        }
      });

      it('refuses a field that is not in the table', function () {
        expect(decodes(codec, { ...full, not_in_the_spec: 'x' })).to.equal(false);
      });
    });
  }

  context('when a request is checked before it is signed', function () {
    it('uses the same table without sign', function () {
      const request = { oid_partner: '201103171000000000', sign_type: 'RSA', card_no: '6222021234567890123' };
      expect(decodes(CardBinRequestCodec.unsigned, request)).to.equal(true);
      expect(decodes(CardBinRequestCodec, request)).to.equal(false);
      expect(decodes(CardBinRequestCodec.unsigned, { ...request, sign: 'x' })).to.equal(false);
    });
  });

  context('when a value has characters outside the Basic Multilingual Plane', function () {
    it('counts characters, not UTF-16 units', function () {
      const message = Object.fromEntries(TABLES[2]?.[2].filter((f) => f.required).map((f) => [f.name, f.ok[0] as string]) ?? []);
      expect(decodes(NotificationCodec, { ...message, info_order: '𠀀'.repeat(255) })).to.equal(true);
      expect(decodes(NotificationCodec, { ...message, info_order: '𠀀'.repeat(256) })).to.equal(false);
    });
  });

  context('when a notification field gets generated text (digits, letters, Chinese, astral characters, spaces, points)', function () {
    // Spec 4.3's rules restated here on their own: length in characters (code points) and format.
    const digitsOf = (n: number) => (u: string): boolean => [...u].length === n && /^[0-9]+$/.test(u);
    const lengthIn = (min: number, max: number) => (u: string): boolean => [...u].length >= min && [...u].length <= max;
    const RULES: Record<string, (u: string) => boolean> = {
      oid_partner: digitsOf(18), dt_order: digitsOf(14), oid_paybill: (u) => lengthIn(1, 16)(u) && /^[0-9]+$/.test(u), settle_date: digitsOf(8), bank_code: digitsOf(8),
      money_order: (u) => lengthIn(1, 12)(u) && /^[0-9]+(\.[0-9]+)?$/.test(u),
      no_order: lengthIn(1, 32), result_pay: lengthIn(1, 12), info_order: lengthIn(1, 255), pay_type: lengthIn(1, 1), id_no: lengthIn(1, 32),
      acct_name: lengthIn(1, 12), sign: lengthIn(1, 255), no_agree: lengthIn(16, 16),
    };
    const message = Object.fromEntries(TABLES[2]?.[2].filter((f) => f.required).map((f) => [f.name, f.ok[0] as string]) ?? []);
    const PIECES = ['0', '7', '9', '.', 'a', 'Z', ' ', '用', '户', '𠀀', '😀', '٣', '１', '-'];

    it('accepts exactly the values that meet the field\'s rule, for 20 000 generated values', function () {
      const piece = fc.constantFrom(...PIECES);
      // Half the values are mostly digits (7 in 8 characters), the rest any pieces.
      const mostlyDigits = fc.oneof({ weight: 7, arbitrary: fc.constantFrom(...'0123456789') }, { weight: 1, arbitrary: piece });
      const generated = fc.tuple(
        fc.constantFrom(...Object.keys(RULES)),
        // Lengths cluster around the rule's bounds, where counting characters rather than units matters.
        fc.constantFrom(0, 1, 2, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 31, 32, 33, 254, 255, 256),
        fc.boolean(),
      ).chain(([name, length, usual]) => fc.array(usual ? mostlyDigits : piece, { minLength: length, maxLength: length }).map((cs) => [name, cs.join('')] as const));
      fc.assert(fc.property(generated, ([name, value]) => {
        const rule = RULES[name] as (u: string) => boolean;
        expect(decodes(NotificationCodec, { ...message, [name]: value }), `${name}=${JSON.stringify(value)}`).to.equal(rule(value));
      }), { numRuns: 20_000 });
    });
  });
});

