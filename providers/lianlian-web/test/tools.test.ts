import { createHash } from 'node:crypto';
import { expectResultForAnyInput } from '@paykit/conformance';
import { expect } from 'chai';
import {
  buildRiskItem, buildShareingData, checkBankCode, checkRiskItemText, lianlianStatementSource, lianlianWebPlugin, lineTooLong, loadKeys, parseStatementLine, signText,
  verifyFields, verifyNotificationBody,
} from '../src/index.js';
import { lianlianWebDemo } from '../src/testing.js';
import { submitForm } from '../src/harness.js';
import { must, paymentInput, startWorld, testKeys, TEST_MD5_KEY, type World } from './support.js';

describe('LianLian web CLI tools', function () {
  const tools = lianlianWebPlugin.tools;
  if (!tools) throw new Error('tools expected');

  context('when signing with MD5', function () {
    it('returns the signature node:crypto computes and shows the key as <md5Key>', function () {
      const fields = { oid_partner: '201408071000001543', no_order: 'A1', sign_type: 'MD5', money_order: '0.01' };
      const r = must(tools.sign(fields, { md5Key: 'k123' }));
      const text = 'money_order=0.01&no_order=A1&oid_partner=201408071000001543&sign_type=MD5';
      expect(r).to.deep.equal({ field: 'sign', signature: createHash('md5').update(`${text}&key=k123`).digest('hex'), signedText: `${text}&key=<md5Key>` });
    });
  });

  context('when verifying messages LianLian sends', function () {
    let w: World;
    before(async function () {
      w = await startWorld({ signType: 'RSA', notifySignType: 'MD5' });
      const r = must(await w.paykit.payments.create(paymentInput('T1001')));
      await submitForm(r.action);
      await w.sim.complete('T1001', 'succeeded', { notify: false });
    });
    after(async function () { await w.close(); });

    it('recognises and verifies a notification', function () {
      const r = must(tools.verify(Buffer.from(w.sim.notificationBody('T1001')), { md5Key: TEST_MD5_KEY }));
      expect(r.message).to.equal('notification');
      expect(r.result).to.include({ orderId: 'T1001', status: 'succeeded' });
    });

    it('recognises and verifies an order query reply and a sync return', async function () {
      must(await w.paykit.payments.query('T1001'));
      const last = w.transport.sent.at(-1);
      if (!last) throw new Error('no request sent');
      const res = must(await w.transport.send(last.request, last.options));
      const query = must(tools.verify(res.body, { publicKey: testKeys.lianlianPublic }));
      expect(query.message).to.equal('order-query-reply');
      expect(query.result).to.include({ orderId: 'T1001', status: 'succeeded' });
      expect(query.signedText).not.to.include('bank_name');
      const sync = must(tools.verify(Buffer.from(w.sim.syncReturnBody('T1001', 'RSA')), { publicKey: testKeys.lianlianPublic }));
      expect(sync.message).to.equal('sync-return');
      expect(sync.result).to.deep.include({ final: false });
    });

    it('verifies a notification carrying a signed field the 4.3 table lacks', async function () {
      w.sim.addedFields.pay_chnl = 'UNIONPAY';
      try {
        const r = must(tools.verify(Buffer.from(w.sim.notificationBody('T1001')), { md5Key: TEST_MD5_KEY }));
        expect(r.signedText).to.include('pay_chnl=UNIONPAY');
        expect(r.result).to.include({ orderId: 'T1001', status: 'succeeded' });
      } finally {
        delete w.sim.addedFields.pay_chnl;
      }
    });

    it('refuses a notification with a changed field', function () {
      const tampered = w.sim.notificationBody('T1001').replace('"49.65"', '"0.01"');
      expect(tools.verify(Buffer.from(tampered), { md5Key: TEST_MD5_KEY })._unsafeUnwrapErr().kind).to.equal('Signature');
    });
  });
});

