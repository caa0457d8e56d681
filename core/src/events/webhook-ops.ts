import { err, ok } from 'neverthrow';
import type { PaykitContext } from '../container/paykit.js';
import { PaymentErrors } from '../errors/constructors.js';
import { guard, guardAsync, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { HttpTransport } from '../ports/transport.js';
import { Secret } from '../ports/secret.js';
import type { EventOps, SubscribeOptions, Subscription } from './events.js';
import { webhookHandler, type WebhookDelivery, type WebhookEndpoint } from './webhooks.js';

/** A configured endpoint as `paykit.webhooks` runs it. */
export interface ConfiguredEndpoint extends WebhookEndpoint {
  /** Tries of one event before it is parked. */
  readonly maxAttempts?: number;
}

/**
 * Checks and builds the endpoints of the config's `webhooks` section (references resolved): an
 * https URL (http only for a loopback host) and a secret of at least 16 characters.
 */
export function endpointsOf(section: unknown): PayResult<readonly ConfiguredEndpoint[]> {
  return guard('webhooks config', () => {
    if (section === undefined) return ok([]);
    const endpoints = (section as { endpoints: Record<string, { url: string; secret: string; types?: string[]; timeoutMs?: number; maxAttempts?: number }> }).endpoints;
    const out: ConfiguredEndpoint[] = [];
    for (const [name, e] of Object.entries(endpoints)) {
      const path = `config.webhooks.endpoints.${name}`;
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/.test(name)) return err(PaymentErrors.invalidConfig(`${path}: an endpoint name is 1-48 letters, digits, ".", "_" or "-"`, { path }));
      let url: URL;
      try {
        url = new URL(e.url);
      } catch {
        return err(PaymentErrors.invalidConfig(`${path}.url: not a URL`, { path: `${path}.url` }));
      }
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
        return err(PaymentErrors.invalidConfig(`${path}.url: use https (plain http only for 127.0.0.1 or localhost): events carry order data`, { path: `${path}.url` }));
      }
      if (e.secret.length < 16) return err(PaymentErrors.invalidConfig(`${path}.secret: at least 16 characters (e.g. "env:PAYKIT_WEBHOOK_SECRET" holding \`openssl rand -hex 32\`)`, { path: `${path}.secret` }));
      if (url.username !== '' || url.password !== '') {
        return err(PaymentErrors.invalidConfig(`${path}.url: no user or password in the URL (the transport refuses them): the signature authenticates paykit`, { path: `${path}.url` }));
      }
      if (e.maxAttempts !== undefined && (!Number.isSafeInteger(e.maxAttempts) || e.maxAttempts < 1)) return err(PaymentErrors.invalidConfig(`${path}.maxAttempts: a whole number ≥ 1`, { path: `${path}.maxAttempts` }));
      if (e.timeoutMs !== undefined && (!Number.isSafeInteger(e.timeoutMs) || e.timeoutMs < 1 || e.timeoutMs > 120_000)) {
        return err(PaymentErrors.invalidConfig(`${path}.timeoutMs: a whole number of milliseconds from 1 to 120 000`, { path: `${path}.timeoutMs` }));
      }
      out.push({
        name, url: e.url, secret: new Secret(e.secret),
        ...(e.types !== undefined ? { types: e.types } : {}), ...(e.timeoutMs !== undefined ? { timeoutMs: e.timeoutMs } : {}), ...(e.maxAttempts !== undefined ? { maxAttempts: e.maxAttempts } : {}),
      });
    }
    return ok(out);
  });
}

/** Outgoing webhooks of the config's `webhooks` section. */
export class WebhookOps {
  readonly #ctx: PaykitContext;
  readonly #events: EventOps;
  readonly #transport: HttpTransport;
  readonly #endpoints: readonly ConfiguredEndpoint[];

  /** @internal */
  constructor(ctx: PaykitContext, events: EventOps, transport: HttpTransport, endpoints: readonly ConfiguredEndpoint[]) {
    this.#ctx = ctx;
    this.#events = events;
    this.#transport = transport;
    this.#endpoints = endpoints;
  }

  /** The configured endpoints' names and URLs (secrets never leave). */
  endpoints(): readonly { readonly name: string; readonly url: string; readonly types?: readonly string[] }[] {
    return this.#endpoints.map((e) => ({ name: e.name, url: e.url, ...(e.types ? { types: e.types } : {}) }));
  }

  /**
   * Starts delivering events to every configured endpoint: one subscription per endpoint, consumer
   * `webhook:<name>`, so delivery is at least once, in order, retried with backoff and parked like
   * any consumer's. Stop each returned subscription on shutdown.
   *
   * @example
   * ```ts
   * const subs = paykit.webhooks.start();
   * if (subs.isOk()) process.once('SIGTERM', () => void Promise.all(subs.value.map((s) => s.stop())));
   * ```
   */
  start(options: Omit<SubscribeOptions, 'types' | 'maxAttempts'> = {}): PayResult<readonly Subscription[]> {
    const subs: Subscription[] = [];
    for (const e of this.#endpoints) {
      const sub = this.#events.subscribe(`webhook:${e.name}`, webhookHandler(this.#ctx, this.#transport, e), {
        ...options, ...(e.types ? { types: e.types } : {}), ...(e.maxAttempts ? { maxAttempts: e.maxAttempts } : {}),
      });
      if (sub.isErr()) {
        for (const s of subs) void s.stop();
        return err(sub.error);
      }
      subs.push(sub.value);
    }
    return ok(subs);
  }

  /** The delivery log of one event to one endpoint: every attempt, its HTTP status or error. */
  delivery(endpoint: string, eventId: number): PayResultAsync<WebhookDelivery | undefined> {
    return guardAsync('webhooks.delivery', () => this.#ctx.store.get<WebhookDelivery>('delivery', `${endpoint}:${eventId}`).map((r) => r?.value));
  }
}
