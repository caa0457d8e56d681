/**
 * LianLian's payment number `oid_paybill`: the tables of spec 4.2–4.4 say 定(16), but spec 4.4's own
 * example reply carries "2013051500001" (13 digits). A genuine signed message like it must be read,
 * so 1–16 digits are accepted; anything longer, or not digits, is still refused.
 */
import { createPrivateKey } from 'node:crypto';
import { expect } from 'chai';
import { parseCst, Secret } from '@paykit/core';
import { simSign, simSigningText } from '../src/simulator/index.js';
import { LianlianWebTokens, loadKeys, verifyNotificationBody, type LianlianWebOptions } from '../src/index.js';
import { checkReply } from '../src/api.js';
import { OrderQueryReplyCodec, UNSIGNED_FIELDS } from '../src/wire.js';
import { must, startWorld, testKeys, TEST_MD5_KEY, TEST_OID_PARTNER, type World } from './support.js';

const lianlianPrivate = createPrivateKey({ key: Buffer.from(testKeys.lianlianPrivate, 'base64'), format: 'der', type: 'pkcs8' });
const keys = must(loadKeys({ md5Key: new Secret(TEST_MD5_KEY), lianlianPublicKey: testKeys.lianlianPublic }));
const options: LianlianWebOptions = {
  oidPartner: TEST_OID_PARTNER, signType: 'RSA', notifySignType: 'RSA', md5Key: new Secret(TEST_MD5_KEY),
  lianlianPublicKey: testKeys.lianlianPublic, goodsCategory: '1002',
};
const EXAMPLE_PAYBILL = '2013051500001';
const PAYBILL_17 = '20130515000010001';

/** Signs fields with LianLian's key by the simulator's own signing (independent of the plugin's signer). */
function signed(fields: Readonly<Record<string, string>>): Record<string, string> {
  return { ...fields, sign: simSign(simSigningText(fields), 'RSA', { lianlianPrivateKey: lianlianPrivate }) };
}

/** Spec 4.4's example reply (its values), with the given oid_paybill, signed. */
const queryReply = (oidPaybill: string): Record<string, string> => signed({
  ret_code: '0000', ret_msg: '交易成功', oid_partner: '201103171000000000', dt_order: '20130515094013', no_order: '2013051500001',
  result_pay: 'SUCCESS', oid_paybill: oidPaybill, money_order: '49.65', settle_date: '20130515', info_order: '用户13958069593购买了3桶羽毛球',
  pay_type: '2', bank_code: '01020000', sign_type: 'RSA',
});

/** A spec 4.3 notification with the given oid_paybill, signed. */
const notification = (oidPaybill: string): Buffer => Buffer.from(JSON.stringify(signed({
  oid_partner: TEST_OID_PARTNER, sign_type: 'RSA', dt_order: '20130515094013', no_order: 'N1001', oid_paybill: oidPaybill,
  money_order: '49.65', result_pay: 'SUCCESS', settle_date: '20130515', pay_type: '2', bank_code: '01020000',
})), 'utf8');

const readQueryReply = (json: Record<string, string>) => checkReply(json, OrderQueryReplyCodec, 'RSA', keys, UNSIGNED_FIELDS.orderQuery, 'lianlian-web.orderQuery');

describe('LianLian web oid_paybill shorter than the tables\' 16 digits (spec 4.4 example)', function () {
  context('when a correctly signed order query reply carries the 13-digit oid_paybill of spec 4.4\'s example', function () {
    it('accepts it', function () {
      expect(must(readQueryReply(queryReply(EXAMPLE_PAYBILL))).wire).to.include({ oid_paybill: EXAMPLE_PAYBILL, result_pay: 'SUCCESS' });
    });

    it('still refuses a 17-digit one with a Decode error naming oid_paybill', function () {
      const e = readQueryReply(queryReply(PAYBILL_17))._unsafeUnwrapErr();
      expect(e.kind).to.equal('Decode');
      expect(`${e.path ?? ''} ${e.message}`).to.include('oid_paybill');
    });
  });

  context('when a correctly signed notification (spec 4.3) carries a 13-digit oid_paybill', function () {
    it('accepts it and reports it as the provider payment id', function () {
      const v = must(verifyNotificationBody(notification(EXAMPLE_PAYBILL), options, keys));
      expect(v.report).to.include({ orderId: 'N1001', status: 'succeeded', providerPaymentId: EXAMPLE_PAYBILL });
    });

    it('still refuses a 17-digit one, and one with a non-digit', function () {
      for (const paybill of [PAYBILL_17, '201305150000A']) {
        expect(verifyNotificationBody(notification(paybill), options, keys)._unsafeUnwrapErr().kind, paybill).to.equal('Decode');
      }
    });
  });

  context('when an order is queried by a payment number LianLian gave (spec 4.4 request)', function () {
    let w: World;
    before(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'MD5' }); });
    after(async function () { await w.close(); });
    const query = (providerPaymentId: string) => must(w.paykit.extension('shop', LianlianWebTokens.Orders))
      .query({ orderId: 'Q1001', createdAt: must(parseCst('20130515094013')), providerPaymentId });

    it('sends a 13-digit oid_paybill as it was received', async function () {
      const sent = w.transport.sent.length;
      const r = await query(EXAMPLE_PAYBILL);
      expect(r.isErr() ? r.error.kind : 'Ok', 'not refused before sending').not.to.equal('InvalidRequest');
      expect(w.transport.sent.length).to.equal(sent + 1);
      expect(JSON.parse(String(w.transport.sent.at(-1)?.request.body))).to.include({ no_order: 'Q1001', oid_paybill: EXAMPLE_PAYBILL });
    });

    it('refuses a 17-digit one before sending', async function () {
      const sent = w.transport.sent.length;
      const e = (await query(PAYBILL_17))._unsafeUnwrapErr();
      expect(e).to.include({ kind: 'InvalidRequest', path: 'orders.query.oid_paybill' });
      expect(w.transport.sent.length).to.equal(sent);
    });
  });
});
