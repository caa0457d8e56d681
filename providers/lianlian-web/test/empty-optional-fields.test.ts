/**
 * Optional fields LianLian sends empty (`""`), as the text `null`, or as JSON null: README
 * "LianLian: signing" rule 1 leaves them out of the signature, so an incoming message reads them
 * as absent (spec 4.3: 清算日期 settle_date "支付成功后会有", 银行编号 bank_code "余额支付没有此项").
 * A required field sent empty is still refused, and the signature still covers the message as received.
 */
import { createPrivateKey } from 'node:crypto';
import { expect } from 'chai';
import { decodeWith, Secret, type RawHttpRequest } from '@paykit/core';
import { simSign, simSigningText } from '../src/simulator/index.js';
import { loadKeys, parseSyncReturn, verifyNotificationBody, type LianlianWebOptions } from '../src/index.js';
import { checkReply } from '../src/api.js';
import { lianlianWebTools } from '../src/tools.js';
import { NotificationCodec, OrderQueryReplyCodec, UNSIGNED_FIELDS } from '../src/wire.js';
import { submitForm } from '../src/harness.js';
import { must, paymentInput, startWorld, testKeys, TEST_MD5_KEY, TEST_OID_PARTNER, type World } from './support.js';

const ACK = '{"ret_code":"0000","ret_msg":"交易成功"}';
const lianlianPrivate = createPrivateKey({ key: Buffer.from(testKeys.lianlianPrivate, 'base64'), format: 'der', type: 'pkcs8' });
const keys = must(loadKeys({ md5Key: new Secret(TEST_MD5_KEY), lianlianPublicKey: testKeys.lianlianPublic }));
const options: LianlianWebOptions = {
  oidPartner: TEST_OID_PARTNER, signType: 'MD5', notifySignType: 'RSA', md5Key: new Secret(TEST_MD5_KEY),
  lianlianPublicKey: testKeys.lianlianPublic, goodsCategory: '1002',
};

/** A spec 4.3 notification's fields (a success paid by card), unsigned. */
const PAID: Readonly<Record<string, unknown>> = {
  oid_partner: TEST_OID_PARTNER, sign_type: 'RSA', dt_order: '20240301090000', no_order: 'E1001', oid_paybill: '2024030100000001',
  money_order: '49.65', result_pay: 'SUCCESS', settle_date: '20240301', info_order: '羽毛球', pay_type: '2', bank_code: '01020000',
};

/** Signs fields with LianLian's key by the simulator's own signing (independent of the plugin's signer). */
function signed(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { sign: _s, ...rest } = fields;
  return { ...rest, sign: simSign(simSigningText(rest), 'RSA', { lianlianPrivateKey: lianlianPrivate }) };
}

const body = (fields: Readonly<Record<string, unknown>>): Buffer => Buffer.from(JSON.stringify(fields), 'utf8');
const raw = (fields: Readonly<Record<string, unknown>>): RawHttpRequest => ({ method: 'POST', url: '/ll/notify', headers: { 'content-type': 'application/json' }, body: body(fields) });

