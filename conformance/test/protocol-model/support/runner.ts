/**
 * What every model-based test of the money protocol shares: the stores it runs on, the commands
 * every operation kind interleaves (clock, store faults and crashes, a failing logger, concurrent
 * resolvers), the end of a scenario (everything resolved, then checked) and the fast-check run.
 *
 * The model is the provider: each scenario runs against a simulator on 127.0.0.1, and once every
 * fault has stopped and `resolvePending` has settled what it can, paykit's records are compared
 * with the simulator's ledger. Which outcome a fault leads to is not predicted (an unknown
 * outcome may land either way); that paykit ends up saying what the provider did is.
 *
 * Environment: `PAYKIT_MODEL_RUNS` (scenarios per backend, 1000 by default), `PAYKIT_MODEL_BACKEND`
 * (`memory` or `pglite`: only that one), `PAYKIT_MODEL_SEED`, `PAYKIT_MODEL_PATH` and
 * `PAYKIT_MODEL_REPLAY` (replay the failure fast-check printed: its `{ seed, path }` and the
 * counterexample's `replayPath`), `PAYKIT_MODEL_TRACE` (print every scenario's trace).
 */
import { PGlite } from '@electric-sql/pglite';
import {
  DEFAULT_LEASE_MS, FixedClock, InMemoryStore, PENDING_PAYMENT_STATUSES, PENDING_REFUND_STATUSES, IN_FLIGHT_PAYOUT_STATUSES, UNKNOWN_PAYOUT_STATUSES,
  type PendingEntry, type PendingKind, type PendingReport, type RecordKind, type Store, type Tracked,
} from '@paykit/core';
import { migrate, pgliteClient, RecordSealer, SqlStore, type SqlClient } from '@paykit/store-sql';
import type { SimulatorServer } from '@paykit/core/simulator';
import fc from 'fast-check';
import { Machine, STORE_FAULTS, type StoreFault } from './machine.js';

/** Where a run keeps its records. */
export interface Backend {
  /** `memory` or `PGlite`. */
  readonly name: string;
  /** Prepares the run (PGlite: one database for the whole run). */
  open(): Promise<void>;
  /** The store of the next scenario. */
  store(): Store;
  /** Clears what a finished scenario left (its ids are namespaced anyway). */
  reset(): Promise<void>;
  /** Ends the run. */
  close(): Promise<void>;
}

/** A fresh in-memory store per scenario. */
export function memoryBackend(): Backend {
  return { name: 'the in-memory store', open: async () => undefined, store: () => new InMemoryStore(), reset: async () => undefined, close: async () => undefined };
}

/**
 * One in-memory PGlite database for a whole run (creating one per scenario is too slow): every
 * scenario's ids carry its own prefix, and its rows are deleted once it has been checked, so that
 * later scans stay as small as a real shop's.
 */
export function pgliteBackend(): Backend {
  let client: SqlClient | undefined;
  let store: SqlStore | undefined;
  return {
    name: 'PGlite',
    async open() {
      client = pgliteClient(await PGlite.create());
      await migrate(client);
      store = new SqlStore(client, 1, RecordSealer.fromBase64(Buffer.alloc(32, 7).toString('base64'))._unsafeUnwrap());
    },
    store() {
      if (!store) throw new Error('the PGlite backend is not open');
      return store;
    },
    async reset() {
      await client?.query('DELETE FROM paykit_records');
      await client?.query('DELETE FROM paykit_record_versions');
      await client?.query('DELETE FROM paykit_notifications');
    },
    async close() {
      await client?.close();
    },
  };
}

/** The clock every scenario starts at (a Friday morning in Shanghai). */
export const START = new Date('2024-03-01T02:00:00Z');
/** resolvePending's default age before it looks at a record. */
export const TEN_MINUTES = 10 * 60_000;

