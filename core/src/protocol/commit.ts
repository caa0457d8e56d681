import { errAsync, okAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guardAsync, mapOk, type PayResultAsync } from '../errors/result.js';
import type { Clock } from '../ports/clock.js';
import type { Logger, LogFields, LogLevel } from '../ports/logger.js';
import type { RecordKind, Store } from '../ports/store.js';
import { inUnitOfWork, type UnitOfWorkOptions, type UnitOfWorkResult } from '../ports/unit-of-work.js';
import { signalEvents } from '../events/signal.js';
import type { Telemetry } from '../observability/telemetry.js';

/** The record kinds whose transitions are events (see `PaykitEvent`). */
const EVENT_KINDS: readonly RecordKind[] = ['payment', 'refund', 'preauth', 'payout'];

/** What the protocol needs of paykit: where records live, what time it is, where to log. */
export interface ProtocolContext {
  /** The store. */
  readonly store: Store;
  /** The clock. */
  readonly clock: Clock;
  /** The logger. */
  readonly logger: Logger;
  /** Counts unknown outcomes raised and settled, when metrics are recorded. */
  readonly telemetry?: Pick<Telemetry, 'uncertain'>;
}

/** Logs, and never lets a failing logger change what paykit does. */
export function safeLog(logger: Logger, level: LogLevel, message: string, fields?: LogFields): void {
  try {
    logger.log(level, message, fields);
  } catch {
    // A logger that throws (a full disk, a bug in the merchant's sink) must not turn a recorded
    // success into an error: the record is what counts.
  }
}

/**
 * Runs `work` as one unit of work (one commit of every record it touches, see `inUnitOfWork`),
 * then logs each correction it made: a status paykit recorded before, overturned by the
 * provider's verified word.
 */
export function commitWork<T>(ctx: ProtocolContext, work: (tx: Store) => PayResultAsync<T>, options: UnitOfWorkOptions): PayResultAsync<UnitOfWorkResult<T>> {
  return mapOk(guardAsync('commit', () => inUnitOfWork(ctx.store, (tx) => guardAsync('unit of work', () => work(tx)), { now: ctx.clock.now(), ...options })), (r) => {
    if (r.outcome === 'committed') {
      if (r.transitions.some((t) => EVENT_KINDS.includes(t.kind))) signalEvents(ctx.store);
      if (r.uncertain !== undefined) ctx.telemetry?.uncertain(r.uncertain);
      for (const t of r.transitions) {
        if (t.correction) {
          safeLog(ctx.logger, 'warn', 'provider report overturns a recorded status', {
            kind: t.kind, id: t.id, from: t.from, to: t.to, source: options.cause?.source, operation: options.cause?.operation,
          });
        }
      }
    }
    return r;
  });
}

/** {@link commitWork} for work that applies no notification: its value, or the error. */
export function commitValue<T>(ctx: ProtocolContext, work: (tx: Store) => PayResultAsync<T>, options: Omit<UnitOfWorkOptions, 'notification'>): PayResultAsync<T> {
  return commitWork(ctx, work, options).andThen((r) => (r.outcome === 'committed' ? okAsync(r.value)
    : errAsync(PaymentErrors.internal('a commit without a notification answered duplicate'))));
}
