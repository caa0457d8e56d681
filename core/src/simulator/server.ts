import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as a simulator route sees it. */
export interface SimRequest {
  /** Method. */
  readonly method: string;
  /** Path without query. */
  readonly path: string;
  /** Query parameters. */
  readonly query: URLSearchParams;
  /** Headers (lower-case). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Raw body bytes. */
  readonly body: Buffer;
}

/** A simulator route's reply. */
export interface SimReply {
  /** Status, 200 by default. */
  readonly status?: number;
  /** Headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Body text or bytes. */
  readonly body: string | Uint8Array;
}

/**
 * A fault to inject into the next matching request(s). Faults let tests play the network's and the
 * provider's worst days: slow replies, replies lost after the work was done, 5xx, garbage, bad signatures.
 */
export interface Fault {
  /** Only requests to this path (all paths when absent). */
  readonly path?: string;
  /** How many requests it applies to (1 by default). */
  readonly times?: number;
  /** Wait this long before replying (the work is done first). */
  readonly delayMs?: number;
  /** Do the work, then destroy the socket without replying. */
  readonly dropReply?: boolean;
  /** Reply with this status and a short body instead of the route's reply (the work is not done). */
  readonly status?: number;
  /** Replace the reply body with garbage (the work is done). */
  readonly malformedBody?: boolean;
  /** Do the work, then answer with this body instead of the route's (a provider saying something unexpected). */
  readonly replyBody?: string;
  /** Ask the route to sign its reply wrongly (routes read it from {@link RouteContext.badSignature}). */
  readonly badSignature?: boolean;
}

/** What a route handler gets besides the request. */
export interface RouteContext {
  /** True when a fault asks for a wrongly signed reply. */
  readonly badSignature: boolean;
}

/** A route handler. May throw: the server answers 500 (simulators are test code). */
export type RouteHandler = (req: SimRequest, ctx: RouteContext) => SimReply | Promise<SimReply>;

/** A request the simulator received (for assertions on what the client sent). */
export interface ReceivedRequest extends SimRequest {
  /** When it arrived. */
  readonly at: Date;
}

/**
 * The shared simulator scaffolding: a real HTTP server on 127.0.0.1 (ephemeral port) with a route
 * table, a journal of received requests and fault injection. Provider simulators build on it.
 *
 * @example
 * ```ts
 * const server = await SimulatorServer.start();
 * server.route('POST', '/query', (req) => ({ body: JSON.stringify({ ok: true }) }));
 * server.inject({ path: '/query', dropReply: true });
 * // … drive the client at server.url …
 * await server.close();
 * ```
 */
export class SimulatorServer {
  readonly #server: Server;
  readonly #routes = new Map<string, RouteHandler>();
  readonly #faults: { fault: Fault; remaining: number }[] = [];
  /** Every request received, in order. */
  readonly received: ReceivedRequest[] = [];
  /** Base URL, e.g. `http://127.0.0.1:53124`. */
  readonly url: string;

  private constructor(server: Server, url: string) {
    this.#server = server;
    this.url = url;
  }

  /** Starts a server on 127.0.0.1 with an ephemeral port. */
  static async start(): Promise<SimulatorServer> {
    let self: SimulatorServer | undefined;
    const server = createServer((req, res) => {
      void self?.handle(req, res);
    });
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new SimulatorServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** Adds (or replaces) a route. */
  route(method: string, path: string, handler: RouteHandler): this {
    this.#routes.set(`${method.toUpperCase()} ${path}`, handler);
    return this;
  }

  /** Queues a fault for the next matching request(s). */
  inject(fault: Fault): this {
    this.#faults.push({ fault, remaining: fault.times ?? 1 });
    return this;
  }

  /** Removes every queued fault. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  #takeFault(path: string): Fault | undefined {
    const i = this.#faults.findIndex((f) => f.fault.path === undefined || f.fault.path === path);
    if (i < 0) return undefined;
    const slot = this.#faults[i] as { fault: Fault; remaining: number };
    slot.remaining -= 1;
    if (slot.remaining <= 0) this.#faults.splice(i, 1);
    return slot.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', this.url);
    const simReq: ReceivedRequest = {
      method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers,
      body: Buffer.concat(chunks), at: new Date(),
    };
    this.received.push(simReq);
    const fault = this.#takeFault(url.pathname);
    if (fault?.status !== undefined) {
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(`simulated ${fault.status}`);
      return;
    }
    const handler = this.#routes.get(`${simReq.method} ${url.pathname}`);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no route ${simReq.method} ${url.pathname}`);
      return;
    }
    let reply: SimReply;
    try {
      reply = await handler(simReq, { badSignature: fault?.badSignature === true });
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`simulator error: ${(e as Error).message}`);
      return;
    }
    if (fault?.delayMs !== undefined) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.dropReply === true) {
      req.socket.destroy();
      return;
    }
    const body = fault?.replyBody ?? (fault?.malformedBody === true ? '<<<not what you expected' : reply.body);
    if (res.destroyed) return;
    res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain; charset=utf-8', ...reply.headers });
    res.end(body);
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