/** What the shared commands need of a scenario. */
export interface Scenario {
  /** The processes, store and clock. */
  readonly machine: Machine;
  /** Makes the next query of the provider meet `fault` (see each kind for what the faults are). */
  queryFault(fault: ReplyFault): void;
  /** Drops every fault queued at the simulator. */
  clearFaults(): void;
  /** Waits until the simulator's own timers (settling, deliveries) are done. */
  quiesce(): Promise<void>;
  /**
   * Delivers, as the provider's retries would, every notification paykit has not acknowledged yet:
   * how many it delivered, and what paykit refused (a genuine notification refused for ever is a finding).
   */
  redeliver?(): Promise<{ readonly delivered: number; readonly refused: readonly string[] }>;
}

/**
 * What a provider reply can do to a call:
 * - `ok`: nothing special;
 * - `refuse`: a definite refusal code, nothing done;
 * - `lost`: the work is done, the connection drops before the reply;
 * - `late`: the work is done, the reply comes after the client gave up;
 * - `http500`: HTTP 500 before anything is done;
 * - `http500-after`: HTTP 500 after the work was done (where the simulator can);
 * - `garbled`: the work is done, the reply body is garbage;
 * - `bad-signature`: the work is done, the reply is signed with another key;
 * - `slow`: the provider takes a while before it does the work, then answers in time (where the
 *   simulator can): the call is in flight meanwhile, for resolvers and other calls to meet.
 */
export type ReplyFault = 'ok' | 'refuse' | 'lost' | 'late' | 'http500' | 'http500-after' | 'garbled' | 'bad-signature' | 'slow';

/** The reply faults every simulator plays: the shared server faults, and the network's late reply. */
export type SharedFault = 'lost' | 'late' | 'http500' | 'garbled' | 'bad-signature';

/** Every {@link SharedFault}. */
export const SHARED_FAULTS: readonly SharedFault[] = ['lost', 'late', 'http500', 'garbled', 'bad-signature'];

/**
 * Makes the next call to `path` meet a shared fault; `ok` and the faults a simulator plays in its
 * own way (`refuse`, `http500-after`, `slow`) are left to the caller, and do nothing here.
 */
export function sharedFault(s: { readonly sim: { readonly server: SimulatorServer }; readonly machine: Machine }, path: string, fault: ReplyFault): void {
  switch (fault) {
    case 'lost': s.sim.server.inject({ path, dropReply: true }); return;
    case 'late': s.machine.network.late(path); return;
    case 'http500': s.sim.server.inject({ path, status: 500 }); return;
    case 'garbled': s.sim.server.inject({ path, malformedBody: true }); return;
    case 'bad-signature': s.sim.server.inject({ path, badSignature: true }); return;
    default: return;
  }
}

/** Reply faults weighted towards the normal case. */
export function replyFault(faults: readonly ReplyFault[]): fc.Arbitrary<ReplyFault> {
  return fc.oneof({ weight: faults.length, arbitrary: fc.constant<ReplyFault>('ok') }, ...faults.filter((f) => f !== 'ok').map((f) => ({ weight: 1, arbitrary: fc.constant(f) })));
}

/** The fast-check model: the scenario's truth is the simulator, so the model only counts steps. */
export interface Model {
  steps: number;
}

/** A command of a scenario of type `S`. */
export type Cmd<S extends Scenario> = fc.AsyncCommand<Model, S>;

/** Builds a command from its name and its action. */
export function command<S extends Scenario>(name: string, run: (s: S) => Promise<void>): Cmd<S> {
  return {
    check: () => true,
    async run(m, s) {
      m.steps += 1;
      s.machine.trace(`— ${name}`);
      await run(s);
    },
    toString: () => name,
  };
}

