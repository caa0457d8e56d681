import {
  createPaykit, InMemoryStore, MemoryLogger, zero,
  type CreatePaymentResult, type CurrencyCode, type Money, type PaymentError, type Paykit, type PayResult,
  type PayResultAsync, type Store, type StoredPayment,
} from '@paykit/core';
import { expect } from 'chai';
import { LoopbackTransport, type ConformanceHarness, type HarnessContext } from '@paykit/core/simulator';

/** Everything the suite saw that must never carry a secret: log lines and errors, from every group. */
export interface LeakLedger {
  /** Loggers of every paykit the suite built. */
  readonly loggers: MemoryLogger[];
  /** Every error an operation returned. */
  readonly errors: PaymentError[];
  /** Secrets configured by any context. */
  readonly secrets: Set<string>;
  /** Card numbers put in requests by any context. */
  readonly cardNumbers: Set<string>;
}

/** A fresh, empty {@link LeakLedger}. */
export function newLedger(): LeakLedger {
  return { loggers: [], errors: [], secrets: new Set(), cardNumbers: new Set() };
}

/** A running simulator and a paykit built against it, as each test group uses them. */
export interface Sut {
  /** The harness context. */
  readonly ctx: HarnessContext;
  /** paykit with one instance, `sut`. */
  readonly paykit: Paykit;
  /** The transport (set `timeoutMs` to shorten every call). */
  readonly transport: LoopbackTransport;
  /** The store. */
  readonly store: Store;
  /** The logger. */
  readonly logger: MemoryLogger;
  /** Awaits an operation, records its error in the ledger, and fails the test if it threw. */
  run<T>(op: () => PayResultAsync<T>): Promise<PayResult<T>>;
  /** A fresh order id, unique within the run. */
  orderId(): string;
}

/** The instance id the kit configures. */
export const SUT = 'sut';

let counter = 0;
const runTag = Date.now().toString(36).slice(-5).toUpperCase();

/** Starts the harness's simulator and builds paykit against it. */
export async function startSut(harness: ConformanceHarness, ledger: LeakLedger): Promise<Sut> {
  const ctx = await harness.setup();
  for (const s of ctx.secrets) ledger.secrets.add(s);
  if (ctx.cardNumber !== undefined) ledger.cardNumbers.add(ctx.cardNumber);
  const transport = new LoopbackTransport();
  const store = harness.store?.() ?? new InMemoryStore();
  const logger = new MemoryLogger();
  ledger.loggers.push(logger);
  const built = await createPaykit(
    { instances: { [SUT]: { plugin: harness.plugin.id, options: ctx.options } } },
    { plugins: [harness.plugin], transport, store, logger, ...ctx.deps },
  );
  if (built.isErr()) {
    await ctx.close();
    throw new Error(`the harness options do not build paykit: ${built.error.message}`);
  }
  const paykit = built.value;
  return {
    ctx, paykit, transport, store, logger,
    async run<T>(op: () => PayResultAsync<T>): Promise<PayResult<T>> {
      let r: PayResult<T>;
      try {
        r = await op();
      } catch (e) {
        throw new Error(`a public operation threw instead of returning an error value: ${(e as Error).message}`);
      }
      if (r.isErr()) ledger.errors.push(r.error);
      return r;
    },
    orderId(): string {
      counter += 1;
      return `CK${runTag}${String(counter).padStart(5, '0')}`;
    },
  };
}

