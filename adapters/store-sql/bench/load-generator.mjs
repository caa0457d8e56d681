// The provider side of the store-sql bench rows, in a process of its own (as a real provider is).
// Plain JavaScript so it starts without a compiler. Two jobs, by IPC message:
//   {url, bodies, concurrency, ack}  POSTs every body with keep-alive, `concurrency` in flight;
//                                    answers {acked, rejected, ms, latencies} (ms per delivery,
//                                    from sending to the acknowledgement's last byte).
//   {probe, intervalMs}              GETs `probe` one at a time, pausing intervalMs between them,
//                                    until {stop}; answers {latencies}.
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function send(url, method, body) {
  return new Promise((resolve) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body) };
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => resolve(''));
    });
    req.on('error', () => resolve(''));
    req.end(body);
  });
}

let probing;

process.on('message', async (m) => {
  if (m.stop) {
    const latencies = await probing;
    probing = undefined;
    process.send({ latencies });
    return;
  }
  if (m.probe) {
    let stopped = false;
    process.once('message', (next) => { if (next.stop) stopped = true; });
    probing = (async () => {
      const latencies = [];
      while (!stopped) {
        const t = performance.now();
        await send(m.probe, 'GET');
        latencies.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, m.intervalMs));
      }
      return latencies;
    })();
    process.send({ probing: true });
    return;
  }
  const { url, bodies, concurrency, ack } = m;
  const latencies = [];
  const start = performance.now();
  let next = 0;
  let acked = 0;
  let rejected = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const body = bodies[next];
      next += 1;
      const t = performance.now();
      const reply = await send(url, 'POST', body);
      latencies.push(performance.now() - t);
      if (reply === ack) acked += 1;
      else rejected += 1;
    }
  }));
  process.send({ acked, rejected, ms: performance.now() - start, latencies });
});
