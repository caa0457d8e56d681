import { err, errAsync, ok, okAsync } from 'neverthrow';
import { PaymentErrors } from '../errors/constructors.js';
import type { PaymentError } from '../errors/payment-error.js';
import { guard, guardAsync, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { Clock } from '../ports/clock.js';
import type { PaykitEvent } from '../ports/event-log.js';
import type { Secret } from '../ports/secret.js';
import type { Store } from '../ports/store.js';
import type { HttpTransport } from '../ports/transport.js';
import { constantTimeEqual, hmac } from '../signing/digest.js';
import { commitValue, type ProtocolContext } from '../protocol/commit.js';
import type { EventHandler } from './events.js';

/** The header an outgoing paykit webhook carries its signature in. */
export const PAYKIT_SIGNATURE_HEADER = 'paykit-signature';

/** The text a webhook signature covers: the timestamp, a dot, and the exact body. */
function signedPayload(timestamp: number, rawBody: string | Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody)]);
}

/**
 * Signs a webhook body: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`.
 * What paykit sends in {@link PAYKIT_SIGNATURE_HEADER}; use it to sign payloads in your own tests.
 *
 * @example
 * ```ts
 * const header = signPaykitWebhook(body, process.env.PAYKIT_WEBHOOK_SECRET!, Math.floor(Date.now() / 1000));
 * ```
 */
export function signPaykitWebhook(rawBody: string | Uint8Array, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmac('sha256', secret, signedPayload(timestamp, rawBody)).toString('hex')}`;
}

/** Options of {@link verifyPaykitWebhook}. */
export interface VerifyWebhookOptions {
  /** How far (seconds) the signature's timestamp may be from now, either way (default 300). */
  readonly toleranceSeconds?: number;
  /** What "now" is (default the system clock). */
  readonly now?: Date;
}

/**
 * Verifies a webhook paykit sent to your endpoint and returns its event: the raw body exactly as
 * received (before any JSON parsing), the {@link PAYKIT_SIGNATURE_HEADER} header, and your
 * endpoint's secret. Refuses a bad or missing signature, and a timestamp outside the tolerance (a
 * replay), with a `Signature` error saying what to fix. Compares in constant time; several `v1=`
 * entries are each tried. To rotate a secret, pass both (`[newSecret, oldSecret]`) while paykit's
 * config moves to the new one, then the new one alone.
 *
 * @example
 * ```ts
 * app.post('/paykit-events', express.raw({ type: 'application/json' }), (req, res) => {
 *   const event = verifyPaykitWebhook(req.body, req.header('paykit-signature') ?? '', secret);
 *   if (event.isErr()) return res.status(400).send(event.error.message);
 *   // event.value.id is the idempotency key
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyPaykitWebhook(rawBody: string | Uint8Array, signatureHeader: string, secret: string | readonly string[], options: VerifyWebhookOptions = {}): PayResult<PaykitEvent> {
  return guard('verifyPaykitWebhook', () => {
    if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
      return err(PaymentErrors.invalidRequest('pass the raw request body (a string or Buffer exactly as received), not a parsed object', { path: 'rawBody' }));
    }
    const secrets = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? [...(secret as readonly unknown[])] : [];
    if (secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s === '')) {
      return err(PaymentErrors.invalidConfig('pass the endpoint\'s webhook secret (or, while rotating it, an array of the new and the old)', { path: 'secret' }));
    }
    if (typeof signatureHeader !== 'string' || signatureHeader === '') {
      return err(PaymentErrors.signature(`no ${PAYKIT_SIGNATURE_HEADER} header: pass the header's value`));
    }
    const parts = signatureHeader.split(',').map((p) => p.trim().split('='));
    const t = parts.find(([k]) => k === 't')?.[1];
    const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
    const timestamp = t !== undefined && /^\d{1,12}$/.test(t) ? Number(t) : Number.NaN;
    if (Number.isNaN(timestamp) || signatures.length === 0) {
      return err(PaymentErrors.signature(`${PAYKIT_SIGNATURE_HEADER} must read "t=<unix seconds>,v1=<hex>"`));
    }
    const tolerance = options.toleranceSeconds ?? 300;
    if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
      return err(PaymentErrors.invalidConfig('toleranceSeconds must be a number of seconds, 0 or more (300 by default)', { path: 'toleranceSeconds' }));
    }
    if (options.now !== undefined && !(options.now instanceof Date && Number.isFinite(options.now.getTime()))) {
      return err(PaymentErrors.invalidConfig('now must be a valid Date (leave it out to use the current time)', { path: 'now' }));
    }
    const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
    if (Math.abs(now - timestamp) > tolerance) {
      return err(PaymentErrors.signature(`the webhook was signed ${now - timestamp} s ago, outside the ${tolerance} s tolerance: a replay, or a clock to fix`));
    }
    const payload = signedPayload(timestamp, rawBody);
    const expected = (secrets as string[]).map((k) => hmac('sha256', k, payload).toString('hex'));
    if (!signatures.some((s) => expected.some((x) => constantTimeEqual(s, x)))) {
      return err(PaymentErrors.signature('webhook signature does not match: check the endpoint secret, and pass the raw body exactly as received'));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8'));
    } catch {
      return err(PaymentErrors.decode('webhook body is not JSON'));
    }
    const e = parsed as PaykitEvent & { occurredAt: string };
    if (typeof e !== 'object' || e === null || typeof e.id !== 'number' || typeof e.type !== 'string') return err(PaymentErrors.decode('webhook body is not a paykit event'));
    return ok({ ...e, occurredAt: new Date(e.occurredAt) });
  });
}