describe('LianLian web incoming messages with empty optional fields (README signing rule 1)', function () {
  context('when a correctly signed notification carries bank_code "" and settle_date "" (a balance payment, spec 4.3)', function () {
    const message = signed({ ...PAID, bank_code: '', settle_date: '' });

    it('accepts it and maps it with neither field (no settleDate, no bank_code detail)', function () {
      const v = must(verifyNotificationBody(body(message), options, keys));
      expect(v.report).to.include({ orderId: 'E1001', status: 'succeeded', providerPaymentId: '2024030100000001' });
      expect(v.report).not.to.have.property('settleDate');
      expect(v.report.providerDetails).to.deep.equal({ pay_type: '2' });
      expect(v.wire).not.to.have.property('bank_code');
      expect(v.wire).not.to.have.property('settle_date');
      expect(v.extra).to.deep.equal({});
      expect(v.signedText).not.to.include('bank_code').and.not.to.include('settle_date');
    });

    it('accepts JSON null for them the same way', function () {
      const v = must(verifyNotificationBody(body(signed({ ...PAID, bank_code: null, settle_date: null })), options, keys));
      expect(v.wire).not.to.have.property('bank_code');
      expect(v.report).not.to.have.property('settleDate');
    });

    it('is verified by `paykit verify` the same way (no settleDate in its report)', function () {
      const r = must(lianlianWebTools.verify(body(message), { publicKey: testKeys.lianlianPublic }));
      expect(r.message).to.equal('notification');
      expect(r.result).to.include({ orderId: 'E1001', status: 'succeeded' });
      expect(r.result).not.to.have.property('settleDate');
    });

    it('leaves the codec itself refusing bank_code "" (it also checks what paykit sends)', function () {
      expect(decodeWith(NotificationCodec, message, 'notification', 'reply').isErr()).to.equal(true);
    });
  });

  context('when info_order is the text "null" (LianLian\'s Java demo leaves it out of the signature)', function () {
    it('accepts it and reads info_order as absent', function () {
      const v = must(verifyNotificationBody(body(signed({ ...PAID, info_order: 'null', bank_code: '' })), options, keys));
      expect(v.wire).not.to.have.property('info_order');
      expect(v.wire).not.to.have.property('bank_code');
      expect(v.report).to.include({ orderId: 'E1001', status: 'succeeded', settleDate: '20240301' });
    });

    it('reads settle_date "null" as absent', function () {
      const v = must(verifyNotificationBody(body(signed({ ...PAID, settle_date: 'null' })), options, keys));
      expect(v.report).not.to.have.property('settleDate');
    });
  });

  context('when a required field is empty in a correctly signed notification', function () {
    for (const field of ['oid_paybill', 'result_pay', 'money_order', 'no_order']) {
      it(`still refuses ${field} "" with a Decode error naming it`, function () {
        const e = verifyNotificationBody(body(signed({ ...PAID, [field]: '' })), options, keys)._unsafeUnwrapErr();
        expect(e.kind).to.equal('Decode');
        expect(`${e.path ?? ''} ${e.message}`).to.include(field);
      });
    }

    it('still refuses oid_paybill "" when an optional field is empty too', function () {
      const e = verifyNotificationBody(body(signed({ ...PAID, oid_paybill: '', bank_code: '' })), options, keys)._unsafeUnwrapErr();
      expect(e.kind).to.equal('Decode');
      expect(`${e.path ?? ''} ${e.message}`).to.include('oid_paybill');
    });
  });

  context('when someone adds empty optional fields to a validly signed notification that lacks them', function () {
    const { settle_date: _d, bank_code: _b, info_order: _i, ...rest } = PAID;
    const genuine = signed(rest);

    it('verifies it over the message as received and reports exactly what the genuine one does', function () {
      const original = must(verifyNotificationBody(body(genuine), options, keys));
      const added = must(verifyNotificationBody(body({ ...genuine, settle_date: '', bank_code: '', info_order: 'null', id_no: null }), options, keys));
      expect(added.report).to.deep.equal(original.report);
      expect(added.wire).to.deep.equal(original.wire);
      expect(added.signedText).to.equal(original.signedText);
    });

    it('still refuses a changed amount carried with the empty fields (Signature)', function () {
      const e = verifyNotificationBody(body({ ...genuine, money_order: '0.01', settle_date: '', bank_code: '' }), options, keys)._unsafeUnwrapErr();
      expect(e.kind).to.equal('Signature');
    });

    it('still refuses an added non-empty optional field (Signature)', function () {
      const e = verifyNotificationBody(body({ ...genuine, bank_code: '01020000', settle_date: '' }), options, keys)._unsafeUnwrapErr();
      expect(e.kind).to.equal('Signature');
    });
  });

  context('when LianLian notifies a paid order with bank_code "" and settle_date "" through the facade', function () {
    let w: World;
    before(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'RSA' }); });
    after(async function () { await w.close(); });

    it('acknowledges it exactly and records the success (no 30 redeliveries)', async function () {
      const created = must(await w.paykit.payments.create(paymentInput('E2001')));
      expect((await submitForm(created.action)).status).to.equal(200);
      await w.sim.complete('E2001', 'succeeded', { notify: false });
      const sent = JSON.parse(w.sim.notificationBody('E2001')) as Record<string, unknown>;
      const handled = must(await w.paykit.notifications.handle('shop', raw(signed({ ...sent, bank_code: '', settle_date: '' }))));
      expect(handled.reply.body).to.equal(ACK);
      const payment = must(await w.paykit.payments.get('E2001'));
      expect(payment.status).to.equal('succeeded');
    });
  });

  context('when the sync return form (spec 4.2) carries settle_date= and bank_code=', function () {
    it('accepts it and reads both as absent', function () {
      const form = { ...PAID, settle_date: '', bank_code: '', sign_type: 'MD5' } as Record<string, string>;
      form.sign = simSign(simSigningText(form), 'MD5', { md5Key: TEST_MD5_KEY });
      const hint = must(parseSyncReturn(Buffer.from(new URLSearchParams(form).toString(), 'utf8'), options, keys));
      expect(hint.wire).not.to.have.property('settle_date');
      expect(hint.wire).not.to.have.property('bank_code');
      expect(hint.claimed).to.include({ orderId: 'E1001', status: 'succeeded' });
      expect(hint.claimed).not.to.have.property('settleDate');
    });
  });

  context('when an order query reply (spec 4.4) carries settle_date "" and bank_code "" for an unpaid order', function () {
    const reply = (extra: Record<string, unknown>): Record<string, unknown> => signed({
      ret_code: '0000', ret_msg: '交易成功', oid_partner: TEST_OID_PARTNER, sign_type: 'RSA', dt_order: '20240301090000', no_order: 'E1001',
      oid_paybill: '2024030100000001', money_order: '49.65', result_pay: 'WAITING', settle_date: '', bank_code: '', info_order: 'null', ...extra,
    });

    it('accepts it and reads them as absent', function () {
      const m = must(checkReply(reply({}), OrderQueryReplyCodec, 'RSA', keys, UNSIGNED_FIELDS.orderQuery, 'lianlian-web.orderQuery'));
      expect(m.wire).to.include({ result_pay: 'WAITING' });
      expect(m.wire).not.to.have.property('settle_date');
      expect(m.wire).not.to.have.property('bank_code');
      expect(m.wire).not.to.have.property('info_order');
    });

    it('still refuses one whose required oid_paybill is empty', function () {
      const e = checkReply(reply({ oid_paybill: '' }), OrderQueryReplyCodec, 'RSA', keys, UNSIGNED_FIELDS.orderQuery, 'lianlian-web.orderQuery')._unsafeUnwrapErr();
      expect(e.kind).to.equal('Decode');
    });
  });
});
