/**
 * Latency under load. One process serves paykit's node:http webhook (LianLian notifications into
 * the store) and, on a second server, an unrelated request (a small JSON reply), as a shop's
 * backend serves its pages beside the notify URL. Another process plays the provider: it posts
 * notifications 1 and then 32 in flight and times each from sending to the acknowledgement. A third
 * process asks for the unrelated request one at a time (1 ms apart) while the 32 are in flight.
 * The serving process watches its own event loop meanwhile (`monitorEventLoopDelay`).
 *
 * PGlite runs on whichever thread opened it and blocks that thread for each statement: the rows
 * measure it on a worker thread (`pgliteWorkerClient`, what openStore opens since it measured the
 * better p99 here) and on the main thread, for reference. The target is on the unrelated request's
 * p99 (under 10 ms) for the stores openStore opens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { atExit, measure, percentile, type Figure, type MeasureOptions } from '@paykit/conformance/bench';
import { ACK } from '../test/processes/notifications.js';
import { DATABASE_LABEL, freshNotifications, loadGenerator, webhookServer, withoutPostgres, type BenchDatabase } from './stores.js';

/** A server in the same process answering an unrelated request; its URL. */
async function unrelatedServer(): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ product: 'tea', price: 4965, stock: 12 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  atExit(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/product`;
}

interface Delivered { readonly acked: number; readonly rejected: number; readonly latencies: readonly number[] }

function latencyRow(kind: BenchDatabase, target: boolean): ReturnType<typeof measure> {
  return measure({
    id: `store-sql.latency.${kind}`,
    name: `notification over HTTP → acknowledged, ${DATABASE_LABEL[kind]}; an unrelated request to the same process meanwhile${target ? '' : ' (for reference: openStore does not open this one)'}`,
    ...(kind === 'postgres' ? { skip: withoutPostgres } : {}),
    run: async (o: MeasureOptions) => {
      const url = await webhookServer(kind);
      const probeUrl = await unrelatedServer();
      const load = loadGenerator();
      const probe = loadGenerator();
      const next = freshNotifications();
      const one = o.quick ? 100 : 300;
      const many = o.quick ? 600 : 2000;
      const deliver = async (count: number, inFlight: number): Promise<readonly number[]> => {
        const r = await load.ask<Delivered>({ url, bodies: next(count), concurrency: inFlight, ack: ACK });
        if (r.acked !== count) throw new Error(`latency bench: ${r.rejected} notifications were not acknowledged`);
        return r.latencies;
      };
      await deliver(many, 32); // warm up: JIT, the database's caches, connections
      const s = { p50one: [] as number[], p99one: [] as number[], p50: [] as number[], p99: [] as number[], probe: [] as number[], loopP99: [] as number[], loopMax: [] as number[], probes: [] as number[] };
      for (let round = 0; round < o.rounds; round += 1) {
        const single = await deliver(one, 1);
        s.p50one.push(percentile(single, 50));
        s.p99one.push(percentile(single, 99));
        const loop = monitorEventLoopDelay({ resolution: 1 });
        await probe.ask({ probe: probeUrl, intervalMs: 1 });
        loop.enable();
        const loaded = await deliver(many, 32);
        loop.disable();
        const { latencies: probed } = await probe.ask<{ latencies: number[] }>({ stop: true });
        s.p50.push(percentile(loaded, 50));
        s.p99.push(percentile(loaded, 99));
        s.probe.push(percentile(probed, 99));
        s.probes.push(probed.length);
        s.loopP99.push(loop.percentile(99) / 1e6);
        s.loopMax.push(loop.max / 1e6);
      }
      const figures: Figure[] = [
        { name: 'ack p50, 1 in flight', unit: 'ms', samples: s.p50one },
        { name: 'ack p99, 1 in flight', unit: 'ms', samples: s.p99one },
        { name: 'ack p50, 32 in flight', unit: 'ms', samples: s.p50 },
        { name: 'ack p99, 32 in flight', unit: 'ms', samples: s.p99 },
        { name: 'unrelated request p99, 32 in flight', unit: 'ms', samples: s.probe, ...(target ? { target: { op: '<' as const, value: 10 } } : {}) },
        { name: 'unrelated requests per round', unit: '', samples: s.probes },
        { name: 'event-loop delay p99, 32 in flight', unit: 'ms', samples: s.loopP99 },
        { name: 'event-loop delay max, 32 in flight', unit: 'ms', samples: s.loopMax },
      ];
      return figures;
    },
  });
}

/** The latency rows. */
export const rows = [
  latencyRow('pglite', true),
  latencyRow('pglite-main-thread', false),
  latencyRow('postgres', true),
];
