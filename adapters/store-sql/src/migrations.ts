import { ok } from 'neverthrow';
import { guard, PaymentErrors, type PaymentError } from '@paykit/core';
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
 * Statuses of records still waiting for an outcome (payments, refunds and payouts in flight, open
 * pre-authorisations, and those paykit gave up on, `needs_attention`): the ones pending-outcome
 * scans ask for, and the only ones indexed by status.
 */
export const OPEN_STATUSES: readonly string[] = ['created', 'pending', 'processing', 'unknown', 'accepted', 'held_for_review', 'authorised', 'needs_attention'];

const predicate = (statuses: readonly string[]) => `status IN (${statuses.map((s) => `'${s}'`).join(', ')})`;

/** The partial index's predicate; a query repeats it literally so the planner can use the index. */
export const OPEN_PREDICATE = predicate(OPEN_STATUSES);

/** The open statuses of migration 1, frozen with it (migration 2 widened the index). */
const V1_OPEN_PREDICATE = predicate(['created', 'pending', 'processing', 'unknown', 'accepted', 'held_for_review', 'authorised']);

/**
 * SQL that is true when the database's own collation sorts text in byte order: a libc C or POSIX
 * collation (PGlite's). A database collated by ICU (PostgreSQL 15+) keeps datcollate at "C" and
 * still sorts otherwise, so the provider is checked too (absent before PostgreSQL 15: libc).
 */
export const BYTE_ORDER_DATABASE = `(SELECT d.datcollate IN ('C', 'POSIX') AND coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') = 'c' FROM pg_database d WHERE d.datname = current_database())`;

