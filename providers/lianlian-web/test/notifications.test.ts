import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { RawHttpRequest } from '@paykit/core';
import { simSign, simSigningText, simSpoil } from '../src/simulator/index.js';
import { loadKeys, verifyNotificationBody, type LianlianWebOptions } from '../src/index.js';
import { FixedClock, Secret, Tokens } from '@paykit/core';
import { submitForm } from '../src/harness.js';
import { must, paymentInput, startWorld, testKeys, TEST_MD5_KEY, type World } from './support.js';
import { createPrivateKey } from 'node:crypto';

const ACK = '{"ret_code":"0000","ret_msg":"交易成功"}';
const lianlianPrivate = createPrivateKey({ key: Buffer.from(testKeys.lianlianPrivate, 'base64'), format: 'der', type: 'pkcs8' });

function raw(body: string | Buffer): RawHttpRequest {
  return { method: 'POST', url: '/ll/notify', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}

async function paidOrder(w: World, orderId: string): Promise<void> {
  const created = must(await w.paykit.payments.create(paymentInput(orderId)));
  expect((await submitForm(created.action)).status).to.equal(200);
}

describe('LianLian web notifications', function () {
  context('when requests are signed with MD5 and the merchant site signs notifications with RSA', function () {
    let w: World;
    before(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'RSA' }); });
    after(async function () { await w.close(); });

    it('verifies the RSA notification, records the success and acknowledges with the exact body', async function () {
      await paidOrder(w, 'N1001');
      const attempts = await w.sim.complete('N1001', 'succeeded');
      expect(attempts).to.have.length(1);
      expect(attempts[0]?.body).to.equal(ACK);
      expect(must(await w.paykit.payments.get('N1001')).status).to.equal('succeeded');
      const body = JSON.parse(w.sim.notificationBody('N1001')) as Record<string, string>;
      expect(body.sign_type).to.equal('RSA');
    });

    it('acknowledges redeliveries as duplicates and applies nothing twice', async function () {
      const before = must(await w.store.get('payment', 'N1001'));
      await w.sim.notify('N1001');
      await w.sim.notify('N1001');
      const after = must(await w.store.get('payment', 'N1001'));
      expect(after).to.deep.equal(before);
      expect(w.replies.slice(-2)).to.deep.equal([ACK, ACK]);
    });

    it('keeps the success when a FAILURE notification arrives afterwards (spec 3.3)', async function () {
      const attempts = await w.sim.notify('N1001', 'FAILURE');
      expect(attempts[0]?.acknowledged).to.equal(true);
      expect(must(await w.paykit.payments.get('N1001')).status).to.equal('succeeded');
    });
  });

  context('when the merchant endpoint refuses (a notification signed with the wrong type)', function () {
    let w: World;
    before(async function () { w = await startWorld({ signType: 'RSA', notifySignType: 'RSA' }); });
    after(async function () { await w.close(); });

    it('refuses it, and while the merchant is down LianLian tries exactly 30 times and paykit stays pending', async function () {
      await paidOrder(w, 'N2001');
      // The simulator's merchant-site setting says MD5 while the instance expects RSA: never acked.
      const md5Body = JSON.parse(w.sim.notificationBody('N2001')) as Record<string, string>;
      const { sign: _s, ...rest } = md5Body;
      const fields = { ...rest, sign_type: 'MD5' };
      const forged = { ...fields, sign: createHash('md5').update(`${simSigningText(fields)}&key=${TEST_MD5_KEY}`).digest('hex') };
      const r = await w.paykit.notifications.handle('shop', raw(JSON.stringify(forged)));
      expect(r._unsafeUnwrapErr().kind).to.equal('Signature');
      expect(w.paykit.notifications.rejection('shop', r._unsafeUnwrapErr()).body).not.to.equal(ACK);
      w.outage = true;
      const attempts = await w.sim.complete('N2001', 'succeeded');
      expect(attempts).to.have.length(30);
      expect(attempts.every((a) => !a.acknowledged && a.status === 500)).to.equal(true);
      expect(must(await w.paykit.payments.get('N2001')).status).to.equal('pending');
      w.outage = false;
    });

    it('stops at the first exact acknowledgement when the merchant answers correctly', async function () {
      const attempts = await w.sim.notify('N2001');
      expect(attempts.map((a) => a.acknowledged)).to.deep.equal([true]);
    });
  });

  context('when the body is bad', function () {
    let w: World;
    let good: Record<string, string>;
    before(async function () {
      w = await startWorld({ signType: 'MD5', notifySignType: 'RSA' });
      await paidOrder(w, 'N3001');
      good = JSON.parse(w.sim.notificationBody('N3001', 'SUCCESS')) as Record<string, string>;
    });
    after(async function () { await w.close(); });

    const resign = (f: Record<string, unknown>): string => {
      const { sign: _s, ...rest } = f;
      return JSON.stringify({ ...rest, sign: simSign(simSigningText(rest), 'RSA', { lianlianPrivateKey: lianlianPrivate }) });
    };

    const cases: [string, () => RawHttpRequest, string][] = [
      ['malformed JSON', () => raw('{"oid_partner":'), 'Decode'],
      ['a JSON array', () => raw('[1,2]'), 'Decode'],
      ['a GBK body', () => raw(Buffer.from([0xc4, 0xe3, 0xba, 0xc3])), 'Decode'],
      ['a missing field (oid_paybill), re-signed', () => { const { oid_paybill: _o, ...f } = good; return raw(resign(f)); }, 'Decode'],
      ['an extra field the signature does not cover', () => raw(JSON.stringify({ ...good, pay_chnl: 'x' })), 'Signature'],
      ['an extra field whose name is not a field name, re-signed', () => raw(resign({ ...good, 'a=1&b': 'x' })), 'Decode'],
      ['a number where a string belongs, re-signed', () => raw(resign({ ...good, money_order: 49.65 })), 'Decode'],
      ['an amount with three decimals, re-signed', () => raw(resign({ ...good, money_order: '49.650' })), 'Decode'],
      ['a wrong signature', () => raw(JSON.stringify({ ...good, sign: simSpoil(good.sign ?? '', 'RSA') })), 'Signature'],
      ['a changed amount with the original signature', () => raw(JSON.stringify({ ...good, money_order: '0.01' })), 'Signature'],
      ['another merchant\'s number, re-signed', () => raw(resign({ ...good, oid_partner: '201304121000001004' })), 'Signature'],
    ];
    for (const [what, make, kind] of cases) {
      it(`refuses ${what} with ${kind}, answers non-0000 and changes nothing`, async function () {
        const before = must(await w.store.get('payment', 'N3001'));
        const r = await w.paykit.notifications.handle('shop', make());
        expect(r.isErr()).to.equal(true);
        expect(r._unsafeUnwrapErr().kind, r._unsafeUnwrapErr().message).to.equal(kind);
        const reply = JSON.parse(w.paykit.notifications.rejection('shop', r._unsafeUnwrapErr()).body) as { ret_code: string };
        expect(reply.ret_code).not.to.equal('0000');
        expect(must(await w.store.get('payment', 'N3001'))).to.deep.equal(before);
      });
    }

    it('refuses a form body carrying a card number without quoting the number in the error (rule 6)', async function () {
      const r = await w.paykit.notifications.handle('shop', raw('card_no=6216261234567890018&acct_name=x'));
      const e = r._unsafeUnwrapErr();
      expect(e.kind).to.equal('Decode');
      expect(e.message).to.include('not JSON');
      expect(JSON.stringify(e)).not.to.include('6216261234567890');
    });

    it('accepts the untouched notification afterwards (so the refusals above prove something)', async function () {
      const r = must(await w.paykit.notifications.handle('shop', raw(JSON.stringify(good))));
      expect(r.reply.body).to.equal(ACK);
      expect(must(await w.paykit.payments.get('N3001')).status).to.equal('succeeded');
    });
  });
});

