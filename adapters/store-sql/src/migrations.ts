import type { SqlClient } from './client.js';

/** One schema migration: applied once, in order, recorded in `paykit_schema_migrations`. */
export interface Migration {
  /** Increasing version number. */
  readonly version: number;
  /** What it does. */
  readonly name: string;
  /** The SQL script. */
  readonly sql: string;
}

/**
 * The schema, as versioned migrations. Never edit a released migration: add a new one.
 *
 * - `paykit_records`: the current version of every record (orders, payments, refunds, pre-auths,
 *   payouts, provider-specific ledgers), with its status lifted out for pending scans.
 * - `paykit_record_versions`: every version every record has had, and the event that wrote it.
 * - `paykit_notifications`: the ledger of verified provider events, one row per event key.
 * - `paykit_commit(changes)`: applies a change set atomically (one statement, so one transaction):
 *   records the notification first and stops with `duplicate` if it is known; checks every write's
 *   expected version and raises SQLSTATE 40001 when a record moved, which undoes everything.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'records, versions, notification ledger, commit function',
    sql: `
CREATE TABLE paykit_records (
  kind        text        NOT NULL,
  id          text        NOT NULL,
  version     integer     NOT NULL CHECK (version > 0),
  status      text,
  value       jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, id)
);
CREATE INDEX paykit_records_by_status ON paykit_records (kind, status);

CREATE TABLE paykit_record_versions (
  kind        text        NOT NULL,
  id          text        NOT NULL,
  version     integer     NOT NULL,
  value       jsonb       NOT NULL,
  event_key   text,
  written_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, id, version)
);

CREATE TABLE paykit_notifications (
  provider_id text        NOT NULL,
  event_key   text        NOT NULL,
  payload     text        NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider_id, event_key)
);

CREATE FUNCTION paykit_commit(changes jsonb) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  n jsonb := changes->'notification';
  w jsonb;
  expected integer;
  touched integer;
BEGIN
  IF n IS NOT NULL AND jsonb_typeof(n) = 'object' THEN
    -- A concurrent commit of the same event waits here on the primary key, then finds it.
    INSERT INTO paykit_notifications (provider_id, event_key, payload)
      VALUES (n->>'providerId', n->>'eventKey', n->>'payload')
      ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS touched = ROW_COUNT;
    IF touched = 0 THEN RETURN 'duplicate'; END IF;
  END IF;
  FOR w IN SELECT value FROM jsonb_array_elements(changes->'writes') LOOP
    expected := (w->>'expectedVersion')::integer;
    IF expected = 0 THEN
      INSERT INTO paykit_records (kind, id, version, status, value)
        VALUES (w->>'kind', w->>'id', 1, w->'value'->>'status', w->'value')
        ON CONFLICT DO NOTHING;
    ELSE
      UPDATE paykit_records
         SET version = version + 1, status = w->'value'->>'status', value = w->'value', updated_at = now()
       WHERE kind = w->>'kind' AND id = w->>'id' AND version = expected;
    END IF;
    GET DIAGNOSTICS touched = ROW_COUNT;
    IF touched = 0 THEN
      RAISE EXCEPTION USING ERRCODE = '40001',
        MESSAGE = format('%s %s changed concurrently (expected version %s)', w->>'kind', w->>'id', expected);
    END IF;
    INSERT INTO paykit_record_versions (kind, id, version, value, event_key)
      VALUES (w->>'kind', w->>'id', expected + 1, w->'value', n->>'eventKey');
  END LOOP;
  RETURN 'committed';
END
$fn$;
`,
  },
];

/**
 * Brings the schema up to date: applies, in order and in one transaction, the migrations not yet
 * recorded, and returns their versions. Several processes starting at once serialise on an
 * advisory lock.
 */
export async function migrate(client: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<readonly number[]> {
  const applied: number[] = [];
  await client.transaction(async (q) => {
    // The lock is held to the end of this transaction: a second process waits, then finds nothing to do.
    await q('SELECT pg_advisory_xact_lock(7311001)', []);
    await q(`CREATE TABLE IF NOT EXISTS paykit_schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await q('SELECT version FROM paykit_schema_migrations', [])).map((r) => Number(r.version)));
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await q(m.sql);
      await q('INSERT INTO paykit_schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
  });
  return applied;
}
