// The provider side of the ingest bench, in its own process (as a real provider is): receives
// {url, bodies, concurrency} over IPC, POSTs every body with keep-alive, `concurrency` in flight,
// and answers {acked, rejected, ms}. Plain JavaScript so it starts without a compiler.
import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function post(url, body) {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json;charset=UTF-8', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', () => resolve(''));
    });
    req.on('error', () => resolve(''));
    req.end(body);
  });
}

process.on('message', async ({ url, bodies, concurrency, ack }) => {
  const start = performance.now();
  let next = 0;
  let acked = 0;
  let rejected = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < bodies.length) {
      const body = bodies[next];
      next += 1;
      if ((await post(url, body)) === ack) acked += 1;
      else rejected += 1;
    }
  }));
  process.send({ acked, rejected, ms: performance.now() - start });
});
