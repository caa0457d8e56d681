import { performance } from 'node:perf_hooks';
import {
  context, createNoopMeter, metrics, ProxyTracerProvider, SpanKind, SpanStatusCode, trace,
  type Attributes, type Counter, type Histogram, type Meter, type MeterProvider, type Span, type Tracer, type TracerProvider,
} from '@opentelemetry/api';
import { err, ok, ResultAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError, PaymentErrorKind } from '../errors/payment-error.js';
import { mapOk, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { UncertainChange } from '../ports/unit-of-work.js';
import { ATTR, EVENTS, METRICS, RESOLVE_TOTALS, SCOPE, SPANS } from './names.js';

/**
 * Where paykit sends its traces and metrics. Both default to the global providers registered with
 * `@opentelemetry/api` (by the OpenTelemetry SDK) when `createPaykit` runs; with none registered,
 * paykit records nothing and does no telemetry work per request.
 */
export interface TelemetryOptions {
  /** Tracer provider; the global one when absent (looked up on every call, so one registered later counts too). */
  readonly tracerProvider?: TracerProvider;
  /** Meter provider; the global one when absent (looked up once, when `createPaykit` runs: register the SDK first). */
  readonly meterProvider?: MeterProvider;
  /** How long one store read for the gauges is reused across collections, in ms (default 15 000). */
  readonly gaugeCacheMs?: number;
}

/**
 * Checks `deps.telemetry` before paykit is built: `InvalidConfig` naming the entry that is not a
 * provider (an object with `getTracer` / `getMeter`) or not a whole number of milliseconds.
 */
export function checkTelemetryOptions(options: unknown): PayResult<TelemetryOptions> {
  if (options === undefined) return ok({});
  const bad = (path: string, what: string) => err(PaymentErrors.invalidConfig(`deps.telemetry.${path}: expected ${what}`, { path: `deps.telemetry.${path}` }));
  if (typeof options !== 'object' || options === null) return err(PaymentErrors.invalidConfig('deps.telemetry: expected { tracerProvider?, meterProvider?, gaugeCacheMs? }', { path: 'deps.telemetry' }));
  const o = options as Record<string, unknown>;
  const has = (v: unknown, method: string) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[method] === 'function';
  try {
    if (o.tracerProvider !== undefined && !has(o.tracerProvider, 'getTracer')) return bad('tracerProvider', 'an OpenTelemetry TracerProvider (with getTracer)');
    if (o.meterProvider !== undefined && !has(o.meterProvider, 'getMeter')) return bad('meterProvider', 'an OpenTelemetry MeterProvider (with getMeter)');
    if (o.gaugeCacheMs !== undefined && !(typeof o.gaugeCacheMs === 'number' && Number.isSafeInteger(o.gaugeCacheMs) && o.gaugeCacheMs >= 0)) return bad('gaugeCacheMs', 'a whole number of milliseconds ≥ 0');
  } catch (e) {
    // An object whose getters or proxy traps throw: nothing of it can be read.
    return err(PaymentErrors.invalidConfig('deps.telemetry: could not be read (a getter or proxy threw); pass a plain object { tracerProvider?, meterProvider?, gaugeCacheMs? }', { path: 'deps.telemetry', cause: e }));
  }
  return ok(o as TelemetryOptions);
}

/** The noop tracer provider a `ProxyTracerProvider` delegates to until an SDK registers one. */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();
/** The class of the API's noop meter: a meter provider that hands one out records nothing. */
const NOOP_METER_CLASS = createNoopMeter().constructor;

/** Histogram buckets in seconds: provider calls and notifications take milliseconds to tens of seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** An error kind as `error.type` spells it (`ProviderRejected` → `provider_rejected`). */
const ERROR_TYPES: { readonly [K in PaymentErrorKind]: string } = {
  InvalidRequest: 'invalid_request', InvalidConfig: 'invalid_config', Unsupported: 'unsupported', Signature: 'signature',
  Decode: 'decode', Network: 'network', Timeout: 'timeout', ProviderRejected: 'provider_rejected', OutcomeUnknown: 'outcome_unknown',
  Conflict: 'conflict', NotFound: 'not_found', Internal: 'internal',
};

/** The `error.type` of a paykit error. */
export function errorType(e: PaymentError): string {
  return ERROR_TYPES[e.kind] ?? 'internal';
}

/** What a provider call span and its metrics say about the call. */
export interface ProviderCallInfo {
  /** Plugin id. */
  readonly provider: string;
  /** Instance id. */
  readonly instance: string;
  /** `capability.method`, e.g. `payouts.submit`. */
  readonly operation: string;
  /** The merchant's reference the call is about, when the request names one (spans only). */
  readonly reference?: string;
}

/** What the HTTP requests of one provider call tell it: how many were sent, the last status. */
interface CallFrame {
  attempts: number;
  status: number | undefined;
}

/** The span of one HTTP request (see {@link Telemetry.httpRequest}). */
export interface HttpSpan {
  /** Ends it with the reply's status, or the error when no reply came. */
  finish(status: number | undefined, error?: PaymentError): void;
}

/** Hooks a notification's handling calls as it goes, so its span and metrics can tell the phases apart. */
export interface NotificationProbe {
  /** The instance's plugin, once known. */
  provider(id: string): void;
  /** Runs the verification, marked by an event on the notification's span. */
  verify<T>(run: () => PayResult<T>): PayResult<T>;
  /** Runs the commit, marked by an event; `duplicate` tells whether it found the notification already recorded. */
  commit<T>(run: () => PayResultAsync<T>, duplicate: (value: T) => boolean): PayResultAsync<T>;
}

/**
 * paykit's OpenTelemetry instrumentation, one per paykit: a tracer (looked up per call, so a
 * provider registered after `createPaykit` is used), the instruments, and the helpers the facade
 * calls. Every helper checks {@link Telemetry.active} first: with nothing registered it only runs
 * the work it wraps.
 */
export class Telemetry {
  readonly #explicitTracer: TracerProvider | undefined;
  #provider: TracerProvider | undefined;
  #tracer: Tracer | undefined;
  readonly #frames = new WeakMap<Span, CallFrame>();
  /** The meter (a noop one when no meter provider is registered). */
  readonly meter: Meter;
  /** Whether a meter provider that records was registered when paykit was built. */
  readonly metering: boolean;
  /** How long a gauge snapshot is reused, in ms. */
  readonly gaugeCacheMs: number;
  readonly #notifications: Counter;
  readonly #notificationDuration: Histogram;
  readonly #providerCalls: Counter;
  readonly #providerCallDuration: Histogram;
  readonly #unknownRaised: Counter;
  readonly #unknownSettled: Counter;

  /** Builds the instrumentation from explicit providers or the globally registered ones. */
  constructor(options: TelemetryOptions = {}) {
    this.#explicitTracer = options.tracerProvider;
    this.meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
    this.metering = !(this.meter instanceof NOOP_METER_CLASS);
    this.gaugeCacheMs = options.gaugeCacheMs ?? 15_000;
    const m = this.meter;
    this.#notifications = m.createCounter(METRICS.notifications, { description: 'Provider notifications handled, by outcome (accepted, duplicate, rejected) and reason', unit: '{notification}' });
    this.#notificationDuration = m.createHistogram(METRICS.notificationDuration, { description: 'Time to verify and commit a notification', unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } });
    this.#providerCalls = m.createCounter(METRICS.providerCalls, { description: 'Provider capability calls, by operation and outcome', unit: '{call}' });
    this.#providerCallDuration = m.createHistogram(METRICS.providerCallDuration, { description: 'Provider capability call duration', unit: 's', advice: { explicitBucketBoundaries: DURATION_BUCKETS } });
    this.#unknownRaised = m.createCounter(METRICS.unknownRaised, { description: 'Money operations whose outcome became unknown', unit: '{record}' });
    this.#unknownSettled = m.createCounter(METRICS.unknownSettled, { description: 'Unknown outcomes that ended (settled by the provider\'s word, or needs_attention)', unit: '{record}' });
  }

  /** The tracer, when a tracer provider that records is registered; undefined otherwise. */
  tracer(): Tracer | undefined {
    const provider = this.#explicitTracer ?? trace.getTracerProvider();
    if (provider !== this.#provider || this.#tracer === undefined) {
      this.#provider = provider;
      // The global proxy delegates to a noop provider until an SDK registers one (maybe later).
      const idle = provider instanceof ProxyTracerProvider && provider.getDelegate() === NOOP_TRACER_PROVIDER;
      this.#tracer = idle ? undefined : provider.getTracer(SCOPE);
    }
    return this.#tracer;
  }

  /** Whether anything is recorded: a meter provider or a tracer provider is registered. */
  get active(): boolean {
    return this.metering || this.tracer() !== undefined;
  }

  /**
   * Runs one provider capability call in a `paykit.provider.call` span (HTTP requests it sends
   * nest under it) and counts it. The call's own result is returned unchanged.
   */
  providerCall<T>(info: ProviderCallInfo, run: () => PayResultAsync<T>): PayResultAsync<T> {
    const tracer = this.tracer();
    const start = performance.now();
    let span: Span | undefined;
    let frame: CallFrame | undefined;
    let out: PayResultAsync<T>;
    if (tracer !== undefined) {
      const attributes: Attributes = { [ATTR.provider]: info.provider, [ATTR.instance]: info.instance, [ATTR.operation]: info.operation };
      if (info.reference !== undefined) attributes[ATTR.reference] = info.reference;
      const s = tracer.startSpan(SPANS.providerCall, { kind: SpanKind.CLIENT, attributes });
      span = s;
      frame = { attempts: 0, status: undefined };
      this.#frames.set(s, frame);
      try {
        out = context.with(trace.setSpan(context.active(), s), run);
      } catch (e) {
        endWithThrow(s, e);
        throw e;
      }
    } else {
      out = run();
    }
    if (!(out instanceof ResultAsync)) {
      span?.end();
      return out;
    }
    return new ResultAsync((out as PromiseLike<PayResult<T>> as Promise<PayResult<T>>).then((r) => {
      const e = r.isErr() ? r.error : undefined;
      if (span !== undefined && frame !== undefined) {
        if (frame.status !== undefined) span.setAttribute(ATTR.httpStatus, frame.status);
        if (frame.attempts > 0) span.setAttribute(ATTR.attempt, frame.attempts);
        endWith(span, e);
      }
      if (this.metering) {
        // Two objects: the SDK keeps the attributes it is given, so one must not change after use.
        const attrs: Attributes = { [ATTR.provider]: info.provider, [ATTR.instance]: info.instance, [ATTR.operation]: info.operation, [ATTR.outcome]: e === undefined ? 'ok' : 'error' };
        this.#providerCallDuration.record((performance.now() - start) / 1000, attrs);
        this.#providerCalls.add(1, e === undefined ? attrs : { ...attrs, [ATTR.errorType]: errorType(e) });
      }
      return r;
    }, (thrown: unknown) => {
      if (span !== undefined) endWithThrow(span, thrown);
      throw thrown;
    }));
  }

  /**
   * The span of one HTTP request a plugin sends, under the provider call it belongs to (when a
   * context manager carries it), numbered among that call's requests. `finish` gives the status
   * (or the error) and ends it. Undefined when nothing traces.
   */
  httpRequest(attributes: Attributes): HttpSpan | undefined {
    const tracer = this.tracer();
    if (tracer === undefined) return undefined;
    const parent = trace.getSpan(context.active());
    const frame = parent === undefined ? undefined : this.#frames.get(parent);
    const attempt = frame === undefined ? 1 : (frame.attempts += 1);
    const span = tracer.startSpan(SPANS.http, { kind: SpanKind.CLIENT, attributes: { ...attributes, [ATTR.attempt]: attempt } });
    return {
      finish(status, error) {
        if (status !== undefined) {
          span.setAttribute(ATTR.httpStatus, status);
          if (frame !== undefined) frame.status = status;
          if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
        }
        if (error !== undefined) endWith(span, error);
        else span.end();
      },
    };
  }

  /**
   * Runs the handling of one notification in a `paykit.notification` span (its verification and
   * commit as events of it: one span per notification keeps the SDK's cost low on the busiest
   * path), then counts it by outcome and records its duration.
   */
  notification<T extends { readonly duplicate: boolean; readonly event: { readonly type: string } }>(instanceId: string, handle: (probe: NotificationProbe) => PayResultAsync<T>): PayResultAsync<T> {
    const tracer = this.tracer();
    const start = performance.now();
    let provider: string | undefined;
    const span = tracer?.startSpan(SPANS.notification, { attributes: { [ATTR.instance]: instanceId } });
    const probe: NotificationProbe = {
      provider(id) {
        provider = id;
        span?.setAttribute(ATTR.provider, id);
      },
      verify(run) {
        const r = run();
        span?.addEvent(EVENTS.notificationVerified, r.isOk() ? { [ATTR.outcome]: 'ok' } : { [ATTR.outcome]: 'error', [ATTR.errorType]: errorType(r.error) });
        return r;
      },
      commit(run, duplicate) {
        if (span === undefined) return run();
        return mapOk(run(), (v) => {
          span.addEvent(EVENTS.notificationCommitted, { [ATTR.duplicate]: duplicate(v) });
          return v;
        });
      },
    };
    // Nothing under a notification reads the active context (no provider call happens there): the
    // handling runs without a context switch, and its phases are events of its one span.
    const out = handle(probe);
    return new ResultAsync((out as PromiseLike<PayResult<T>> as Promise<PayResult<T>>).then((r) => {
      const e = r.isErr() ? r.error : undefined;
      const outcome = e !== undefined ? 'rejected' : r.isOk() && r.value.duplicate ? 'duplicate' : 'accepted';
      if (span !== undefined) {
        if (r.isOk()) span.setAttributes({ [ATTR.duplicate]: r.value.duplicate, [ATTR.event]: r.value.event.type });
        endWith(span, e, outcome);
      }
      if (this.metering) {
        const attrs: Attributes = { [ATTR.instance]: instanceId, [ATTR.outcome]: outcome };
        if (provider !== undefined) attrs[ATTR.provider] = provider;
        this.#notificationDuration.record((performance.now() - start) / 1000, attrs);
        this.#notifications.add(1, e === undefined ? attrs : { ...attrs, [ATTR.errorType]: errorType(e) });
      }
      return r;
    }));
  }

  /**
   * Runs `work` in a span named `name` (a resolvePending run or one of its checks); `describe`
   * turns the result into the span's closing attributes.
   */
  inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>, describe: (value: T) => Attributes): Promise<T> {
    const tracer = this.tracer();
    if (tracer === undefined) return work();
    const span = tracer.startSpan(name, { attributes });
    return context.with(trace.setSpan(context.active(), span), work).then((value) => {
      span.setAttributes(describe(value));
      span.end();
      return value;
    }, (thrown: unknown) => {
      endWithThrow(span, thrown);
      throw thrown;
    });
  }

  /** Counts records whose money operation's outcome became unknown, or stopped being unknown. */
  uncertain(changes: readonly UncertainChange[]): void {
    if (!this.metering) return;
    for (const c of changes) {
      const attrs: Attributes = { [ATTR.recordKind]: c.kind, [ATTR.operation]: c.operation };
      if (c.change === 'raised') {
        this.#unknownRaised.add(1, attrs);
      } else {
        if (c.status !== null) attrs[ATTR.recordStatus] = c.status;
        this.#unknownSettled.add(1, attrs);
      }
    }
  }
}

