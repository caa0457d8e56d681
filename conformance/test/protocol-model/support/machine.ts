/**
 * The machine the model-based tests run paykit on: one durable store shared by every "process" of
 * a scenario, a fixed clock the scenario advances, and processes that can crash at a commit.
 *
 * A crash kills the process whose commit hit it: its store and transport refuse everything from
 * then on (what a SIGKILL does to a process: requests already on the wire still land, nothing new
 * leaves, nothing more is written), its pending operations are abandoned, and the next merchant
 * call runs on a fresh paykit built on the same store, as a restarted application would.
 */
import {
  PaymentErrors, type ChangeSet, type Clock, type CommitOutcome, type FixedClock, type HttpRequest, type HttpResponse,
  type EventQuery, type HttpTransport, type IdentifiedRecord, type ListFilter, type PageQuery, type PaykitEvent, type Logger, type LogFields, type LogLevel, type NotificationRecord, type Paykit, type PaymentError,
  type PayResult, type PayResultAsync, type RecordKind, type RecordVersion, type SendOptions, type Store, type Versioned,
} from '@paykit/core';
import { err, errAsync, ResultAsync } from 'neverthrow';

/**
 * What the armed commit does:
 * - `crash-before`: the process dies before the commit reaches the store (nothing written);
 * - `crash-after`: the commit is written, then the process dies before it learns so;
 * - `error-before`: the store answers an error and writes nothing; the process lives on;
 * - `error-after`: the commit is written, but the store's answer is lost (an error); the process lives on.
 */
export type StoreFault = 'crash-before' | 'crash-after' | 'error-before' | 'error-after';

/** Every store fault, for generators. */
export const STORE_FAULTS: readonly StoreFault[] = ['crash-before', 'crash-after', 'error-before', 'error-after'];

/** How a process's paykit is built from the ports the machine gives it. */
export type BuildPaykit = (ports: { readonly store: Store; readonly transport: HttpTransport; readonly logger: Logger; readonly clock: Clock }) => Promise<Paykit>;

/** One application process: a paykit, and whether it was killed. */
export class Process {
  /** Set once a crash killed it: nothing it does reaches the store or the network any more. */
  dead = false;
  /** Its paykit (set once built). */
  paykit!: Paykit;
  /** A short name for traces. */
  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }
}

const gone = (p: Process, what: string) => PaymentErrors.network(`${what}: process ${p.name} was killed`, false);

/** The store as one process sees it: the shared store, until the process dies; the armed fault applies to its commits. */
class ProcessStore implements Store {
  readonly #m: Machine;
  readonly #p: Process;

  constructor(m: Machine, p: Process) {
    this.#m = m;
    this.#p = p;
  }

  get<T>(kind: RecordKind, id: string): PayResultAsync<Versioned<T> | undefined> {
    return this.#p.dead ? errAsync(gone(this.#p, 'store.get')) : this.#m.base.get<T>(kind, id);
  }

  // The one-write shorthands go through commit, so that the armed fault sees every write.
  insert<T>(kind: RecordKind, id: string, value: T): PayResultAsync<Versioned<T>> {
    return this.get<T>(kind, id).andThen((cur) => (cur ? errAsync(PaymentErrors.conflict(`${kind} ${id} already exists`))
      : this.commit({ writes: [{ kind, id, expectedVersion: 0, value }] }).map(() => ({ value, version: 1 }))));
  }

  update<T>(kind: RecordKind, id: string, expectedVersion: number, value: T): PayResultAsync<Versioned<T>> {
    return this.get<T>(kind, id).andThen((cur) => (cur ? this.commit({ writes: [{ kind, id, expectedVersion, value }] }).map(() => ({ value, version: expectedVersion + 1 }))
      : errAsync(PaymentErrors.notFound(`${kind} ${id} does not exist`))));
  }

  list<T>(kind: RecordKind, filter?: ListFilter): PayResultAsync<readonly Versioned<T>[]> {
    return this.#p.dead ? errAsync(gone(this.#p, 'store.list')) : this.#m.base.list<T>(kind, filter);
  }

  listPage<T>(kind: RecordKind, query: PageQuery): PayResultAsync<readonly IdentifiedRecord<T>[]> {
    return this.#p.dead ? errAsync(gone(this.#p, 'store.listPage')) : this.#m.base.listPage<T>(kind, query);
  }

  listEvents(query?: EventQuery): PayResultAsync<readonly PaykitEvent[]> {
    return this.#p.dead ? errAsync(gone(this.#p, 'store.listEvents')) : this.#m.base.listEvents(query);
  }

  pruneEvents(maxId: number, before: Date): PayResultAsync<number> {
    return this.#p.dead ? errAsync(gone(this.#p, 'store.pruneEvents')) : this.#m.base.pruneEvents(maxId, before);
  }

  pruneNotifications(providerId: string, before: Date): PayResultAsync<number> {
    return this.#p.dead ? errAsync(gone(this.#p, 'store.pruneNotifications')) : this.#m.base.pruneNotifications(providerId, before);
  }