/**
 * The schema, as versioned migrations. Never edit a released migration: add a new one.
 *
 * - `paykit_records`: the current version of every record (orders, payments, refunds, pre-auths,
 *   payouts, provider-specific ledgers) as JSON, with its status lifted out; records in an
 *   {@link OPEN_STATUSES | open status} are indexed for pending-outcome scans.
 * - `paykit_record_versions`: every version every record has had: its status and the event that
 *   wrote it (the audit trail of transitions; the current value lives in `paykit_records`).
 * - `paykit_notifications`: the ledger of verified provider events, one row per event key.
 * - `paykit_commit_sets(...)`: applies change sets given as parallel arrays (group commit). Each
 *   set records its notification first and is a `duplicate` if the event is known; then every
 *   write must find its record at the expected version, or the set is a `conflict` and none of it
 *   stays. The whole batch is first tried as four set-based statements (one subtransaction);
 *   only when an event is already known or a record moved is it redone set by set, so the others
 *   still commit.
 *
 * Values are `json`, not `jsonb`: they are written far more often than searched, and parsing into
 * jsonb was the largest cost of a commit on PGlite.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'records, versions, notification ledger, group commit',
    sql: `
CREATE TABLE paykit_records (
  kind        text        NOT NULL,
  id          text        NOT NULL,
  version     integer     NOT NULL CHECK (version > 0),
  status      text,
  value       json        NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, id)
);
-- Only records still waiting for an outcome are indexed by status (pending-outcome scans): most
-- records end final, and an index entry per write was a fifth of a commit's cost on PGlite.
CREATE INDEX paykit_records_open ON paykit_records (kind, status) WHERE ${V1_OPEN_PREDICATE};

CREATE TABLE paykit_record_versions (
  kind        text        NOT NULL,
  id          text        NOT NULL,
  version     integer     NOT NULL,
  status      text,
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

-- One change set: writes w_from..w_to of the arrays, and notification n (when n_key[n] is set).
-- Raises SQLSTATE 40001 when a record is not at the expected version (0 = must not exist).
CREATE FUNCTION paykit_commit_set(n integer, w_from integer, w_to integer,
  w_kind text[], w_id text[], w_expected integer[], w_status text[], w_value text[],
  n_provider text[], n_key text[], n_payload text[]) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  i integer;
  touched integer;
BEGIN
  IF n_key[n] IS NOT NULL THEN
    -- A concurrent commit of the same event waits here on the primary key, then finds it.
    INSERT INTO paykit_notifications (provider_id, event_key, payload)
      VALUES (n_provider[n], n_key[n], n_payload[n]) ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS touched = ROW_COUNT;
    IF touched = 0 THEN RETURN 'duplicate'; END IF;
  END IF;
  FOR i IN w_from .. w_to LOOP
    IF w_expected[i] = 0 THEN
      INSERT INTO paykit_records (kind, id, version, status, value)
        VALUES (w_kind[i], w_id[i], 1, w_status[i], w_value[i]::json) ON CONFLICT DO NOTHING;
    ELSE
      UPDATE paykit_records SET version = version + 1, status = w_status[i], value = w_value[i]::json, updated_at = now()
       WHERE kind = w_kind[i] AND id = w_id[i] AND version = w_expected[i];
    END IF;
    GET DIAGNOSTICS touched = ROW_COUNT;
    IF touched = 0 THEN
      RAISE EXCEPTION USING ERRCODE = '40001',
        MESSAGE = format('%s %s changed concurrently (expected version %s)', w_kind[i], w_id[i], w_expected[i]);
    END IF;
    INSERT INTO paykit_record_versions (kind, id, version, status, event_key)
      VALUES (w_kind[i], w_id[i], w_expected[i] + 1, w_status[i], n_key[n]);
  END LOOP;
  RETURN 'committed';
END
$fn$;

-- Change sets 1..n_count; set n owns writes w_first[n] .. w_first[n + 1] - 1 (w_first has
-- n_count + 1 entries), and w_set[i] names the set of write i. Answers one outcome per set:
-- committed, duplicate, conflict, or error:<SQLSTATE>:<message>.
CREATE FUNCTION paykit_commit_sets(n_count integer, w_first integer[], w_set integer[],
  w_kind text[], w_id text[], w_expected integer[], w_status text[], w_value text[],
  n_provider text[], n_key text[], n_payload text[]) RETURNS text[] LANGUAGE plpgsql AS $fn$
DECLARE
  n integer;
  outcome text;
  outcomes text[] := '{}';
  wanted integer;
  done integer;
BEGIN
  -- Fast path: the whole batch in four set-based statements, when no event in it is known yet and
  -- every record is where its writer read it. Any shortfall undoes it and takes the slow path.
  BEGIN
    SELECT count(*) INTO wanted FROM unnest(n_key) AS k WHERE k IS NOT NULL;
    WITH added AS (
      INSERT INTO paykit_notifications (provider_id, event_key, payload)
        SELECT p, k, b FROM unnest(n_provider, n_key, n_payload) AS t(p, k, b) WHERE k IS NOT NULL
        ON CONFLICT DO NOTHING RETURNING 1)
    SELECT count(*) INTO done FROM added;
    IF done <> wanted THEN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'paykit: slow path'; END IF;

    SELECT count(*) INTO wanted FROM unnest(w_expected) AS e WHERE e = 0;
    WITH added AS (
      INSERT INTO paykit_records (kind, id, version, status, value)
        SELECT k, i, 1, s, v::json FROM unnest(w_kind, w_id, w_expected, w_status, w_value) AS t(k, i, e, s, v) WHERE e = 0
        ON CONFLICT DO NOTHING RETURNING 1)
    SELECT count(*) INTO done FROM added;
    IF done <> wanted THEN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'paykit: slow path'; END IF;

    SELECT count(*) INTO wanted FROM unnest(w_expected) AS e WHERE e > 0;
    WITH moved AS (
      UPDATE paykit_records r SET version = r.version + 1, status = t.s, value = t.v::json, updated_at = now()
        FROM unnest(w_kind, w_id, w_expected, w_status, w_value) AS t(k, i, e, s, v)
       WHERE t.e > 0 AND r.kind = t.k AND r.id = t.i AND r.version = t.e
      RETURNING 1)
    SELECT count(*) INTO done FROM moved;
    IF done <> wanted THEN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'paykit: slow path'; END IF;

    INSERT INTO paykit_record_versions (kind, id, version, status, event_key)
      SELECT t.k, t.i, t.e + 1, t.s, n_key[t.n] FROM unnest(w_kind, w_id, w_expected, w_status, w_set) AS t(k, i, e, s, n);
    RETURN array_fill('committed'::text, ARRAY[n_count]);
  EXCEPTION WHEN OTHERS THEN
    outcomes := '{}';
  END;
  -- Slow path: set by set, each in its own subtransaction, so that the others still commit.
  FOR n IN 1 .. n_count LOOP
    BEGIN
      outcome := paykit_commit_set(n, w_first[n], w_first[n + 1] - 1,
        w_kind, w_id, w_expected, w_status, w_value, n_provider, n_key, n_payload);
    EXCEPTION
      WHEN serialization_failure OR deadlock_detected OR unique_violation THEN outcome := 'conflict';
      WHEN OTHERS THEN outcome := 'error:' || SQLSTATE || ':' || SQLERRM;
    END;
    outcomes := outcomes || outcome;
  END LOOP;
  RETURN outcomes;
END
$fn$;
`,
  },
  {
    version: 2,
    name: 'why each version was written (cause, corrections); needs_attention indexed as open',
    sql: `
ALTER TABLE paykit_record_versions ADD COLUMN cause json;

DROP INDEX paykit_records_open;
CREATE INDEX paykit_records_open ON paykit_records (kind, status) WHERE ${OPEN_PREDICATE};

DROP FUNCTION paykit_commit_sets(integer, integer[], integer[], text[], text[], integer[], text[], text[], text[], text[], text[]);
DROP FUNCTION paykit_commit_set(integer, integer, integer, text[], text[], integer[], text[], text[], text[], text[], text[]);

-- As in migration 1, with w_cause: each write's cause as JSON text (or NULL), kept in its version row.
CREATE FUNCTION paykit_commit_set(n integer, w_from integer, w_to integer,
  w_kind text[], w_id text[], w_expected integer[], w_status text[], w_value text[], w_cause text[],
  n_provider text[], n_key text[], n_payload text[]) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  i integer;
  touched integer;
BEGIN
  IF n_key[n] IS NOT NULL THEN
    INSERT INTO paykit_notifications (provider_id, event_key, payload)
      VALUES (n_provider[n], n_key[n], n_payload[n]) ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS touched = ROW_COUNT;
    IF touched = 0 THEN RETURN 'duplicate'; END IF;
  END IF;
  FOR i IN w_from .. w_to LOOP
    IF w_expected[i] = 0 THEN
      INSERT INTO paykit_records (kind, id, version, status, value)
        VALUES (w_kind[i], w_id[i], 1, w_status[i], w_value[i]::json) ON CONFLICT DO NOTHING;
    ELSE
      UPDATE paykit_records SET version = version + 1, status = w_status[i], value = w_value[i]::json, updated_at = now()
       WHERE kind = w_kind[i] AND id = w_id[i] AND version = w_expected[i];
    END IF;
    GET DIAGNOSTICS touched = ROW_COUNT;
    IF touched = 0 THEN
      RAISE EXCEPTION USING ERRCODE = '40001',
        MESSAGE = format('%s %s changed concurrently (expected version %s)', w_kind[i], w_id[i], w_expected[i]);
    END IF;
    INSERT INTO paykit_record_versions (kind, id, version, status, event_key, cause)
      VALUES (w_kind[i], w_id[i], w_expected[i] + 1, w_status[i], n_key[n], w_cause[i]::json);
  END LOOP;
  RETURN 'committed';
END
$fn$;

CREATE FUNCTION paykit_commit_sets(n_count integer, w_first integer[], w_set integer[],
  w_kind text[], w_id text[], w_expected integer[], w_status text[], w_value text[], w_cause text[],
  n_provider text[], n_key text[], n_payload text[]) RETURNS text[] LANGUAGE plpgsql AS $fn$
DECLARE
  n integer;
  outcome text;
  outcomes text[] := '{}';
  wanted integer;
  done integer;
BEGIN
  BEGIN
    SELECT count(*) INTO wanted FROM unnest(n_key) AS k WHERE k IS NOT NULL;
    WITH added AS (
      INSERT INTO paykit_notifications (provider_id, event_key, payload)
        SELECT p, k, b FROM unnest(n_provider, n_key, n_payload) AS t(p, k, b) WHERE k IS NOT NULL
        ON CONFLICT DO NOTHING RETURNING 1)
    SELECT count(*) INTO done FROM added;
    IF done <> wanted THEN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'paykit: slow path'; END IF;

    SELECT count(*) INTO wanted FROM unnest(w_expected) AS e WHERE e = 0;
    WITH added AS (
      INSERT INTO paykit_records (kind, id, version, status, value)
        SELECT k, i, 1, s, v::json FROM unnest(w_kind, w_id, w_expected, w_status, w_value) AS t(k, i, e, s, v) WHERE e = 0
        ON CONFLICT DO NOTHING RETURNING 1)
    SELECT count(*) INTO done FROM added;
    IF done <> wanted THEN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'paykit: slow path'; END IF;

    SELECT count(*) INTO wanted FROM unnest(w_expected) AS e WHERE e > 0;
    WITH moved AS (
      UPDATE paykit_records r SET version = r.version + 1, status = t.s, value = t.v::json, updated_at = now()
        FROM unnest(w_kind, w_id, w_expected, w_status, w_value) AS t(k, i, e, s, v)
       WHERE t.e > 0 AND r.kind = t.k AND r.id = t.i AND r.version = t.e
      RETURNING 1)
    SELECT count(*) INTO done FROM moved;
    IF done <> wanted THEN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'paykit: slow path'; END IF;

    INSERT INTO paykit_record_versions (kind, id, version, status, event_key, cause)
      SELECT t.k, t.i, t.e + 1, t.s, n_key[t.n], t.c::json FROM unnest(w_kind, w_id, w_expected, w_status, w_set, w_cause) AS t(k, i, e, s, n, c);
    RETURN array_fill('committed'::text, ARRAY[n_count]);
  EXCEPTION WHEN OTHERS THEN
    outcomes := '{}';
  END;
  FOR n IN 1 .. n_count LOOP
    BEGIN
      outcome := paykit_commit_set(n, w_first[n], w_first[n + 1] - 1,
        w_kind, w_id, w_expected, w_status, w_value, w_cause, n_provider, n_key, n_payload);
    EXCEPTION
      WHEN serialization_failure OR deadlock_detected OR unique_violation THEN outcome := 'conflict';
      WHEN OTHERS THEN outcome := 'error:' || SQLSTATE || ':' || SQLERRM;
    END;
    outcomes := outcomes || outcome;
  END LOOP;
  RETURN outcomes;
END
$fn$;
`,
  },
  {
    version: 3,
    name: 'event outbox: every transition appends its domain event in the same commit',
    sql: `
-- The outbox: one row per committed transition, in commit order. Ids come from the sequence while
-- the committing statement holds an advisory lock, so they are handed out in commit order: a
-- consumer that has read up to id N never finds an id below N committed later.
CREATE TABLE paykit_events (
  id          bigserial   PRIMARY KEY,
  type        text        NOT NULL,
  kind        text        NOT NULL,
  record_id   text        NOT NULL,
  payload     json        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX paykit_events_type ON paykit_events (type, id);

DROP FUNCTION paykit_commit_sets(integer, integer[], integer[], text[], text[], integer[], text[], text[], text[], text[], text[], text[]);
DROP FUNCTION paykit_commit_set(integer, integer, integer, text[], text[], integer[], text[], text[], text[], text[], text[], text[]);

-- As in migration 2, with the set's events: e_set[j] names the set of event j.
CREATE FUNCTION paykit_commit_set(n integer, w_from integer, w_to integer,
  w_kind text[], w_id text[], w_expected integer[], w_status text[], w_value text[], w_cause text[],
  n_provider text[], n_key text[], n_payload text[],
  e_set integer[], e_type text[], e_kind text[], e_record text[], e_payload text[]) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  i integer;
  touched integer;
BEGIN
  IF n_key[n] IS NOT NULL THEN
    INSERT INTO paykit_notifications (provider_id, event_key, payload)
      VALUES (n_provider[n], n_key[n], n_payload[n]) ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS touched = ROW_COUNT;
    IF touched = 0 THEN RETURN 'duplicate'; END IF;
  END IF;
  FOR i IN w_from .. w_to LOOP
    IF w_expected[i] = 0 THEN
      INSERT INTO paykit_records (kind, id, version, status, value)
        VALUES (w_kind[i], w_id[i], 1, w_status[i], w_value[i]::json) ON CONFLICT DO NOTHING;
    ELSE
      UPDATE paykit_records SET version = version + 1, status = w_status[i], value = w_value[i]::json, updated_at = now()
       WHERE kind = w_kind[i] AND id = w_id[i] AND version = w_expected[i];
    END IF;
    GET DIAGNOSTICS touched = ROW_COUNT;
    IF touched = 0 THEN
      RAISE EXCEPTION USING ERRCODE = '40001',
        MESSAGE = format('%s %s changed concurrently (expected version %s)', w_kind[i], w_id[i], w_expected[i]);
    END IF;
    INSERT INTO paykit_record_versions (kind, id, version, status, event_key, cause)
      VALUES (w_kind[i], w_id[i], w_expected[i] + 1, w_status[i], n_key[n], w_cause[i]::json);
  END LOOP;
  IF n = ANY(e_set) THEN
    PERFORM pg_advisory_xact_lock(7311002);
    INSERT INTO paykit_events (type, kind, record_id, payload)
      SELECT t.ty, t.k, t.r, t.p::json FROM unnest(e_set, e_type, e_kind, e_record, e_payload) WITH ORDINALITY AS t(s, ty, k, r, p, o)
       WHERE t.s = n ORDER BY t.o;
  END IF;
  RETURN 'committed';
END
$fn$;

CREATE FUNCTION paykit_commit_sets(n_count integer, w_first integer[], w_set integer[],
  w_kind text[], w_id text[], w_expected integer[], w_status text[], w_value text[], w_cause text[],
  n_provider text[], n_key text[], n_payload text[],
  e_set integer[], e_type text[], e_kind text[], e_record text[], e_payload text[]) RETURNS text[] LANGUAGE plpgsql AS $fn$
DECLARE
  n integer;
  outcome text;
  outcomes text[] := '{}';
  wanted integer;
  done integer;
BEGIN
  BEGIN
    SELECT count(*) INTO wanted FROM unnest(n_key) AS k WHERE k IS NOT NULL;
    WITH added AS (
      INSERT INTO paykit_notifications (provider_id, event_key, payload)
        SELECT p, k, b FROM unnest(n_provider, n_key, n_payload) AS t(p, k, b) WHERE k IS NOT NULL
        ON CONFLICT DO NOTHING RETURNING 1)
    SELECT count(*) INTO done FROM added;
    IF done <> wanted THEN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'paykit: slow path'; END IF;

    SELECT count(*) INTO wanted FROM unnest(w_expected) AS e WHERE e = 0;
    WITH added AS (
      INSERT INTO paykit_records (kind, id, version, status, value)
        SELECT k, i, 1, s, v::json FROM unnest(w_kind, w_id, w_expected, w_status, w_value) AS t(k, i, e, s, v) WHERE e = 0
        ON CONFLICT DO NOTHING RETURNING 1)
    SELECT count(*) INTO done FROM added;
    IF done <> wanted THEN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'paykit: slow path'; END IF;

    SELECT count(*) INTO wanted FROM unnest(w_expected) AS e WHERE e > 0;
    WITH moved AS (
      UPDATE paykit_records r SET version = r.version + 1, status = t.s, value = t.v::json, updated_at = now()
        FROM unnest(w_kind, w_id, w_expected, w_status, w_value) AS t(k, i, e, s, v)
       WHERE t.e > 0 AND r.kind = t.k AND r.id = t.i AND r.version = t.e
      RETURNING 1)
    SELECT count(*) INTO done FROM moved;
    IF done <> wanted THEN RAISE EXCEPTION USING ERRCODE = '40001', MESSAGE = 'paykit: slow path'; END IF;

    INSERT INTO paykit_record_versions (kind, id, version, status, event_key, cause)
      SELECT t.k, t.i, t.e + 1, t.s, n_key[t.n], t.c::json FROM unnest(w_kind, w_id, w_expected, w_status, w_set, w_cause) AS t(k, i, e, s, n, c);
    IF cardinality(e_set) > 0 THEN
      PERFORM pg_advisory_xact_lock(7311002);
      INSERT INTO paykit_events (type, kind, record_id, payload)
        SELECT t.ty, t.k, t.r, t.p::json FROM unnest(e_type, e_kind, e_record, e_payload) WITH ORDINALITY AS t(ty, k, r, p, o) ORDER BY t.o;
    END IF;
    RETURN array_fill('committed'::text, ARRAY[n_count]);
  EXCEPTION WHEN OTHERS THEN
    outcomes := '{}';
  END;
  FOR n IN 1 .. n_count LOOP
    BEGIN
      outcome := paykit_commit_set(n, w_first[n], w_first[n + 1] - 1,
        w_kind, w_id, w_expected, w_status, w_value, w_cause, n_provider, n_key, n_payload,
        e_set, e_type, e_kind, e_record, e_payload);
    EXCEPTION
      WHEN serialization_failure OR deadlock_detected OR unique_violation THEN outcome := 'conflict';
      WHEN OTHERS THEN outcome := 'error:' || SQLSTATE || ':' || SQLERRM;
    END;
    outcomes := outcomes || outcome;
  END LOOP;
  RETURN outcomes;
END
$fn$;
`,
  },
  {
    version: 4,
    name: 'records walked in id order (byte order) for reconciliation',
    sql: `
-- listPage walks a kind in id order by bytes (COLLATE "C"). On a database whose collation is C
-- (PGlite, a cluster made with --locale=C) the primary key already serves that order; on any other
-- an index in that order does, so a walk of a million records is a million index steps.
DO $do$
BEGIN
  IF (SELECT datcollate FROM pg_database WHERE datname = current_database()) NOT IN ('C', 'POSIX') THEN
    CREATE INDEX paykit_records_id_bytes ON paykit_records (kind, (id COLLATE "C"));
  END IF;
END
$do$;
`,
  },
  {
    version: 5,
    name: 'records walked in id order on databases collated by ICU',
    sql: `
-- Migration 4 read only datcollate, which stays "C" on a database whose collation comes from ICU
-- (CREATE DATABASE … LOCALE_PROVIDER icu, PostgreSQL 15+): such a database does not sort text in
-- byte order either, and needs the index too.
DO $do$
BEGIN
  IF NOT ${BYTE_ORDER_DATABASE} THEN
    CREATE INDEX IF NOT EXISTS paykit_records_id_bytes ON paykit_records (kind, (id COLLATE "C"));
  END IF;
END
$do$;
`,
  },
  {
    version: 6,
    name: 'ledger fields of payments and refunds kept beside them for reconciliation',
    sql: `
-- Reconciliation walks every payment and refund of a period, and needs a few fields of each (see
-- ledgerFieldsOf in @paykit/core): reading and parsing whole values was most of a walk's time. The
-- database computes those fields on every write, as a JSON array in the column ledger, and
-- listLedgerPage reads that. A value it cannot read (not an object; a text jsonb refuses, such as
-- \\u0000; a sealed value) gets NULL, and is then read whole. Adding the column computes it for
-- every existing row: a rewrite of the table under an exclusive lock (see docs/production.md).

-- A time as paykit writes one, {"$date": "<ISO 8601>"} and nothing else: its text; else null.
CREATE FUNCTION paykit_ledger_time(t jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT CASE WHEN jsonb_typeof(t) = 'object' AND jsonb_typeof(t->'$date') = 'string' AND t - '$date' = '{}'::jsonb THEN t->'$date' END
$fn$;
CREATE FUNCTION paykit_ledger_fields(k text, v json) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE AS $fn$
DECLARE
  j jsonb;
BEGIN
  IF k NOT IN ('payment', 'refund') OR json_typeof(v) IS DISTINCT FROM 'object' THEN
    RETURN NULL;
  END IF;
  -- Whatever cannot be read (the cast, an odd shape) gives NULL: a write never fails for this.
  BEGIN
    j := v::jsonb;
    IF j ? '$sealed' THEN
      RETURN NULL;
    END IF;
    RETURN jsonb_build_array(
      j->'instanceId', j->'status', j->'amount'->'amount', j->'amount'->'currency',
      CASE k WHEN 'payment' THEN j->'refunded'->'amount' END, CASE k WHEN 'payment' THEN j->'refunded'->'currency' END,
      CASE k WHEN 'payment' THEN j->'settleDate' END,
      paykit_ledger_time(CASE k WHEN 'payment' THEN j->'paidAt' ELSE j->'requestedAt' END),
      CASE k WHEN 'payment' THEN paykit_ledger_time(j->'createdAt') END,
      j->'orderId',
      CASE k WHEN 'payment' THEN j->'providerPaymentId' ELSE j->'providerRefundId' END)::text;
  EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
  END;
END
$fn$;
ALTER TABLE paykit_records ADD COLUMN ledger text GENERATED ALWAYS AS (paykit_ledger_fields(kind, value)) STORED;
`,
  },
  {
    version: 7,
    name: 'ledger fields computed without a function call per time',
    sql: `
-- The same fields as migration 6's function, for every value: only cheaper. Its two calls of
-- paykit_ledger_time (an SQL function, run by its own executor for each call, not inlined) cost
-- 0.5–3.5 of the column's 18–20.5 µs of server CPU per payment written (bench/commit-cost.ts:
-- batches of 8 on PostgreSQL 15, medians of three sets of 11 rounds). The time test is written out instead, in a form
-- equal to the old one for every jsonb: an object whose only key is "$date", holding text.
-- An immutable function a stored column uses may be replaced only by one that gives the same
-- result for every input (rows written before keep theirs); this one does.
CREATE OR REPLACE FUNCTION paykit_ledger_fields(k text, v json) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE AS $fn$
DECLARE
  j jsonb;
  pay boolean := k = 'payment';
  at jsonb;
  created jsonb;
BEGIN
  IF k NOT IN ('payment', 'refund') OR json_typeof(v) IS DISTINCT FROM 'object' THEN
    RETURN NULL;
  END IF;
  -- Whatever cannot be read (the cast, an odd shape) gives NULL: a write never fails for this.
  BEGIN
    j := v::jsonb;
    IF j ? '$sealed' THEN
      RETURN NULL;
    END IF;
    -- ->'$date' of anything but an object is NULL, so the first test also says "an object".
    at := CASE WHEN pay THEN j->'paidAt' ELSE j->'requestedAt' END;
    IF jsonb_typeof(at->'$date') = 'string' AND at = jsonb_build_object('$date', at->'$date') THEN
      at := at->'$date';
    ELSE
      at := NULL;
    END IF;
    IF pay THEN
      created := j->'createdAt';
      IF jsonb_typeof(created->'$date') = 'string' AND created = jsonb_build_object('$date', created->'$date') THEN
        created := created->'$date';
      ELSE
        created := NULL;
      END IF;
    END IF;
    RETURN jsonb_build_array(
      j->'instanceId', j->'status', j->'amount'->'amount', j->'amount'->'currency',
      CASE WHEN pay THEN j->'refunded'->'amount' END, CASE WHEN pay THEN j->'refunded'->'currency' END,
      CASE WHEN pay THEN j->'settleDate' END,
      at, created,
      j->'orderId',
      CASE WHEN pay THEN j->'providerPaymentId' ELSE j->'providerRefundId' END)::text;
  EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
  END;
END
$fn$;
DROP FUNCTION paykit_ledger_time(jsonb);
`,
  },
];

/**
 * Brings the schema up to date: applies, in order and in one transaction, the migrations not yet
 * recorded, and returns their versions. Several processes starting at once serialise on an
 * advisory lock. A client or migrations of the wrong shape reject with an `InvalidConfig`
 * PaymentError saying what to pass, before anything is sent.
 */
