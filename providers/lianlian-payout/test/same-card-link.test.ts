import { expect } from 'chai';
import { ContainerModule } from 'inversify';
import * as t from 'io-ts';
import { okAsync } from 'neverthrow';
import {
  createPaykit, InMemoryStore, Tokens, type CreatePaymentInput, type PaymentRef, type PaymentsCapability, type Paykit, type ProviderPlugin,
} from '@paykit/core';
import { LoopbackTransport } from '@paykit/core/simulator';
import { createLianlianPayoutPlugin, LianlianPayoutTokens } from '../src/index.js';
import { LianlianPayoutSimulator } from '../src/simulator/index.js';
import { CARD_LEDGER_KEY, lianlianKeys, merchantKeys, OID_PARTNER, payoutInput } from './support.js';

const CARD = '6216261234567890018';
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });

/**
 * A stand-in for the LianLian web instance: payments whose state the test decides, as a verified
 * query would report it. The link under test is paykit's, not the web plugin's.
 */
function shopPlugin(paid: Set<string>): ProviderPlugin<Record<string, unknown>> {
  const payments: PaymentsCapability = {
    create: (input: CreatePaymentInput) => okAsync({ action: { kind: 'redirect', method: 'POST', url: 'https://cashier.example/pay', fields: {}, charset: 'UTF-8' }, report: { orderId: input.orderId, status: 'pending', amount: input.amount } }),
    query: (ref: PaymentRef) => okAsync({ orderId: ref.orderId, status: paid.has(ref.orderId) ? 'succeeded' : 'pending', amount: ref.amount ?? cny(0) }),
  };
  return {
    id: 'shop-stand-in', displayName: 'Shop stand-in', capabilities: ['payments', 'refunds'], configCodec: t.UnknownRecord,
    module: new ContainerModule(({ bind }) => {
      bind(Tokens.Payments).toConstantValue(payments);
      bind(Tokens.Refunds).toConstantValue({
        refund: (r) => okAsync({ refundId: r.refundId, orderId: r.payment.orderId, status: 'succeeded', amount: r.amount }),
        query: (r) => okAsync({ refundId: r.refundId, orderId: r.payment.orderId, status: 'succeeded', amount: r.amount }),
      });
    }),
  };
}

describe('LianLian payout: same card in, same card out, fed by a linked instance', () => {
  let sim: LianlianPayoutSimulator;
  let paykit: Paykit;
  const paid = new Set<string>();

  beforeEach(async () => {
    paid.clear();
    sim = await LianlianPayoutSimulator.start({ oidPartner: OID_PARTNER, merchantPublicKey: merchantKeys.publicB64, keys: lianlianKeys });
    const created = await createPaykit({
      instances: {
        shop: { plugin: 'shop-stand-in', options: {} },
        payouts: {
          plugin: 'lianlian-payout',
          options: {
            oidPartner: OID_PARTNER, privateKey: merchantKeys.privatePem, lianlianPublicKey: sim.publicKey, baseUrl: sim.baseUrl, notifyUrl: 'http://127.0.0.1:9/notify',
            sameCardPolicy: true, cardLedgerKey: CARD_LEDGER_KEY, payInInstances: ['shop'],
          },
        },
      },
    }, { plugins: [shopPlugin(paid), createLianlianPayoutPlugin()], transport: new LoopbackTransport(), store: new InMemoryStore() });
    paykit = created._unsafeUnwrap();
  });
  afterEach(() => sim.close());

  const pay = async (orderId: string, amount: number, cardNumber?: string) => {
    (await paykit.payments.create({ orderId, amount: cny(amount), description: 'deposit', ...(cardNumber ? { payer: { cardNumber } } : {}) }))._unsafeUnwrap();
  };

  it('counts a payment made with the card only once it succeeded, and lets that much be paid out to the card', async () => {
    await pay('IN-1', 10000, CARD);
    const before = await paykit.payouts.submit({ ...payoutInput('OUT-0', 100) });
    expect(before._unsafeUnwrapErr()).to.include({ kind: 'InvalidRequest', code: 'invalid_account' });
    paid.add('IN-1');
    (await paykit.payments.query('IN-1'))._unsafeUnwrap();
    expect((await paykit.payouts.submit(payoutInput('OUT-1', 6000)))._unsafeUnwrap().status).to.equal('accepted');
    expect((await paykit.payouts.submit(payoutInput('OUT-2', 4001)))._unsafeUnwrapErr().code).to.equal('limit_exceeded');
    expect((await paykit.payouts.submit(payoutInput('OUT-3', 4000)))._unsafeUnwrap().status).to.equal('accepted');
    expect([...sim.orders.keys()].sort()).to.deep.equal(['OUT-1', 'OUT-3']);
  });

  it('counts a refunded payment for less', async () => {
    await pay('IN-2', 10000, CARD);
    paid.add('IN-2');
    (await paykit.payments.query('IN-2'))._unsafeUnwrap();
    (await paykit.refunds.create({ refundId: 'RF-2', orderId: 'IN-2', amount: cny(7000) }))._unsafeUnwrap();
    const policy = paykit.extension('payouts', LianlianPayoutTokens.CardPolicy)._unsafeUnwrap();
    expect((await policy.allowance(CARD))._unsafeUnwrap()).to.deep.include({ paidIn: cny(3000), available: cny(3000) });
    expect((await paykit.payouts.submit(payoutInput('OUT-4', 3001)))._unsafeUnwrapErr().code).to.equal('limit_exceeded');
  });

  it('links nothing for a payment without a card number, and never stores the card number', async () => {
    await pay('IN-3', 10000);
    paid.add('IN-3');
    (await paykit.payments.query('IN-3'))._unsafeUnwrap();
    expect((await paykit.payouts.submit(payoutInput('OUT-5', 100)))._unsafeUnwrapErr().code).to.equal('invalid_account');
    await pay('IN-4', 500, CARD);
    const cards = (await paykit.store.list<unknown>('card'))._unsafeUnwrap();
    expect(JSON.stringify(cards)).not.to.contain(CARD);
  });

  it('refuses payInInstances without sameCardPolicy at config time', async () => {
    const r = await createPaykit({ instances: { payouts: { plugin: 'lianlian-payout', options: { oidPartner: OID_PARTNER, privateKey: merchantKeys.privatePem, lianlianPublicKey: sim.publicKey, payInInstances: ['shop'] } } } },
      { plugins: [createLianlianPayoutPlugin()], transport: new LoopbackTransport() });
    expect(r._unsafeUnwrapErr()).to.include({ kind: 'InvalidConfig' });
    expect(r._unsafeUnwrapErr().message).to.match(/payInInstances.*sameCardPolicy/);
  });
});
