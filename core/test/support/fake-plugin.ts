/**
 * A scriptable fake provider plugin for core's tests: real inversify bindings, a real io-ts options
 * codec with a secret, and a journal of every call the facade made to it.
 */
import 'reflect-metadata';
import { createHmac } from 'node:crypto';
import { ContainerModule, inject, injectable, injectFromBase } from 'inversify';
import * as t from 'io-ts';
import { err, errAsync, ok, okAsync } from 'neverthrow';
import {
  PaymentErrors, SecretFromString, Tokens, type Capability, type CreatedPayment, type CreatePaymentInput, type DomainEvent,
  type HttpReply, type Logger, type NotificationsCapability, type PaymentError, type PaymentRef, type PaymentReport, type PaymentsCapability,
  type PayoutConfirmation, type PayoutReport, type PayoutRequest, type PayoutsCapability, type PayResult, type PayResultAsync,
  type PreAuthCapability, type PreAuthReport, type PreAuthRequest, type ProviderPlugin, type RawHttpRequest, type RefundReport,
  type RefundRequest, type RefundsCapability, type ReturnClaim, type Secret, type StatementEntry, type StatementsCapability, type VerifiedNotification,
} from '../../src/index.js';

/** Options of a fake instance. */
export const FakeOptionsCodec = t.intersection([
  t.type({ merchantId: t.string, apiKey: SecretFromString }),
  t.partial({ label: t.string }),
]);
/** Decoded options. */
export type FakeOptions = t.TypeOf<typeof FakeOptionsCodec>;

/** One call the facade made to the fake provider. */
export interface FakeCall {
  readonly op: string;
  readonly instanceId: string;
  readonly merchantId: string;
  readonly request: unknown;
}

/** What the fake answers; each hook may be replaced by a test. */
export interface FakeScript {
  readonly calls: FakeCall[];
  create: (input: CreatePaymentInput) => PayResultAsync<CreatedPayment>;
  query: (ref: PaymentRef) => PayResultAsync<PaymentReport>;
  refund: (req: RefundRequest) => PayResultAsync<RefundReport>;
  refundQuery: (req: RefundRequest) => PayResultAsync<RefundReport>;
  submit: (req: PayoutRequest) => PayResultAsync<PayoutReport>;
  confirm: (c: PayoutConfirmation) => PayResultAsync<PayoutReport>;
  payoutQuery: (req: PayoutRequest) => PayResultAsync<PayoutReport>;
  capture: (req: PreAuthRequest) => PayResultAsync<PreAuthReport>;
  void: (req: PreAuthRequest) => PayResultAsync<PreAuthReport>;
  /** A pre-authorisation query; the fake offers none unless this is set before its first use. */
  preauthQuery?: (req: PreAuthRequest) => PayResultAsync<PreAuthReport>;
  /** Verifies a payer's return; the fake offers none unless this is set before its first use. */
  verifyReturn?: (request: RawHttpRequest) => PayResult<ReturnClaim>;
  /** Async delay before each reply, to interleave concurrent calls. */
  delayMs: number;
  /** The lines `statements.fetch` answers with (none by default). */
  statement?: StatementEntry[];
}

/** A script with well-behaved defaults. */
export function defaultScript(): FakeScript {
  return {
    calls: [],
    delayMs: 0,
    create: (input) => okAsync({ action: { kind: 'redirect', method: 'POST', url: 'https://fake.example/pay', fields: { order: input.orderId }, charset: 'UTF-8' }, report: { orderId: input.orderId, status: 'pending', amount: input.amount } }),
    query: (ref) => (ref.amount ? okAsync({ orderId: ref.orderId, status: 'succeeded', amount: ref.amount }) : errAsync(PaymentErrors.notFound('no order'))),
    refund: (req) => okAsync({ refundId: req.refundId, orderId: req.payment.orderId, status: 'succeeded', amount: req.amount }),
    refundQuery: (req) => okAsync({ refundId: req.refundId, orderId: req.payment.orderId, status: 'succeeded', amount: req.amount }),
    submit: (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'accepted' }),
    confirm: (c) => okAsync({ providerOrderId: c.request.providerOrderId, status: 'processing' }),
    payoutQuery: (req) => okAsync({ providerOrderId: req.providerOrderId, status: 'processing' }),
    capture: (req) => okAsync({ orderId: req.payment.orderId, status: 'captured', ...(req.amount ? { captured: req.amount } : {}) }),
    void: (req) => okAsync({ orderId: req.payment.orderId, status: 'voided' }),
  };
}

