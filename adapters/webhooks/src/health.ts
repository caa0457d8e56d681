import type { IncomingMessage, ServerResponse } from 'node:http';
import { PaymentErrors, type HealthOptions, type HealthReport, type HttpReply, type PayResultAsync } from '@paykit/core';
import { writeNodeReply } from './shared/node-io.js';
import { plainReply } from './shared/replies.js';

/** The part of a `Paykit` the readiness endpoints use (a whole `Paykit` fits). */
export interface HealthPaykit {
  /** The readiness check. */
  health(options?: HealthOptions): PayResultAsync<HealthReport>;
}

/** Options of the readiness endpoints. */
export interface HealthEndpointOptions {
  /** How long the store may take to answer, in ms (default 2 000). */
  readonly timeoutMs?: number;
}

/**
 * The readiness reply: 200 with the report as JSON when paykit is ready, 503 otherwise (so a load
 * balancer or Kubernetes stops sending it traffic). Only GET and HEAD (405 otherwise). Never throws.
 */
export async function healthReply(paykit: HealthPaykit, method: string, options: HealthEndpointOptions = {}): Promise<HttpReply> {
  if (method !== 'GET' && method !== 'HEAD') return plainReply(405, 'the readiness endpoint answers GET and HEAD', { allow: 'GET, HEAD' });
  try {
    const checked = await paykit.health(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
    if (checked.isErr()) return plainReply(503, 'paykit could not check its readiness');
    const report = checked.value;
    return {
      status: report.ready ? 200 : 503,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: JSON.stringify({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks }),
    };
  } catch {
    return plainReply(503, 'paykit could not check its readiness');
  }
}

/** A `node:http` (and Express) request listener answering the readiness check. */
export type NodeHealthHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * A `node:http` handler for readiness, to serve on the path you choose: 200 and the report as
 * JSON when the store answers, its schema is current and instances are configured; 503 otherwise.
 *
 * @example
 * ```ts
 * const health = nodeHealthHandler(paykit);
 * const notify = nodeWebhookHandler(paykit, { instanceFromPath: true });
 * createServer((req, res) => (req.url === '/healthz' ? health(req, res) : notify(req, res))).listen(8080);
 * ```
 */
export function nodeHealthHandler(paykit: HealthPaykit, options: HealthEndpointOptions = {}): NodeHealthHandler {
  return async (req, res) => {
    const reply = await healthReply(paykit, (req.method ?? '').toUpperCase(), options);
    if ((req.method ?? '').toUpperCase() === 'HEAD') {
      writeNodeReply(res, { ...reply, body: '' });
      return;
    }
    writeNodeReply(res, reply);
  };
}

/**
 * The readiness check as an Express handler (Express 4 or 5), mounted on the path you choose.
 *
 * @example
 * ```ts
 * app.get('/healthz', expressHealth(paykit));
 * ```
 */
export function expressHealth(paykit: HealthPaykit, options: HealthEndpointOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const handler = nodeHealthHandler(paykit, options);
  return (req, res) => {
    void handler(req, res);
  };
}

/** The part of a `FastifyInstance` the readiness plugin uses (a `FastifyInstance` fits). */
export interface FastifyHealthInstanceLike {
  /** Routes GET (and HEAD) of a path to a handler. */
  get(path: string, handler: (request: { readonly method: string }, reply: FastifyHealthReplyLike) => Promise<unknown>): void;
}

/** The Fastify reply as the readiness route writes it (a `FastifyReply` fits). */
export interface FastifyHealthReplyLike {
  /** Sets the status code. */
  code(statusCode: number): FastifyHealthReplyLike;
  /** Sets headers. */
  headers(values: Record<string, string>): FastifyHealthReplyLike;
  /** Sends the body. */
  send(payload: string): FastifyHealthReplyLike;
}

/**
 * A Fastify 5 plugin serving the readiness check at `path` (GET; Fastify answers HEAD from it).
 *
 * @example
 * ```ts
 * await app.register(fastifyHealth(paykit, { path: '/healthz' }));
 * ```
 */
export function fastifyHealth(paykit: HealthPaykit, options: HealthEndpointOptions & { readonly path: string }): (app: FastifyHealthInstanceLike) => Promise<void> {
  let path: unknown;
  try {
    path = typeof options === 'object' && options !== null ? options.path : undefined;
  } catch {
    // Refused below like any other options of the wrong shape.
  }
  if (typeof path !== 'string' || !path.startsWith('/')) {
    const refused = PaymentErrors.invalidConfig('fastifyHealth takes options { path: "/healthz", and the health options }', { path: 'options.path' });
    return () => Promise.reject(refused);
  }
  return async (app) => {
    app.get(options.path, async (request, reply) => {
      const r = await healthReply(paykit, request.method.toUpperCase(), options);
      return reply.code(r.status).headers(r.headers).send(r.body);
    });
  };
}