  recordNotification(providerId: string, eventKey: string, payload: string): PayResultAsync<NotificationRecord> {
    return this.commit({ writes: [], notification: { providerId, eventKey, payload } }).map((o) => (o === 'committed' ? 'new' : 'duplicate'));
  }

  commit(changes: ChangeSet): PayResultAsync<CommitOutcome> {
    if (this.#p.dead) return errAsync(gone(this.#p, 'store.commit'));
    const m = this.#m;
    m.commits += 1;
    const fault = m.takeFault();
    if (fault === undefined) return m.base.commit(changes);
    m.trace(`${fault} at commit ${m.commits} (${this.#p.name}: ${describe(changes)})`);
    const lost = PaymentErrors.network('store.commit: the database connection was lost (injected); the commit may have landed', true);
    switch (fault) {
      case 'crash-before':
        m.kill(this.#p);
        return errAsync(lost);
      case 'error-before':
        return errAsync(lost);
      case 'crash-after':
        return m.base.commit(changes).andThen(() => {
          m.kill(this.#p);
          return errAsync(lost);
        }).orElse((e) => {
          m.kill(this.#p);
          return errAsync(e);
        });
      case 'error-after':
        return m.base.commit(changes).andThen(() => errAsync(lost));
    }
  }

  history(kind: RecordKind, id: string): PayResultAsync<readonly RecordVersion[]> {
    return this.#p.dead ? errAsync(gone(this.#p, 'store.history')) : this.#m.base.history(kind, id);
  }
}

function describe(c: ChangeSet): string {
  const writes = c.writes.map((w) => `${w.kind}:${w.id}@${w.expectedVersion}→${String((w.value as { status?: unknown }).status ?? '')}`).join(', ');
  return `${c.cause?.source ?? '?'} ${c.cause?.operation ?? ''} [${writes}]${c.notification ? ` +notification ${c.notification.eventKey}` : ''}`;
}

/** The network as one process sees it: nothing new leaves a killed process. */
class ProcessTransport implements HttpTransport {
  readonly #m: Machine;
  readonly #p: Process;

  constructor(m: Machine, p: Process) {
    this.#m = m;
    this.#p = p;
  }

  send(request: HttpRequest, options: SendOptions): PayResultAsync<HttpResponse> {
    if (this.#p.dead) return errAsync(gone(this.#p, options.operation));
    return this.#m.network.send(request, options);
  }
}

/**
 * The network between paykit and the simulators: loopback HTTP, plus the "late reply" fault
 * without its wall-clock cost: the request is sent and handled, and the caller is told its
 * deadline passed before the reply came (what a reply slower than the timeout does).
 */
export class Network implements HttpTransport {
  readonly #inner: HttpTransport;
  readonly #late: string[] = [];

  constructor(inner: HttpTransport) {
    this.#inner = inner;
  }

  /** The next request to a URL whose path ends with `path` gets its reply too late. */
  late(path: string): void {
    this.#late.push(path);
  }

  /** Drops every queued fault. */
  clear(): void {
    this.#late.length = 0;
  }

  send(request: HttpRequest, options: SendOptions): PayResultAsync<HttpResponse> {
    const path = new URL(request.url).pathname;
    const i = this.#late.findIndex((p) => path.endsWith(p));
    if (i < 0) return this.#inner.send(request, options);
    this.#late.splice(i, 1);
    const timedOut = PaymentErrors.timeout(`${options.operation}: no reply within ${options.timeoutMs} ms after the request was sent (injected)`);
    const answered = Promise.resolve(this.#inner.send(request, options));
    return new ResultAsync(answered.then(() => err<HttpResponse, PaymentError>(timedOut)));
  }
}

/** The merchant's logger: throws while the scenario says its sink is broken. */
class MerchantLogger implements Logger {
  readonly #m: Machine;

  constructor(m: Machine) {
    this.#m = m;
  }

  log(level: LogLevel, message: string, _fields?: LogFields): void {
    if (this.#m.loggerThrows) throw new Error(`merchant log sink failed while writing "${level}: ${message.slice(0, 40)}"`);
  }
}

/** A short account of what a call answered: a record's status, or a resolver's entries. */
function summary(value: unknown): string {
  const v = value as { status?: unknown; entries?: readonly { kind: string; id: string; before: string; after?: string; outcome: string; error?: { message: string } }[] } | null;
  if (v?.entries) return `[${v.entries.map((e) => `${e.kind} ${e.id} ${e.before}→${e.after ?? '?'} ${e.outcome}${e.error ? ` (${e.error.message.slice(0, 100)})` : ''}`).join('; ')}]`;
  return typeof v?.status === 'string' ? v.status : '';
}

/** What a merchant call ended with, as the scenario saw it. */
export interface CallOutcome<T> {
  /** The result, or undefined when the call ran in the background or its process died meanwhile. */
  readonly result?: PayResult<T>;
}

/** One scenario's world: the shared store, the clock, the processes and what they left running. */
export class Machine {
  /** The durable store every process shares. */
  readonly base: Store;
  /** The scenario's clock. */
  readonly clock: FixedClock;
  /** The network to the simulators (loopback HTTP, with its own faults). */
  readonly network: Network;
  /** Set while the merchant's logger throws. */
  loggerThrows = false;
  /** Commits seen so far. */
  commits = 0;
  /** Processes killed so far. */
  crashes = 0;
  /** What happened, for the failure message. */
  readonly events: string[] = [];
  /** Broken promises of the contract seen in calls that ran in the background (checked at the end). */
  readonly violations: string[] = [];
  readonly #build: BuildPaykit;
  /** What runs in the background, with the clock time it started at. */
  readonly #tasks = new Map<Promise<unknown>, number>();
  #fault: { remaining: number; fault: StoreFault } | undefined;
  #main: Process | undefined;
  #spawned = 0;

  constructor(o: { readonly base: Store; readonly clock: FixedClock; readonly transport: HttpTransport; readonly build: BuildPaykit }) {
    this.base = o.base;
    this.clock = o.clock;
    this.network = new Network(o.transport);
    this.#build = o.build;
  }

  /** Notes an event for the failure message. */
  trace(event: string): void {
    this.events.push(event);
  }

  /** Arms `fault` for the `n`-th commit from now (1 = the next one), replacing any armed fault. */
  arm(n: number, fault: StoreFault): void {
    this.#fault = { remaining: n, fault };
  }

  /** Disarms the store fault. */
  disarm(): void {
    this.#fault = undefined;
  }

  /** The armed fault, when this commit is the one it is armed for. */
  takeFault(): StoreFault | undefined {
    if (!this.#fault) return undefined;
    this.#fault.remaining -= 1;
    if (this.#fault.remaining > 0) return undefined;
    const f = this.#fault.fault;
    this.#fault = undefined;
    return f;
  }

  /** Kills a process (SIGKILL): nothing it does afterwards reaches the store or the network. */
  kill(p: Process): void {
    if (p.dead) return;
    p.dead = true;
    this.crashes += 1;
    this.trace(`process ${p.name} killed`);
  }

  /** A new process: a fresh paykit on the shared store. */
  async spawn(): Promise<Process> {
    this.#spawned += 1;
    const p = new Process(`p${this.#spawned}`);
    p.paykit = await this.#build({ store: new ProcessStore(this, p), transport: new ProcessTransport(this, p), logger: new MerchantLogger(this), clock: this.clock });
    return p;
  }

  /** The application process, restarted when the last one was killed. */
  async main(): Promise<Process> {
    if (!this.#main || this.#main.dead) {
      if (this.#main) this.trace(`restart after ${this.#main.name} was killed`);
      this.#main = await this.spawn();
    }
    return this.#main;
  }

  /**
   * Runs a merchant call on a process (the application's by default). A public operation never
   * throws: a throw or a rejected promise is recorded as a violation. In the background, the call
   * is left running and awaited at the end; otherwise its result is returned, unless its process
   * was killed meanwhile (a crashed process's results are ignored). `then` sees the result of a
   * call whose process lived, in the background too.
   */
  async call<T>(what: string, op: (paykit: Paykit) => PayResultAsync<T>, o: { readonly background?: boolean; readonly process?: Process; readonly then?: (r: PayResult<T>) => void } = {}): Promise<CallOutcome<T>> {
    const p = o.process ?? await this.main();
    const run = (async (): Promise<PayResult<T> | undefined> => {
      try {
        const r = await op(p.paykit);
        this.trace(`${what} on ${p.name}${p.dead ? ' (dead)' : ''} → ${r.isOk() ? `ok ${summary(r.value)}` : `${r.error.kind}: ${r.error.message.slice(0, 160)}`}`);
        if (!p.dead) o.then?.(r);
        return r;
      } catch (e) {
        this.violations.push(`${what} threw instead of returning an error value: ${(e as Error).stack ?? String(e)}`);
        return undefined;
      }
    })();
    if (o.background === true) {
      this.track(run);
      return {};
    }
    const r = await run;
    return p.dead || r === undefined ? {} : { result: r };
  }

  /** Keeps a promise to await before the scenario is checked. */
  track(p: Promise<unknown>): void {
    const kept = p.catch((e: unknown) => this.violations.push(`a background task rejected: ${String(e)}`));
    this.#tasks.set(kept, this.clock.now().getTime());
    void kept.finally(() => this.#tasks.delete(kept));
  }

  /** Awaits everything left running, including what it starts in turn. */
  async drain(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks.keys()]);
  }

  /**
   * Moves the clock forward. The protocol assumes that a call finishes (answered, failed or timed
   * out) well within its lease (`DEFAULT_LEASE_MS`, "well past the slowest provider call"): a
   * call the clock would carry past its lease is let finish first, as it would in real time.
   * Shorter steps overlap calls in flight.
   */
  async advance(ms: number, leaseMs: number): Promise<void> {
    const target = this.clock.now().getTime() + ms;
    for (;;) {
      const old = [...this.#tasks].filter(([, started]) => started + leaseMs <= target).map(([t]) => t);
      if (old.length === 0) break;
      await Promise.allSettled(old);
    }
    this.clock.advance(ms);
  }
}
