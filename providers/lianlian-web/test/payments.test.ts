import { expect } from 'chai';
import { FixedClock, parseCst, Tokens } from '@paykit/core';
import { encodeForm, submitForm } from '../src/harness.js';
import { LianlianWebTokens, parseSyncReturn, renderCashierPage, type LianlianWebOptions } from '../src/index.js';
import { simSigningText, simVerify } from '../src/simulator/index.js';
import { must, paymentInput, startWorld, testKeys, TEST_MD5_KEY, type World } from './support.js';
import { createPublicKey } from 'node:crypto';
import { Secret } from '@paykit/core';

const merchantPublic = createPublicKey({ key: Buffer.from(testKeys.merchantPublic, 'base64'), format: 'der', type: 'spki' });

describe('LianLian web payments', function () {
  let w: World;
  before(async function () { w = await startWorld({ signType: 'RSA', notifySignType: 'MD5' }); });
  after(async function () { await w.close(); });

  context('when creating a payment', function () {
    it('builds the cashier form with the wire fields of spec 4.1, signed so the gateway verifies it', async function () {
      const r = must(await w.paykit.payments.create({ ...paymentInput('P1001', 21097), validForMinutes: 30, extra: { payType: '2', bankCode: '01020000' } }));
      expect(r.payment.status).to.equal('pending');
      if (r.action.kind !== 'redirect') throw new Error('redirect expected');
      const f = r.action.fields;
      expect(r.action.url).to.equal(w.sim.cashierUrl);
      expect(r.action.charset).to.equal('UTF-8');
      expect(f.money_order).to.equal('210.97');
      expect(f.userreq_ip).to.equal('122_11_37_211');
      expect(f.sign_type).to.equal('RSA');
      expect(f.valid_order).to.equal('30');
      expect(f.busi_partner).to.equal('101001');
      expect(JSON.parse(f.risk_item as string)).to.deep.equal({ frms_ware_category: '1002', user_info_mercht_userno: 'U1001', user_info_dt_register: '20240101080000' });
      expect(f.timestamp).to.match(/^\d{14}$/);
      expect(simVerify(simSigningText(f), 'RSA', f.sign as string, { merchantPublicKey: merchantPublic })).to.equal(true);
      const reply = await submitForm(r.action);
      expect(reply.status, reply.body).to.equal(200);
      expect(w.sim.ledger.get('P1001')?.amountMinor).to.equal(21097);
    });

    const ips: [string, string, string | undefined][] = [
      ['an IPv4-mapped IPv6 address (Express req.ip)', '::ffff:122.11.37.211', '122_11_37_211'],
      ['an IPv4-mapped address written in hex', '::FFFF:7b0b:25d3', '123_11_37_211'],
      ['an IPv4-mapped address written out in full', '0:0:0:0:0:ffff:1.2.3.4', '1_2_3_4'],
      ['a plain IPv6 address', '2001:db8::1', undefined],
      ['the IPv6 loopback', '::1', undefined],
      ['a link-local IPv6 address with a zone', 'fe80::1%eth0', undefined],
    ];
    for (const [what, ip, sent] of ips) {
      it(`sends ${what} ${sent === undefined ? 'without userreq_ip' : `as userreq_ip ${sent}`}, and the cashier accepts the form`, async function () {
        const input = paymentInput(`PI${what.length}`);
        const r = must(await w.paykit.payments.create({ ...input, payer: { ...input.payer, ip } }));
        if (r.action.kind !== 'redirect') throw new Error('redirect expected');
        expect(r.action.fields.userreq_ip).to.equal(sent);
        expect(Object.keys(r.action.fields).includes('userreq_ip')).to.equal(sent !== undefined);
        expect((await submitForm(r.action)).status).to.equal(200);
      });
    }

    it('takes web banking at 北京银行 (spec 6.5 row 23, 04031000)', async function () {
      const r = must(await w.paykit.payments.create({ ...paymentInput('P1004'), extra: { payType: '1', bankCode: '04031000' } }));
      expect(r.action.kind === 'redirect' && r.action.fields).to.include({ pay_type: '1', bank_code: '04031000' });
    });

    it('renders an auto-submitting page with the charset meta and escaped values', async function () {
      const r = must(await w.paykit.payments.create({ ...paymentInput('P1002'), description: '<b>"茶"</b>' }));
      if (r.action.kind !== 'redirect') throw new Error('redirect expected');
      const html = renderCashierPage(r.action);
      expect(html).to.include('<meta http-equiv="content-type" content="text/html; charset=UTF-8">');
      expect(html).to.include('name="name_goods" value="&#60;b&#62;&#34;茶&#34;&#60;/b&#62;"');
      expect(html).to.include('document.forms[0].submit()');
    });

    it('serialises split receivers as partner^busi^amount^note|…', async function () {
      const split = [{ oidPartner: '201304121000001004', busiPartner: '101001', amount: { amount: 1000, currency: 'CNY' }, description: '分账一' },
        { oidPartner: '201304121000001005', busiPartner: '109001', amount: { amount: 5, currency: 'CNY' }, description: 'two' }];
      const r = must(await w.paykit.payments.create({ ...paymentInput('P1003'), extra: { split } }));
      expect(r.action.kind === 'redirect' && r.action.fields.shareing_data).to.equal('201304121000001004^101001^10.00^分账一|201304121000001005^109001^0.05^two');
    });

    const invalid: [string, Record<string, unknown>, string][] = [
      ['a goods name over 40 characters', { description: '茶'.repeat(41) }, 'payments.create.name_goods'],
      ['an order number over 32 characters', { orderId: 'A'.repeat(33) }, 'payments.create.no_order'],
      ['a USD amount', { amount: { amount: 100, currency: 'USD' } }, 'amount'],
      ['no payer id', { payer: { ip: '1.2.3.4', registeredAt: new Date() } }, 'payer.id'],
      ['a bad IP', { payer: { id: 'U1', ip: '999.1.1.1', registeredAt: new Date() } }, 'payer.ip'],
      ['a 12-digit card number', { payer: { id: 'U1', registeredAt: new Date(), cardNumber: '622202020011' } }, 'payments.create.card_no'],
      ['an unknown extra option', { extra: { colour: 'red' } }, 'extra.colour'],
      ['four split receivers', { extra: { split: Array.from({ length: 4 }, () => ({ oidPartner: '201304121000001004', busiPartner: '101001', amount: { amount: 1, currency: 'CNY' }, description: 'x' })) } }, 'extra.split'],
      ['shares above the order', { extra: { split: [{ oidPartner: '201304121000001004', busiPartner: '101001', amount: { amount: 4966, currency: 'CNY' }, description: 'x' }] } }, 'extra.split'],
      ['a share description with ^', { extra: { split: [{ oidPartner: '201304121000001004', busiPartner: '101001', amount: { amount: 1, currency: 'CNY' }, description: 'a^b' }] } }, 'extra.split.0.description'],
      ['an unknown busi_partner', { extra: { busiPartner: '999999' } }, 'extra.busiPartner'],
      ['a bank code in neither table of spec 6.4 / 6.5', { extra: { bankCode: '01020001' } }, 'extra.bankCode'],
      ['quick pay by debit card at a bank taking credit cards only (广发银行, 6.4 row 11)', { extra: { payType: '2', bankCode: '03060000' } }, 'extra.bankCode'],
      ['web banking at a bank of the quick-pay list only (杭州银行)', { extra: { payType: '1', bankCode: '04233310' } }, 'extra.bankCode'],
      ['web banking by credit card at a debit-only bank (中信银行, 6.5 row 10)', { extra: { payType: '8', bankCode: '03020000' } }, 'extra.bankCode'],
    ];
    for (const [what, change, path] of invalid) {
      it(`refuses ${what} with InvalidRequest at ${path}, before anything is recorded`, async function () {
        const input = { ...paymentInput(`PX${path.length}${what.length}`), ...change };
        const r = await w.paykit.payments.create(input as Parameters<typeof w.paykit.payments.create>[0]);
        const e = r._unsafeUnwrapErr();
        expect(e.kind, e.message).to.equal('InvalidRequest');
        expect(e.path ?? e.message).to.include(path);
        expect(e.message).not.to.match(/622202020011/);
        expect((await w.store.get('payment', input.orderId as string))._unsafeUnwrap()).to.equal(undefined);
      });
    }
  });

  context('when several fields are wrong and one of them is the card or id number', function () {
    it('names every field but never quotes the card or id number, whichever field fails first', async function () {
      for (const cardNumber of ['6222.0212.3456.7890', '６２２２０２１２３４５６７８９０', '62220212345678901234']) {
        const input = { ...paymentInput('PX-CARD'), description: '茶'.repeat(41), payer: { id: 'U1', registeredAt: new Date(), cardNumber, idNumber: '11010119900101123X9', name: '张'.repeat(13) } };
        const e = (await w.paykit.payments.create(input as Parameters<typeof w.paykit.payments.create>[0]))._unsafeUnwrapErr();
        expect(e.kind, e.message).to.equal('InvalidRequest');
        expect(e.message).to.include('name_goods').and.to.include('card_no');
        expect(e.message).not.to.include(cardNumber);
        expect(e.message).not.to.match(/3456|３４５６|11010119900101123X9/);
      }
    });
  });

  context('when a form ages (spec 4.1: the signed timestamp is valid 30 minutes)', function () {
    it('builds dt_order from createdAt and timestamp from the clock, and says the form expires 30 minutes after its timestamp', async function () {
      const clock = new FixedClock(new Date('2024-05-01T00:00:00Z'));
      const world = await startWorld({ signType: 'MD5', notifySignType: 'MD5', clock });
      try {
        const createdAt = new Date('2024-04-30T23:00:00Z');
        const first = must(await world.paykit.payments.create({ ...paymentInput('P5001'), createdAt }));
        if (first.action.kind !== 'redirect') throw new Error('redirect expected');
        expect(first.action.fields).to.include({ dt_order: '20240501070000', timestamp: '20240501080000' });
        expect(first.action.expiresAt?.toISOString()).to.equal('2024-05-01T00:30:00.000Z');
        clock.advance(31 * 60 * 1000);
        expect((await submitForm(first.action)).status).to.equal(400);
        // What core's facade asks on re-create after expiry: the same order with its recorded createdAt.
        const payments = must(world.paykit.extension('shop', Tokens.Payments));
        const fresh = must(await payments.create({ ...paymentInput('P5001'), createdAt }));
        if (fresh.action.kind !== 'redirect') throw new Error('redirect expected');
        expect(fresh.action.fields).to.include({ no_order: 'P5001', dt_order: '20240501070000', timestamp: '20240501083100' });
        expect(fresh.action.expiresAt?.toISOString()).to.equal('2024-05-01T01:01:00.000Z');
        expect((await submitForm(fresh.action)).status).to.equal(200);
      } finally {
        await world.close();
      }
    });

    it('says the form expires when valid_order runs out, if that comes first', async function () {
      const clock = new FixedClock(new Date('2024-05-01T00:00:00Z'));
      const world = await startWorld({ signType: 'MD5', notifySignType: 'MD5', clock });
      try {
        const r = must(await world.paykit.payments.create({ ...paymentInput('P5002'), createdAt: new Date('2024-04-30T23:50:00Z'), validForMinutes: 15 }));
        if (r.action.kind !== 'redirect') throw new Error('redirect expected');
        expect(r.action.fields.valid_order).to.equal('15');
        expect(r.action.expiresAt?.toISOString()).to.equal('2024-05-01T00:05:00.000Z');
      } finally {
        await world.close();
      }
    });
  });

  context('when the cashier checks the form', function () {
    it('refuses a form whose timestamp is more than 30 minutes old', async function () {
      const clock = new FixedClock(new Date('2024-05-01T00:00:00Z'));
      const stale = await startWorld({ signType: 'MD5', notifySignType: 'MD5', clock });
      try {
        const r = must(await stale.paykit.payments.create(paymentInput('P2001')));
        clock.advance(31 * 60 * 1000);
        const reply = await submitForm(r.action);
        expect(reply.status).to.equal(400);
        expect(reply.body).to.include('timestamp expired');
        expect(stale.sim.ledger.get('P2001')).to.equal(undefined);
      } finally {
        await stale.close();
      }
    });

    it('accepts a GBK form signed over GBK bytes (signedBytes form-charset), and refuses it once a byte is changed', async function () {
      const gbk = await startWorld({ signType: 'MD5', notifySignType: 'MD5', charset: 'GBK', extra: { signedBytes: 'form-charset' }, sim: { signedBytes: 'form-charset' } });
      try {
        const r = must(await gbk.paykit.payments.create(paymentInput('P3001')));
        if (r.action.kind !== 'redirect') throw new Error('redirect expected');
        expect(r.action.charset).to.equal('GBK');
        expect(r.action.fields.charset_name).to.equal('GBK');
        expect(encodeForm(r.action.fields, 'GBK')).to.include('name_goods=%D3%F0%C3%AB%C7%F2'); // 羽毛球 in GBK
        expect((await submitForm(r.action)).status).to.equal(200);
        const tampered = { ...r.action, fields: { ...r.action.fields, name_goods: '羽毛拍' } };
        expect((await submitForm(tampered)).status).to.equal(400);
      } finally {
        await gbk.close();
      }
    });
  });

  context('when querying an order (spec 4.4, query_version 1.1)', function () {
    it('sends a signed JSON query and maps WAITING, FAILURE while the form is still accepted (pending, spec 3.1) and SUCCESS', async function () {
      const r = must(await w.paykit.payments.create(paymentInput('P4001')));
      await submitForm(r.action);
      expect(must(await w.paykit.payments.query('P4001')).status).to.equal('pending');
      const sent = w.transport.sent.at(-1);
      const body = JSON.parse(String(sent?.request.body)) as Record<string, string>;
      expect(body).to.include({ oid_partner: '201408071000001543', no_order: 'P4001', query_version: '1.1', sign_type: 'RSA' });
      expect(sent?.options.kind).to.equal('query');
      await w.sim.complete('P4001', 'failed', { memo: '余额不足' });
      // Spec 3.1: a failed order may be paid again, here with the same form (still accepted).
      const failed = must(await w.paykit.payments.query('P4001'));
      expect(failed.status).to.equal('pending');
      expect(failed).not.to.have.property('payableUntil');
      await submitForm(r.action);
      await w.sim.complete('P4001', 'succeeded', { notify: false });
      const paid = must(await w.paykit.payments.query('P4001'));
      expect(paid).to.include({ status: 'succeeded' });
      expect(paid.amount).to.deep.equal({ amount: 4965, currency: 'CNY' });
      expect(paid.providerPaymentId).to.match(/^\d{16}$/);
    });

    it('maps FAILURE to failed once the form paykit handed out is no longer accepted, and resolvePending asks until then', async function () {
      const r = must(await w.paykit.payments.create(paymentInput('P4012')));
      await submitForm(r.action);
      await w.sim.complete('P4012', 'failed', { memo: '余额不足' });
      w.clock.advance(11 * 60_000);
      const first = must(await w.paykit.resolvePending({ olderThan: 0 }));
      expect(first.entries.filter((e) => e.id === 'P4012').map((e) => [e.outcome, e.after])).to.deep.equal([['still_pending', 'pending']]);
      if (r.action.kind !== 'redirect' || r.action.expiresAt === undefined) throw new Error('a redirect with expiresAt expected');
      w.clock.set(new Date(r.action.expiresAt.getTime() + 1000));
      const later = must(await w.paykit.resolvePending({ olderThan: 0 }));
      expect(later.entries.filter((e) => e.id === 'P4012').map((e) => [e.outcome, e.after])).to.deep.equal([['settled', 'failed']]);
      const failed = must(await w.paykit.payments.get('P4012'));
      expect(failed.failure?.message).to.equal('余额不足');
    });

    it('queries by LianLian\'s payment number (oid_paybill) through LianlianWebTokens.Orders', async function () {
      const orders = must(w.paykit.extension('shop', LianlianWebTokens.Orders));
      const order = w.sim.ledger.get('P4001');
      if (!order) throw new Error('simulator order expected');
      const paybill = order.oidPaybill;
      const createdAt = must(parseCst(order.dtOrder));
      const report = must(await orders.query({ orderId: 'P4001', createdAt, providerPaymentId: paybill }));
      expect(report).to.include({ orderId: 'P4001', status: 'succeeded', providerPaymentId: paybill });
      const body = JSON.parse(String(w.transport.sent.at(-1)?.request.body)) as Record<string, string>;
      expect(body).to.include({ no_order: 'P4001', oid_paybill: paybill, query_version: '1.1' });
      const other = `${paybill.slice(0, 15)}${paybill.endsWith('9') ? '8' : '9'}`;
      expect((await orders.query({ orderId: 'P4001', createdAt, providerPaymentId: other }))._unsafeUnwrapErr().kind).to.equal('NotFound');
      const sent = w.transport.sent.length;
      const bad = (await orders.query({ orderId: 'P4001', createdAt, providerPaymentId: '12345678901234567' }))._unsafeUnwrapErr();
      expect(bad).to.include({ kind: 'InvalidRequest', path: 'orders.query.oid_paybill' });
      expect(w.transport.sent.length).to.equal(sent);
      must(await w.paykit.payments.query('P4001'));
      expect(JSON.parse(String(w.transport.sent.at(-1)?.request.body))).not.to.have.property('oid_paybill');
    });

    it('answers NotFound for an order LianLian has no record of (8901)', async function () {
      must(await w.paykit.payments.create(paymentInput('P4002')));
      const e = (await w.paykit.payments.query('P4002'))._unsafeUnwrapErr();
      expect(e.kind).to.equal('NotFound');
      expect(e.providerCode).to.equal('8901');
    });

    it('refuses a reply with a bad signature and keeps the record', async function () {
      const before = must(await w.paykit.payments.get('P4001'));
      w.sim.inject({ badSignature: true });
      expect((await w.paykit.payments.query('P4001'))._unsafeUnwrapErr().kind).to.equal('Signature');
      expect(must(await w.paykit.payments.get('P4001'))).to.deep.equal(before);
    });
  });

  context('when the browser comes back to url_return (spec 4.2)', function () {
    const options = (): LianlianWebOptions => ({
      oidPartner: '201408071000001543', signType: 'RSA', notifySignType: 'MD5', md5Key: new Secret(TEST_MD5_KEY),
      privateKey: new Secret(testKeys.merchantPrivate), lianlianPublicKey: testKeys.lianlianPublic, goodsCategory: '1002',
    });

    it('verifies the form and returns a hint that is never final', async function () {
      const body = Buffer.from(w.sim.syncReturnBody('P4001', 'RSA'), 'utf8');
      const hint = parseSyncReturn(body, options())._unsafeUnwrap();
      expect(hint.final).to.equal(false);
      expect(hint.claimed).to.include({ orderId: 'P4001', status: 'succeeded' });
      expect(hint.advice).to.include('notification');
    });

    it('keeps a field the 4.2 table lacks when the signature covers it, and refuses it when not', function () {
      w.sim.addedFields.pay_chnl = 'UNIONPAY';
      try {
        const body = w.sim.syncReturnBody('P4001', 'MD5');
        const hint = parseSyncReturn(Buffer.from(body), options())._unsafeUnwrap();
        expect(hint.extra).to.deep.equal({ pay_chnl: 'UNIONPAY' });
        expect(hint.claimed).to.include({ orderId: 'P4001', status: 'succeeded' });
        const unsigned = parseSyncReturn(Buffer.from(`${body}&risk_level=2`), options());
        expect(unsigned._unsafeUnwrapErr().kind).to.equal('Signature');
      } finally {
        delete w.sim.addedFields.pay_chnl;
      }
    });

    it('refuses a form with a changed amount', function () {
      const body = w.sim.syncReturnBody('P4001', 'MD5').replace('money_order=49.65', 'money_order=0.01');
      expect(parseSyncReturn(Buffer.from(body), options())._unsafeUnwrapErr().kind).to.equal('Signature');
    });
  });
});
