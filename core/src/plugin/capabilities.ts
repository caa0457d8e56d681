import type { PayoutAccount, PayoutReason, PayoutStatus } from '../domain/payout.js';
import type { PaymentStatus } from '../domain/payment.js';
import type { PreAuthStatus } from '../domain/preauth.js';
import type { RefundStatus } from '../domain/refund.js';
import type { Statement, StatementDiscrepancy, StatementEntry } from '../domain/statement.js';
import type { PayResult, PayResultAsync } from '../errors/result.js';
import type { Money } from '../money/money.js';
import type { HttpReply, RawHttpRequest } from '../ports/transport.js';
import type { Store } from '../ports/store.js';
import type { PaymentError } from '../errors/payment-error.js';

/** The capabilities a provider plugin can declare. */
export type Capability = 'payments' | 'notifications' | 'refunds' | 'preauth' | 'payouts' | 'statements';

/** Every {@link Capability}. */
export const CAPABILITIES: readonly Capability[] = ['payments', 'notifications', 'refunds', 'preauth', 'payouts', 'statements'];

// ---------------------------------------------------------------- payments

/** The payer, as far as the provider needs to know. */
export interface Payer {
  /** The merchant's user id. */
  readonly id?: string;
  /** The payer's IP address (risk control). */
  readonly ip?: string;
  /** The payer's name. */
  readonly name?: string;
  /** National id type and number (real-name payments). Never logged. */
  readonly idType?: string;
  /** National id number. Never logged. */
  readonly idNumber?: string;
  /** The payer's card number, when the merchant collects it. Never logged in full. */
  readonly cardNumber?: string;
  /** Phone number. */
  readonly phone?: string;
  /** Email. */
  readonly email?: string;
  /** When the payer registered with the merchant. */
  readonly registeredAt?: Date;
}

/** What a merchant asks for when taking a payment. Provider-specific extras go in `extra`. */
export interface CreatePaymentInput {
  /** The merchant's order number (unique per merchant). */
  readonly orderId: string;
  /** Amount to collect, in minor units. */
  readonly amount: Money;
  /** Goods name shown to the payer. */
  readonly description: string;
  /** When the order was created; the clock's now when absent. */
  readonly createdAt?: Date;
  /** Order details. */
  readonly details?: string;
  /** Minutes the payer has to pay. */
  readonly validForMinutes?: number;
  /** The payer. */
  readonly payer?: Payer;
  /** Where the browser returns after paying (redirect providers). Instance config may default it. */
  readonly returnUrl?: string;
  /** Where the provider posts the result. Instance config may default it. */
  readonly notifyUrl?: string;
  /** Provider-specific options, validated by the provider's codec (e.g. risk data, split payments). */
  readonly extra?: Readonly<Record<string, unknown>>;
  /**
   * A pre-authorisation: the payment only holds the funds; `paykit.preauth.capture` takes (part of)
   * them and `paykit.preauth.void` releases them. Only an instance with the `preauth` capability
   * takes one; refunds of it are capped at what was captured.
   */
  readonly preauth?: boolean;
}

/** What the merchant's front end does next to let the payer pay. */
export type PaymentAction =
  /** Post (or get) these form fields to the provider's cashier URL from the payer's browser. */
  | {
    readonly kind: 'redirect';
    readonly method: 'POST' | 'GET';
    readonly url: string;
    readonly fields: Readonly<Record<string, string>>;
    /** Charset the form must be submitted in. */
    readonly charset: string;
    /**
     * When the provider stops accepting this form (its signed timestamp is too old, or the order's
     * validity has run out). A form posted later is refused: ask `payments.create` again for a
     * fresh one. Absent when the provider sets no limit.
     */
    readonly expiresAt?: Date;
  }
  /** Hand this payload to the provider's mobile SDK / payment control. */
  | {
    readonly kind: 'sdk';
    /** The exact payload (e.g. a JSON string) the control takes. */
    readonly payload: string;
    /** Provider environment mode for the control (e.g. test or production). */
    readonly mode?: string;
  };

