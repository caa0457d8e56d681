/**
 * Rule 3 for the merchant-facing functions of `@paykit/webhooks`: input of any shape (a missing
 * options object, a proxy whose traps throw, a number where a request belongs) gives an error value
 * saying what to pass, never a throw or a rejection.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import Fastify from 'fastify';
import { err, ok, okAsync, ResultAsync } from 'neverthrow';
import { MemoryLogger, PaymentErrors, type PaymentError } from '@paykit/core';
import { hostileValues } from '@paykit/conformance';
import {
  fastifyHealth, fastifyReturns, fastifyWebhooks, nodeReturnHandler, processNodeWebhook, returnJson, type ReturnOutcome, type ReturnPaykit, type WebhookPaykit,
} from '../src/index.js';
import { send } from './support.js';

/** Every argument list with one hostile value, the other arguments from `plain()` (made fresh per call). */
function* hostileArguments(plain: () => unknown[]): Generator<{ readonly args: unknown[]; readonly at: number }> {
  const arity = plain().length;
  for (let at = 0; at < arity; at += 1) {
    for (const v of hostileValues()) yield { args: plain().map((p, i) => (i === at ? v : p)), at };
  }
}

const paykit: WebhookPaykit & ReturnPaykit = {
  notifications: {
    handle: () => okAsync({ reply: { status: 200, headers: {}, body: 'ok' } }) as never,
    rejection: () => ({ status: 400, headers: {}, body: 'no' }),
  },
  payments: { handleReturn: () => okAsync({}) as never },
  capabilities: () => ok(['notifications', 'payments']),
  logger: new MemoryLogger(),
};

/** A POST notification request as node:http hands it over. */
const nodeRequest = () => Object.assign(Readable.from([Buffer.from('{}')]), { method: 'POST', url: '/paykit/notify/shop', headers: {} });