describe('LianLian web notifications with fields spec v2.2 lacks', function () {
  context('when LianLian adds a field and signs it with the others', function () {
    let w: World;
    before(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'RSA' }); });
    after(async function () { await w.close(); });

    it('verifies over every field, records the payment and acknowledges (no 30 redeliveries)', async function () {
      await paidOrder(w, 'N4001');
      w.sim.addedFields.pay_chnl = 'UNIONPAY';
      w.sim.addedFields.risk_level = '2';
      const attempts = await w.sim.complete('N4001', 'succeeded');
      expect(attempts.map((a) => a.body)).to.deep.equal([ACK]);
      expect(must(await w.paykit.payments.get('N4001')).status).to.equal('succeeded');
      const body = JSON.parse(w.sim.notificationBody('N4001')) as Record<string, string>;
      expect(body).to.include({ pay_chnl: 'UNIONPAY', risk_level: '2' });
    });

    it('keeps the added fields as extra data beside the decoded ones, and signs over them', function () {
      const options: LianlianWebOptions = {
        oidPartner: '201408071000001543', signType: 'MD5', notifySignType: 'RSA', md5Key: new Secret(TEST_MD5_KEY),
        lianlianPublicKey: testKeys.lianlianPublic, goodsCategory: '1002',
      };
      const keys = must(loadKeys({ lianlianPublicKey: testKeys.lianlianPublic }));
      const v = must(verifyNotificationBody(Buffer.from(w.sim.notificationBody('N4001')), options, keys));
      expect(v.extra).to.deep.equal({ pay_chnl: 'UNIONPAY', risk_level: '2' });
      expect(v.wire).not.to.have.property('pay_chnl');
      expect(v.signedText).to.include('&pay_chnl=UNIONPAY&pay_type=');
      expect(v.signedText).to.include('&result_pay=SUCCESS&risk_level=2&');
    });

    it('answers order queries that carry the added field', async function () {
      const report = must(await w.paykit.payments.query('N4001'));
      expect(report.status).to.equal('succeeded');
      const last = must2(w.transport.sent.at(-1));
      const reply = JSON.parse(Buffer.from(must(await w.transport.send(last.request, last.options)).body).toString('utf8')) as Record<string, string>;
      expect(reply).to.include({ ret_code: '0000', pay_chnl: 'UNIONPAY', risk_level: '2' });
    });
  });
});

