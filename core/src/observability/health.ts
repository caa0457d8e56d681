import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { badArgument, isObject } from '../errors/arguments.js';
import type { PaymentError } from '../errors/payment-error.js';
import { guardAsync, type PayResultAsync } from '../errors/result.js';
import { maskCardNumbersIn } from '../ports/secret.js';
import type { Store, StoreHealth } from '../ports/store.js';

/** One check of a {@link HealthReport}. */
export interface HealthCheck {
  /** Whether it passed. */
  readonly ok: boolean;
  /** What was found, in one line (never a secret, a connection string or a record's data). */
  readonly detail: string;
}

/** What `paykit.health()` found: ready when every check passed. */
export interface HealthReport {
  /** Every check passed: this process can take notifications and payments. */
  readonly ready: boolean;
  /** The checks. */
  readonly checks: {
    /** The store answered. */
    readonly store: HealthCheck;
    /** The store's schema has every migration this code expects (a store without a schema passes). */
    readonly migrations: HealthCheck;
    /** At least one provider instance is configured, and paykit is not closed. */
    readonly instances: HealthCheck;
  };
}

/** Options of `paykit.health()`. */
export interface HealthOptions {
  /** How long the store may take to answer, in ms (default 2 000): a hung database is not ready. */
  readonly timeoutMs?: number;
}

/** What the readiness check reads. */
export interface HealthSource {
  /** The store. */
  readonly store: Store;
  /** The configured instance ids. */
  readonly instanceIds: readonly string[];
  /** Whether `close()` was called. */
  readonly closed: boolean;
}

/** The default time the store has to answer a readiness check. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;

const PROBE_ID = '__paykit_health__';

function oneLine(e: PaymentError): string {
  return maskCardNumbersIn(`${e.kind}: ${(e.message.split('\n')[0] ?? '').slice(0, 200)}`);
}

/** The store's own health, or a read as a probe for a store that offers none; given up after `timeoutMs`. */
function askStore(store: Store, timeoutMs: number): Promise<{ readonly ok: true; readonly health: StoreHealth } | { readonly ok: false; readonly detail: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<{ ok: false; detail: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `the store did not answer within ${timeoutMs} ms` }), timeoutMs);
  });
  let asked: PayResultAsync<StoreHealth>;
  try {
    asked = typeof store.health === 'function' ? store.health() : store.get('order', PROBE_ID).map(() => ({}));
  } catch (e) {
    clearTimeout(timer);
    return Promise.resolve({ ok: false, detail: `the store threw (${e instanceof Error ? e.name : typeof e})` });
  }
  const answered = Promise.resolve(asked).then(
    (r) => (r.isOk() ? { ok: true as const, health: r.value } : { ok: false as const, detail: oneLine(r.error) }),
    (e: unknown) => ({ ok: false as const, detail: `the store failed (${e instanceof Error ? e.name : typeof e})` }),
  );
  return Promise.race([answered, late]).finally(() => clearTimeout(timer));
}

function migrationsCheck(health: StoreHealth): HealthCheck {
  const m = health.migrations;
  if (m === undefined) return { ok: true, detail: 'the store has no schema to migrate' };
  const applied = new Set(m.applied);
  const missing = m.expected.filter((v) => !applied.has(v));
  const known = new Set(m.expected);
  const newer = m.applied.filter((v) => !known.has(v));
  if (missing.length > 0) {
    return { ok: false, detail: `migrations ${missing.join(', ')} are not applied: open the store with openStore (it migrates) or run the migrations` };
  }
  const latest = Math.max(0, ...m.applied);
  return {
    ok: true,
    detail: newer.length === 0 ? `schema at version ${latest}: every migration applied`
      : `schema at version ${latest}: every migration this paykit knows is applied; ${newer.join(', ')} came from a newer paykit`,
  };
}

/**
 * The readiness check behind `paykit.health()`: the store answers in time, its schema has every
 * migration this code expects, and at least one instance is configured. Never fails: a failed
 * check is reported in the report.
 */
export function checkHealth(source: HealthSource, options: HealthOptions = {}): PayResultAsync<HealthReport> {
  if (!isObject(source)) return errAsync(badArgument('checkHealth', 'source', 'the HealthSource { store, instanceIds, closed }', source));
  return guardAsync('checkHealth', () => {
    const timeoutMs = typeof options?.timeoutMs === 'number' && options.timeoutMs > 0 ? options.timeoutMs : DEFAULT_HEALTH_TIMEOUT_MS;
    const ids = source.instanceIds;
    if (!Array.isArray(ids)) return errAsync(badArgument('checkHealth', 'source.instanceIds', 'the configured instance ids (an array)', ids));
    const instances: HealthCheck = source.closed ? { ok: false, detail: 'paykit was closed' }
      : ids.length === 0 ? { ok: false, detail: 'no provider instance is configured' }
        : { ok: true, detail: `${ids.length} instance${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}` };
    if (source.closed) {
      const skipped = { ok: false, detail: 'not checked: paykit was closed' };
      return okAsync({ ready: false, checks: { store: skipped, migrations: skipped, instances } });
    }
    return ResultAsync.fromSafePromise(askStore(source.store, timeoutMs)).map((asked): HealthReport => {
      const store: HealthCheck = asked.ok ? { ok: true, detail: 'the store answered' } : { ok: false, detail: asked.detail };
      const migrations = asked.ok ? migrationsCheck(asked.health) : { ok: false, detail: 'not checked: the store did not answer' };
      return { ready: store.ok && migrations.ok && instances.ok, checks: { store, migrations, instances } };
    });
  });
}
