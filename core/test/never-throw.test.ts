import { expect } from 'chai';
import fc from 'fast-check';
import { Err, Ok, ResultAsync } from 'neverthrow';
import {
  addMoney, charsetOf, checkCapture, formatDecimal, formatMinorUnits, checkRefundable, compareMoney, createPaykit, currencyOf, decodeText, encodeText, loadCertificate,
  loadConfigFile, loadPrivateKey, loadPublicKey, money, parseConfig, parseCst, parseDecimal, parseMinorUnits, paymentTransition,
  parseJsonObject, PaymentErrors, payoutTransition, type PaymentError, isPaymentError, formatPaymentError, redact, maskCardNumber, maskCardNumbersIn,
  maskFieldValue, isBase64, constantTimeEqual, hexDigestEquals, JsonLogger, MemoryLogger, rsaOaepEncrypt, rsaSign, subtractMoney, sumMoney, type Paykit,
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
});
