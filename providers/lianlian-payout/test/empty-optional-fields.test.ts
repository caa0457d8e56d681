/**
 * Optional fields LianLian sends empty (`""`), as the text `null`, or as JSON null in the payout
 * messages it signs (notification, query reply, apply/confirm reply): README "LianLian: signing"
 * rule 1 leaves them out of the signature, so they are read as absent (a FAILURE has no
 * settle_date). A required field sent empty is still refused; the signature still covers the
 * message as received.
 */
import { createSign } from 'node:crypto';
import { expect } from 'chai';
import { loadPublicKey } from '@paykit/core';
import { lianlianPayoutTools, verifyPayoutNotification } from '../src/index.js';
import { readApplyReply, readQueryReply } from '../src/replies.js';
import { lianlianKeys, OID_PARTNER, payoutInput, startRig, type Rig } from './support.js';

const key = loadPublicKey(lianlianKeys.publicB64)._unsafeUnwrap();
const ACK = '{"ret_code":"0000","ret_msg":"交易成功"}';

/** LianLian's MD5withRSA signature, computed here from the rule: sorted fields but sign, empty, "null" and null left out. */
function signed(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { sign: _s, ...rest } = fields;
  const text = Object.keys(rest).sort().filter((k) => rest[k] !== '' && rest[k] !== 'null' && rest[k] !== null).map((k) => `${k}=${String(rest[k])}`).join('&');
  return { ...rest, sign: createSign('RSA-MD5').update(text, 'utf8').sign(lianlianKeys.privateKey, 'base64') };
}

const body = (fields: Readonly<Record<string, unknown>>): Buffer => Buffer.from(JSON.stringify(fields), 'utf8');
const verify = (fields: Readonly<Record<string, unknown>>) => verifyPayoutNotification(body(fields), { oidPartner: OID_PARTNER, lianlianPublicKey: key });

/** A payout that failed at the bank: no settle_date (it comes with a success). */
const FAILED: Readonly<Record<string, unknown>> = {
  oid_partner: OID_PARTNER, sign_type: 'RSA', no_order: 'EP-1', dt_order: '20240301090000', money_order: '49.65',
  oid_paybill: '2024030100000001', info_order: '收款账户状态异常', result_pay: 'FAILURE',
};

