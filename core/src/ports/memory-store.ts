import { errAsync, okAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PayResultAsync } from '../errors/result.js';
import type { PaymentError } from '../errors/payment-error.js';
import type { EventQuery, PaykitEvent } from './event-log.js';
import { ledgerRowsOf, type LedgerKind, type LedgerRow } from './ledger-fields.js';
import type { ChangeSet, CommitOutcome, IdentifiedRecord, ListFilter, NotificationRecord, PageQuery, RecordKind, RecordVersion, Store, Versioned } from './store.js';

/** The `Conflict` a commit answers when a record moved since it was read. */
export function versionConflict(kind: RecordKind, id: string, detail: string): PaymentError {
  return PaymentErrors.conflict(`${kind} ${id} changed concurrently (${detail}): read it again and retry`, { retryable: true });
}

/** A record's `status` field, when it is a string. */
export function statusOf(value: unknown): string | null {
  const status = (value as { status?: unknown } | null)?.status;
  return typeof status === 'string' ? status : null;
}

/** Whether a record's `status` passes a list filter. */
export function matchesFilter(value: unknown, filter: ListFilter | undefined): boolean {
  if (!filter?.statuses) return true;
  const status = statusOf(value);
  return status !== null && filter.statuses.includes(status);
}

/** An in-memory {@link Store} for unit tests and the demo. Not shared between processes. */
export class InMemoryStore implements Store {
  readonly #records = new Map<string, (Versioned<unknown> & { readonly eventKey: string | null; readonly cause?: RecordVersion['cause'] })[]>();
  readonly #notifications = new Map<string, { readonly providerId: string; readonly payload: string; readonly receivedAt: Date }>();
  readonly #events: PaykitEvent[] = [];
  #lastEventId = 0;

  /** Reads a record. */
  get<T>(kind: RecordKind, id: string): PayResultAsync<Versioned<T> | undefined> {
    const last = this.#records.get(`${kind}:${id}`)?.at(-1);
    return okAsync(last ? { value: last.value as T, version: last.version } : undefined);
  }

