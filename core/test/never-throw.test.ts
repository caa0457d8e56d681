import { expect } from 'chai';
import fc from 'fast-check';
import * as t from 'io-ts';
import { Err, errAsync, ok, Ok, okAsync, ResultAsync, type Result } from 'neverthrow';
import {
  addMoney, charsetOf, checkCapture, formatDecimal, formatMinorUnits, checkRefundable, compareMoney, createPaykit, currencyOf, decodeText, encodeText, loadCertificate,
  loadConfigFile, loadPrivateKey, loadPublicKey, money, parseConfig, parseCst, parseDecimal, parseMinorUnits, paymentTransition,
  parseJsonObject, PaymentErrors, payoutTransition, type PaymentError, isPaymentError, formatPaymentError, redact, maskCardNumber, maskCardNumbersIn,
  maskFieldValue, isBase64, constantTimeEqual, hexDigestEquals, JsonLogger, MemoryLogger, rsaOaepEncrypt, rsaSign, subtractMoney, sumMoney, type Paykit,
  aesCtr, applyPaymentReport, checkHealth, checkTelemetryOptions, decodeWith, dropLease, failRefund, FixedClock, fromDinero, giveUp, guard, guardAsync,
  InMemoryStore, inUnitOfWork, leaseConsumer, mapErrOf, mapOk, markReplayed, orElseOf, readConsumer, readGauges, recordStep, refundableBase,
  runMoneyOperation, settlePaymentReport, settlePayoutReport, settlePreAuthReport, settleRefundReport, takeLease, toDinero, updateRecord,
} from '../src/index.js';
import { ALL, defaultScript, fakePlugin } from './support/fake-plugin.js';

/** Values that break careless code: throwing getters, hostile proxies, odd primitives. */
const throwingGetter = Object.defineProperty({}, 'amount', { get() { throw new Error('getter'); }, enumerable: true });
const hostileProxy = new Proxy({}, { get() { throw new Error('proxy get'); }, has() { throw new Error('proxy has'); }, ownKeys() { throw new Error('proxy keys'); }, getPrototypeOf() { throw new Error('proxy proto'); } });
const badToString = { toString() { throw new Error('toString'); }, valueOf() { throw new Error('valueOf'); } };
/** Checked one by one in every argument position (fast-check itself cannot print a hostile proxy). */
const NASTY: readonly unknown[] = [null, undefined, throwingGetter, hostileProxy, badToString, Symbol('s'), 10n, Number.NaN, [], Object.create(null), () => 1];
const anyInput = fc.anything();
/** Every argument tuple with one nasty value and the other positions a plain value. */
function nastyTuples(plain: unknown): unknown[][] {
  const out: unknown[][] = [];
  for (const v of NASTY) for (let i = 0; i < 3; i += 1) out.push([0, 1, 2].map((j) => (j === i ? v : plain)));
  return out;
}

/** Like {@link nastyTuples} for a call with its own plain value in each position; and each nasty value in every position at once. */
function hostileArgs(plain: readonly unknown[]): unknown[][] {
  return [
    ...NASTY.flatMap((v) => plain.map((_, i) => plain.map((p, j) => (j === i ? v : p)))),
    ...NASTY.map((v) => plain.map(() => v)),
  ];
}

const isResult = (v: unknown): boolean => v instanceof Ok || v instanceof Err;

function assertSyncResult(name: string, fn: () => unknown): void {
  let out: unknown;
  try {
    out = fn();
  } catch (e) {
    expect.fail(`${name} threw ${String((e as Error)?.message ?? e)}`);
  }
  expect(out, name).to.satisfy((v: unknown) => isResult(v));
}

async function assertAsyncResult(name: string, fn: () => unknown): Promise<void> {
  let out: unknown;
  try {
    out = fn();
  } catch (e) {
    expect.fail(`${name} threw ${String((e as Error)?.message ?? e)}`);
  }
  expect(out, `${name} returns a ResultAsync`).to.be.instanceOf(ResultAsync);
  let settled: unknown;
  try {
    settled = await (out as ResultAsync<unknown, unknown>);
  } catch (e) {
    expect.fail(`${name} rejected ${String((e as Error)?.message ?? e)}`);
  }
  expect(settled, name).to.satisfy((v: unknown) => isResult(v));
}