export async function migrate(client: SqlClient, migrations: readonly Migration[] = MIGRATIONS): Promise<readonly number[]> {
  const invalid = migrateArgumentsError(client, migrations);
  if (invalid !== undefined) return Promise.reject(invalid);
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

/** What is wrong with {@link migrate}'s arguments, or undefined. Never throws: a value whose properties cannot be read does not fit. */
function migrateArgumentsError(client: unknown, migrations: unknown): PaymentError | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  // A check that throws (a proxy, a getter) is a value that does not fit.
  const fits = (check: () => boolean): boolean => guard('migrate', () => ok(check())).unwrapOr(false);
  if (!fits(() => isObject(client) && typeof client.transaction === 'function')) {
    return PaymentErrors.invalidConfig('migrate takes a SqlClient: one from pgliteClient, pgPoolClient or pgliteWorkerClient', { path: 'client' });
  }
  if (!fits(() => Array.isArray(migrations) && migrations.every((m) => isObject(m) && Number.isSafeInteger(m.version) && typeof m.name === 'string' && typeof m.sql === 'string'))) {
    return PaymentErrors.invalidConfig('migrate takes, after the client, an array of migrations { version: a whole number, name, sql } or nothing (MIGRATIONS)', { path: 'migrations' });
  }
  return undefined;
}
