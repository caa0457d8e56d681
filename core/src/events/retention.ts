import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { ConsumerState, ParkedEvent } from './consumer.js';

/** Options of `paykit.prune`. */
export interface PruneOptions {
  /** Remove only what is older than this many milliseconds (at least one day). */
  readonly olderThan: number;
}

/** What `paykit.prune` removed, and what it kept and why. */
export interface PruneReport {
  /** Outbox events removed. */
  readonly events: number;
  /**
   * The newest event id that could go: every consumer has passed it and no event at or before it
   * is still parked (a replay delivers parked events from the outbox); null with no consumer.
   */
  readonly eventsUpTo: number | null;
  /** Notification-ledger entries removed, by plugin id. */
  readonly notifications: Readonly<Record<string, number>>;
  /** Plugins whose ledger was kept whole: they state no redelivery window, so any entry may still be needed. */
  readonly keptNotifications: readonly string[];
}

const DAY = 86_400_000;

/**
 * Removes what no one needs any more: outbox events older than `olderThan` that every consumer
 * has passed (all of them, when no consumer has subscribed yet), short of the oldest event still
 * parked, and notification-ledger entries
 * older than both `olderThan` and their provider's redelivery window (the provider can no longer
 * send them again). A plugin that states no redelivery window keeps its ledger whole.
 */
export function prune(ctx: { readonly store: Store; readonly clock: Clock }, plugins: ReadonlyMap<string, number | undefined>, options: PruneOptions): PayResultAsync<PruneReport> {
  return guardAsync('prune', () => {
    const olderThan = options?.olderThan;
    if (typeof olderThan !== 'number' || !Number.isSafeInteger(olderThan) || olderThan < DAY) {
      return errAsync(PaymentErrors.invalidRequest('olderThan must be a whole number of milliseconds, at least one day (e.g. 90 days)', { path: 'prune.olderThan' }));
    }
    const now = ctx.clock.now().getTime();
    return ctx.store.list<ConsumerState>('consumer').andThen((consumers) => ctx.store.list<ParkedEvent>('parked').andThen((parked) => {
      let upTo = consumers.length === 0 ? Number.MAX_SAFE_INTEGER : Math.min(...consumers.map((c) => c.value.cursor));
      for (const p of parked) if (p.value.status === 'parked') upTo = Math.min(upTo, p.value.event.id - 1);
      const entries = [...plugins.entries()];
      const kept = entries.filter(([, window]) => window === undefined).map(([id]) => id);
      const cleared = entries.filter((e): e is [string, number] => e[1] !== undefined)
        .map(([id, window]) => ctx.store.pruneNotifications(id, new Date(now - Math.max(olderThan, window))).map((n) => [id, n] as const));
      return ctx.store.pruneEvents(upTo, new Date(now - olderThan)).andThen((events) => ResultAsync.combine(cleared).andThen((counts) => okAsync({
        events, eventsUpTo: consumers.length === 0 ? null : upTo, notifications: Object.fromEntries(counts), keptNotifications: kept,
      })));
    }));
  });
}