/** A provider's report of a payment's state (from a query or a notification). */
export interface PaymentReport {
  /** The merchant's order number. */
  readonly orderId: string;
  /** Mapped status. Unknown provider statuses map to `processing`, never to success. */
  readonly status: PaymentStatus;
  /** The amount the provider reports. */
  readonly amount: Money;
  /** Provider's payment id. */
  readonly providerPaymentId?: string;
  /** When it was paid. */
  readonly paidAt?: Date;
  /**
   * When the merchant's order was made, as the provider states it (its order time). paykit keeps it
   * as the order time of a payment it first learns of from this report, since providers that need
   * the original order time on later calls (refunds, queries) refuse any other.
   */
  readonly orderedAt?: Date;
  /** Settlement date `YYYYMMDD`. */
  readonly settleDate?: string;
  /** Provider's own status string, verbatim. */
  readonly providerStatus?: string;
  /** Failure code and message, for failed payments. */
  readonly failure?: { readonly providerCode?: string; readonly message: string };
  /**
   * Why a person must look, for a report of status `needs_attention`: the provider's verified word
   * is one paykit cannot settle on its own (Allinpay: paid, but another sum than the order's).
   * `since` is when the provider says it happened.
   */
  readonly attention?: { readonly reason: string; readonly action: string; readonly since: Date };
  /**
   * What the provider says about the payment beyond the fields above (agreement number, bank,
   * pay method, payer's masked id…), keyed as the provider's docs page lists them. Verified
   * (signed) data only; identity and card numbers arrive masked.
   */
  readonly providerDetails?: Readonly<Record<string, string>>;
}

/** The result of creating a payment: the action for the front end, and the provider's report. */
export interface CreatedPayment {
  /** What the front end does next. */
  readonly action: PaymentAction;
  /** The state right after creation (usually `pending`). */
  readonly report: PaymentReport;
}

/** A reference to an existing payment, with what providers need to find it. */
export interface PaymentRef {
  /** The merchant's order number. */
  readonly orderId: string;
  /** When the order was created (some providers need the original order time). */
  readonly createdAt?: Date;
  /** The order amount, when known. */
  readonly amount?: Money;
  /**
   * Until when the payer may still pay with the form paykit last handed out (that action's
   * `expiresAt`), when the provider set a limit. A provider that lets a failed order be paid again
   * (LianLian web, spec 3.1) reports a failed attempt before then as still pending.
   */
  readonly payableUntil?: Date;
}

/**
 * What the payer's side handed back after paying (the browser's return to the merchant's return
 * URL, or a mobile control's result passed on by the merchant's app), decoded and, where the
 * provider signs it, verified. A claim for the result page only: paykit never records a payment's
 * state from it.
 */
export interface ReturnClaim {
  /** The merchant's order number it names. */
  readonly orderId: string;
  /** The status it claims, mapped like a report's (an unknown word is never a success). */
  readonly status: PaymentStatus;
  /** The amount it claims, when it carries one (in the currency it names, or the order's as the provider documents). */
  readonly amount?: Money;
  /** The provider's payment id it names, when it carries one. */
  readonly providerPaymentId?: string;
  /** The provider's own result word, verbatim. */
  readonly providerStatus?: string;
  /**
   * `signed`: the provider signed it and the signature verified (the provider's word, though possibly
   * stale or replayed). `unsigned`: the provider signs nothing on this path (Allinpay's control
   * result): it was decoded strictly, and is only what the payer's device says.
   */
  readonly authenticity: 'signed' | 'unsigned';
}

/** Taking payments. */
export interface PaymentsCapability {
  /** Builds what the payer needs to pay. Validates every field before building anything. */
  create(input: CreatePaymentInput): PayResultAsync<CreatedPayment>;
  /** Asks the provider for the payment's state. */
  query(ref: PaymentRef): PayResultAsync<PaymentReport>;
  /**
   * Optional: decodes and verifies what the payer's side hands back after paying (a browser return,
   * a mobile control's result forwarded by the merchant's app), as raw as the edge received it.
   * Pure, no I/O; nothing in the request is trusted before this returns Ok, and even then the claim
   * is never applied to the record (`payments.handleReturn` queries the provider instead). Without
   * it, `payments.handleReturn` answers `Unsupported`.
   */
  verifyReturn?(request: RawHttpRequest): PayResult<ReturnClaim>;
}