/** Unwraps an Ok, failing the test with the error's message otherwise. */
export function expectOk<T>(r: PayResult<T>, what: string): T {
  if (r.isErr()) expect.fail(`${what} returned ${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/** Unwraps an Err, failing the test when the operation succeeded. */
export function expectErr<T>(r: PayResult<T>, what: string): PaymentError {
  if (r.isOk()) expect.fail(`${what} returned Ok; an error was expected`);
  return r.error;
}

/** The first currency the harness declares. */
export function firstCurrency(ctx: HarnessContext): CurrencyCode {
  const c = ctx.currencies[0];
  if (c === undefined) throw new Error('the harness declares no currency: set HarnessContext.currencies');
  return c;
}

/** Creates a payment through paykit for a fresh order. */
export async function createPayment(sut: Sut, amount: Money, orderId = sut.orderId()): Promise<CreatePaymentResult> {
  const input = { ...sut.ctx.samplePayment(orderId, amount), orderId, amount };
  return expectOk(await sut.run(() => sut.paykit.payments.create(input)), `payments.create(${orderId})`);
}

/**
 * Creates a payment and plays the payer paying it at the simulator. paykit's record is still the one
 * `create` left (a notification or a query moves it).
 */
export async function createAndPay(sut: Sut, amount: Money, outcome: 'succeeded' | 'failed' = 'succeeded'): Promise<{ orderId: string; wireAmountMinor: number }> {
  const created = await createPayment(sut, amount);
  const paid = await sut.ctx.pay(created.action, outcome);
  expect(paid.orderId, 'HarnessContext.pay resolves with the order it paid').to.equal(created.payment.orderId);
  return { orderId: created.payment.orderId, wireAmountMinor: paid.wireAmountMinor };
}

/**
 * A payment paid at the simulator *and* recorded as succeeded by paykit (through `payments.query`),
 * ready for refunds, captures and other money-moving calls.
 */
export async function paidOrder(sut: Sut, amount: Money): Promise<string> {
  const { orderId } = await createAndPay(sut, amount);
  const payment = expectOk(await sut.run(() => sut.paykit.payments.query(orderId)), `payments.query(${orderId})`);
  expect(payment.status, `status of ${orderId} after paying`).to.equal('succeeded');
  return orderId;
}

/**
 * A reference the provider has settled but paykit has not heard about yet: an order created and paid
 * at the simulator, or (for a plugin without payments) the reference of a money-moving call.
 */
export async function unsettledReference(harness: ConformanceHarness, s: Sut, amount: number): Promise<string> {
  if (declares(harness, 'payments')) return (await createAndPay(s, { amount, currency: firstCurrency(s.ctx) })).orderId;
  const call = s.ctx.moneyMovingCall;
  if (call === undefined) throw new Error('a plugin without payments must give HarnessContext.moneyMovingCall: notifications and queries are about what that call creates');
  const reference = s.orderId();
  expectOk(await s.run(() => call(s.paykit, reference)), `moneyMovingCall(${reference})`);
  return reference;
}

/** Every record paykit holds (payments, refunds, payouts, pre-authorisations), to prove a call changed nothing. */
export async function snapshot(sut: Sut): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const kind of ['payment', 'refund', 'payout', 'preauth'] as const) {
    const r = await sut.store.list(kind);
    if (r.isErr()) throw new Error(`could not list ${kind} records: ${r.error.message}`);
    out[kind] = r.value;
  }
  return out;
}

/** Puts a succeeded payment straight into the store (for operations that need one, whatever the plugin). */
export async function seedPaidPayment(sut: Sut, amount: Money): Promise<string> {
  const orderId = sut.orderId();
  const record: StoredPayment = {
    orderId, instanceId: SUT, amount, status: 'succeeded', refunded: zero(amount.currency),
    refundReserved: zero(amount.currency), createdAt: sut.paykit.clock.now(),
  };
  const r = await sut.store.insert('payment', orderId, record);
  if (r.isErr()) throw new Error(`could not seed payment ${orderId}: ${r.error.message}`);
  return orderId;
}

/** Reads paykit's record of a payment. */
export async function recorded(sut: Sut, orderId: string): Promise<StoredPayment> {
  const r = await sut.store.get<StoredPayment>('payment', orderId);
  if (r.isErr() || r.value === undefined) throw new Error(`no payment ${orderId} is recorded`);
  return r.value.value;
}

/** Whether a capability is declared by the plugin under test. */
export function declares(harness: ConformanceHarness, capability: string): boolean {
  return harness.plugin.capabilities.includes(capability as never);
}

/**
 * Declares a test group with its own simulator and paykit: `harness.setup()` before, `ctx.close()`
 * after. The body gets a getter for the running {@link Sut}.
 */
export function describeWithSut(title: string, harness: ConformanceHarness, ledger: LeakLedger, body: (sut: () => Sut) => void): void {
  describe(title, function () {
    let current: Sut | undefined;
    before(async function () {
      current = await startSut(harness, ledger);
    });
    after(async function () {
      await current?.ctx.close();
    });
    body(() => {
      if (current === undefined) throw new Error('the simulator did not start (see the before hook)');
      return current;
    });
  });
}
