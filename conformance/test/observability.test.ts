// paykit's OpenTelemetry spans and metrics, read back through OpenTelemetry's own SDK recording in
// memory, for a payment, a rejected notification, a lost reply settled by resolvePending and a
// payout held for review, on every provider against its simulator; and a scan of every exported
// attribute for the keys, signatures and card numbers the scenarios used.
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import {
  ATTR, createPaykit, EVENTS, FixedClock, InMemoryStore, METRICS, MemoryLogger, RESOLVE_TOTALS, SPANS,
  type Money, type Paykit, type PayResult, type RawHttpRequest,
} from '@paykit/core';
import { LoopbackTransport, type ConformanceHarness, type HarnessContext } from '@paykit/core/simulator';
import { conformanceHarness as allinpay } from '@paykit/provider-allinpay-mobile/testing';
import { conformanceHarness as example } from '@paykit/provider-example/testing';
import { lianlianPayoutPlugin } from '@paykit/provider-lianlian-payout';
import { conformanceHarness as lianlianPayout, LianlianPayoutSimulator } from '@paykit/provider-lianlian-payout/testing';
import { conformanceHarness as lianlianWeb } from '@paykit/provider-lianlian-web/testing';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { exportedAttributeTexts, startContext, stopContext, TelemetryRecorder } from './fixtures/telemetry.js';

const SUT = 'sut';
const runTag = Date.now().toString(36).slice(-5).toUpperCase();
let counter = 0;
const nextId = (): string => `OB${runTag}${String((counter += 1)).padStart(4, '0')}`;

function must<T>(r: PayResult<T>, what: string): T {
  if (r.isErr()) expect.fail(`${what} returned ${r.error.kind}: ${r.error.message}`);
  return r.value;
}

function one(spans: readonly ReadableSpan[], what: string): ReadableSpan {
  expect(spans, what).to.have.lengthOf(1);
  return spans[0] as ReadableSpan;
}

/** The signature values a notification carries (`sign`, `signMsg`), JSON or form encoded. */
function signaturesIn(n: RawHttpRequest): string[] {
  const text = Buffer.from(n.body).toString('utf8');
  let fields: Record<string, unknown> = {};
  try {
    fields = JSON.parse(text) as Record<string, unknown>;
  } catch {
    fields = Object.fromEntries(new URLSearchParams(text));
  }
  return ['sign', 'signMsg', 'sign_msg'].map((k) => fields[k]).filter((v): v is string => typeof v === 'string' && v.length >= 16);
}

/** Whether a run of 13–19 digits passes the Luhn check (what a card number does). */
function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** The scenarios of one provider: a paykit with telemetry per test, against one simulator. */
interface Run {
  readonly ctx: HarnessContext;
  readonly paykit: Paykit;
  readonly rec: TelemetryRecorder;
  readonly transport: LoopbackTransport;
}

const harnesses: readonly ConformanceHarness[] = [example(), lianlianWeb(), lianlianPayout(), allinpay()];