/** The totals of a `resolvePending` run as span attributes (`paykit.resolve.checked`…). */
export function resolveTotalsAttributes(totals: {
  readonly checked: number; readonly settled: number; readonly stillPending: number; readonly failed: number; readonly skipped: number;
  readonly busy: number; readonly needsAttention: number; readonly remaining: number;
}): Attributes {
  const t = RESOLVE_TOTALS;
  return {
    [t.checked]: totals.checked, [t.settled]: totals.settled, [t.stillPending]: totals.stillPending, [t.failed]: totals.failed,
    [t.skipped]: totals.skipped, [t.busy]: totals.busy, [t.needsAttention]: totals.needsAttention, [t.remaining]: totals.remaining,
  };
}

/**
 * Ends a span with its outcome (`ok` or `error` unless given) and the error's type and code; never
 * the error's message, which may name a record or echo what the provider sent.
 */
function endWith(span: Span, e: PaymentError | undefined, outcome?: string): void {
  if (e === undefined) {
    span.setAttribute(ATTR.outcome, outcome ?? 'ok');
  } else {
    span.setAttributes({ [ATTR.outcome]: outcome ?? 'error', [ATTR.errorType]: errorType(e), [ATTR.errorCode]: e.code });
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

function endWithThrow(span: Span, thrown: unknown): void {
  span.setAttributes({ [ATTR.outcome]: 'error', [ATTR.errorType]: thrown instanceof Error ? thrown.name : 'exception' });
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
