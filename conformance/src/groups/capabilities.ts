import { CAPABILITIES, type Capability, type PaymentError, type PayResult } from '@paykit/core';
import { expect } from 'chai';
import type { ConformanceHarness } from '@paykit/core/simulator';
import { describeWithSut, expectErr, expectOk, firstCurrency, seedPaidPayment, SUT, type LeakLedger, type Sut } from '../kit.js';

/** The facade operation that must answer `Unsupported` when a capability is not declared. */
async function callUndeclared(sut: Sut, capability: Capability): Promise<PayResult<unknown>> {
  const { paykit, ctx } = sut;
  const amount = { amount: 1000, currency: firstCurrency(ctx) };
  switch (capability) {
    case 'payments': {
      const orderId = sut.orderId();
      return sut.run(() => paykit.payments.create({ ...ctx.samplePayment(orderId, amount), orderId, amount }));
    }
    case 'notifications':
      return sut.run(() => paykit.notifications.handle(SUT, { method: 'POST', url: '/notify', headers: { 'content-type': 'text/plain' }, body: new Uint8Array([0x61]) }));
    case 'refunds': {
      // A paid order is put in the store directly: Unsupported must come whatever the plugin can pay.
      const orderId = await seedPaidPayment(sut, amount);
      return sut.run(() => paykit.refunds.create({ refundId: `R${orderId}`, orderId, amount: { ...amount, amount: 100 } }));
    }
    case 'preauth': {
      const orderId = await seedPaidPayment(sut, amount);
      return sut.run(() => paykit.preauth.capture({ orderId, amount: { ...amount, amount: 100 } }));
    }
    case 'payouts':
      return sut.run(() => paykit.payouts.submit({
        payoutId: sut.orderId(), amount, description: 'conformance',
        account: { type: 'private', accountNumber: '6222020000000000000', accountName: 'Test Payee' },
      }));
    case 'statements':
      return sut.run(() => paykit.statements.fetch({ from: '20240101', to: '20240101' }));
    default:
      return capability satisfies never;
  }
}

/** Group: the declared capabilities are exactly what the plugin does. */
export function capabilityGroup(harness: ConformanceHarness, ledger: LeakLedger): void {
  const { plugin } = harness;
  describeWithSut('declared capabilities match behaviour', harness, ledger, (sut) => {
    it('reports the declared capabilities for the instance', function () {
      const caps = expectOk(sut().paykit.capabilities(SUT), 'paykit.capabilities');
      expect([...caps].sort()).to.deep.equal([...plugin.capabilities].sort());
      expect(plugin.capabilities.length, 'a plugin declares at least one capability').to.be.greaterThan(0);
      for (const c of plugin.capabilities) expect(CAPABILITIES, `unknown capability "${c}"`).to.include(c);
    });

    for (const capability of plugin.capabilities) {
      it(`resolves a service for the declared capability ${capability}`, function () {
        const svc = expectOk(sut().paykit.service(capability, 'conformance', SUT), `service(${capability})`);
        expect(svc.instance.id).to.equal(SUT);
        expect(svc.service, `${capability} service`).to.be.an('object');
      });
    }

    for (const capability of CAPABILITIES.filter((c) => !plugin.capabilities.includes(c))) {
      it(`answers Unsupported for the undeclared capability ${capability}`, async function () {
        const e: PaymentError = expectErr(await callUndeclared(sut(), capability), `${capability} operation`);
        expect(e.kind, e.message).to.equal('Unsupported');
        expect(e.code).to.equal('unsupported_operation');
        if (e.kind === 'Unsupported') expect(e.capability).to.equal(capability);
      });
    }
  });
}