/** The commands every kind shares: clock, store faults and crashes, a failing logger, resolvers, joining background calls. */
export function sharedCommands<S extends Scenario>(queryFaults: readonly ReplyFault[], kinds: readonly PendingKind[]): fc.Arbitrary<Cmd<S>>[] {
  return [
    fc.constantFrom(60_000, 60_000, 6 * 60_000, 11 * 60_000).map((ms) => command<S>(`advance the clock ${ms / 60_000} min`, async (s) => s.machine.advance(ms, DEFAULT_LEASE_MS))),
    fc.tuple(fc.integer({ min: 1, max: 6 }), fc.constantFrom<StoreFault>(...STORE_FAULTS))
      .map(([n, fault]) => command<S>(`arm ${fault} at commit +${n}`, async (s) => s.machine.arm(n, fault))),
    fc.boolean().map((on) => command<S>(on ? "the merchant's logger starts throwing" : "the merchant's logger recovers", async (s) => {
      s.machine.loggerThrows = on;
    })),
    fc.constant(command<S>('wait for background calls', async (s) => s.machine.drain())),
    fc.record({
      count: fc.constantFrom(1, 2), olderThan: fc.constantFrom(0, TEN_MINUTES), fault: replyFault(queryFaults), background: fc.boolean(),
    }).map(({ count, olderThan, fault, background }) => command<S>(
      `${count === 2 ? 'two resolvers at once' : 'resolvePending'} (olderThan ${olderThan / 60_000} min, query ${fault}${background ? ', background' : ''})`,
      async (s) => {
        s.queryFault(fault);
        // The second resolver is another process (a cron job beside the application).
        const runs = await Promise.all(Array.from({ length: count }, async (_, i) => {
          const process = i === 0 ? undefined : await s.machine.spawn();
          return s.machine.call('resolvePending', (pk) => pk.resolvePending({ olderThan, kinds: [...kinds] }), { background, ...(process ? { process } : {}) });
        }));
        for (const r of runs) if (r.result?.isErr()) throw new Error(`resolvePending failed as a whole: ${r.result.error.message}`);
      },
    )),
  ];
}

const settledOutcomes = new Set(['settled', 'needs_attention']);

/**
 * Ends a scenario as an operator would: background calls finish, faults stop, the provider
 * settles, and `resolvePending` runs (the clock past every lease and age) until nothing it reports
 * is still open. Fails when that does not happen within a few rounds.
 */
export async function settle(s: Scenario, kinds: readonly PendingKind[], resolveOptions: { readonly closeNotFoundAfter?: number } = {}): Promise<PendingReport> {
  const m = s.machine;
  // What was started meets the faults it was started with; then the faults stop.
  await m.drain();
  m.disarm();
  m.loggerThrows = false;
  s.clearFaults();
  let open: readonly PendingEntry[] = [];
  for (let round = 0; round < 6; round += 1) {
    await s.quiesce();
    const redelivered = (await s.redeliver?.()) ?? { delivered: 0, refused: [] };
    if (redelivered.refused.length > 0) throw new Error(`paykit refuses genuine notifications the provider keeps sending: ${redelivered.refused.join('; ')}`);
    m.clock.advance(TEN_MINUTES + 60_000);
    const r = await (await m.main()).paykit.resolvePending({ kinds: [...kinds], ...resolveOptions });
    if (r.isErr()) throw new Error(`resolvePending failed as a whole while settling: ${r.error.message}`);
    m.trace(`settle round ${round}: ${r.value.entries.map((e) => `${e.kind} ${e.id} ${e.before}→${e.after ?? '?'} ${e.outcome}${e.error ? ` (${e.error.message.slice(0, 120)})` : ''}`).join('; ') || 'nothing'}`);
    open = r.value.entries.filter((e) => !settledOutcomes.has(e.outcome));
    if (open.length === 0) {
      // Settled; unless the provider still had something to say (a notification it posts after).
      await s.quiesce();
      const more = (await s.redeliver?.()) ?? { delivered: 0, refused: [] };
      if (more.refused.length > 0) throw new Error(`paykit refuses genuine notifications the provider keeps sending: ${more.refused.join('; ')}`);
      if (more.delivered === 0) return r.value;
    }
  }
  throw new Error(`resolvePending leaves records open after 6 rounds: ${open.map((e) => `${e.kind} ${e.id} ${e.before}→${e.after ?? '?'} ${e.outcome} ${e.error?.message ?? ''}`).join('; ')}`);
}