describe('LianLian payout incoming messages with empty optional fields (README signing rule 1)', () => {
  context('when a correctly signed FAILURE notification carries settle_date ""', () => {
    it('accepts it and maps it failed with no settleDate', () => {
      const v = verify(signed({ ...FAILED, settle_date: '' }))._unsafeUnwrap();
      expect(v.report).to.include({ providerOrderId: 'EP-1', status: 'failed', providerPayoutId: '2024030100000001' });
      expect(v.report).not.to.have.property('settleDate');
      expect(v.report.reason).to.deep.equal({ providerCode: 'FAILURE', message: '收款账户状态异常' });
      expect(v.fields).not.to.have.property('settle_date');
    });

    it('accepts settle_date "null" and JSON null the same way', () => {
      for (const empty of ['null', null]) {
        const v = verify(signed({ ...FAILED, settle_date: empty }))._unsafeUnwrap();
        expect(v.report, String(empty)).not.to.have.property('settleDate');
      }
    });

    it('reads info_order "" and oid_paybill "" as absent (the reason falls back to result_pay)', () => {
      const v = verify(signed({ ...FAILED, settle_date: '', info_order: '', oid_paybill: '' }))._unsafeUnwrap();
      expect(v.report).not.to.have.property('providerPayoutId');
      expect(v.report.reason).to.deep.equal({ providerCode: 'FAILURE', message: 'FAILURE' });
      expect(v.eventKey).to.equal('EP-1:FAILURE:');
    });
  });

  context('when a required field is empty in a correctly signed notification', () => {
    for (const field of ['no_order', 'money_order', 'result_pay', 'dt_order']) {
      it(`still refuses ${field} "" with a Decode error`, () => {
        const e = verify(signed({ ...FAILED, [field]: '', settle_date: '' }))._unsafeUnwrapErr();
        expect(e.kind).to.equal('Decode');
        expect(`${e.path ?? ''} ${e.message}`).to.include(field);
      });
    }
  });

  context('when someone adds empty optional fields to a validly signed notification that lacks them', () => {
    const { oid_paybill: _p, info_order: _i, ...rest } = FAILED;
    const genuine = signed(rest);

    it('verifies it over the message as received and reports exactly what the genuine one does', () => {
      const original = verify(genuine)._unsafeUnwrap();
      const added = verify({ ...genuine, settle_date: '', info_order: '', oid_paybill: '' })._unsafeUnwrap();
      expect(added.report).to.deep.equal(original.report);
      expect(added.eventKey).to.equal(original.eventKey);
      expect(added.fields).to.deep.equal(original.fields);
    });

    it('reports exactly what the genuine one does when the added fields hold the text "null" (not signed either)', () => {
      const original = verify(genuine)._unsafeUnwrap();
      const added = verify({ ...genuine, info_order: 'null', oid_paybill: 'null' })._unsafeUnwrap();
      expect(added.report).to.deep.equal(original.report);
      expect(added.report).not.to.have.property('providerPayoutId');
      expect(added.eventKey).to.equal('EP-1:FAILURE:');
      expect(added.fields).to.deep.equal(original.fields);
    });

    it('still refuses a changed amount carried with the empty fields (Signature)', () => {
      expect(verify({ ...genuine, money_order: '0.01', settle_date: '' })._unsafeUnwrapErr().kind).to.equal('Signature');
    });

    it('still refuses an added non-empty optional field (Signature)', () => {
      expect(verify({ ...genuine, settle_date: '20240301', info_order: '' })._unsafeUnwrapErr().kind).to.equal('Signature');
    });
  });

  context('when a payout query reply (queryPayment.htm) carries settle_date "" for a payout still processing', () => {
    const reply = (extra: Record<string, unknown> = {}) => body(signed({
      ret_code: '0000', ret_msg: '交易成功', sign_type: 'RSA', oid_partner: OID_PARTNER, no_order: 'EP-2', dt_order: '20240301090000',
      money_order: '49.65', oid_paybill: '2024030100000002', result_pay: 'PROCESSING', settle_date: '', info_order: '', ...extra,
    }));
    const expected = { oidPartner: OID_PARTNER, noOrder: 'EP-2' };

    it('accepts it and reads settle_date and info_order as absent', () => {
      const r = readQueryReply(reply(), key, expected)._unsafeUnwrap();
      expect(r).to.include({ ret_code: '0000', result_pay: 'PROCESSING', oid_paybill: '2024030100000002' });
      expect(r).not.to.have.property('settle_date');
      expect(r).not.to.have.property('info_order');
    });

    it('is verified by `paykit verify` the same way', () => {
      const r = lianlianPayoutTools.verify(reply(), { publicKey: lianlianKeys.publicB64, message: 'query' })._unsafeUnwrap();
      expect(r.result).to.include({ retCode: '0000', resultPay: 'PROCESSING', noOrder: 'EP-2' });
    });

    it('still refuses one whose required ret_code is empty (Decode), and one tampered after signing (Signature)', () => {
      expect(readQueryReply(reply({ ret_code: '' }), key, expected)._unsafeUnwrapErr().kind).to.equal('Decode');
      const tampered = JSON.parse(reply().toString('utf8')) as Record<string, unknown>;
      expect(readQueryReply(body({ ...tampered, result_pay: 'SUCCESS' }), key, expected)._unsafeUnwrapErr().kind).to.equal('Signature');
    });
  });

  context('when a signed query reply saying "no record" (8901) carries no_order "null"', () => {
    it('reads no_order as absent instead of refusing the reply as one for another order', () => {
      const r = readQueryReply(body(signed({
        ret_code: '8901', ret_msg: '没有记录', sign_type: 'RSA', oid_partner: OID_PARTNER, no_order: 'null', oid_paybill: 'null',
      })), key, { oidPartner: OID_PARTNER, noOrder: 'EP-9' })._unsafeUnwrap();
      expect(r).to.include({ ret_code: '8901' });
      expect(r).not.to.have.property('no_order');
      expect(r).not.to.have.property('oid_paybill');
    });
  });

  context('when a hold reply carries confirm_code "null"', () => {
    it('reads it as absent: no confirm code is recorded from an unsigned value', () => {
      const r = readApplyReply(body(signed({
        ret_code: '4002', ret_msg: '疑似重复提交订单', sign_type: 'RSA', oid_partner: OID_PARTNER, no_order: 'EP-8', confirm_code: 'null',
      })), key, { oidPartner: OID_PARTNER, noOrder: 'EP-8' })._unsafeUnwrap();
      expect(r).not.to.have.property('confirm_code');
    });
  });

  context('when an apply reply carries oid_paybill "" and confirm_code ""', () => {
    it('accepts it and reads both as absent', () => {
      const r = readApplyReply(body(signed({
        ret_code: '0000', ret_msg: '交易成功', sign_type: 'RSA', oid_partner: OID_PARTNER, no_order: 'EP-3', oid_paybill: '', confirm_code: '',
      })), key, { oidPartner: OID_PARTNER, noOrder: 'EP-3' })._unsafeUnwrap();
      expect(r).to.include({ ret_code: '0000', no_order: 'EP-3' });
      expect(r).not.to.have.property('oid_paybill');
      expect(r).not.to.have.property('confirm_code');
    });
  });

  context('when LianLian notifies a failed payout with settle_date "" through the facade', () => {
    let rig: Rig;
    before(async () => { rig = await startRig(); });
    after(() => rig.close());

    it('acknowledges it exactly and records the payout failed with the reason', async () => {
      rig.sim.script('EP-4', { notify: false });
      expect((await rig.paykit.payouts.submit(payoutInput('EP-4')))._unsafeUnwrap().status).to.equal('accepted');
      const sent = JSON.parse(rig.sim.notification('EP-4', 'FAILURE')) as Record<string, unknown>;
      const handled = (await rig.paykit.notifications.handle('payouts', { method: 'POST', url: '/n', headers: {}, body: body(signed({ ...sent, settle_date: '' })) }))._unsafeUnwrap();
      expect(handled.reply.body).to.equal(ACK);
      const payout = (await rig.paykit.payouts.get('EP-4'))._unsafeUnwrap();
      expect(payout.status).to.equal('failed');
    });
  });
});