describe('@paykit/webhooks given input of the wrong shape', function () {
  context('processNodeWebhook', function () {
    it('never throws or rejects, and answers a bad request or options with a typed 500 rejection', async function () {
      for (const { args, at } of hostileArguments(() => [paykit, nodeRequest(), { instanceFromPath: true }])) {
        let out: unknown;
        expect(() => { out = processNodeWebhook(...(args as Parameters<typeof processNodeWebhook>)); }, `argument ${at + 1}`).not.to.throw();
        expect(out, `argument ${at + 1}`).to.be.instanceOf(ResultAsync);
        const settled = await (out as ResultAsync<unknown, { reason: string; error: PaymentError; reply: { status: number } }>);
        expect(settled.isErr(), `argument ${at + 1} hostile gives an Err`).to.equal(true);
        if (at === 0 || settled.isOk()) continue;
        expect(settled.error.reply.status).to.equal(500);
        expect(settled.error.error.kind).to.equal(at === 1 ? 'InvalidRequest' : 'InvalidConfig');
        expect(settled.error.error.message).to.match(at === 1 ? /IncomingMessage/ : /instanceId, instanceFromPath: true or resolveInstance/);
      }
    });
  });

  context('fastifyHealth', function () {
    it('fails registration with InvalidConfig when given no options or no path', async function () {
      for (const options of [undefined, ...hostileValues(), {}, { path: 'healthz' }]) {
        let made: unknown;
        expect(() => { made = fastifyHealth(paykit as never, options as never); }, String(typeof options)).not.to.throw();
        const app = Fastify();
        const refused: unknown = await app.register(made as never).ready().then(() => 'registered', (e: unknown) => e);
        await app.close().catch(() => undefined);
        expect(refused).to.include({ kind: 'InvalidConfig', code: 'invalid_config' });
        expect((refused as PaymentError).message).to.match(/^fastifyHealth takes options \{ path/);
      }
    });
  });

  context('webhook route limits', function () {
    it('refuses a body limit or a handling deadline that is not a whole number in range, instead of lifting the limit or refusing every notification', async function () {
      const bad = [{ maxBodyBytes: Number.NaN }, { maxBodyBytes: 0 }, { maxBodyBytes: 1.5 }, { handleTimeoutMs: Number.NaN }, { handleTimeoutMs: Number.POSITIVE_INFINITY }, { handleTimeoutMs: 2 ** 31 }, { handleTimeoutMs: '5000' }];
      for (const limits of bad) {
        const app = Fastify();
        const refused: unknown = await app.register(fastifyWebhooks(paykit, { path: '/n', instanceId: 'shop', ...limits } as never)).ready().then(() => 'registered', (e: unknown) => e);
        await app.close().catch(() => undefined);
        expect(refused, JSON.stringify(limits)).to.include({ kind: 'InvalidConfig' });
        expect((refused as PaymentError).path).to.equal(`options.${Object.keys(limits)[0]}`);
      }
      const app = Fastify();
      await app.register(fastifyWebhooks(paykit, { path: '/n', instanceId: 'shop', maxBodyBytes: 65_536, handleTimeoutMs: 5000 })).ready();
      await app.close();
    });
  });

  for (const [name, plugin] of [['fastifyWebhooks', fastifyWebhooks], ['fastifyReturns', fastifyReturns]] as const) {
    context(name, function () {
      it('fails registration with InvalidConfig when given no options or options of the wrong shape', async function () {
        for (const options of [undefined, ...hostileValues(), { instanceFromPath: true }, { path: '/n', maxBodyBytes: 10 }]) {
          let made: unknown;
          expect(() => { made = plugin(paykit, options as never); }, String(typeof options)).not.to.throw();
          const app = Fastify();
          const ready = app.register(made as never).ready();
          const refused: unknown = await ready.then(() => 'registered', (e: unknown) => e);
          await app.close().catch(() => undefined);
          expect(refused).to.include({ kind: 'InvalidConfig', code: 'invalid_config' });
          expect((refused as PaymentError).message).to.match(new RegExp(`^${name} takes options \\{ path, and instanceId`));
        }
      });

      it('still registers its route with well-formed options', async function () {
        const app = Fastify();
        await app.register(plugin(paykit, { path: '/paykit/:instance', instanceFromPath: true })).ready();
        expect(app.hasRoute({ method: 'POST', url: '/paykit/:instance' })).to.equal(true);
        await app.close();
      });
    });
  }

  context('nodeReturnHandler given options of the wrong shape', function () {
    it('answers each return 500 with an InvalidConfig saying what to pass, and never rejects', async function () {
      for (const options of [undefined, ...hostileValues()]) {
        const handler = nodeReturnHandler(paykit, options as never);
        const outcomes: ReturnOutcome[] = [];
        const server = createServer((req, res) => { void handler(req, res).then((outcome) => outcomes.push(outcome)); });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const reply = await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/paykit/return/shop`, '', { method: 'GET' });
        await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
        expect(reply.status).to.equal(500);
        expect(JSON.parse(reply.body).error).to.include({ kind: 'InvalidConfig' });
        expect(outcomes[0]?.isErr() && outcomes[0].error.reason).to.equal('internal');
      }
    });
  });

  context('returnJson', function () {
    it('answers anything but a route outcome with a 500 JSON reply naming InvalidRequest', function () {
      const notOutcomes = [...hostileValues(), ...hostileValues().map((v) => ok(v)), ...hostileValues().map((v) => err(v))];
      const expected = { error: { kind: 'InvalidRequest', code: 'invalid_request', message: 'returnJson takes the outcome a return route hands its render callback' } };
      notOutcomes.forEach((outcome, i) => {
        let reply: { status: number; body: string } | undefined;
        expect(() => { reply = returnJson(outcome as never); }, `value ${i}`).not.to.throw();
        expect(reply?.status, `value ${i}`).to.equal(500);
        expect(JSON.parse(reply?.body ?? ''), `value ${i}`).to.deep.equal(expected);
      });
    });

    it('still answers a route outcome as before', function () {
      const reply = returnJson(err({ reason: 'unknown-instance', error: PaymentErrors.notFound('no paykit instance "x"') }));
      expect(reply.status).to.equal(404);
      expect(JSON.parse(reply.body)).to.deep.equal({ error: { kind: 'NotFound', code: 'not_found', message: 'no paykit instance "x"' } });
    });
  });
});