// ---------------------------------------------------------------- notifications

/** A verified, decoded provider event in domain terms. */
export type DomainEvent =
  | { readonly type: 'payment'; readonly report: PaymentReport }
  | { readonly type: 'refund'; readonly report: RefundReport }
  | { readonly type: 'payout'; readonly report: PayoutReport }
  | { readonly type: 'preauth'; readonly report: PreAuthReport };

/** A notification that passed decoding and signature verification. */
export interface VerifiedNotification {
  /** The event. */
  readonly event: DomainEvent;
  /**
   * Identity of the provider event, the same for every redelivery of it (e.g. order number +
   * status + provider payment id). The store records each key once.
   */
  readonly eventKey: string;
  /** The exact acknowledgement to send back once the event is durably recorded. */
  readonly ack: HttpReply;
}

/** Receiving provider notifications. Verification is pure: raw bytes in, result out. */
export interface NotificationsCapability {
  /** Decodes and verifies a raw inbound request. Nothing in it is trusted before this returns Ok. */
  verify(request: RawHttpRequest): PayResult<VerifiedNotification>;
  /** The reply for a notification that could not be accepted, so the provider retries. */
  reject(error: PaymentError): HttpReply;
}

// ---------------------------------------------------------------- refunds

/** A provider's report of a refund. */
export interface RefundReport {
  /** The merchant's refund number. */
  readonly refundId: string;
  /** The refunded order. */
  readonly orderId: string;
  /** Status. */
  readonly status: RefundStatus;
  /** Amount. */
  readonly amount: Money;
  /** Provider's refund reference. */
  readonly providerRefundId?: string;
  /** Provider's status, verbatim. */
  readonly providerStatus?: string;
}

/** A refund request, with the original payment as recorded. */
export interface RefundRequest {
  /** The merchant's refund number (unique per merchant). */
  readonly refundId: string;
  /** Amount to refund. */
  readonly amount: Money;
  /** The payment refunded. */
  readonly payment: PaymentRef & { readonly amount: Money };
  /** When the refund was requested; the clock's now when absent. */
  readonly requestedAt?: Date;
}

/** Refunds. */
export interface RefundsCapability {
  /** Asks for a refund. A timeout after sending is `OutcomeUnknown` (resolve with `refunds.query`). */
  refund(request: RefundRequest): PayResultAsync<RefundReport>;
  /** Asks for a refund's state. */
  query(request: RefundRequest): PayResultAsync<RefundReport>;
}

// ---------------------------------------------------------------- pre-authorisation

/** A provider's report of a pre-authorisation. */
export interface PreAuthReport {
  /** The authorisation's order number. */
  readonly orderId: string;
  /** Status. */
  readonly status: PreAuthStatus;
  /** Captured amount. */
  readonly captured?: Money;
  /** Provider's status or code, verbatim. */
  readonly providerStatus?: string;
  /** Provider's id of the authorisation (e.g. Allinpay's `preAuthId`), when it reports one. */
  readonly providerPreAuthId?: string;
}

/** A capture or void of a pre-authorisation. */
export interface PreAuthRequest {
  /** The authorised payment. */
  readonly payment: PaymentRef & { readonly amount: Money };
  /** Amount to capture (≤ authorised); absent for a void. */
  readonly amount?: Money;
}

/** Pre-authorisations (funds held on a card). */
export interface PreAuthCapability {
  /** Captures up to the authorised amount. */
  capture(request: PreAuthRequest): PayResultAsync<PreAuthReport>;
  /** Releases the hold. */
  void(request: PreAuthRequest): PayResultAsync<PreAuthReport>;
  /**
   * Optional: asks for the pre-authorisation's state, so that a capture or void of unknown outcome
   * can be settled. Without it such an operation becomes `needs_attention` (nothing else can tell).
   */
  query?(request: PreAuthRequest): PayResultAsync<PreAuthReport>;
}

