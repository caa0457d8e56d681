import { performance } from 'node:perf_hooks';
import type { BatchObservableCallback, ObservableGauge } from '@opentelemetry/api';
import { errAsync, ResultAsync } from 'neverthrow';
import { badArgument, isObject } from '../errors/arguments.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import type { ConsumerState, ParkedEvent } from '../events/consumer.js';
import {
  IN_FLIGHT_PAYOUT_STATUSES, PENDING_PAYMENT_STATUSES, PENDING_REFUND_STATUSES, UNKNOWN_PAYOUT_STATUSES,
} from '../facade/resolve-pending.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { RecordKind, Store } from '../ports/store.js';
import { safeLog } from '../protocol/commit.js';
import { epochOf, outcomeUnknown, type Tracked } from '../protocol/tracking.js';
import { ATTR, METRICS } from './names.js';
import type { Telemetry } from './telemetry.js';

/** A record's state as the gauges count it. */
export type RecordState = 'unknown' | 'in_flight' | 'held_for_review' | 'needs_attention';

/** What the gauges read: the store, and the clock their ages are measured by. */
export interface GaugeSource {
  /** The store. */
  readonly store: Store;
  /** The clock. */
  readonly clock: Clock;
  /** Where a failed read is logged (at debug: the next collection tries again). */
  readonly logger: Logger;
}

/** Counts and oldest age per kind and state, and parked events per consumer: one reading of the store. */
export interface GaugeSnapshot {
  /** Per record kind and state. */
  readonly records: readonly { readonly kind: RecordKind; readonly state: RecordState; readonly count: number; readonly oldestAgeSeconds: number }[];
  /** Per event consumer. */
  readonly parked: readonly { readonly consumer: string; readonly count: number; readonly oldestAgeSeconds: number }[];
}

/**
 * What each kind's gauge reads: only records in these statuses (the ones `resolvePending` scans),
 * so the read is bounded by the open records, never the whole ledger, and the states it can be in.
 * (A function: the status lists come from a module that imports this one's importers.)
 */
const scans = (): readonly { readonly kind: RecordKind; readonly statuses: readonly string[]; readonly states: readonly RecordState[] }[] => [
  { kind: 'payment', statuses: [...PENDING_PAYMENT_STATUSES, 'needs_attention'], states: ['unknown', 'in_flight', 'needs_attention'] },
  { kind: 'refund', statuses: [...PENDING_REFUND_STATUSES, 'needs_attention'], states: ['unknown', 'in_flight', 'needs_attention'] },
  { kind: 'payout', statuses: [...UNKNOWN_PAYOUT_STATUSES, ...IN_FLIGHT_PAYOUT_STATUSES, 'needs_attention'], states: ['unknown', 'in_flight', 'held_for_review', 'needs_attention'] },
  { kind: 'preauth', statuses: ['authorised', 'needs_attention'], states: ['unknown', 'in_flight', 'needs_attention'] },
];

/** A money record as the gauges read it: its tracking fields, status and creation times. */
export type GaugeRecord = Tracked & { readonly status?: string; readonly createdAt?: unknown; readonly request?: { readonly createdAt?: unknown } };

/** The gauge state of a record and since when it is in it (epoch ms), or undefined when it is in none. */
export function recordState(record: GaugeRecord): { readonly state: RecordState; readonly since: number | undefined } | undefined {
  if (record.status === 'needs_attention') return { state: 'needs_attention', since: epochOf(record.attention?.since) ?? epochOf(record.lastAttemptAt) };
  if (outcomeUnknown(record)) return { state: 'unknown', since: epochOf(record.inFlight?.since) ?? epochOf(record.lastAttemptAt) };
  if (record.inFlight !== undefined) return { state: 'in_flight', since: epochOf(record.inFlight.since) };
  if (record.status === 'held_for_review') return { state: 'held_for_review', since: epochOf(record.lastAttemptAt) ?? epochOf(record.request?.createdAt) };
  return undefined;
}