describe('Observability: spans and metrics through OpenTelemetry', function () {
  before(startContext);
  after(stopContext);

  for (const harness of harnesses) {
    const plugin = harness.plugin;
    const takesPayments = plugin.capabilities.includes('payments');

    describe(`${plugin.displayName} (${plugin.id})`, function () {
      let ctx: HarnessContext;
      let run: Run | undefined;
      const recorders: TelemetryRecorder[] = [];
      const signatures = new Set<string>();

      before(async function () {
        ctx = await harness.setup();
      });
      after(async function () {
        await ctx.close();
        for (const r of recorders) await r.shutdown();
      });

      beforeEach(async function () {
        const rec = new TelemetryRecorder();
        recorders.push(rec);
        const transport = new LoopbackTransport();
        const built = await createPaykit({ instances: { [SUT]: { plugin: plugin.id, options: ctx.options } } }, {
          plugins: [plugin], transport, store: new InMemoryStore(), logger: new MemoryLogger(), telemetry: rec.options(), ...ctx.deps,
        });
        run = { ctx, paykit: must(built, 'createPaykit'), rec, transport };
      });
      afterEach(async function () {
        await run?.paykit.close();
        run = undefined;
      });
      const r = (): Run => {
        if (run === undefined) throw new Error('no paykit for this test');
        return run;
      };
      const amount = (): Money => ({ amount: 4965, currency: ctx.currencies[0] ?? 'CNY' });

      /** A paid order paykit has not heard about yet (payments), or a payout sent and accepted (payouts only). */
      const reference = async (x: Run): Promise<string> => {
        const id = nextId();
        if (!takesPayments) {
          must(await x.ctx.moneyMovingCall?.(x.paykit, id) ?? expect.fail('no money-moving call'), 'payouts.submit');
          return id;
        }
        const created = must(await x.paykit.payments.create({ ...x.ctx.samplePayment(id, amount()), orderId: id, amount: amount() }), 'payments.create');
        await x.ctx.pay(created.action, 'succeeded');
        return id;
      };

      const notification = (x: Run, id: string): RawHttpRequest => {
        const n = x.ctx.notification(id, 'succeeded');
        for (const s of signaturesIn(n)) signatures.add(s);
        return n;
      };

      context('when a payment is taken and its notification arrives twice', function () {
        it(`records the ${takesPayments ? 'payment' : 'payout'}'s provider call, one accepted and one duplicate notification, with their verify and commit events`, async function () {
          const x = r();
          const id = await reference(x);
          const n = notification(x, id);
          const first = must(await x.paykit.notifications.handle(SUT, n), 'first delivery');
          const again = must(await x.paykit.notifications.handle(SUT, n), 'second delivery');
          expect([first.duplicate, again.duplicate]).to.deep.equal([false, true]);

          const operation = takesPayments ? 'payments.create' : 'payouts.submit';
          const call = one(x.rec.named(SPANS.providerCall).filter((s) => s.attributes[ATTR.operation] === operation), operation);
          expect(call.attributes).to.include({ [ATTR.provider]: plugin.id, [ATTR.instance]: SUT, [ATTR.outcome]: 'ok', [ATTR.reference]: id });

          const spans = x.rec.named(SPANS.notification);
          expect(spans.map((s) => s.attributes[ATTR.outcome])).to.deep.equal(['accepted', 'duplicate']);
          for (const [i, s] of spans.entries()) {
            expect(s.attributes).to.include({ [ATTR.provider]: plugin.id, [ATTR.instance]: SUT, [ATTR.duplicate]: i === 1, [ATTR.event]: takesPayments ? 'payment' : 'payout' });
            expect(s.events.map((e) => [e.name, e.attributes])).to.deep.equal([
              [EVENTS.notificationVerified, { [ATTR.outcome]: 'ok' }],
              [EVENTS.notificationCommitted, { [ATTR.duplicate]: i === 1 }],
            ]);
          }

          const who = { [ATTR.provider]: plugin.id, [ATTR.instance]: SUT };
          expect((await x.rec.value(METRICS.notifications, { ...who, [ATTR.outcome]: 'accepted' }))?.value).to.equal(1);
          expect((await x.rec.value(METRICS.notifications, { ...who, [ATTR.outcome]: 'duplicate' }))?.value).to.equal(1);
          expect((await x.rec.value(METRICS.notificationDuration, { ...who, [ATTR.outcome]: 'accepted' }))?.count).to.equal(1);
          expect((await x.rec.value(METRICS.providerCalls, { ...who, [ATTR.operation]: operation, [ATTR.outcome]: 'ok' }))?.value).to.equal(1);
          expect((await x.rec.value(METRICS.providerCallDuration, { ...who, [ATTR.operation]: operation, [ATTR.outcome]: 'ok' }))?.count).to.equal(1);
        });

        it('nests each HTTP request under its provider call, with the status and the attempt', async function () {
          const x = r();
          const id = await reference(x);
          if (takesPayments) must(await x.paykit.payments.query(id), 'payments.query');
          else must(await x.paykit.payouts.query(id), 'payouts.query');
          const operation = takesPayments ? 'payments.query' : 'payouts.query';
          const call = one(x.rec.named(SPANS.providerCall).filter((s) => s.attributes[ATTR.operation] === operation), operation);
          const http = one(x.rec.childrenOf(call).filter((s) => s.name === SPANS.http), 'HTTP request of the query');
          expect(http.attributes).to.include({ [ATTR.provider]: plugin.id, [ATTR.instance]: SUT, [ATTR.httpStatus]: 200, [ATTR.attempt]: 1, [ATTR.serverAddress]: '127.0.0.1' });
          // The HTTP request the plugin sent is what the span says it was.
          const sent = x.transport.sent.at(-1);
          expect(http.attributes[ATTR.httpMethod]).to.equal(sent?.request.method);
          expect(http.attributes[ATTR.httpOperation]).to.equal(sent?.options.operation);
          expect(call.attributes).to.include({ [ATTR.httpStatus]: 200, [ATTR.attempt]: 1, [ATTR.outcome]: 'ok' });
        });
      });

      context('when a notification was tampered with', function () {
        it('records it rejected, with the reason, and commits nothing', async function () {
          const x = r();
          const id = await reference(x);
          const tampered = x.ctx.tamper(notification(x, id));
          const e = (await x.paykit.notifications.handle(SUT, tampered))._unsafeUnwrapErr();
          const span = one(x.rec.named(SPANS.notification), 'notification span');
          expect(span.attributes).to.include({ [ATTR.provider]: plugin.id, [ATTR.outcome]: 'rejected', [ATTR.errorType]: 'signature', [ATTR.errorCode]: e.code });
          expect(e.kind).to.equal('Signature');
          expect(span.status.code).to.equal(2); // SpanStatusCode.ERROR
          expect(span.events.map((ev) => [ev.name, ev.attributes])).to.deep.equal([[EVENTS.notificationVerified, { [ATTR.outcome]: 'error', [ATTR.errorType]: 'signature' }]]);
          const who = { [ATTR.provider]: plugin.id, [ATTR.instance]: SUT };
          expect((await x.rec.value(METRICS.notifications, { ...who, [ATTR.outcome]: 'rejected', [ATTR.errorType]: 'signature' }))?.value).to.equal(1);
          expect(await x.rec.value(METRICS.notifications, { ...who, [ATTR.outcome]: 'accepted' })).to.equal(undefined);
          // The duration is by outcome only: the reason stays on the counter.
          const durations = await x.rec.points(METRICS.notificationDuration);
          expect(durations.map((p) => [p.attributes[ATTR.outcome], p.attributes[ATTR.errorType], p.count])).to.deep.equal([['rejected', undefined, 1]]);
        });
      });

      if (harness.plugin.capabilities.some((c) => c === 'refunds' || c === 'payouts')) {
        context('when the reply to a call moving money is lost', function () {
          it('counts the unknown outcome raised, shows it in the gauge, and a traced resolvePending run settles it by the provider\'s word', async function () {
            const x = r();
            // A refund needs a paid payment; a payout needs nothing before it.
            const id = takesPayments ? await reference(x) : nextId();
            if (takesPayments) must(await x.paykit.payments.query(id), 'payments.query');
            const moving = x.ctx.moneyMovingCall ?? expect.fail('the harness has no money-moving call');
            x.ctx.injectFault('drop-reply-after-processing');
            const e = (await moving(x.paykit, id))._unsafeUnwrapErr();
            expect(e.kind, e.message).to.equal('OutcomeUnknown');
            // The record the unknown outcome is about: the refund (its id made by the harness), or the payout.
            const recordId = e.kind === 'OutcomeUnknown' ? e.resolution.reference : '';

            const kind = takesPayments ? 'refund' : 'payout';
            const sendOp = takesPayments ? 'refunds.refund' : 'payouts.submit';
            const moneyOp = takesPayments ? 'refunds.create' : 'payouts.submit';
            const call = one(x.rec.named(SPANS.providerCall).filter((s) => s.attributes[ATTR.operation] === sendOp && s.attributes[ATTR.outcome] === 'error'), `${sendOp} that lost its reply`);
            expect(call.attributes[ATTR.errorType]).to.be.oneOf(['network', 'timeout', 'outcome_unknown']);
            expect(x.rec.childrenOf(call).filter((s) => s.name === SPANS.http)).to.have.lengthOf(1);
            const failedDurations = (await x.rec.points(METRICS.providerCallDuration)).filter((p) => p.attributes[ATTR.operation] === sendOp && p.attributes[ATTR.outcome] === 'error');
            expect(failedDurations.map((p) => [p.count, p.attributes[ATTR.errorType]])).to.deep.equal([[1, undefined]]);
            expect((await x.rec.value(METRICS.unknownRaised, { [ATTR.recordKind]: kind, [ATTR.operation]: moneyOp }))?.value).to.equal(1);
            expect((await x.rec.value(METRICS.records, { [ATTR.recordKind]: kind, [ATTR.recordState]: 'unknown' }))?.value).to.equal(1);
            expect(await x.rec.points(METRICS.unknownSettled)).to.deep.equal([]);

            const report = must(await x.paykit.resolvePending({ olderThan: 0 }), 'resolvePending');
            // The provider got the request: the refund is final; the payout may still be on its way (accepted, processing).
            const entry = report.entries[0];
            expect(report.entries).to.have.lengthOf(1);
            expect(entry?.after).to.be.oneOf(takesPayments ? ['succeeded'] : ['accepted', 'processing', 'succeeded']);
            const outcome = entry?.after === 'succeeded' ? 'settled' : 'still_pending';
            const runSpan = one(x.rec.named(SPANS.resolvePending), 'resolvePending span');
            expect(runSpan.attributes).to.include({
              [RESOLVE_TOTALS.checked]: 1, [RESOLVE_TOTALS.settled]: outcome === 'settled' ? 1 : 0, [RESOLVE_TOTALS.stillPending]: outcome === 'settled' ? 0 : 1, [ATTR.outcome]: 'ok',
            });
            const check = one(x.rec.childrenOf(runSpan), 'check span');
            expect(check.attributes).to.include({ [ATTR.recordKind]: kind, [ATTR.instance]: SUT, [ATTR.reference]: recordId, [ATTR.resolveOutcome]: outcome, [ATTR.attempt]: 1 });
            const query = one(x.rec.childrenOf(check).filter((s) => s.name === SPANS.providerCall), 'the check\'s provider call');
            expect(query.attributes).to.include({ [ATTR.operation]: takesPayments ? 'refunds.query' : 'payouts.query', [ATTR.outcome]: 'ok', [ATTR.httpStatus]: 200 });

            const settled = await x.rec.value(METRICS.unknownSettled, { [ATTR.recordKind]: kind, [ATTR.operation]: moneyOp });
            expect([settled?.value, settled?.attributes[ATTR.recordStatus]]).to.deep.equal([1, entry?.after]);
            expect((await x.rec.value(METRICS.records, { [ATTR.recordKind]: kind, [ATTR.recordState]: 'unknown' }))?.value).to.equal(0);
          });
        });
      } else {
        context('when the reply to a payment query is lost', function () {
          it('records the failed check, and the next resolvePending run settles the payment as the second check', async function () {
            const x = r();
            const id = await reference(x);
            x.ctx.injectFault('drop-reply-after-processing');
            const first = must(await x.paykit.resolvePending({ olderThan: 0 }), 'first resolvePending');
            expect(first.entries.map((e) => e.outcome)).to.deep.equal(['failed']);
            const second = must(await x.paykit.resolvePending({ olderThan: 0 }), 'second resolvePending');
            expect(second.entries.map((e) => [e.outcome, e.after])).to.deep.equal([['settled', 'succeeded']]);

            const runs = x.rec.named(SPANS.resolvePending);
            expect(runs.map((s) => [s.attributes[RESOLVE_TOTALS.failed], s.attributes[RESOLVE_TOTALS.settled]])).to.deep.equal([[1, 0], [0, 1]]);
            const checks = runs.map((s) => one(x.rec.childrenOf(s), 'check span'));
            expect(checks.map((c) => [c.attributes[ATTR.reference], c.attributes[ATTR.attempt], c.attributes[ATTR.resolveOutcome]]))
              .to.deep.equal([[id, 1, 'failed'], [id, 2, 'settled']]);
            const calls = checks.map((c) => one(x.rec.childrenOf(c).filter((s) => s.name === SPANS.providerCall), 'payments.query'));
            expect(calls.map((c) => c.attributes[ATTR.outcome])).to.deep.equal(['error', 'ok']);
            expect(calls[1]?.attributes[ATTR.httpStatus]).to.equal(200);
            const who = { [ATTR.provider]: plugin.id, [ATTR.operation]: 'payments.query' };
            expect((await x.rec.value(METRICS.providerCalls, { ...who, [ATTR.outcome]: 'error' }))?.attributes[ATTR.errorType]).to.equal('network');
            expect((await x.rec.value(METRICS.providerCalls, { ...who, [ATTR.outcome]: 'ok' }))?.value).to.equal(1);
            // A payment that waits for its payer is no unknown outcome.
            expect(await x.rec.points(METRICS.unknownRaised)).to.deep.equal([]);
          });
        });
      }

      // Declared last so that it runs after every scenario above (mocha runs a suite's own tests first).
      context('after every scenario above', function () {
      it('exports no key, signature or card number in any span or metric attribute', async function () {
        const texts = (await Promise.all(recorders.map((rec) => exportedAttributeTexts(rec)))).flat();
        expect(texts.length, 'the scenarios above exported attributes').to.be.greaterThan(50);
        const forbidden = [...ctx.secrets, ...signatures, ...(ctx.cardNumber !== undefined ? [ctx.cardNumber] : [])];
        expect(forbidden.length, 'there is something to look for').to.be.greaterThan(0);
        for (const { where, text } of texts) {
          for (const f of forbidden) {
            // A key's PEM body split over lines: any 24 characters of it would do.
            const pieces = f.length > 48 ? f.replace(/-----[A-Z ]+-----|\s+/g, '').match(/.{24}/g) ?? [] : [f];
            for (const p of pieces) expect(text.includes(p), `${where} carries a secret, signature or card number`).to.equal(false);
          }
          for (const run of text.match(/\d{13,19}/g) ?? []) expect(luhn(run), `${where} carries a card-number-like ${run.length}-digit run`).to.equal(false);
        }
      });
      });
    });
  }

  describe('LianLian payout held for review', function () {
    const OID_PARTNER = '201606221000921503';
    const CARD = '6216261234567890018';
    let sim: LianlianPayoutSimulator;
    let privatePem: string;
    before(async function () {
      const merchant = generateKeyPairSync('rsa', { modulusLength: 1024 });
      privatePem = merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      sim = await LianlianPayoutSimulator.start({ oidPartner: OID_PARTNER, merchantPublicKey: merchant.publicKey, holdExpiryMs: 60_000 });
    });
    after(async function () {
      await sim.close();
    });

    it('records the submit that got the hold, and the gauge counts it held with its age by paykit\'s clock', async function () {
      const rec = new TelemetryRecorder();
      const clock = new FixedClock(new Date());
      const store = new InMemoryStore();
      const paykit = must(await createPaykit({ instances: { payouts: { plugin: 'lianlian-payout', options: {
        oidPartner: OID_PARTNER, privateKey: privatePem, lianlianPublicKey: sim.publicKey, baseUrl: sim.baseUrl, notifyUrl: 'http://127.0.0.1:9/notify',
      } } } }, { plugins: [lianlianPayoutPlugin], transport: new LoopbackTransport(), store, clock, telemetry: rec.options() }), 'createPaykit');
      try {
        const payoutId = nextId();
        sim.scripts.set(payoutId, { hold: '4003' });
        const payout = must(await paykit.payouts.submit({
          payoutId, amount: { amount: 4965, currency: 'CNY' }, description: 'observability payout', account: { type: 'private', accountNumber: CARD, accountName: '张三' },
        }), 'payouts.submit');
        expect(payout.status).to.equal('held_for_review');
        const call = one(rec.named(SPANS.providerCall), 'payouts.submit span');
        expect(call.attributes).to.include({ [ATTR.provider]: 'lianlian-payout', [ATTR.instance]: 'payouts', [ATTR.operation]: 'payouts.submit', [ATTR.outcome]: 'ok', [ATTR.httpStatus]: 200, [ATTR.reference]: payoutId });

        clock.advance(90_000);
        const held = { [ATTR.recordKind]: 'payout', [ATTR.recordState]: 'held_for_review' };
        expect((await rec.value(METRICS.records, held))?.value).to.equal(1);
        expect((await rec.value(METRICS.recordsOldestAge, held))?.value).to.equal(90);
        expect((await rec.value(METRICS.records, { [ATTR.recordKind]: 'payout', [ATTR.recordState]: 'needs_attention' }))?.value).to.equal(0);
        expect((await rec.value(METRICS.providerCalls, { [ATTR.operation]: 'payouts.submit', [ATTR.outcome]: 'ok' }))?.value).to.equal(1);
        for (const { where, text } of await exportedAttributeTexts(rec)) {
          expect(text.includes(CARD), `${where} carries the beneficiary's card number`).to.equal(false);
          expect(text.includes('张三'), `${where} carries the beneficiary's name`).to.equal(false);
        }
      } finally {
        await paykit.close();
        await rec.shutdown();
      }
    });
  });
});