function must2<T>(v: T | undefined): T {
  if (v === undefined) throw new Error('value expected');
  return v;
}

describe('LianLian web notification data', function () {
  context('when paykit first learns of a paid order from its notification (spec 3.1: date and number name the order)', function () {
    let w: World;
    let other: World;
    before(async function () {
      w = await startWorld({ signType: 'MD5', notifySignType: 'MD5', clock: new FixedClock(new Date(Date.now() - 2 * 86_400_000)) });
      other = await startWorld({ signType: 'MD5', notifySignType: 'MD5', on: w.sim });
    });
    after(async function () { await other.close(); await w.close(); });

    it('keeps the dt_order it states, so later queries find the order', async function () {
      // Made two days ago by another system of the same merchant (here: another paykit).
      const created = must(await w.paykit.payments.create(paymentInput('N6001')));
      await submitForm(created.action);
      await w.sim.complete('N6001', 'succeeded', { notify: false });
      const body = w.sim.notificationBody('N6001');
      const dtOrder = (JSON.parse(body) as Record<string, string>).dt_order;
      expect(must(await other.paykit.notifications.handle('shop', raw(body))).reply.body).to.equal(ACK);
      const before = w.sim.server.received.length;
      const q = await other.paykit.payments.query('N6001');
      const sent = JSON.parse(w.sim.server.received.slice(before).at(-1)?.body.toString('utf8') ?? '{}') as Record<string, string>;
      expect(sent).to.include({ no_order: 'N6001', dt_order: dtOrder });
      expect(q.isOk() && q.value.status).to.equal('succeeded');
    });
  });

  context('when a real-name payment succeeds and LianLian notifies with the agreement and payer fields (spec 4.3)', function () {
    let w: World;
    before(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'MD5' }); });
    after(async function () { await w.close(); });

    it('reports no_agree, bank_code, pay_type, id_type, id_no (masked) and acct_name as providerDetails, and paidAt from its arrival', async function () {
      const input = paymentInput('N5001');
      const created = must(await w.paykit.payments.create({ ...input, payer: { ...input.payer, idType: '0', idNumber: '330106199001011234', name: '张三' } }));
      await submitForm(created.action);
      await w.sim.complete('N5001', 'succeeded', { notify: false });
      const body = w.sim.notificationBody('N5001');
      const sent = JSON.parse(body) as Record<string, string>;
      expect(sent).to.include({ id_type: '0', id_no: '330106199001011234', acct_name: '张三', pay_type: '2', bank_code: '01020000' });
      expect(sent.no_agree).to.match(/^\d{16}$/);
      const arrival = new Date('2024-06-01T02:03:04Z');
      w.clock.set(arrival);
      const capability = must(w.paykit.extension('shop', Tokens.Notifications));
      const v = must(capability.verify(raw(body)));
      if (v.event.type !== 'payment') throw new Error('payment event expected');
      expect(v.event.report.paidAt?.toISOString()).to.equal(arrival.toISOString());
      expect(v.event.report.providerDetails).to.deep.equal({
        no_agree: sent.no_agree, bank_code: '01020000', pay_type: '2', id_type: '0', id_no: '**************1234', acct_name: '张三',
      });
      expect(JSON.stringify(v)).not.to.include('330106199001');
    });
  });
});