/** The HMAC-SHA256 (hex) a fake notification carries in `x-fake-signature`, keyed by the instance's apiKey. */
export function fakeSignature(apiKey: string, body: string | Uint8Array): string {
  return createHmac('sha256', apiKey).update(body).digest('hex');
}

/** A signed fake notification carrying a domain event. */
export function fakeNotification(apiKey: string, event: DomainEvent, key?: string): RawHttpRequest {
  const body = Buffer.from(JSON.stringify({ event, key }));
  return { method: 'POST', url: '/notify', headers: { 'content-type': 'application/json', 'x-fake-signature': fakeSignature(apiKey, body) }, body };
}

const ScriptToken = Symbol.for('paykit.test.FakeScript');

@injectable()
class Base {
  constructor(
    @inject(ScriptToken) protected readonly script: FakeScript,
    @inject(Tokens.InstanceId) protected readonly instanceId: string,
    @inject(Tokens.InstanceConfig) protected readonly options: FakeOptions,
    @inject(Tokens.Logger) protected readonly logger: Logger,
  ) {}

  protected call<T>(op: string, request: unknown, reply: () => PayResultAsync<T>): PayResultAsync<T> {
    this.script.calls.push({ op, instanceId: this.instanceId, merchantId: this.options.merchantId, request });
    // Like a real plugin, it logs the provider's answer once it has it.
    const logged = () => reply().map((v) => {
      this.logger.log('info', `fake ${op} answered`);
      return v;
    });
    if (this.script.delayMs === 0) return logged();
    return okAsync(undefined).andThen(() => new Promise<void>((r) => setTimeout(r, this.script.delayMs)).then(() => ok(undefined)) as unknown as PayResultAsync<void>).andThen(logged);
  }

  /** The secret, for tests that check `file:`/`env:` resolution. */
  apiKey(): Secret {
    return this.options.apiKey;
  }
}

@injectable()
@injectFromBase()
class FakePayments extends Base implements PaymentsCapability {
  /** The script's return verification, when it has one (read at each call: a test may set it late). */
  get verifyReturn(): ((request: RawHttpRequest) => PayResult<ReturnClaim>) | undefined {
    const verify = this.script.verifyReturn;
    if (!verify) return undefined;
    return (request) => {
      this.script.calls.push({ op: 'payments.verifyReturn', instanceId: this.instanceId, merchantId: this.options.merchantId, request });
      return verify(request);
    };
  }
  create(input: CreatePaymentInput) { return this.call('payments.create', input, () => this.script.create(input)); }
  query(ref: PaymentRef) { return this.call('payments.query', ref, () => this.script.query(ref)); }
}

@injectable()
@injectFromBase()
class FakeNotifications extends Base implements NotificationsCapability {
  verify(request: RawHttpRequest): PayResult<VerifiedNotification> {
    const sig = request.headers['x-fake-signature'];
    if (sig !== fakeSignature(this.options.apiKey.reveal(), request.body)) return err(PaymentErrors.signature('x-fake-signature does not match the body'));
    let parsed: { event: DomainEvent; key?: string };
    try {
      parsed = JSON.parse(Buffer.from(request.body).toString('utf8')) as { event: DomainEvent; key?: string };
    } catch {
      return err(PaymentErrors.decode('notification body is not JSON'));
    }
    const event = parsed.event;
    const report = event.report as unknown as Record<string, unknown>;
    const ref = String(report.orderId ?? report.refundId ?? report.providerOrderId);
    const eventKey = parsed.key ?? `${event.type}:${ref}:${String(report.status)}`;
    return ok({ event: reviveDates(event), eventKey, ack: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'SUCCESS' } });
  }
  reject(error: PaymentError): HttpReply {
    return { status: 400, headers: { 'content-type': 'text/plain' }, body: `FAIL ${error.code}` };
  }
}