/** Statuses a `resolvePending` scan looks at, by record kind (`needs_attention` is reported on every scan). */
const SCANNED: Readonly<Record<'payment' | 'refund' | 'payout', readonly string[]>> = {
  payment: [...PENDING_PAYMENT_STATUSES, 'needs_attention'],
  refund: [...PENDING_REFUND_STATUSES, 'needs_attention'],
  payout: [...UNKNOWN_PAYOUT_STATUSES, ...IN_FLIGHT_PAYOUT_STATUSES, 'needs_attention'],
};

/**
 * Statuses in which nothing is uncertain: the provider has said (a payment it failed may still be
 * paid on a retry, but nothing is pending on paykit's side), or, for a pre-authorisation without
 * an operation in flight, the merchant has not asked for anything yet.
 */
const SETTLED: Readonly<Record<'payment' | 'refund' | 'payout' | 'preauth', readonly string[]>> = {
  payment: ['succeeded', 'failed', 'closed', 'partially_refunded', 'refunded'],
  refund: ['succeeded', 'failed'],
  payout: ['succeeded', 'failed', 'closed', 'returned'],
  preauth: ['authorised', 'captured', 'voided'],
};

/**
 * No record is left where `resolvePending` cannot reach it: a record is settled with nothing in
 * flight, or in a status a scan looks at (a pre-authorisation: `authorised` with its capture or
 * void in flight), or `needs_attention` with its reason and what to do.
 */
export async function checkReachable(store: Store, kind: 'payment' | 'refund' | 'payout' | 'preauth', problems: string[]): Promise<void> {
  const all = await store.list<Tracked & { readonly status: string; readonly orderId?: string; readonly refundId?: string; readonly payoutId?: string }>(kind as RecordKind);
  if (all.isErr()) throw new Error(all.error.message);
  for (const { value: r } of all.value) {
    const id = r.payoutId ?? r.refundId ?? r.orderId ?? '?';
    const scanned = kind === 'preauth' ? r.status === 'needs_attention' || (r.status === 'authorised' && r.inFlight !== undefined) : SCANNED[kind].includes(r.status);
    const settled = SETTLED[kind].includes(r.status) && r.inFlight === undefined;
    if (!settled && !scanned) problems.push(`${kind} ${id} is ${r.status}${r.inFlight ? ` with a ${r.inFlight.operation} in flight (${r.inFlight.state})` : ''}, where resolvePending does not look`);
    if (r.status === 'needs_attention' && (r.attention?.reason === undefined || r.attention.action === undefined)) problems.push(`${kind} ${id} needs attention without a reason and an action`);
  }
}

/**
 * Whether a record was ever recorded `failed`: for a refund or payout the provider did make, that
 * is a false failure the merchant may have acted on (refunded or paid again under a new id), even
 * when a later report corrected it.
 */
export async function everFailed(store: Store, kind: RecordKind, id: string): Promise<boolean> {
  const h = await store.history(kind, id);
  if (h.isErr()) throw new Error(h.error.message);
  return h.value.some((v) => v.status === 'failed');
}

/** Options of {@link describeModel}. */
export interface ModelOptions<S extends Scenario> {
  /** What the property is about, e.g. "refunds". */
  readonly title: string;
  /** Builds a scenario: simulator, machine and whatever the kind sets up before the commands. */
  start(store: Store, tag: string): Promise<S>;
  /** The kind's commands (the shared ones are added). */
  readonly commands: readonly fc.Arbitrary<Cmd<S>>[];
  /** Faults a provider query can meet. */
  readonly queryFaults: readonly ReplyFault[];
  /** What `resolvePending` scans for this kind. */
  readonly kinds: readonly PendingKind[];
  /** Options of the settling scans. */
  readonly resolveOptions?: { readonly closeNotFoundAfter?: number };
  /** Checks the settled scenario against the simulator; returns what is wrong. */
  check(s: S, report: PendingReport): Promise<readonly string[]>;
  /** Stops the scenario's simulator. */
  stop(s: S): Promise<void>;
}

/** Runs per backend (`PAYKIT_MODEL_RUNS` overrides; a failure prints the seed and path to replay with `PAYKIT_MODEL_SEED`/`PAYKIT_MODEL_PATH`). */
export const RUNS = Number(process.env.PAYKIT_MODEL_RUNS ?? 1000);