  /** Inserts a record. */
  insert<T>(kind: RecordKind, id: string, value: T): PayResultAsync<Versioned<T>> {
    if (this.#records.has(`${kind}:${id}`)) return errAsync(PaymentErrors.conflict(`${kind} ${id} already exists`));
    return this.commit({ writes: [{ kind, id, expectedVersion: 0, value }] }).map(() => ({ value, version: 1 }));
  }

  /** Updates a record at an expected version. */
  update<T>(kind: RecordKind, id: string, expectedVersion: number, value: T): PayResultAsync<Versioned<T>> {
    if (!this.#records.has(`${kind}:${id}`)) return errAsync(PaymentErrors.notFound(`${kind} ${id} does not exist`));
    return this.commit({ writes: [{ kind, id, expectedVersion, value }] }).map(() => ({ value, version: expectedVersion + 1 }));
  }

  /** Lists records of a kind. */
  list<T>(kind: RecordKind, filter?: ListFilter): PayResultAsync<readonly Versioned<T>[]> {
    const prefix = `${kind}:`;
    const out: Versioned<T>[] = [];
    for (const [k, versions] of this.#records) {
      const last = versions.at(-1);
      if (k.startsWith(prefix) && last && matchesFilter(last.value, filter)) out.push({ value: last.value as T, version: last.version });
    }
    return okAsync(out);
  }

  /** A page of records in id order (UTF-8 byte order, as PostgreSQL's "C" collation sorts). */
  listPage<T>(kind: RecordKind, query: PageQuery): PayResultAsync<readonly IdentifiedRecord<T>[]> {
    const prefix = `${kind}:`;
    const after = query.after === undefined ? undefined : Buffer.from(query.after, 'utf8');
    const out: IdentifiedRecord<T>[] = [];
    for (const [k, versions] of this.#records) {
      const last = versions.at(-1);
      if (!k.startsWith(prefix) || !last || !matchesFilter(last.value, query)) continue;
      const id = k.slice(prefix.length);
      if (after === undefined || Buffer.compare(Buffer.from(id, 'utf8'), after) > 0) out.push({ id, value: last.value as T, version: last.version });
    }
    out.sort((a, b) => Buffer.compare(Buffer.from(a.id, 'utf8'), Buffer.from(b.id, 'utf8')));
    return okAsync(out.slice(0, query.limit));
  }

  /** The same page, each record as its ledger fields. */
  listLedgerPage(kind: LedgerKind, query: PageQuery): PayResultAsync<readonly LedgerRow[]> {
    return this.listPage(kind, query).map((rows) => ledgerRowsOf(kind, rows));
  }

  /** Records a notification once. */
  recordNotification(providerId: string, eventKey: string, payload: string): PayResultAsync<NotificationRecord> {
    return this.commit({ writes: [], notification: { providerId, eventKey, payload } }).map((o) => (o === 'committed' ? 'new' : 'duplicate'));
  }

  /** Applies a change set: every check first, then every write, with no await in between. */
  commit(changes: ChangeSet): PayResultAsync<CommitOutcome> {
    const n = changes.notification;
    const nKey = n ? `${n.providerId}:${n.eventKey}` : undefined;
    if (nKey !== undefined && this.#notifications.has(nKey)) return okAsync('duplicate');
    for (const w of changes.writes) {
      const current = this.#records.get(`${w.kind}:${w.id}`)?.at(-1)?.version ?? 0;
      if (current !== w.expectedVersion) return errAsync(versionConflict(w.kind, w.id, `version ${current}, expected ${w.expectedVersion}`));
    }
    for (const w of changes.writes) {
      const key = `${w.kind}:${w.id}`;
      const versions = this.#records.get(key) ?? [];
      const cause = changes.cause === undefined && w.correction !== true ? undefined : { ...(changes.cause ?? { source: 'local' as const }), ...(w.correction === true ? { correction: true } : {}) };
      versions.push({ value: w.value, version: w.expectedVersion + 1, eventKey: n?.eventKey ?? null, ...(cause ? { cause } : {}) });
      this.#records.set(key, versions);
    }
    if (nKey !== undefined && n) this.#notifications.set(nKey, { providerId: n.providerId, payload: n.payload, receivedAt: new Date() });
    for (const e of changes.events ?? []) {
      this.#lastEventId += 1;
      this.#events.push({ ...e, id: this.#lastEventId });
    }
    return okAsync('committed');
  }

  /** Outbox events in id order. */
  listEvents(query: EventQuery = {}): PayResultAsync<readonly PaykitEvent[]> {
    const after = query.after ?? 0;
    const limit = query.limit ?? 100;
    const out: PaykitEvent[] = [];
    for (const e of this.#events) {
      if (out.length >= limit) break;
      if (e.id > after && (query.types === undefined || query.types.includes(e.type))) out.push(e);
    }
    return okAsync(out);
  }

  /** Removes events up to `maxId` that occurred before `before`. */
  pruneEvents(maxId: number, before: Date): PayResultAsync<number> {
    const keep = this.#events.filter((e) => e.id > maxId || e.occurredAt.getTime() >= before.getTime());
    const removed = this.#events.length - keep.length;
    this.#events.splice(0, this.#events.length, ...keep);
    return okAsync(removed);
  }

  /** Removes a provider's notification-ledger entries received before `before`. */
  pruneNotifications(providerId: string, before: Date): PayResultAsync<number> {
    let removed = 0;
    for (const [k, n] of this.#notifications) {
      if (n.providerId === providerId && n.receivedAt.getTime() < before.getTime()) {
        this.#notifications.delete(k);
        removed += 1;
      }
    }
    return okAsync(removed);
  }

  /** Every version of a record, oldest first. */
  history(kind: RecordKind, id: string): PayResultAsync<readonly RecordVersion[]> {
    return okAsync((this.#records.get(`${kind}:${id}`) ?? []).map((v) => ({ version: v.version, status: statusOf(v.value), eventKey: v.eventKey, ...(v.cause ? { cause: v.cause } : {}) })));
  }
}
