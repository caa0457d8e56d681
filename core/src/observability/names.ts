/**
 * The stable names of everything paykit exports through OpenTelemetry: span names, attribute
 * names and metric names. docs/observability.md lists them in one table; dashboards and alerts
 * rely on them, so a name here never changes meaning.
 */

/** Span names. */
export const SPANS = {
  /** One call of a provider capability (`payments.query`, `payouts.submit`…). */
  providerCall: 'paykit.provider.call',
  /** One HTTP request a plugin sent through the transport (child of the provider call). */
  http: 'paykit.http',
  /** One inbound notification: verify, then commit (marked by the {@link EVENTS} below). */
  notification: 'paykit.notification',
  /** One `resolvePending` run. */
  resolvePending: 'paykit.resolve_pending',
  /** One record a `resolvePending` run checked. */
  resolveCheck: 'paykit.resolve_pending.check',
} as const;

/** Span event names. */
export const EVENTS = {
  /** On a notification's span: its bytes were decoded and verified (or not: `paykit.outcome` `error`). */
  notificationVerified: 'paykit.notification.verified',
  /** On a notification's span: it was committed with its effects, or found already recorded. */
  notificationCommitted: 'paykit.notification.committed',
} as const;

/** Attribute names (span and metric attributes). */
export const ATTR = {
  /** The plugin id (`lianlian-web`). */
  provider: 'paykit.provider',
  /** The instance id from config (`shop`). */
  instance: 'paykit.instance',
  /** The operation: a capability call (`payouts.submit`), or the money operation of a record. */
  operation: 'paykit.operation',
  /** What came of it: `ok` or `error` (calls); `accepted`, `duplicate` or `rejected` (notifications). */
  outcome: 'paykit.outcome',
  /** The error's kind in snake case (`timeout`, `signature`, `provider_rejected`…): OpenTelemetry's `error.type`. */
  errorType: 'error.type',
  /** The error's standard code (`outcome_unknown`, `invalid_signature`…), on spans. */
  errorCode: 'paykit.error.code',
  /** The HTTP status of the (last) reply. */
  httpStatus: 'http.response.status_code',
  /** The HTTP method. */
  httpMethod: 'http.request.method',
  /** The provider's host name. */
  serverAddress: 'server.address',
  /** The transport operation name a plugin gave (`lianlian-payout.apply`). */
  httpOperation: 'paykit.http.operation',
  /**
   * Which try: on an HTTP span, its number among the HTTP requests of its provider call (1 first);
   * on a provider call, how many it sent; on a resolve check, the record's check number.
   */
  attempt: 'paykit.attempt',
  /** The merchant's reference (order, refund or payout id), on spans only. */
  reference: 'paykit.reference',
  /** Whether a notification was a redelivery already recorded. */
  duplicate: 'paykit.notification.duplicate',
  /** The type of a notification's event: `payment`, `refund`, `payout`, `preauth`. */
  event: 'paykit.notification.event',
  /** A record kind: `payment`, `refund`, `payout`, `preauth`, or `event` for parked events. */
  recordKind: 'paykit.record.kind',
  /** A record's state for the gauges: `unknown`, `in_flight`, `held_for_review`, `needs_attention`, `parked`. */
  recordState: 'paykit.record.state',
  /** A record's status after an unknown outcome ended (`succeeded`, `needs_attention`…). */
  recordStatus: 'paykit.record.status',
  /** An event consumer's name (parked events). */
  consumer: 'paykit.consumer',
  /** What a resolve check ended with: `settled`, `still_pending`, `failed`, `skipped`, `busy`, `needs_attention`. */
  resolveOutcome: 'paykit.resolve.outcome',
} as const;

/** The attributes a `paykit.resolve_pending` span ends with: the run's totals. */
export const RESOLVE_TOTALS = {
  /** Records checked. */
  checked: 'paykit.resolve.checked',
  /** Now final. */
  settled: 'paykit.resolve.settled',
  /** Still not final (an outcome that stayed unknown included). */
  stillPending: 'paykit.resolve.still_pending',
  /** Whose check failed with an error. */
  failed: 'paykit.resolve.failed',
  /** Whose instance cannot check them. */
  skipped: 'paykit.resolve.skipped',
  /** Another process was settling them. */
  busy: 'paykit.resolve.busy',
  /** In `needs_attention`. */
  needsAttention: 'paykit.resolve.needs_attention',
  /** Left unchecked by `limit`. */
  remaining: 'paykit.resolve.remaining',
} as const;

/** Metric names. */
export const METRICS = {
  /** Counter: notifications handled, by provider, instance, outcome and (rejected) `error.type`. */
  notifications: 'paykit.notifications',
  /** Histogram (s): time to handle a notification, by provider, instance and outcome. */
  notificationDuration: 'paykit.notification.duration',
  /** Counter: provider capability calls, by provider, instance, operation, outcome and `error.type`. */
  providerCalls: 'paykit.provider.calls',
  /** Histogram (s): provider call duration, by provider, instance, operation and outcome. */
  providerCallDuration: 'paykit.provider.call.duration',
  /** Counter: records whose money operation's outcome became unknown, by kind and operation. */
  unknownRaised: 'paykit.unknown_outcomes.raised',
  /** Counter: records whose unknown outcome ended, by kind, operation and the status it ended in. */
  unknownSettled: 'paykit.unknown_outcomes.settled',
  /** Gauge: records by kind and state (read from the store). */
  records: 'paykit.records',
  /** Gauge (s): age of the oldest record by kind and state. */
  recordsOldestAge: 'paykit.records.oldest_age',
  /** Gauge: events parked by a consumer, waiting for a replay. */
  parkedEvents: 'paykit.events.parked',
  /** Gauge (s): age of the oldest parked event, by consumer. */
  parkedOldestAge: 'paykit.events.parked.oldest_age',
} as const;

/** The instrumentation scope name paykit's tracer and meter are created under. */
export const SCOPE = '@paykit/core';