describe('never throw', () => {
  context('synchronous public functions', () => {
    const fns: readonly [string, (a: unknown, b: unknown, c: unknown) => unknown][] = [
      ['money', (a, b, c) => money(a as never, b as never, c as never)],
      ['parseDecimal', (a, b, c) => parseDecimal(a as never, b as never, c as never)],
      ['parseMinorUnits', (a, b, c) => parseMinorUnits(a as never, b as never, c as never)],
      ['formatDecimal', (a, b) => formatDecimal(a as never, b as never)],
      ['formatMinorUnits', (a) => formatMinorUnits(a as never)],
      ['currencyOf', (a) => currencyOf(a as never)],
      ['addMoney', (a, b) => addMoney(a as never, b as never)],
      ['subtractMoney', (a, b) => subtractMoney(a as never, b as never)],
      ['compareMoney', (a, b) => compareMoney(a as never, b as never)],
      ['sumMoney', (a, b) => sumMoney(a as never, b as never)],
      ['checkRefundable', (a, b, c) => checkRefundable(a as never, b as never, c as never)],
      ['checkCapture', (a, b) => checkCapture(a as never, b as never)],
      ['paymentTransition', (a, b) => paymentTransition(a as never, b as never)],
      ['payoutTransition', (a, b) => payoutTransition(a as never, b as never)],
      ['parseCst', (a, b) => parseCst(a as never, b as never)],
      ['loadPrivateKey', (a) => loadPrivateKey(a as never)],
      ['loadPublicKey', (a) => loadPublicKey(a as never)],
      ['loadCertificate', (a) => loadCertificate(a as never)],
      ['charsetOf', (a) => charsetOf(a as never)],
      ['encodeText', (a, b) => encodeText(a as never, b as never)],
      ['decodeText', (a, b) => decodeText(a as never, b as never)],
      ['parseJsonObject', (a, b, c) => parseJsonObject(a as never, b as never, c as never)],
      ['rsaSign', (a, b, c) => rsaSign(a as never, b as never, c as never)],
      ['rsaOaepEncrypt', (a, b, c) => rsaOaepEncrypt(a as never, b as never, c as never)],
      ['parseConfig', (a) => parseConfig(a)],
      ['loadConfigFile', (a) => loadConfigFile(a as never)],
    ];
    for (const [name, fn] of fns) {
      it(`${name} returns a Result for any input`, () => {
        fc.assert(fc.property(anyInput, anyInput, anyInput, (a, b, c) => assertSyncResult(name, () => fn(a, b, c))), { numRuns: 300 });
        for (const plain of [undefined, 'CNY', { amount: 1, currency: 'CNY' }]) {
          for (const [a, b, c] of nastyTuples(plain)) assertSyncResult(name, () => fn(a, b, c));
        }
      });
    }
  });

  context('helpers a merchant may hand any value', () => {
    // Each returns its kind of value (a boolean, a text, a loggable copy) for any input, never a throw.
    const helpers: readonly [string, (a: unknown, b: unknown) => unknown, string][] = [
      ['isPaymentError', (a) => isPaymentError(a), 'boolean'],
      ['formatPaymentError', (a) => formatPaymentError(a as never), 'string'],
      ['redact', (a) => redact(a), 'any'],
      ['redact (inside an object)', (a, b) => redact({ field: a, card_no: b, nested: { a } }), 'object'],
      ['maskCardNumber', (a) => maskCardNumber(a as never), 'string'],
      ['maskCardNumbersIn', (a) => maskCardNumbersIn(a as never), 'string'],
      ['maskFieldValue', (a, b) => maskFieldValue(a as never, b as never), 'string'],
      ['isBase64', (a) => isBase64(a as never), 'boolean'],
      ['constantTimeEqual', (a, b) => constantTimeEqual(a as never, b as never), 'boolean'],
      ['hexDigestEquals', (a, b) => hexDigestEquals(a as never, b as never), 'boolean'],
    ];
    it('the loggers write any message and fields, at any level, as a JSON line', () => {
      const lines: string[] = [];
      const loggers = [new JsonLogger('debug', (l) => { lines.push(l); }), new MemoryLogger()];
      for (const a of [...NASTY, 'text', { card_no: '6216261234567890018' }]) {
        for (const b of [...NASTY, 'info']) {
          for (const logger of loggers) {
            try {
              logger.log(b as never, a as never, a as never);
              logger.log('warn', 'message', { field: a, other: b } as never);
            } catch (e) {
              expect.fail(`${logger.constructor.name}.log threw ${String((e as Error)?.message ?? e)}`);
            }
          }
        }
      }
      for (const line of lines) expect(JSON.parse(line)).to.be.an('object').that.has.property('level');
      expect(lines.join('\n')).not.to.include('6216261234567890018');
    });
    const extra = [new Date(Number.NaN), { kind: 'OutcomeUnknown', code: 'x', message: 'm', retryable: false, resolution: null }];
    for (const [name, fn, type] of helpers) {
      it(`${name} answers any input`, () => {
        const check = (a: unknown, b: unknown): void => {
          let out: unknown;
          try {
            out = fn(a, b);
          } catch (e) {
            expect.fail(`${name} threw ${String((e as Error)?.message ?? e)}`);
          }
          if (type !== 'any') expect(typeof out, name).to.equal(type);
        };
        fc.assert(fc.property(anyInput, anyInput, check), { numRuns: 300 });
        for (const v of [...NASTY, ...extra]) for (const w of [...NASTY, ...extra, 'text']) check(v, w);
      });
    }
  });

  context('PaymentErrors', () => {
    it('makes an error from any details object, leaving out what cannot be read', () => {
      const resolution = { operation: 'payments.query', reference: 'A1', hint: 'query it' };
      for (const d of [...NASTY, { get code(): never { throw new Error('getter'); } }]) {
        for (const make of [() => PaymentErrors.decode('m', d as never), () => PaymentErrors.network('m', true, d as never), () => PaymentErrors.outcomeUnknown('m', resolution, d as never)]) {
          let e: PaymentError | undefined;
          try {
            e = make();
          } catch (thrown) {
            expect.fail(`a PaymentErrors constructor threw ${String((thrown as Error)?.message ?? thrown)}`);
          }
          expect(e?.message).to.equal('m');
          if (e?.kind === 'OutcomeUnknown') expect(e.retryable).to.equal(false);
        }
      }
    });
    it('makes an error with a text message from any message, provider message or cause', () => {
      const check = (message: unknown, providerMessage: unknown, cause: unknown): void => {
        let e: ReturnType<typeof PaymentErrors.decode> | undefined;
        try {
          e = PaymentErrors.decode(message as never, { providerMessage: providerMessage as never, cause });
        } catch (thrown) {
          expect.fail(`PaymentErrors.decode threw ${String((thrown as Error)?.message ?? thrown)}`);
        }
        expect(e?.message).to.be.a('string');
        if (e?.cause !== undefined) expect(e.cause.message).to.be.a('string');
      };
      fc.assert(fc.property(anyInput, anyInput, anyInput, check), { numRuns: 300 });
      for (const [a, b, c] of nastyTuples('text')) check(a, b, c);
    });
  });

  context('createPaykit', () => {
    it('returns a ResultAsync resolving to a Result for any config and deps', async () => {
      await fc.assert(fc.asyncProperty(anyInput, fc.oneof(fc.constant(undefined), fc.constant({}), anyInput), async (config, deps) => {
        await assertAsyncResult('createPaykit', () => createPaykit(config, deps as never));
      }), { numRuns: 200 });
      for (const [a, b] of nastyTuples(undefined)) await assertAsyncResult('createPaykit', () => createPaykit(a, b as never));
    });
  });

  context('facade operations', () => {
    let paykit: Paykit;
    before(async () => {
      paykit = (await createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'k' } } } }, { plugins: [fakePlugin('fake', ALL, defaultScript())] }))._unsafeUnwrap();
    });
    const ops: readonly [string, (p: Paykit, a: unknown, b: unknown) => unknown][] = [
      ['payments.create', (p, a, b) => p.payments.create(a as never, b as never)],
      ['payments.query', (p, a, b) => p.payments.query(a as never, b as never)],
      ['payments.get', (p, a) => p.payments.get(a as never)],
      ['payments.apply', (p, a) => p.payments.apply(a as never)],
      ['payments.handleReturn', (p, a, b) => p.payments.handleReturn(a as never, b as never)],
      ['notifications.handle', (p, a, b) => p.notifications.handle(a as never, b as never)],
      ['refunds.create', (p, a, b) => p.refunds.create(a as never, b as never)],
      ['refunds.query', (p, a) => p.refunds.query(a as never)],
      ['preauth.capture', (p, a) => p.preauth.capture(a as never)],
      ['preauth.void', (p, a) => p.preauth.void(a as never)],
      ['payouts.submit', (p, a, b) => p.payouts.submit(a as never, b as never)],
      ['payouts.confirm', (p, a) => p.payouts.confirm(a as never)],
      ['payouts.resolve', (p, a) => p.payouts.resolve(a as never)],
      ['payouts.query', (p, a) => p.payouts.query(a as never)],
      ['payouts.get', (p, a) => p.payouts.get(a as never)],
      ['statements.fetch', (p, a, b) => p.statements.fetch(a as never, b as never)],
      ['reconcile', (p, a, b) => p.reconcile(a as never, b as never)],
      ['reconciliation.get', (p, a) => p.reconciliation.get(a as never)],
      ['reconciliation.resolve', (p, a, b) => p.reconciliation.resolve(a as never, b as never, 'note')],
    ];
    for (const [name, op] of ops) {
      it(`${name} resolves to a Result for any input`, async () => {
        await fc.assert(fc.asyncProperty(anyInput, anyInput, async (a, b) => {
          await assertAsyncResult(name, () => op(paykit, a, b));
        }), { numRuns: 200 });
        for (const plain of [undefined, 'A1']) {
          for (const [a, b] of nastyTuples(plain)) await assertAsyncResult(name, () => op(paykit, a, b));
        }
      });
    }
    it('paykit.capabilities and paykit.extension return a Result for any input', () => {
      fc.assert(fc.property(anyInput, anyInput, (a, b) => {
        assertSyncResult('capabilities', () => paykit.capabilities(a as never));
        assertSyncResult('extension', () => paykit.extension(a as never, b as never));
      }), { numRuns: 300 });
      for (const [a, b] of nastyTuples('main')) {
        assertSyncResult('capabilities', () => paykit.capabilities(a as never));
        assertSyncResult('extension', () => paykit.extension(a as never, b as never));
      }
    });
    it('statements.parse yields only Results for any input', async () => {
      const check = async (a: unknown, b: unknown) => {
        try {
          for await (const r of paykit.statements.parse(a as never, b as never)) expect(r).to.satisfy((v: unknown) => isResult(v));
        } catch (e) {
          expect.fail(`statements.parse threw ${String((e as Error)?.message ?? e)}`);
        }
      };
      await fc.assert(fc.asyncProperty(anyInput, anyInput, check), { numRuns: 100 });
      for (const [a, b] of nastyTuples(undefined)) await check(a, b);
    });
    it('reconciliation.discrepancies yields only Results for any input', async () => {
      const check = async (a: unknown) => {
        try {
          for await (const r of paykit.reconciliation.discrepancies(a as never)) expect(r).to.satisfy((v: unknown) => isResult(v));
        } catch (e) {
          expect.fail(`reconciliation.discrepancies threw ${String((e as Error)?.message ?? e)}`);
        }
      };
      await fc.assert(fc.asyncProperty(anyInput, check), { numRuns: 100 });
      for (const [a] of nastyTuples(undefined)) await check(a);
      await check({ instance: 'main', date: '2026-12-01' });
    });
    it('notifications.rejection always gives a reply', () => {
      fc.assert(fc.property(anyInput, anyInput, (a, b) => {
        let reply: unknown;
        try {
          reply = paykit.notifications.rejection(a as never, b as never);
        } catch (e) {
          expect.fail(`rejection threw ${String((e as Error)?.message ?? e)}`);
        }
        expect(reply).to.have.property('status').that.is.a('number');
      }), { numRuns: 300 });
      for (const [a, b] of nastyTuples('main')) expect(paykit.notifications.rejection(a as never, b as never).status).to.be.a('number');
    });
  });

  // Each helper is called with its arguments as a caller would pass them (`plain`), then with each
  // hostile value in each position and in every position at once, then with arbitrary values.
  context('core helpers: result combinators, protocol, facade and observability', () => {
    const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
    const createdAt = new Date('2026-01-02T03:04:05Z');
    const storedPayment = {
      orderId: 'A1', instanceId: 'main', amount: cny(100), status: 'succeeded' as const, refunded: cny(0), refundReserved: cny(0), createdAt,
    };
    const storedRefund = { refundId: 'R1', orderId: 'A1', instanceId: 'main', amount: cny(40), status: 'processing' as const, requestedAt: createdAt };
    const store = new InMemoryStore();
    const ctx = { store, clock: new FixedClock(createdAt), logger: new MemoryLogger() };
    before(async () => {
      (await store.insert('payment', 'A1', storedPayment))._unsafeUnwrap();
      (await store.insert('refund', 'R1', storedRefund))._unsafeUnwrap();
    });
    const codec = t.type({ orderId: t.string });
    const steps = {
      operation: 'refunds.create', describe: () => 'refund R1', resolution: () => ({ operation: 'refunds.query', reference: 'R1', hint: 'query it' }),
      claim: () => okAsync({ answer: 1 }), send: () => okAsync(1), settle: () => okAsync(1), release: () => okAsync(1), unknown: () => okAsync(1),
    };
    const event = { id: 1, type: 'payment.succeeded', record: { kind: 'payment', id: 'A1', version: 1 }, from: null, to: 'succeeded', instanceId: 'main', amount: cny(100), cause: { source: 'local' }, occurredAt: createdAt };
    const call = (f: unknown) => (...args: unknown[]): unknown => (f as (...a: unknown[]) => unknown)(...args);

    const sync: readonly [string, (...a: unknown[]) => unknown, readonly unknown[]][] = [
      ['aesCtr', call(aesCtr), [Buffer.alloc(16, 1), Buffer.alloc(16, 2), Buffer.from('data')]],
      ['applyPaymentReport', call(applyPaymentReport), [storedPayment, { orderId: 'A1', amount: cny(100), status: 'succeeded' }]],
      ['checkTelemetryOptions', call(checkTelemetryOptions), [{ gaugeCacheMs: 10 }]],
      ['decodeWith (valid input)', call(decodeWith), [codec, { orderId: 'A1' }, 'input']],
      ['decodeWith (invalid input)', call(decodeWith), [codec, { orderId: 1 }, 'input', 'reply']],
      ['fromDinero', call(fromDinero), [toDinero(cny(4965))]],
      ['guard', call(guard), ['context', () => ok(1)]],
      ['guard (a function that throws)', call(guard), ['context', () => { throw new Error('boom'); }]],
    ];
    for (const [name, fn, plain] of sync) {
      it(`${name} returns a Result for any arguments`, () => {
        assertSyncResult(name, () => fn(...plain));
        for (const args of hostileArgs(plain)) assertSyncResult(name, () => fn(...args));
        fc.assert(fc.property(fc.array(anyInput, { minLength: plain.length, maxLength: plain.length }), (args) => assertSyncResult(name, () => fn(...args))), { numRuns: 100 });
      });
    }

    const asynchronous: readonly [string, (...a: unknown[]) => unknown, readonly unknown[]][] = [
      ['guardAsync', call(guardAsync), ['context', () => okAsync(1)]],
      ['guardAsync (a rejected promise)', call(guardAsync), ['context', () => Promise.reject(new Error('boom'))]],
      ['mapOk', call(mapOk), [okAsync(1), (x: number) => x + 1]],
      ['mapOk (a promise)', call(mapOk), [Promise.resolve(ok(1)), (x: number) => x + 1]],
      ['mapErrOf', call(mapErrOf), [errAsync('e'), (e: string) => `${e}!`]],
      ['orElseOf (recovering)', call(orElseOf), [errAsync('e'), () => ok(1)]],
      ['orElseOf (not called)', call(orElseOf), [okAsync(1), () => ok(2)]],
      ['inUnitOfWork', call(inUnitOfWork), [store, () => okAsync(1), { attempts: 2 }]],
      ['updateRecord', call(updateRecord), [store, 'payment', 'A1', (cur: unknown) => ok({ write: false, value: cur }), 1]],
      ['settlePaymentReport', call(settlePaymentReport), [store, { orderId: 'A1', amount: cny(100), status: 'succeeded' }, { instanceId: 'main', now: createdAt }]],
      ['refundableBase', call(refundableBase), [store, storedPayment]],
      ['settleRefundReport', call(settleRefundReport), [store, { refundId: 'R1', orderId: 'A1', amount: cny(40), status: 'processing' }, undefined]],
      ['failRefund', call(failRefund), [store, storedRefund, { message: 'declined' }]],
      ['settlePayoutReport', call(settlePayoutReport), [store, { providerOrderId: 'P1', status: 'succeeded' }, createdAt]],
      ['settlePreAuthReport', call(settlePreAuthReport), [store, { orderId: 'A1', status: 'authorised' }]],
      ['takeLease', call(takeLease), [ctx, 'payment', 'A1', 0, 'payments.query']],
      ['dropLease', call(dropLease), [ctx, 'payment', 'A1', PaymentErrors.timeout('no answer'), { maxChecks: 3, action: 'ask the provider', operation: 'payments.query' }]],
      ['giveUp', call(giveUp), [store, 'payment', 'A1', createdAt, 'no answer', 'ask the provider']],
      ['runMoneyOperation', call(runMoneyOperation), [ctx, steps]],
      ['readConsumer', call(readConsumer), [store, 'mailer']],
      ['leaseConsumer', call(leaseConsumer), [ctx, 'mailer', 1000, () => okAsync(0)]],
      ['recordStep', call(recordStep), [ctx, 'mailer', { kind: 'handled', event }, 1000]],
      ['markReplayed', call(markReplayed), [ctx, 'mailer', 1]],
      ['checkHealth', call(checkHealth), [{ store, instanceIds: ['main'], closed: false }, { timeoutMs: 500 }]],
      ['readGauges', call(readGauges), [{ store: ctx.store, clock: ctx.clock, logger: ctx.logger }]],
    ];
    for (const [name, fn, plain] of asynchronous) {
      it(`${name} resolves to a Result for any arguments`, async () => {
        await assertAsyncResult(name, () => fn(...plain));
        for (const args of hostileArgs(plain)) await assertAsyncResult(name, () => fn(...args));
        await fc.assert(fc.asyncProperty(fc.array(anyInput, { minLength: plain.length, maxLength: plain.length }), async (args) => {
          await assertAsyncResult(name, () => fn(...args));
        }), { numRuns: 50 });
      });
    }

    /** The error a call returned (awaited when asynchronous); fails when it is not an Err. */
    const errorOf = async (out: unknown): Promise<PaymentError> => {
      const r = (await out) as Result<unknown, PaymentError>;
      expect(r.isErr(), 'an Err').to.equal(true);
      return r._unsafeUnwrapErr();
    };
    it('names the argument to fix in an InvalidRequest', async () => {
      const cases: readonly [unknown, string][] = [
        [takeLease(undefined as never, 'payment', 'A1', 1000, 'payments.query'), 'ctx'],
        [takeLease(ctx, 'payment', 'A1', Number.NaN, 'payments.query'), 'leaseMs'],
        [updateRecord(store, 'payment', 'A1', 42 as never), 'decide'],
        [inUnitOfWork(store, 'work' as never), 'work'],
        [applyPaymentReport(storedPayment, null as never), 'report'],
        [runMoneyOperation(ctx, 'steps' as never), 'steps'],
        [mapOk(42 as never, (x: number) => x), 'ra'],
        [orElseOf(errAsync('e'), hostileProxy as never), 'f'],
        [guard('formatting', Symbol('fn') as never), 'fn'],
        [guardAsync(hostileProxy as never, 1n as never), 'fn'],
      ];
      for (const [out, argument] of cases) {
        const e = await errorOf(out);
        expect(e.kind, e.message).to.equal('InvalidRequest');
        expect(e.path, e.message).to.equal(argument);
        expect(e.message).to.include(` ${argument},`);
      }
      expect((await errorOf(aesCtr('key' as never, Buffer.alloc(16), Buffer.alloc(1)))).message).to.match(/as bytes .*got string/);
      expect((await errorOf(fromDinero(undefined as never))).message).to.match(/^fromDinero: pass a dinero\.js value/);
    });
    it('makes its message when the context or root given cannot be shown as text', async () => {
      const thrown = await errorOf(guard(hostileProxy as never, () => { throw new Error('boom'); }));
      expect(thrown.kind).to.equal('Internal');
      expect(thrown.message).to.equal('(a value that cannot be shown as text): unexpected exception');
      expect((await errorOf(guardAsync(Symbol('ctx') as never, () => Promise.reject(new Error('boom'))))).message).to.equal('Symbol(ctx): unexpected exception');
      const decoded = await errorOf(decodeWith(codec, { orderId: 1 }, hostileProxy as never));
      expect(decoded.kind).to.equal('InvalidRequest');
      expect(decoded.path).to.equal('(a value that cannot be shown as text).orderId');
      expect((await errorOf(checkTelemetryOptions(hostileProxy))).kind).to.equal('InvalidConfig');
    });
    it('settles as before for valid arguments; a callback that gives no Result is an Internal error', async () => {
      expect((await mapOk(okAsync(2), (x: number) => x * 3))._unsafeUnwrap()).to.equal(6);
      expect((await mapOk(Promise.resolve(ok(2)) as never, (x: number) => x * 3))._unsafeUnwrap()).to.equal(6);
      expect(guard('x', () => ok(5))._unsafeUnwrap()).to.equal(5);
      expect((await errorOf(orElseOf(errAsync<number, string>('e'), (() => 1) as never))).message).to.equal('orElseOf: the recovery function returned number, not a Result or ResultAsync');
      expect((await errorOf(guard('formatting', (() => 'text') as never))).message).to.equal('formatting: the guarded function returned string, not a Result');
    });
  });
});
