import { Secret } from '@paykit/core';
import { expectResultForAnyInput } from '@paykit/conformance';
import { expect } from 'chai';
import { exampleTools, verifyNotification } from '../src/index.js';
import { exampleDemo } from '../src/testing.js';
import { expectedSign, KEY, MERCHANT } from './helpers.js';

function notification(overrides: Record<string, string> = {}, contentType = 'application/json'): { method: string; url: string; headers: Record<string, string>; body: Uint8Array } {
  const fields: Record<string, string> = {
    merchant_id: MERCHANT, notify_id: 'N00000001', order_no: 'A1', status: 'PAID', amount: '49.65', currency: 'CNY',
    payment_id: 'P1', paid_at: '20240101080000', sign_type: 'HMAC-SHA256', ...overrides,
  };
  const body = JSON.stringify({ ...fields, sign: expectedSign(fields) });
  return { method: 'POST', url: '/notify', headers: { 'content-type': contentType }, body: new Uint8Array(Buffer.from(body)) };
}

const options = { key: new Secret(KEY), merchantId: MERCHANT };

describe('Example Pay notifications', function () {
  context('when a genuine notification arrives', function () {
    it('decodes it into a payment event with the exact amount and paid time, acknowledged with SUCCESS', function () {
      const v = verifyNotification(notification(), options)._unsafeUnwrap();
      expect(v.ack).to.include({ status: 200, body: 'SUCCESS' });
      expect(v.event.type).to.equal('payment');
      if (v.event.type !== 'payment') return;
      expect(v.event.report).to.deep.include({ orderId: 'A1', status: 'succeeded', amount: { amount: 4965, currency: 'CNY' }, providerPaymentId: 'P1' });
      expect(v.event.report.paidAt?.toISOString()).to.equal('2024-01-01T00:00:00.000Z');
    });

    it('gives every redelivery the same event key, whatever its notify_id', function () {
      const a = verifyNotification(notification({ notify_id: 'N1' }), options)._unsafeUnwrap();
      const b = verifyNotification(notification({ notify_id: 'N2' }), options)._unsafeUnwrap();
      expect(a.eventKey).to.equal(b.eventKey);
      expect(verifyNotification(notification({ status: 'FAILED' }), options)._unsafeUnwrap().eventKey).not.to.equal(a.eventKey);
    });
  });

  context('when the notification cannot be trusted', function () {
    it('refuses a body signed with another key', function () {
      expect(verifyNotification(notification(), { ...options, key: new Secret('other') })._unsafeUnwrapErr().kind).to.equal('Signature');
    });

    it('refuses another merchant, a non-JSON content type, and an over-long field', function () {
      expect(verifyNotification(notification({ merchant_id: 'M999' }), options)._unsafeUnwrapErr().message).to.match(/merchant M999/);
      expect(verifyNotification(notification({}, 'text/plain'), options)._unsafeUnwrapErr().kind).to.equal('Decode');
      expect(verifyNotification(notification({ notify_id: 'N'.repeat(33) }), options)._unsafeUnwrapErr().message).to.include('notify_id');
    });

    it('refuses a paid time that is no real time, and a field that is not a string, saying which', function () {
      const feb30 = verifyNotification(notification({ paid_at: '20240230080000' }), options)._unsafeUnwrapErr();
      expect(feb30).to.include({ kind: 'Decode', path: 'paid_at' });
      const body = Buffer.from(JSON.stringify({ merchant_id: MERCHANT, order_no: 'A1', amount: 49.65, sign_type: 'HMAC-SHA256', sign: 'x' }));
      const numeric = verifyNotification({ ...notification(), body: new Uint8Array(body) }, options)._unsafeUnwrapErr();
      expect(numeric.kind).to.equal('Decode');
      expect(numeric.message).to.include('amount');
    });

    it('reports a failed payment with its reason and no paid time when none is sent', function () {
      const fields = { merchant_id: MERCHANT, notify_id: 'N2', order_no: 'A2', status: 'FAILED', amount: '1.00', currency: 'CNY', fail_reason: 'card declined', sign_type: 'HMAC-SHA256' };
      const body = new Uint8Array(Buffer.from(JSON.stringify({ ...fields, sign: expectedSign(fields) })));
      const v = verifyNotification({ ...notification(), body }, options)._unsafeUnwrap();
      if (v.event.type !== 'payment') throw new Error('expected a payment event');
      expect(v.event.report).to.deep.include({ status: 'failed', failure: { message: 'card declined' }, providerStatus: 'FAILED' });
      expect(v.event.report).not.to.have.any.keys('paidAt', 'providerPaymentId');
    });

    it('maps an undocumented status to processing, never to a success', function () {
      const v = verifyNotification(notification({ status: 'PAID_MAYBE' }), options)._unsafeUnwrap();
      expect(v.event.type === 'payment' && v.event.report.status).to.equal('processing');
    });
  });
});

describe('Example Pay CLI tools', function () {
  it('signs fields with the documented rule and explains the signed text', function () {
    const r = exampleTools.sign({ order_no: 'A1', merchant_id: MERCHANT }, { md5Key: KEY })._unsafeUnwrap();
    expect(r).to.deep.equal({
      field: 'sign', signedText: `merchant_id=${MERCHANT}&order_no=A1&sign_type=HMAC-SHA256`,
      signature: expectedSign({ order_no: 'A1', merchant_id: MERCHANT, sign_type: 'HMAC-SHA256' }),
    });
  });

  it('verifies a notification and recognises it, and refuses it under a wrong key', function () {
    expect(exampleTools.verify(notification().body, { md5Key: KEY })._unsafeUnwrap().message).to.equal('notification');
    expect(exampleTools.verify(notification().body, { md5Key: 'wrong' })._unsafeUnwrapErr().kind).to.equal('Signature');
    expect(exampleTools.verify(notification().body, {})._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
  });
});

describe('Example Pay demo', function () {
  it('walks an order through pay, two deliveries, query and a partial refund', async function () {
    const steps: { what: string; detail: unknown }[] = [];
    const sections: string[] = [];
    await exampleDemo.run({ section: (t) => sections.push(t), step: (what, detail) => steps.push({ what, detail }) });
    const whats = steps.map((s) => s.what);
    expect(sections).to.deep.equal([exampleDemo.title]);
    expect(whats.filter((w) => w === 'merchant handled the notification')).to.have.length(1);
    expect(whats.filter((w) => w.includes('a redelivery: nothing applied again'))).to.have.length(1);
    const now = steps.find((s) => s.what === 'the payment now')?.detail as { status: string; refunded: { amount: number } };
    expect(now.status).to.equal('partially_refunded');
    expect(now.refunded.amount).to.equal(1000);
    // The demo ends with the day reconciled: the order whose notification was lost is repaired.
    const last = steps[steps.length - 1];
    expect(last?.what).to.match(/after the repair$/);
    expect((last?.detail as { status: string }).status).to.equal('succeeded');
  });
});

describe('Example Pay public functions given anything (rule 3)', () => {
  it('verifyNotification answers any request and options with a Result', () => {
    const request = { method: 'POST', url: '/notify', headers: { 'content-type': 'application/json' }, body: new Uint8Array(Buffer.from('{}')) };
    expectResultForAnyInput('verifyNotification', (a, b) => verifyNotification(a as never, b as never), 2, request);
    expectResultForAnyInput('verifyNotification', (a) => verifyNotification(request, a as never), 1, undefined);
  });
});