// ---------------------------------------------------------------- payouts

/** A payout request. `providerOrderId` is fixed for ever for one `payoutId`. */
export interface PayoutRequest {
  /** The merchant's payout id. */
  readonly payoutId: string;
  /** The provider order number (the same on every resubmission). */
  readonly providerOrderId: string;
  /** Amount. */
  readonly amount: Money;
  /** Beneficiary. */
  readonly account: PayoutAccount;
  /** Purpose shown to the beneficiary. */
  readonly description: string;
  /** Memo / remark. */
  readonly memo?: string;
  /** When the payout was first created (used on every resubmission). */
  readonly createdAt: Date;
  /** Where the provider posts the result. */
  readonly notifyUrl?: string;
}

/** A provider's report of a payout. */
export interface PayoutReport {
  /** The provider order number. */
  readonly providerOrderId: string;
  /** Status. */
  readonly status: PayoutStatus;
  /** Amount, when the provider reports it. */
  readonly amount?: Money;
  /** Confirm code for held payouts. */
  readonly confirmCode?: string;
  /** Provider's payout id. */
  readonly providerPayoutId?: string;
  /** Provider's code and message when held, failed or closed, with the standard code it maps to. */
  readonly reason?: PayoutReason;
  /** Settlement date `YYYYMMDD`. */
  readonly settleDate?: string;
  /** Provider's status, verbatim. */
  readonly providerStatus?: string;
}

/** Confirming a held payout. */
export interface PayoutConfirmation {
  /** The payout. */
  readonly request: PayoutRequest;
  /** The confirm code the hold gave. */
  readonly confirmCode: string;
}

/** Payouts. */
export interface PayoutsCapability {
  /**
   * Sends a payout. No reply, a timeout after sending or a "query first" reply is `OutcomeUnknown`.
   * Never retried blindly.
   */
  submit(request: PayoutRequest): PayResultAsync<PayoutReport>;
  /** Confirms a payout held for review. */
  confirm(confirmation: PayoutConfirmation): PayResultAsync<PayoutReport>;
  /**
   * Asks for a payout's state; `NotFound` carrying `providerId` (and the provider's code) when the
   * provider has no record of the order: only that answer lets paykit send the payout again.
   */
  query(request: PayoutRequest): PayResultAsync<PayoutReport>;
  /**
   * Optional: checks and reserves the payout against the provider's own ledgers (same-card
   * allowance, daily limits) inside paykit's claim. `tx` is a unit-of-work view of the store: what
   * this reads and writes commits together with the payout record, or not at all, and is redone
   * on fresh reads when a concurrent claim got there first. Called once per claim, before anything
   * is sent; an error refuses the payout (nothing is recorded, nothing is sent). A reservation
   * stops counting when the payout's record is `failed`, `closed` or `returned`: compute it from
   * the payout records (`tx.get('payout', id)`), never release it by a separate write.
   */
  reserve?(request: PayoutRequest, tx: Store): PayResultAsync<void>;
}

// ---------------------------------------------------------------- statements

/** A statement file to parse: its name (which often says its kind) and its bytes, streamed. */
export interface StatementFile {
  /** File name as the provider publishes it. */
  readonly name: string;
  /** The bytes, streamed chunk by chunk. */
  readonly content: AsyncIterable<Uint8Array>;
}

/** A day range `YYYYMMDD`–`YYYYMMDD` (China Standard Time days for Chinese providers). */
export interface DayRange {
  /** First day. */
  readonly from: string;
  /** Last day. */
  readonly to: string;
}

/**
 * A check a provider makes of its statement against itself: its summary file's totals against the
 * lines (LianLian's JYMXSUM), a page's stated count against the lines it holds (Allinpay).
 */
