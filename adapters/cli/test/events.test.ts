import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { expect } from 'chai';
import { createPaykit, type Paykit } from '@paykit/core';
import { examplePlugin } from '@paykit/provider-example';
import { openStore } from '@paykit/store-sql';
import { PROVIDERS, runCli } from '../src/index.js';
import { MemoryIo, tempDir } from './fixtures/memory-io.js';

const MERCHANT = 'M100';
const KEY = 'example-hmac-key-events-01';
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });

/** A config folder with a PGlite store in `data/`, holding two payments' events and one parked event. */
async function shopWithEvents(): Promise<string> {
  const dir = tempDir({});
  const config = { instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: 'http://127.0.0.1:9', notifyUrl: 'http://127.0.0.1:9/notify' } } }, store: { kind: 'pglite', dataDir: 'data' } };
  writeFileSync(join(dir, 'paykit.json'), JSON.stringify(config));
  const store = (await openStore({ kind: 'pglite', dataDir: join(dir, 'data') }))._unsafeUnwrap();
  const paykit: Paykit = (await createPaykit({ instances: config.instances }, { plugins: [examplePlugin], store }))._unsafeUnwrap();
  for (const orderId of ['E1', 'E2']) (await paykit.payments.create({ orderId, amount: cny(4965), description: 'Tea' }))._unsafeUnwrap();
  (await paykit.events.deliver('fulfilment', (e) => { if (e.record.id === 'E1') throw new Error('warehouse down'); }, { maxAttempts: 1 }))._unsafeUnwrap();
  await paykit.close();
  if ('close' in store) await store.close();
  return dir;
}

async function run(argv: readonly string[]): Promise<{ code: number; io: MemoryIo }> {
  const io = new MemoryIo();
  const code = await runCli(argv, io, PROVIDERS);
  return { code, io };
}

describe('paykit events and paykit prune', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await shopWithEvents();
  });

  it('events list prints the events in id order, filtered by type, as a table or JSON lines', async () => {
    const table = await run(['events', 'list', '--config', join(dir, 'paykit.json')]);
    expect(table.code, table.io.stderr).to.equal(0);
    expect(table.io.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).slice(0, 4))).to.deep.equal([['1', 'payment.pending', 'payment', 'E1'], ['2', 'payment.pending', 'payment', 'E2']]);
    const lines = await run(['events', 'list', '--config', join(dir, 'paykit.json'), '--json', '--after', '1']);
    const parsed = lines.io.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: number; record: { id: string } });
    expect(parsed.map((e) => [e.id, e.record.id])).to.deep.equal([[2, 'E2']]);
    const none = await run(['events', 'list', '--config', join(dir, 'paykit.json'), '--type', 'payment.succeeded']);
    expect(none.io.stdout).to.equal('No events.\n');
  });

  it('events tail --once prints what is there and stops', async () => {
    const r = await run(['events', 'tail', '--config', join(dir, 'paykit.json'), '--once', '--after', '1']);
    expect(r.code).to.equal(0);
    expect(r.io.stdout).to.contain('payment E2');
    expect(r.io.stdout).not.to.contain('payment E1');
  });

  it('events parked lists the parked event with its error and exits 1; replay moves the consumer back', async () => {
    const parked = await run(['events', 'parked', '--config', join(dir, 'paykit.json'), '--consumer', 'fulfilment']);
    expect(parked.code).to.equal(1);
    expect(parked.io.stdout).to.contain('fulfilment:').and.contain('payment E1').and.contain('after 1 attempts: Error: warehouse down');
    const replay = await run(['events', 'replay', '--config', join(dir, 'paykit.json'), '--consumer', 'fulfilment', '--from', '1']);
    expect(replay.code, replay.io.stderr).to.equal(0);
    expect(replay.io.stdout).to.contain('cursor 0');
    const store = (await openStore({ kind: 'pglite', dataDir: join(dir, 'data') }))._unsafeUnwrap();
    const paykit = (await createPaykit({ instances: { shop: { plugin: 'example', options: { merchantId: MERCHANT, key: KEY, baseUrl: 'http://127.0.0.1:9', notifyUrl: 'http://127.0.0.1:9/notify' } } } }, { plugins: [examplePlugin], store }))._unsafeUnwrap();
    const seen: string[] = [];
    (await paykit.events.deliver('fulfilment', (e) => { seen.push(e.record.id); }))._unsafeUnwrap();
    expect(seen).to.deep.equal(['E1', 'E2']);
    expect((await paykit.events.parked('fulfilment'))._unsafeUnwrap()).to.deep.equal([]);
    if ('close' in store) await store.close();
  });

  it('refuses a missing subcommand, config or --from, as usage mistakes', async () => {
    expect((await run(['events'])).code).to.equal(2);
    expect((await run(['events', 'list'])).code).to.equal(2);
    expect((await run(['events', 'replay', '--config', join(dir, 'paykit.json'), '--consumer', 'x'])).code).to.equal(2);
    expect((await run(['prune', '--config', join(dir, 'paykit.json')])).code).to.equal(2);
  });

  it('prune --older-than removes nothing young, and says what it kept and why', async () => {
    const r = await run(['prune', '--config', join(dir, 'paykit.json'), '--older-than', '90d']);
    expect(r.code, r.io.stderr).to.equal(0);
    expect(r.io.stdout).to.contain('Removed 0 outbox event(s)');
    expect(r.io.stdout).to.contain('Kept every notification-ledger entry of example: it states no redelivery window.');
    expect((await run(['prune', '--config', join(dir, 'paykit.json'), '--older-than', '1h'])).io.stderr).to.contain('at least one day');
  });
});