/** One outgoing webhook endpoint. */
export interface WebhookEndpoint {
  /** A name: the consumer is `webhook:<name>`, and the delivery log is kept under it. */
  readonly name: string;
  /** The https URL (http only for localhost) that receives the events. */
  readonly url: string;
  /** The signing secret, shared with the endpoint. */
  readonly secret: Secret;
  /** Only these event types (default all). */
  readonly types?: readonly string[];
  /** Per-request timeout, ms (default 10 000). */
  readonly timeoutMs?: number;
}

/** One attempt of a delivery, as the log keeps it. */
export interface DeliveryAttempt {
  /** When it was sent. */
  readonly at: Date;
  /** The HTTP status, when the endpoint answered. */
  readonly status?: number;
  /** Why it failed, when it did. */
  readonly error?: string;
}

/** The delivery log of one event to one endpoint (store kind `delivery`). */
export interface WebhookDelivery {
  /** The endpoint. */
  readonly endpoint: string;
  /** The event id. */
  readonly eventId: number;
  /** The event type. */
  readonly type: string;
  /** `delivered` once a 2xx came back, `failing` until then. */
  readonly status: 'delivered' | 'failing';
  /** Every attempt, oldest first. */
  readonly attempts: readonly DeliveryAttempt[];
}

/** Appends an attempt to the delivery log. */
function logAttempt(ctx: ProtocolContext, endpoint: string, event: PaykitEvent, attempt: DeliveryAttempt, delivered: boolean): PayResultAsync<unknown> {
  const id = `${endpoint}:${event.id}`;
  return commitValue(ctx, (tx: Store) => tx.get<WebhookDelivery>('delivery', id).andThen((cur) => {
    const next: WebhookDelivery = {
      endpoint, eventId: event.id, type: event.type, status: delivered ? 'delivered' : 'failing', attempts: [...(cur?.value.attempts ?? []), attempt].slice(-50),
    };
    return cur ? tx.update('delivery', id, cur.version, next) : tx.insert('delivery', id, next);
  }), { attempts: 8 });
}

/**
 * The handler that delivers events to an endpoint: a signed JSON POST per event, a 2xx is success,
 * anything else a failure (retried with backoff, then parked, by the subscription), each attempt
 * logged. Run it with `paykit.events.subscribe(\`webhook:${endpoint.name}\`, handler, { types })`,
 * or configure `webhooks` and call `paykit.webhooks.start()`.
 */
export function webhookHandler(ctx: ProtocolContext & { readonly clock: Clock }, transport: HttpTransport, endpoint: WebhookEndpoint): EventHandler {
  return (event: PaykitEvent) => guardAsync('webhook delivery', () => {
    const body = JSON.stringify(event);
    const at = ctx.clock.now();
    const signature = signPaykitWebhook(body, endpoint.secret.reveal(), Math.floor(at.getTime() / 1000));
    return transport.send(
      { method: 'POST', url: endpoint.url, headers: { 'content-type': 'application/json; charset=utf-8', [PAYKIT_SIGNATURE_HEADER]: signature, 'paykit-event-id': String(event.id) }, body },
      { timeoutMs: endpoint.timeoutMs ?? 10_000, kind: 'query', operation: `webhook.${endpoint.name}` },
    ).andThen((res) => {
      const delivered = res.status >= 200 && res.status < 300;
      return logAttempt(ctx, endpoint.name, event, { at, status: res.status }, delivered).andThen(() => (delivered ? okAsync(undefined)
        : errAsync<void, PaymentError>(PaymentErrors.providerRejected(`webhook ${endpoint.name} answered HTTP ${res.status}`, { retryable: true }))));
    }).orElse((e) => (e.kind === 'ProviderRejected' && / answered HTTP /.test(e.message) ? errAsync(e)
      : logAttempt(ctx, endpoint.name, event, { at, error: e.message }, false).andThen(() => errAsync(e))));
  });
}