describe('LianLian web demo', function () {
  it('walks an order through form, payment, repeated notifications, query, card BIN and statement', async function () {
    const steps: string[] = [];
    await lianlianWebDemo.run({ section: () => undefined, step: (what) => { steps.push(what); } });
    // The order's notification, its redelivery and the late FAILURE; then the payment of the order
    // refunded on LianLian's merchant site, which the day's reconciliation finds.
    expect(steps.filter((s) => s.startsWith('merchant accepted the notification')).length).to.equal(4);
    expect(steps.some((s) => s.startsWith('reconciled ') && s.includes('--repair'))).to.equal(true);
    expect(steps.at(-1)).to.match(/after the repair: LianLian's query said REFUND$/);
    expect(steps.some((s) => s.includes('(a redelivery: nothing applied again)'))).to.equal(true);
    expect(steps.some((s) => s.startsWith('order query'))).to.equal(true);
    expect(steps.some((s) => s.includes('JYMX'))).to.equal(true);
  });
});

describe('LianLian web public functions given anything (rule 3)', () => {
  it('the notification reader, the signing helpers and the request builders answer any input with a Result', () => {
    const body = new Uint8Array(Buffer.from('{}'));
    expectResultForAnyInput('verifyNotificationBody', (a, b, c) => verifyNotificationBody(a as never, b as never, c as never), 3, body);
    expectResultForAnyInput('verifyNotificationBody', (a, b, c) => verifyNotificationBody(a as never, b as never, c as never), 3, {});
    for (const [name, fn, arity] of [
      ['buildRiskItem', buildRiskItem, 1], ['buildShareingData', buildShareingData, 2], ['checkBankCode', checkBankCode, 3], ['checkRiskItemText', checkRiskItemText, 3],
      ['loadKeys', loadKeys, 1], ['signText', signText, 3], ['verifyFields', verifyFields, 3],
    ] as const) {
      for (const plain of [{}, 'x', []]) expectResultForAnyInput(name, (...args) => (fn as (...a: unknown[]) => unknown)(...args), arity, plain);
    }
  });

  const PARTNER = '201403251000001147';
  const line = `O1,${PARTNER},20140528 16:35:56,101001,P1,20140528,12.50,0,0,20140528 16:35:56,0,WEB支付网关,储蓄卡快捷支付,x`;
  const ctx = { family: 'transactions', currency: 'CNY', partnerId: PARTNER } as const;

  it('parseStatementLine answers a context holding a hostile value with a Result', () => {
    expectResultForAnyInput('parseStatementLine', (f) => parseStatementLine(line, 1, 'comma', { ...ctx, family: f } as never), 1, undefined);
    expectResultForAnyInput('parseStatementLine', (c) => parseStatementLine(line, 1, 'comma', { ...ctx, currency: c } as never), 1, undefined);
    const throwing = Object.defineProperty({ ...ctx }, 'family', { get() { throw new Error('getter'); }, enumerable: true });
    expect(parseStatementLine(line, 1, 'comma', throwing as never)._unsafeUnwrapErr().kind).to.equal('Internal');
  });

  it('parseStatementLine answers any input with a Result', () => {
    expectResultForAnyInput('parseStatementLine', (a, b, c, d) => parseStatementLine(a as never, b as never, c as never, d as never), 4, {});
    expectResultForAnyInput('parseStatementLine', (a) => parseStatementLine(a as never, 1, 'comma', ctx), 1, undefined);
    expectResultForAnyInput('parseStatementLine', (b) => parseStatementLine(line, b as never, 'comma', ctx), 1, undefined);
    expectResultForAnyInput('parseStatementLine', (c) => parseStatementLine(line, 1, c as never, ctx), 1, undefined);
    expectResultForAnyInput('parseStatementLine', (d) => parseStatementLine(line, 1, 'comma', d as never), 1, undefined);
    expectResultForAnyInput('parseStatementLine', (v) => parseStatementLine(line, 1, 'comma', { ...ctx, currency: v as never }), 1, undefined);
    expect(parseStatementLine(line, 1, 'comma', ctx)._unsafeUnwrap().amount).to.deep.equal({ amount: 1250, currency: 'CNY' });
  });

  it('parseStatementLine says what to pass for a context that is not one', () => {
    const e = parseStatementLine(line, 1, 'comma', { family: 'transactions' } as never)._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'InvalidRequest', path: 'ctx' });
    expect(e.message).to.include('currency: an ISO 4217 code');
  });

  it('lineTooLong answers any input with a Result', () => {
    expectResultForAnyInput('lineTooLong', (a) => lineTooLong(a as never), 1, undefined);
    expect(lineTooLong(7)._unsafeUnwrapErr()).to.include({ kind: 'Decode', path: 'line 7' });
  });

  it('lianlianStatementSource answers any input with a Result', () => {
    const files = [{ name: `JYMX_${PARTNER}_20240101.txt`, content: (async function* () { yield new Uint8Array(0); })() }];
    const range = { from: '20240101', to: '20240101' };
    const o = { family: 'transactions', partnerId: PARTNER } as const;
    expectResultForAnyInput('lianlianStatementSource', (a, b, c) => lianlianStatementSource(a as never, b as never, c as never), 3, {});
    expectResultForAnyInput('lianlianStatementSource', (a) => lianlianStatementSource(a as never, range, o), 1, undefined);
    expectResultForAnyInput('lianlianStatementSource', (f) => lianlianStatementSource([f] as never, range, o), 1, undefined);
    expectResultForAnyInput('lianlianStatementSource', (b) => lianlianStatementSource(files, b as never, o), 1, undefined);
    expectResultForAnyInput('lianlianStatementSource', (c) => lianlianStatementSource(files, range, c as never), 1, undefined);
    expect(lianlianStatementSource(files, range, o).isOk(), 'valid input still gives a source').to.equal(true);
  });
});
