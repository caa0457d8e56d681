import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errAsync, ResultAsync } from 'neverthrow';
import { guardAsync, PaymentErrors, type PayResultAsync } from '@paykit/core';
import { nodeHealthHandler, type HealthPaykit } from './health.js';
import { nodeWebhookHandler } from './node.js';
import { optionsError } from './shared/options.js';
import type { WebhookOptions, WebhookPaykit } from './shared/types.js';

/** Where {@link listenForNotifications} listens. */
export type ListenOptions = WebhookOptions & {
  /** Port; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface; `127.0.0.1` by default (put a TLS-terminating proxy in front in production). */
  readonly host?: string;
  /**
   * A path (e.g. `/healthz`) answered with paykit's readiness check (GET, HEAD) instead of being
   * taken for a notification: 200 when ready, 503 otherwise. Needs a paykit with `health()`.
   */
  readonly healthPath?: string;
};

/** A running notification server. */
export interface WebhookServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`; append the notify path given to the provider. */
  readonly url: string;
  /** Stops accepting requests, ends open connections and resolves once closed. */
  close(): Promise<void>;
}

/**
 * The quick start: a `node:http` server that serves {@link nodeWebhookHandler} on every path.
 * `InvalidConfig` when it cannot listen (port in use, bad host).
 *
 * @example
 * ```ts
 * const server = await listenForNotifications(paykit, { instanceFromPath: true, port: 8080 });
 * if (server.isOk()) console.log(`notify URL: ${server.value.url}/paykit/notify/shop`);
 * ```
 */
export function listenForNotifications(paykit: WebhookPaykit & Partial<HealthPaykit>, options: ListenOptions): PayResultAsync<WebhookServer> {
  return guardAsync('listenForNotifications', () => {
    const usage = 'listenForNotifications takes options: { instanceId, instanceFromPath: true or resolveInstance; host?, port?, healthPath?, maxBodyBytes?, handleTimeoutMs? }';
    if (typeof options !== 'object' || options === null) return errAsync(PaymentErrors.invalidConfig(usage, { path: 'options' }));
    // Checked before listening: a server that would answer every notification 500 must not start.
    const invalid = optionsError(usage, options);
    if (invalid !== undefined) return errAsync(invalid);
    if (options.port !== undefined && !(Number.isSafeInteger(options.port) && options.port >= 0 && options.port <= 65535)) {
      return errAsync(PaymentErrors.invalidConfig(`options.port: a whole number from 0 to 65535, got ${String(options.port).slice(0, 20)}`, { path: 'options.port' }));
    }
    if (options.healthPath !== undefined && (typeof options.healthPath !== 'string' || !options.healthPath.startsWith('/'))) {
      return errAsync(PaymentErrors.invalidConfig('options.healthPath: a path such as "/healthz"', { path: 'options.healthPath' }));
    }
    if (options.healthPath !== undefined && typeof paykit.health !== 'function') {
      return errAsync(PaymentErrors.invalidConfig('options.healthPath needs a paykit with health(): pass the paykit createPaykit made', { path: 'options.healthPath' }));
    }
    return listen(paykit, options);
  });
}

function listen(paykit: WebhookPaykit & Partial<HealthPaykit>, options: ListenOptions): PayResultAsync<WebhookServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const listening = new Promise<WebhookServer>((resolve, reject) => {
    const notify = nodeWebhookHandler(paykit, options);
    const health = options.healthPath !== undefined && typeof paykit.health === 'function' ? nodeHealthHandler(paykit as HealthPaykit) : undefined;
    const server = createServer(health === undefined ? notify : (req, res) => {
      if ((req.url ?? '').split('?')[0] === options.healthPath) void health(req, res);
      else void notify(req, res);
    });
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${shownHost}:${address.port}`,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
  return ResultAsync.fromPromise(listening, (e) => PaymentErrors.invalidConfig(
    `cannot listen for notifications on ${host}:${port} (${e instanceof Error ? e.message : String(e)}): choose a free port or another host`,
    { path: 'port' },
  ));
}