function reviveDates(event: DomainEvent): DomainEvent {
  if (event.type === 'payment' && typeof event.report.paidAt === 'string') return { ...event, report: { ...event.report, paidAt: new Date(event.report.paidAt) } };
  return event;
}

@injectable()
@injectFromBase()
class FakeRefunds extends Base implements RefundsCapability {
  refund(req: RefundRequest) { return this.call('refunds.refund', req, () => this.script.refund(req)); }
  query(req: RefundRequest) { return this.call('refunds.query', req, () => this.script.refundQuery(req)); }
}

@injectable()
@injectFromBase()
class FakePayouts extends Base implements PayoutsCapability {
  submit(req: PayoutRequest) { return this.call('payouts.submit', req, () => this.script.submit(req)); }
  confirm(c: PayoutConfirmation) { return this.call('payouts.confirm', c, () => this.script.confirm(c)); }
  query(req: PayoutRequest) { return this.call('payouts.query', req, () => this.script.payoutQuery(req)); }
}

@injectable()
class FakePreAuth extends Base implements PreAuthCapability {
  query?: (req: PreAuthRequest) => PayResultAsync<PreAuthReport>;
  constructor(
    @inject(ScriptToken) script: FakeScript,
    @inject(Tokens.InstanceId) instanceId: string,
    @inject(Tokens.InstanceConfig) options: FakeOptions,
    @inject(Tokens.Logger) logger: Logger,
  ) {
    super(script, instanceId, options, logger);
    const query = script.preauthQuery;
    if (query) this.query = (req) => this.call('preauth.query', req, () => query(req));
  }
  capture(req: PreAuthRequest) { return this.call('preauth.capture', req, () => this.script.capture(req)); }
  void(req: PreAuthRequest) { return this.call('preauth.void', req, () => this.script.void(req)); }
}

const statementsOf = (script: FakeScript): StatementsCapability => ({
  async *parse() { yield err(PaymentErrors.unsupported('statements', 'fake has no files')); },
  fetch: (range) => {
    script.calls.push({ op: 'statements.fetch', instanceId: '', merchantId: '', request: range });
    return okAsync({ providerId: 'fake', from: range.from, to: range.to, entries: script.statement ?? [], discrepancies: [] });
  },
});

/** Builds a fake plugin serving the given capabilities, all backed by one script. */
export function fakePlugin(id: string, capabilities: readonly Capability[], script: FakeScript = defaultScript(), bindAll = true): ProviderPlugin<FakeOptions> {
  const module = new ContainerModule(({ bind }) => {
    bind(ScriptToken).toConstantValue(script);
    const served = bindAll ? capabilities : capabilities.slice(1);
    if (served.includes('payments')) bind(Tokens.Payments).to(FakePayments);
    if (served.includes('notifications')) bind(Tokens.Notifications).to(FakeNotifications);
    if (served.includes('refunds')) bind(Tokens.Refunds).to(FakeRefunds);
    if (served.includes('payouts')) bind(Tokens.Payouts).to(FakePayouts);
    if (served.includes('preauth')) bind(Tokens.PreAuth).to(FakePreAuth);
    if (served.includes('statements')) bind(Tokens.Statements).toConstantValue(statementsOf(script));
  });
  return { id, displayName: `Fake ${id}`, capabilities, configCodec: FakeOptionsCodec, module };
}

/** Every capability. */
export const ALL: readonly Capability[] = ['payments', 'notifications', 'refunds', 'preauth', 'payouts', 'statements'];

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export { errAsync, okAsync };
