import { constants, createDecipheriv, privateDecrypt } from 'node:crypto';
import { expect } from 'chai';
import { lianlianKeys, OID_PARTNER, payoutInput, startRig, until, type Rig } from './support.js';

/** Decrypts a request the simulator received, with independent node:crypto code. */
function sentFields(rig: Rig, path: string): Record<string, string>[] {
  return rig.sim.server.received.filter((r) => r.path === `/paymentapi/${path}`).map((r) => {
    const outer = JSON.parse(r.body.toString('utf8')) as { pay_load: string };
    const [, , b, c, d] = outer.pay_load.split('$') as [string, string, string, string, string];
    const aesKey = privateDecrypt({ key: lianlianKeys.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, Buffer.from(b, 'base64'));
    const iv = Buffer.concat([Buffer.from(c, 'base64'), Buffer.from('0000000000000001', 'hex')]);
    const dec = createDecipheriv('aes-256-ctr', aesKey, iv);
    return JSON.parse(Buffer.concat([dec.update(Buffer.from(d, 'base64')), dec.final()]).toString('utf8')) as Record<string, string>;
  });
}

describe('LianLian payout through the facade', () => {
  let rig: Rig;
  beforeEach(async () => { rig = await startRig({ sim: { lateReplyMs: 2500 } }); });
  afterEach(() => rig.close());

  context('when LianLian accepts the payout', () => {
    it('records it accepted with the bill id, then succeeded from the notification, paid once', async () => {
      const r = await rig.paykit.payouts.submit(payoutInput('OK-1', 4965));
      expect(r._unsafeUnwrap()).to.include({ status: 'accepted', providerOrderId: 'OK-1' });
      expect(r._unsafeUnwrap().providerPayoutId).to.match(/^\d{16}$/);
      const [sent] = sentFields(rig, 'payment.htm');
      expect(sent).to.include({ no_order: 'OK-1', money_order: '49.65', oid_partner: OID_PARTNER, flag_card: '0' });
      await until(async () => (await rig.paykit.payouts.get('OK-1'))._unsafeUnwrap().status === 'succeeded');
      expect(rig.sim.ledger.get('OK-1')).to.include({ paidCount: 1, amountFen: 4965 });
      await until(() => rig.sim.deliveries.length > 0); // recorded once the acknowledgement is back
      expect(rig.sim.deliveries[0]).to.include({ noOrder: 'OK-1', resultPay: 'SUCCESS', acknowledged: true });
    });
  });

  context('when the bank returns the money after a success (CANCEL)', () => {
    it('moves the payout to returned', async () => {
      rig.sim.script('RET-1', { outcome: 'success-then-cancel' });
      await rig.paykit.payouts.submit(payoutInput('RET-1'));
      await until(async () => (await rig.paykit.payouts.get('RET-1'))._unsafeUnwrap().status === 'returned');
      expect(rig.sim.ledger.get('RET-1')).to.include({ paidCount: 1, returned: true });
    });
  });

  context('when a query answers CANCEL for a payout whose success was never reported', () => {
    it('moves an accepted payout straight to returned, paid once', async () => {
      rig.sim.script('RETQ-1', { outcome: 'success-then-cancel', notify: false });
      expect((await rig.paykit.payouts.submit(payoutInput('RETQ-1')))._unsafeUnwrap().status).to.equal('accepted');
      await until(() => rig.sim.orders.get('RETQ-1')?.status === 'CANCEL');
      expect((await rig.paykit.payouts.get('RETQ-1'))._unsafeUnwrap().status, 'no notification told it anything').to.equal('accepted');
      const resolved = (await rig.paykit.payouts.resolve('RETQ-1'))._unsafeUnwrap();
      expect(resolved).to.include({ status: 'returned', providerOrderId: 'RETQ-1' });
      expect(rig.sim.ledger.get('RETQ-1')).to.include({ paidCount: 1, returned: true });
      expect(rig.sim.server.received.filter((r) => r.path === '/paymentapi/payment.htm')).to.have.length(1);
      const [query] = rig.sim.server.received.filter((r) => r.path === '/paymentapi/queryPayment.htm').map((r) => JSON.parse(r.body.toString('utf8')) as Record<string, string>);
      expect(query).to.include({ no_order: 'RETQ-1', oid_partner: OID_PARTNER, api_version: '1.0', sign_type: 'RSA' });
    });

    it('moves a payout of unknown outcome (reply lost) straight to returned, without resubmitting', async () => {
      rig.sim.script('RETQ-2', { outcome: 'success-then-cancel', notify: false });
      rig.sim.server.inject({ path: '/paymentapi/payment.htm', dropReply: true });
      expect((await rig.paykit.payouts.submit(payoutInput('RETQ-2')))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      await until(() => rig.sim.orders.get('RETQ-2')?.status === 'CANCEL');
      expect((await rig.paykit.payouts.get('RETQ-2'))._unsafeUnwrap().status).to.equal('unknown');
      expect((await rig.paykit.payouts.resolve('RETQ-2'))._unsafeUnwrap().status).to.equal('returned');
      expect(rig.sim.ledger.get('RETQ-2')).to.include({ paidCount: 1, returned: true });
      expect(rig.sim.server.received.filter((r) => r.path === '/paymentapi/payment.htm')).to.have.length(1);
    });
  });

  context('when the payout fails at the bank', () => {
    it('records it failed with the reason from info_order', async () => {
      rig.sim.script('FAIL-1', { outcome: 'failure' });
      await rig.paykit.payouts.submit(payoutInput('FAIL-1'));
      await until(async () => (await rig.paykit.payouts.get('FAIL-1'))._unsafeUnwrap().status === 'failed');
      expect((await rig.paykit.payouts.get('FAIL-1'))._unsafeUnwrap().reason).to.deep.equal({ providerCode: 'FAILURE', message: '收款账户状态异常' });
      expect(rig.sim.ledger.has('FAIL-1')).to.equal(false);
    });
  });

  // README: 4002 suspected duplicate, 4003 name and card do not match, 4004 both. A suspected
  // duplicate (alone or with a mismatch) has its own standard code: confirming it may pay twice.
  for (const [code, standard] of [['4002', 'suspected_duplicate'], ['4003', 'invalid_account'], ['4004', 'suspected_duplicate']] as const) {
    context(`when LianLian holds the payout for review (${code})`, () => {
      it(`records the hold with its confirm code and reason ${standard}, and confirmPayment.htm releases it`, async () => {
        rig.sim.script(`HOLD-${code}`, { hold: code });
        const held = (await rig.paykit.payouts.submit(payoutInput(`HOLD-${code}`)))._unsafeUnwrap();
        const confirmCode = rig.sim.orders.get(`HOLD-${code}`)?.confirmCode;
        expect(held).to.include({ status: 'held_for_review', confirmCode });
        expect(held.reason).to.include({ providerCode: code, code: standard });
        expect(held.reason?.message).to.be.a('string').and.not.equal('');
        expect((await rig.paykit.payouts.get(`HOLD-${code}`))._unsafeUnwrap().reason, 'kept on the record').to.include({ code: standard });
        expect(rig.sim.ledger.has(`HOLD-${code}`)).to.equal(false);
        if (standard === 'suspected_duplicate') {
          // Confirming a suspected duplicate may pay twice: only when the merchant says so.
          const refused = (await rig.paykit.payouts.confirm(`HOLD-${code}`))._unsafeUnwrapErr();
          expect(refused).to.include({ kind: 'Conflict', code: 'suspected_duplicate' });
          expect(sentFields(rig, 'confirmPayment.htm')).to.deep.equal([]);
        }
        const confirmed = (await rig.paykit.payouts.confirm(`HOLD-${code}`, { acceptSuspectedDuplicate: true }))._unsafeUnwrap();
        expect(confirmed.status).to.equal('accepted');
        expect(sentFields(rig, 'confirmPayment.htm')[0]).to.include({ no_order: `HOLD-${code}`, confirm_code: confirmCode, api_version: '1.0', sign_type: 'RSA' });
        await until(async () => (await rig.paykit.payouts.get(`HOLD-${code}`))._unsafeUnwrap().status === 'succeeded');
        expect(rig.sim.ledger.get(`HOLD-${code}`)?.paidCount).to.equal(1);
      });
    });
  }

  context('when a review hold is never confirmed', () => {
    it('resolves to closed once LianLian closes it, and nothing is paid', async () => {
      await rig.close();
      rig = await startRig({ sim: { holdExpiryMs: 50 } });
      rig.sim.script('HOLD-X', { hold: '4003' });
      await rig.paykit.payouts.submit(payoutInput('HOLD-X'));
      await new Promise((r) => setTimeout(r, 80));
      expect((await rig.paykit.payouts.resolve('HOLD-X'))._unsafeUnwrap().status).to.equal('closed');
      expect(rig.sim.ledger.has('HOLD-X')).to.equal(false);
    });
  });

  context('when the merchant has no payout permission (4005)', () => {
    it('returns ProviderRejected permission_denied and records the payout failed', async () => {
      rig.sim.script('DENY-1', { reply: 'reject' });
      const e = (await rig.paykit.payouts.submit(payoutInput('DENY-1')))._unsafeUnwrapErr();
      expect(e).to.include({ kind: 'ProviderRejected', code: 'permission_denied', providerCode: '4005' });
      expect((await rig.paykit.payouts.get('DENY-1'))._unsafeUnwrap().status).to.equal('failed');
    });
  });

  context('when the apply call times out after LianLian took the order', () => {
    it('returns OutcomeUnknown naming payouts.resolve; resolve queries and never resubmits', async () => {
      rig.sim.script('TO-1', { reply: 'timeout', notify: false });
      const e = (await rig.paykit.payouts.submit(payoutInput('TO-1')))._unsafeUnwrapErr();
      expect(e.kind).to.equal('OutcomeUnknown');
      if (e.kind === 'OutcomeUnknown') expect(e.resolution).to.include({ operation: 'payouts.resolve', reference: 'TO-1' });
      expect((await rig.paykit.payouts.get('TO-1'))._unsafeUnwrap().status).to.equal('unknown');
      await new Promise((r) => setTimeout(r, 40));
      const resolved = (await rig.paykit.payouts.resolve('TO-1'))._unsafeUnwrap();
      expect(['processing', 'succeeded']).to.include(resolved.status);
      expect(sentFields(rig, 'payment.htm').map((f) => f['no_order'])).to.deep.equal(['TO-1']);
    });
  });

  context('when the reply to the apply call is lost after LianLian took the order', () => {
    it('returns OutcomeUnknown and resolve finds the order without resending', async () => {
      rig.sim.server.inject({ path: '/paymentapi/payment.htm', dropReply: true });
      expect((await rig.paykit.payouts.submit(payoutInput('LOST-1')))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      await until(async () => ['processing', 'succeeded'].includes((await rig.paykit.payouts.resolve('LOST-1'))._unsafeUnwrap().status));
      expect(rig.sim.server.received.filter((r) => r.path === '/paymentapi/payment.htm')).to.have.length(1);
    });
  });

  for (const [what, arrange] of [
    ['answers 2005 without taking the order', (r: Rig) => r.sim.script('NEW-1', { reply: 'query-first-untaken' })],
    ['answers HTTP 503 before doing anything', (r: Rig) => r.sim.server.inject({ path: '/paymentapi/payment.htm', status: 503 })],
  ] as const) {
    context(`when LianLian ${what}`, () => {
      it('is OutcomeUnknown; resolve sees 8901 and resubmits with the same no_order, once', async () => {
        arrange(rig);
        expect((await rig.paykit.payouts.submit(payoutInput('NEW-1')))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
        rig.sim.scripts.delete('NEW-1');
        expect((await rig.paykit.payouts.resolve('NEW-1'))._unsafeUnwrap().status).to.equal('accepted');
        const sent = rig.sim.server.received.filter((r) => r.path === '/paymentapi/payment.htm');
        expect(sent).to.have.length(2);
        const noOrders = what.includes('2005') ? sentFields(rig, 'payment.htm').map((f) => f['no_order']) : ['NEW-1', 'NEW-1'];
        expect(noOrders).to.deep.equal(['NEW-1', 'NEW-1']);
        await until(() => rig.sim.ledger.get('NEW-1')?.paidCount === 1);
      });
    });
  }

  context('when LianLian answers a "query first" code after taking the order (9999)', () => {
    it('is OutcomeUnknown with the provider code, and resolve finds the order', async () => {
      rig.sim.script('QF-1', { reply: 'query-first' });
      const e = (await rig.paykit.payouts.submit(payoutInput('QF-1')))._unsafeUnwrapErr();
      expect(e).to.include({ kind: 'OutcomeUnknown', providerCode: '9999' });
      expect(['accepted', 'processing', 'succeeded']).to.include((await rig.paykit.payouts.resolve('QF-1'))._unsafeUnwrap().status);
      expect(rig.sim.server.received.filter((r) => r.path === '/paymentapi/payment.htm')).to.have.length(1);
    });
  });

  for (const fault of [{ badSignature: true }, { malformedBody: true }] as const) {
    context(`when the apply reply is ${'badSignature' in fault ? 'wrongly signed' : 'malformed'}`, () => {
      it('does not trust it: OutcomeUnknown, never failed', async () => {
        rig.sim.server.inject({ path: '/paymentapi/payment.htm', ...fault });
        const e = (await rig.paykit.payouts.submit(payoutInput('BAD-1')))._unsafeUnwrapErr();
        expect(e.kind).to.equal('OutcomeUnknown');
        expect((await rig.paykit.payouts.get('BAD-1'))._unsafeUnwrap().status).to.equal('unknown');
      });
    });
  }

  context('when the confirm reply comes too late', () => {
    it('is OutcomeUnknown; resolve shows the payout moving, and it is paid once', async () => {
      rig.sim.script('CTO-1', { hold: '4002', confirmReply: 'timeout' });
      await rig.paykit.payouts.submit(payoutInput('CTO-1'));
      expect((await rig.paykit.payouts.confirm('CTO-1', { acceptSuspectedDuplicate: true }))._unsafeUnwrapErr().kind).to.equal('OutcomeUnknown');
      await until(async () => (await rig.paykit.payouts.resolve('CTO-1'))._unsafeUnwrap().status === 'succeeded');
      expect(rig.sim.ledger.get('CTO-1')?.paidCount).to.equal(1);
    });
  });

  context('when the payout query itself is answered with a "query first" code (9999)', () => {
    it('is a retryable ProviderRejected; the record is untouched and nothing is resubmitted', async () => {
      rig.sim.script('QQF-1', { notify: false });
      expect((await rig.paykit.payouts.submit(payoutInput('QQF-1')))._unsafeUnwrap().status).to.equal('accepted');
      // LianLian's answer, written from the spec's reply table: signed, no order fields.
      rig.sim.server.route('POST', '/paymentapi/queryPayment.htm', () => ({
        headers: { 'content-type': 'application/json;charset=utf-8' },
        body: JSON.stringify(rig.sim.sign({ oid_partner: OID_PARTNER, sign_type: 'RSA', ret_code: '9999', ret_msg: '系统异常,请稍后查询' })),
      }));
      for (const call of [() => rig.paykit.payouts.query('QQF-1'), () => rig.paykit.payouts.resolve('QQF-1')]) {
        const e = (await call())._unsafeUnwrapErr();
        expect(e).to.include({ kind: 'ProviderRejected', providerCode: '9999', retryable: true });
      }
      expect((await rig.paykit.payouts.get('QQF-1'))._unsafeUnwrap().status).to.equal('accepted');
      expect(rig.sim.server.received.filter((r) => r.path === '/paymentapi/payment.htm')).to.have.length(1);
    });
  });

  context('when the payout query is asked about an order LianLian never saw', () => {
    it('the capability answers NotFound with provider code 8901', async () => {
      const svc = rig.paykit.service('payouts', 'query', 'payouts')._unsafeUnwrap();
      const e = (await svc.service.query({ payoutId: 'NONE', providerOrderId: 'NONE', amount: { amount: 1, currency: 'CNY' }, account: payoutInput('x').account, description: 'x', createdAt: new Date() }))._unsafeUnwrapErr();
      expect(e).to.include({ kind: 'NotFound', providerCode: '8901' });
    });
  });

  context('when the payout is logged', () => {
    it('never writes the card number or the private key to a log line', async () => {
      rig.sim.script('LOG-1', { hold: '4003' });
      await rig.paykit.payouts.submit(payoutInput('LOG-1'));
      await rig.paykit.payouts.submit(payoutInput('LOG-2'));
      const text = JSON.stringify(rig.logger.lines);
      expect(rig.logger.lines.length).to.be.greaterThan(0);
      expect(text).not.to.include('6216261234567890018');
      expect(text).not.to.include(String(rig.options['privateKey']).split('\n')[1]);
    });
  });
});
