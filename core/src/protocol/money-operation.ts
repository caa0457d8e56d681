import { err, errAsync, ok, ResultAsync } from 'neverthrow';
import { badArgument, isObject, PROTOCOL_CONTEXT } from '../errors/arguments.js';
import type { PaymentError, Resolution } from '../errors/payment-error.js';
import { guardAsync, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { Store } from '../ports/store.js';
import { commitValue, safeLog, type ProtocolContext } from './commit.js';
import { asOutcomeUnknown, provenNotApplied } from './outcome.js';
import type { MoneyOperation } from './tracking.js';

/** What a claim found: a request to send, or (an identical repeat) the answer already recorded. */
export type Claimed<C, R> = { readonly send: C } | { readonly answer: R };

/**
 * The steps of one money operation. Each step that writes gets `tx`, a unit of work: everything it
 * reads and writes commits together or not at all.
 */
export interface MoneyOperationSteps<C, P, R> {
  /** The operation. */
  readonly operation: MoneyOperation;
  /** How many times a claim is redone on fresh reads after losing a race (default 100). */
  readonly claimAttempts?: number;
  /** Names what was claimed, for messages ("refund R1 of order A1"). */
  describe(claim: C): string;
  /** How an unknown outcome is settled. */
  resolution(claim: C): Resolution;
  /**
   * Records the intent under the merchant's id, reserves its amount against its parent, fixes the
   * exact request, and marks it in flight with a lease. An identical repeat answers the record.
   */
  claim(tx: Store): PayResultAsync<Claimed<C, R>>;
  /** Sends exactly the recorded request. */
  send(claim: C): PayResultAsync<P>;
  /** Applies the provider's answer to every record it touches. */
  settle(tx: Store, claim: C, reply: P): PayResultAsync<R>;
  /** The call provably did nothing: end the operation and release what the claim reserved. */
  release(tx: Store, claim: C, error: PaymentError): PayResultAsync<unknown>;
  /**
   * The outcome is unknown: leave the operation in flight, its lease released, for a resolver.
   * `reply` is the provider's verified answer when it came but could not be recorded: what only it
   * carries (a payout's confirm code) may be kept.
   */
  unknown(tx: Store, claim: C, error: PaymentError, reply?: P): PayResultAsync<unknown>;
}

/**
 * Runs a money operation through paykit's one protocol: **claim** (one commit), **send** (exactly
 * the recorded request), **settle** (one commit). Only an error that proves nothing was applied
 * (see {@link provenNotApplied}) ends the operation as failed; every other error, paykit's own
 * exceptions and the merchant's logger's included, leaves it in flight as an unknown outcome for
 * `resolvePending` (or the operation's own resolve) to settle by asking the provider. When the
 * provider answered but the answer cannot be recorded, the operation stays in flight too: the
 * record never claims less than the provider did.
 */
export function runMoneyOperation<C, P, R>(ctx: ProtocolContext, steps: MoneyOperationSteps<C, P, R>): PayResultAsync<R> {
  if (!isObject(ctx)) return errAsync(badArgument('runMoneyOperation', 'ctx', PROTOCOL_CONTEXT, ctx));
  if (!isObject(steps)) return errAsync(badArgument('runMoneyOperation', 'steps', 'the MoneyOperationSteps { operation, claim, send, settle, release, unknown, … }', steps));
  return guardAsync('runMoneyOperation', () => {
    const operation = steps.operation;
    return commitValue(ctx, (tx) => steps.claim(tx), { cause: { source: 'claim', operation }, attempts: steps.claimAttempts ?? 100 })
      .andThen((claimed) => ('answer' in claimed ? ok(claimed.answer) : new ResultAsync(sendAndSettle(ctx, steps, claimed.send))));
  });
}

async function sendAndSettle<C, P, R>(ctx: ProtocolContext, steps: MoneyOperationSteps<C, P, R>, claim: C): Promise<PayResult<R>> {
  const operation = steps.operation;
  const sent = await guardAsync(operation, () => steps.send(claim));
  if (sent.isOk()) {
    const settled = await commitValue(ctx, (tx) => steps.settle(tx, claim, sent.value), { cause: { source: 'reply', operation } });
    if (settled.isOk()) return ok(settled.value);
    return unknown(ctx, steps, claim, settled.error, 'its answer could not be recorded', sent.value);
  }
  const e = sent.error;
  if (!provenNotApplied(e)) return unknown(ctx, steps, claim, e, 'no verified answer');
  const released = await commitValue(ctx, (tx) => steps.release(tx, claim, e), { cause: { source: 'local', operation } });
  if (released.isErr()) {
    // The provider did nothing, but the record still says in flight: a resolver asks and ends it.
    safeLog(ctx.logger, 'warn', 'could not record a refused operation; resolvePending will settle it', { operation, error: released.error.message });
  }
  return err(e);
}

async function unknown<C, P, R>(ctx: ProtocolContext, steps: MoneyOperationSteps<C, P, R>, claim: C, e: PaymentError, why: string, reply?: P): Promise<PayResult<R>> {
  const what = steps.describe(claim);
  // Best effort: if even this commit fails, the record is in flight with a lease that runs out,
  // and a resolver picks it up then.
  const marked = await commitValue(ctx, (tx) => steps.unknown(tx, claim, e, reply), { cause: { source: 'reply', operation: steps.operation } });
  safeLog(ctx.logger, 'warn', 'money operation outcome unknown', { operation: steps.operation, what, why, error: e.message, recorded: marked.isOk() });
  return err(asOutcomeUnknown(e, what, steps.resolution(claim)));
}