let scenarioCount = 0;

/** Runs the property on one backend: {@link RUNS} scenarios, each started, run, settled, checked and cleared. */
async function runOn<S extends Scenario>(o: ModelOptions<S>, backend: Backend): Promise<void> {
  const arbitraries = [...o.commands, ...sharedCommands<S>(o.queryFaults, o.kinds)];
  // 3 to 12 commands: three first, then fast-check's command list (which shrinks well; a filter on
  // its length would stop it shrinking).
  const replayPath = process.env.PAYKIT_MODEL_REPLAY;
  const commands = fc.tuple(fc.array(fc.oneof(...arbitraries), { minLength: 3, maxLength: 3 }), fc.commands(arbitraries, { maxCommands: 9, ...(replayPath !== undefined ? { replayPath } : {}) }))
    // The command list's own text carries its replayPath (PAYKIT_MODEL_REPLAY, with seed and path).
    .map(([first, rest]) => ({ first, rest, toString: () => `${first.map(String).join(', ')}, then ${String(rest)}` }));
  const trace = process.env.PAYKIT_MODEL_TRACE !== undefined;
  const property = fc.asyncProperty(commands, async ({ first, rest }) => {
    const cmds = [...first, ...rest];
    scenarioCount += 1;
    const tag = `z${scenarioCount.toString(36)}`;
    const s = await o.start(backend.store(), tag);
    try {
      await fc.asyncModelRun(() => ({ model: { steps: 0 }, real: s }), cmds);
      const report = await settle(s, o.kinds, o.resolveOptions);
      const problems = [...s.machine.violations, ...await o.check(s, report)];
      if (problems.length > 0) throw new Error(problems.join('\n'));
      if (trace) console.log(`scenario ${tag} on ${backend.name}:\n    ${s.machine.events.join('\n    ')}`);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n  trace of scenario ${tag} on ${backend.name}:\n    ${s.machine.events.join('\n    ')}`);
    } finally {
      await o.stop(s);
      await backend.reset();
    }
  });
  const seed = process.env.PAYKIT_MODEL_SEED;
  const path = process.env.PAYKIT_MODEL_PATH;
  await fc.assert(property, { numRuns: RUNS, ...(seed !== undefined ? { seed: Number(seed) } : {}), ...(path !== undefined ? { path } : {}) });
}

/**
 * Declares one mocha test per backend (`PAYKIT_MODEL_BACKEND=memory` or `pglite` picks one) that
 * runs {@link RUNS} generated scenarios of 3–12 commands. A failing scenario is shrunk by
 * fast-check, and the error carries its trace (every call, fault, crash and resolver report)
 * beside fast-check's seed and path.
 *
 * The backends' runs start together and overlap: a scenario spends much of its time waiting on
 * loopback HTTP and simulator timers, which the other backend's scenario fills. Each test awaits
 * its own run, so each reports its own failure.
 */
export function describeModel<S extends Scenario>(o: ModelOptions<S>): void {
  const only = process.env.PAYKIT_MODEL_BACKEND;
  const backends = [memoryBackend(), pgliteBackend()].filter((b) => only === undefined || b.name.toLowerCase().includes(only.toLowerCase()));
  const runs = new Map<Backend, Promise<unknown>>();
  before(async function () {
    this.timeout(60_000);
    for (const b of backends) await b.open();
    // A run's failure is kept as a value until its own test awaits it (no unhandled rejection).
    for (const b of backends) runs.set(b, runOn(o, b).then(() => undefined, (e: unknown) => e));
  });
  after(async () => {
    await Promise.allSettled(runs.values());
    for (const b of backends) await b.close();
  });
  for (const backend of backends) {
    it(`keeps the ${o.title} records equal to the provider's ledger through ${RUNS} generated scenarios on ${backend.name}`, async function () {
      this.timeout(30 * 60_000);
      const failure = await runs.get(backend);
      if (failure !== undefined) throw failure;
    });
  }
}

/** A fixed clock at {@link START}. */
export function startClock(): FixedClock {
  return new FixedClock(START);
}