export interface StatementSelfCheck {
  /** What was checked, for the report (a file name, `batch query 20240101`). */
  readonly source: string;
  /** Every difference; empty when the statement agrees with itself. */
  readonly differences: readonly StatementDiscrepancy[];
}

/** What reconciliation asks a provider's statement source for. */
export interface StatementSourceRequest {
  /** The days to cover (China Standard Time days for Chinese providers). */
  readonly range: DayRange;
  /**
   * Statement files the merchant handed over (downloaded from the merchant site or over SFTP): the
   * source reads these instead of fetching, and picks the ones of the range by name.
   */
  readonly files?: readonly StatementFile[];
  /**
   * The refunds paykit recorded in the range, as they are queried. For providers whose statement
   * carries no refunds but which answer refund queries (Allinpay): the source asks about each.
   */
  readonly refunds: () => AsyncIterable<PayResult<RefundRequest>>;
}

/**
 * A provider's statement of a period, as reconciliation reads it: the entries streamed in batches
 * (a file's chunk, an API page; in file or page order; memory must not grow with the statement),
 * then where they came from and the provider's own checks. An entry error whose `path` starts with
 * `line ` is one unreadable line (reported, and reading goes on); any other error ends the
 * statement and the run fails with it (a file that cannot be read, a reply that does not verify):
 * a partial statement is never reconciled.
 */
export interface StatementSource {
  /** The entries, a batch at a time (one async step per batch, not per line: files have millions). */
  readonly batches: AsyncIterable<readonly PayResult<StatementEntry>[]>;
  /** Where the entries came from (file names, API calls), once `batches` has ended. */
  origins(): readonly string[];
  /** The provider's own checks of the statement, once `batches` has ended (summary files, page counts). */
  checks(): PayResultAsync<readonly StatementSelfCheck[]>;
}

/** Statements and reconciliation. */
export interface StatementsCapability {
  /** Parses a statement file into entries, streaming: memory does not grow with the file. */
  parse(file: StatementFile): AsyncIterable<PayResult<StatementEntry>>;
  /** Fetches and parses the statement of a day range, where the provider offers a fetch API. */
  fetch(range: DayRange): PayResultAsync<Statement>;
  /**
   * Optional: the statement reconciliation reads (`paykit.reconcile`). Without it paykit reads the
   * given files with {@link StatementsCapability.parse}, or else calls
   * {@link StatementsCapability.fetch}. A provider implements it to pick files by name, check a
   * summary file, stream pages, or add refund-status queries to what its statement lacks.
   */
  source?(request: StatementSourceRequest): PayResult<StatementSource>;
}

// ---------------------------------------------------------------- observers

/** A payment as {@link PaymentObserver}s see it when it is created. */
export interface ObservedPayment {
  /** The merchant's order number. */
  readonly orderId: string;
  /** The instance taking it. */
  readonly instanceId: string;
  /** Its amount. */
  readonly amount: Money;
  /** The payer as the merchant described them (card number included, when given). */
  readonly payer?: Payer;
}

/**
 * Optional, bound by a plugin to `Tokens.PaymentObserver`: told about payments created through
 * paykit on the instances it observes, inside the commit that records the payment, so what it
 * keeps (a same-card ledger's link from a card to the order) commits with the payment or not at
 * all. It must not call out; it reads and writes through `tx` only.
 */
export interface PaymentObserver {
  /** Whether it observes the payments of this instance (from its own config). */
  observes(instanceId: string): boolean;
  /** A payment was created (first created, not re-created). */
  paymentCreated(tx: Store, payment: ObservedPayment): PayResultAsync<void>;
}

/** The services a capability name stands for. */
export interface CapabilityServices {
  /** Payments. */
  readonly payments: PaymentsCapability;
  /** Notifications. */
  readonly notifications: NotificationsCapability;
  /** Refunds. */
  readonly refunds: RefundsCapability;
  /** Pre-authorisation. */
  readonly preauth: PreAuthCapability;
  /** Payouts. */
  readonly payouts: PayoutsCapability;
  /** Statements. */
  readonly statements: StatementsCapability;
}