/** Reads the store once for every gauge. */
export function readGauges(source: GaugeSource): PayResultAsync<GaugeSnapshot> {
  if (!isObject(source)) return errAsync(badArgument('readGauges', 'source', 'the GaugeSource { store, clock, logger }', source));
  return guardAsync('readGauges', () => {
    const now = source.clock.now().getTime();
    const age = (since: number | undefined): number => (since === undefined ? 0 : Math.max(0, (now - since) / 1000));
    const kinds = scans().map((scan) => source.store.list<GaugeRecord>(scan.kind, { statuses: scan.statuses }).map((rows) => {
      const per = new Map<RecordState, { count: number; oldest: number }>(scan.states.map((s) => [s, { count: 0, oldest: 0 }]));
      for (const { value } of rows) {
        const found = recordState(value);
        const slot = found === undefined ? undefined : per.get(found.state);
        if (found === undefined || slot === undefined) continue;
        slot.count += 1;
        slot.oldest = Math.max(slot.oldest, age(found.since));
      }
      return [...per].map(([state, v]) => ({ kind: scan.kind, state, count: v.count, oldestAgeSeconds: v.oldest }));
    }));
    const parked = ResultAsync.combine([
      source.store.list<ConsumerState>('consumer'),
      source.store.list<ParkedEvent>('parked', { statuses: ['parked'] }),
    ] as const).map(([consumers, events]) => {
      const per = new Map<string, { count: number; oldest: number }>(consumers.map((c) => [c.value.name, { count: 0, oldest: 0 }]));
      for (const { value } of events) {
        if (value.status !== 'parked') continue;
        const slot = per.get(value.consumer) ?? { count: 0, oldest: 0 };
        slot.count += 1;
        slot.oldest = Math.max(slot.oldest, age(epochOf(value.parkedAt)));
        per.set(value.consumer, slot);
      }
      return [...per].map(([consumer, v]) => ({ consumer, count: v.count, oldestAgeSeconds: v.oldest }));
    });
    return ResultAsync.combine(kinds).andThen((records) => parked.map((p) => ({ records: records.flat(), parked: p })));
  });
}

/**
 * Registers the observable gauges of records by state and age and of parked events: one batch
 * callback reads the store (through {@link readGauges}) at most once per `gaugeCacheMs`, whatever
 * the number of readers collecting. Returns the function that unregisters it.
 */
export function observeGauges(telemetry: Telemetry, source: GaugeSource): () => void {
  if (!telemetry.metering) return () => undefined;
  const m = telemetry.meter;
  const records: ObservableGauge = m.createObservableGauge(METRICS.records, { description: 'Payments, refunds, payouts and pre-authorisations by state: unknown outcome, in flight, held for review, needs attention', unit: '{record}' });
  const oldest: ObservableGauge = m.createObservableGauge(METRICS.recordsOldestAge, { description: 'Age of the oldest record in each state', unit: 's' });
  const parked: ObservableGauge = m.createObservableGauge(METRICS.parkedEvents, { description: 'Events parked by a consumer, waiting for a replay', unit: '{event}' });
  const parkedAge: ObservableGauge = m.createObservableGauge(METRICS.parkedOldestAge, { description: 'Age of the oldest parked event of each consumer', unit: 's' });
  let cached: { readonly at: number; readonly snapshot: Promise<GaugeSnapshot | undefined> } | undefined;
  const snapshot = (): Promise<GaugeSnapshot | undefined> => {
    const at = performance.now();
    if (cached === undefined || at - cached.at >= telemetry.gaugeCacheMs) {
      cached = {
        at,
        snapshot: readGauges(source).match((s) => s, (e) => {
          safeLog(source.logger, 'debug', 'metrics: could not read the store for the record gauges', { error: e.message });
          // A failed read is not kept: the next collection tries again.
          cached = undefined;
          return undefined;
        }),
      };
    }
    return cached.snapshot;
  };
  const callback: BatchObservableCallback = async (result) => {
    const s = await snapshot();
    if (s === undefined) return;
    for (const r of s.records) {
      const attrs = { [ATTR.recordKind]: r.kind, [ATTR.recordState]: r.state };
      result.observe(records, r.count, attrs);
      result.observe(oldest, r.oldestAgeSeconds, attrs);
    }
    for (const p of s.parked) {
      const attrs = { [ATTR.recordKind]: 'event', [ATTR.recordState]: 'parked', [ATTR.consumer]: p.consumer };
      result.observe(parked, p.count, attrs);
      result.observe(parkedAge, p.oldestAgeSeconds, attrs);
    }
  };
  const observables = [records, oldest, parked, parkedAge];
  m.addBatchObservableCallback(callback, observables);
  return () => m.removeBatchObservableCallback(callback, observables);
}
