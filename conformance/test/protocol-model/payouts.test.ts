/**
 * Model-based test of payouts through the money protocol, against LianLian's payout simulator:
 * random interleavings of submits (repeated, concurrent, with another amount under the same id),
 * review holds and their confirms, resolves and queries, LianLian's own replies (accepted, held,
 * refused, "query first", taken or not, late) and the network's faults (lost, late, HTTP 500,
 * garbled, wrongly signed), result notifications delivered again, at once or out of order, holds
 * running out, the bank returning a payout, crashes and store errors at any commit, a throwing
 * logger and concurrent resolvers; then, everything resolved, paykit's payouts must say what
 * LianLian paid, and no payout id may have paid twice.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createPaykit, type RawHttpRequest, type Store, type StoredPayout } from '@paykit/core';
import { LoopbackTransport } from '@paykit/core/simulator';
import { lianlianPayoutPlugin } from '@paykit/provider-lianlian-payout';
import { LianlianPayoutSimulator, type PayoutScript } from '@paykit/provider-lianlian-payout/testing';
import fc from 'fast-check';
import { Machine } from './support/machine.js';
import { deliverCommand, Outbox } from './support/outbox.js';
import { checkReachable, command, describeModel, everFailed, replyFault, SHARED_FAULTS, sharedFault, startClock, type Scenario } from './support/runner.js';

const OID_PARTNER = '201606221000921503';
const INSTANCE = 'payouts';
/** Long enough that a reply LianLian sends at once always arrives (late replies are the network's fault). */
const TIMEOUT_MS = 2000;
const PATHS = { apply: '/paymentapi/payment.htm', confirm: '/paymentapi/confirmPayment.htm', query: '/paymentapi/queryPayment.htm' } as const;
const AMOUNTS = [1000, 2500, 4000] as const;
const ACCOUNT = { type: 'private', accountNumber: '6216261234567890018', accountName: '张三' } as const;

function pair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return { privateKey, publicKey, privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
const merchant = pair();
const lianlian = pair();

interface PayoutScenario extends Scenario {
  readonly sim: LianlianPayoutSimulator;
  /** The payout ids the scenario may use (each its own LianLian order number). */
  readonly payoutIds: readonly string[];
  /** Every result notification LianLian posted (delivered to paykit by the commands). */
  readonly outbox: Outbox;
}

function notification(body: string): RawHttpRequest {
  return { method: 'POST', url: '/notify/payout', headers: { 'content-type': 'application/json;charset=utf-8' }, body: new Uint8Array(Buffer.from(body, 'utf8')) };
}

/** The same notification signed wrongly (the signature of other text). */
function spoiled(body: string): string {
  const fields = JSON.parse(body) as Record<string, string>;
  return JSON.stringify({ ...fields, money_order: `${fields.money_order ?? '0'}1` });
}

const script: fc.Arbitrary<PayoutScript> = fc.record({
  hold: fc.constantFrom(undefined, undefined, undefined, '4002', '4003'),
  // LianLian's own late replies (`timeout`) are played by the network's "late" fault, without waiting.
  reply: fc.constantFrom('normal', 'normal', 'normal', 'query-first', 'query-first-untaken', 'reject', 'reject-but-taken'),
  outcome: fc.constantFrom('success', 'success', 'failure', 'success-then-cancel'),
}).map(({ hold, reply, outcome }) => ({ reply, outcome, ...(hold !== undefined ? { hold } : {}) } as PayoutScript));

const describeScript = (s: PayoutScript) => `${s.hold ?? 'no hold'}, reply ${s.reply}, ${s.outcome}`;

const submit = fc.record({
  p: fc.nat(2), script, fault: replyFault(SHARED_FAULTS), otherAmount: fc.nat(4).map((n) => n === 0), background: fc.boolean(),
}).map(({ p, script: sc, fault: f, otherAmount, background }) => command<PayoutScenario>(
  `submit P${p} (${describeScript(sc)}; ${f}${otherAmount ? '; another amount' : ''}${background ? ', background' : ''})`,
  async (s) => {
    const payoutId = s.payoutIds[p] as string;
    // LianLian's behaviour for an order is fixed by the first submit that names it.
    if (!s.sim.scripts.has(payoutId)) s.sim.script(payoutId, sc);
    sharedFault(s, PATHS.apply, f);
    const amount = (AMOUNTS[p] as number) + (otherAmount ? 1 : 0);
    await s.machine.call(`payouts.submit ${payoutId}`, (pk) => pk.payouts.submit({ payoutId, amount: { amount, currency: 'CNY' }, account: ACCOUNT, description: '提现 withdrawal' }), {
      background,
      then(r) {
        // The same payout again is answered with the record, never refused as a duplicate (issue 12, finding 10).
        if (r.isOk() || r.error.code !== 'duplicate_order') return;
        s.machine.track(Promise.resolve(s.machine.base.get<StoredPayout>('payout', payoutId).map((rec) => {
          if (rec?.value.amount.amount === amount) s.machine.violations.push(`an identical submit of payout ${payoutId} was refused: ${r.error.message}`);
        })));
      },
    });
  },
));

const confirm = fc.record({ p: fc.nat(2), accept: fc.boolean(), fault: replyFault(SHARED_FAULTS), background: fc.boolean() }).map(({ p, accept, fault: f, background }) => command<PayoutScenario>(
  `confirm P${p} (${accept ? 'accepting a suspected duplicate; ' : ''}${f}${background ? ', background' : ''})`,
  async (s) => {
    sharedFault(s, PATHS.confirm, f);
    await s.machine.call(`payouts.confirm ${s.payoutIds[p] as string}`, (pk) => pk.payouts.confirm(s.payoutIds[p] as string, { acceptSuspectedDuplicate: accept }), { background });
  },
));

const resolveOrQuery = fc.record({ p: fc.nat(2), how: fc.constantFrom('resolve', 'query'), fault: replyFault(SHARED_FAULTS) }).map(({ p, how, fault: f }) => command<PayoutScenario>(
  `payouts.${how} P${p} (query ${f})`,
  async (s) => {
    const id = s.payoutIds[p] as string;
    sharedFault(s, PATHS.query, f);
    await s.machine.call(`payouts.${how} ${id}`, (pk) => (how === 'resolve' ? pk.payouts.resolve(id) : pk.payouts.query(id)));
  },
));

const providerEvent = fc.record({ p: fc.nat(2), what: fc.constantFrom('the review hold runs out', 'the bank returns the payout') }).map(({ p, what }) => command<PayoutScenario>(
  `P${p}: ${what}`,
  async (s) => {
    const id = s.payoutIds[p] as string;
    if (what === 'the review hold runs out') s.sim.expireHold(id);
    else s.sim.cancel(id);
  },
));

async function startPayouts(store: Store, tag: string): Promise<PayoutScenario> {
  const sim = await LianlianPayoutSimulator.start({
    oidPartner: OID_PARTNER, merchantPublicKey: merchant.publicKey, keys: lianlian, settleAfterMs: 1, holdExpiryMs: 3_600_000, notifyIntervalMs: 5,
  });
  const options = {
    oidPartner: OID_PARTNER, privateKey: merchant.privatePem, lianlianPublicKey: sim.publicKey, baseUrl: sim.baseUrl,
    notifyUrl: `${sim.server.url}/merchant/notify`, timeoutMs: TIMEOUT_MS,
  };
  const machine = new Machine({
    base: store, clock: startClock(), transport: new LoopbackTransport(TIMEOUT_MS),
    build: async (ports) => {
      const built = await createPaykit({ instances: { [INSTANCE]: { plugin: 'lianlian-payout', options } } }, { plugins: [lianlianPayoutPlugin], ...ports });
      if (built.isErr()) throw new Error(built.error.message);
      return built.value;
    },
  });
  const outbox = new Outbox(machine, INSTANCE, notification, spoiled);
  // The merchant's notification endpoint keeps what LianLian posts and acknowledges it; the
  // scenario's commands hand the bodies to paykit, in whatever order and as often as they like.
  sim.server.route('POST', '/merchant/notify', (req) => {
    outbox.post(req.body.toString('utf8'));
    return { headers: { 'content-type': 'application/json;charset=utf-8' }, body: '{"ret_code":"0000","ret_msg":"交易成功"}' };
  });
  // LianLian posts one notification per final status it reaches (CLOSED excepted): a returned
  // payout was SUCCESS first.
  const posted = () => [...sim.orders.values()].reduce((n, o) => n + ({ SUCCESS: 1, FAILURE: 1, CANCEL: 2 }[o.status as string] ?? 0), 0);
  const busy = () => [...sim.orders.values()].some((o) => ['APPLY', 'WAITING', 'PROCESSING'].includes(o.status)) || outbox.length < posted();
  return {
    sim, machine, outbox, payoutIds: AMOUNTS.map((_, i) => `${tag}P${i}`),
    queryFault: (f) => sharedFault({ sim, machine }, PATHS.query, f),
    clearFaults: () => {
      sim.server.clearFaults();
      machine.network.clear();
    },
    // LianLian posts a notification until it is acknowledged (30 times).
    redeliver: () => outbox.redeliver(),
    async quiesce() {
      // LianLian settles on its own timers (1 ms steps here) and posts notifications after.
      for (let i = 0; i < 2000 && busy(); i += 1) await new Promise((r) => setTimeout(r, 1));
      if (busy()) throw new Error('LianLian did not settle its orders and post their notifications within 2 s');
      // A hold nobody confirms runs out while the operator waits.
      for (const id of AMOUNTS.map((_, i) => `${tag}P${i}`)) sim.expireHold(id);
    },
  };
}

describe('the money protocol, model-based: payouts', () => {
  describeModel<PayoutScenario>({
    title: 'payout',
    commands: [submit, submit, submit, confirm, confirm, resolveOrQuery, deliverCommand(), deliverCommand(), providerEvent],
    queryFaults: SHARED_FAULTS,
    kinds: ['payouts'],
    start: startPayouts,
    async check(s) {
      const problems: string[] = [];
      const store = s.machine.base;
      await checkReachable(store, 'payout', problems);
      let recordedPaid = 0;
      let ledgerPaid = 0;
      for (const id of s.payoutIds) {
        const p = (await store.get<StoredPayout>('payout', id))._unsafeUnwrap()?.value;
        const order = s.sim.orders.get(id);
        const ledger = s.sim.ledger.get(id);
        if (ledger && ledger.paidCount > 1) problems.push(`LianLian paid order ${id} ${ledger.paidCount} times`);
        if (ledger && !ledger.returned) ledgerPaid += ledger.amountFen;
        if (!p) {
          if (order) problems.push(`LianLian has order ${id} (${order.status}), which paykit has no payout for`);
          continue;
        }
        if (order && order.amountFen !== p.amount.amount) problems.push(`payout ${id}: LianLian's order is for ${order.amountFen}, paykit recorded ${p.amount.amount}`);
        if (p.status === 'succeeded') recordedPaid += p.amount.amount;
        if (p.status === 'needs_attention') {
          s.machine.trace(`payout ${id} needs attention: ${p.attention?.reason ?? '?'}`);
          continue;
        }
        const expected = !order ? ['failed'] : { SUCCESS: ['succeeded'], CANCEL: ['returned'], FAILURE: ['failed'], CLOSED: ['closed'] }[order.status as string] ?? [`(LianLian still ${order.status})`];
        if (!expected.includes(p.status)) problems.push(`payout ${id} is recorded ${p.status}, but LianLian's order is ${order?.status ?? 'absent'}`);
        else if (ledger && s.sim.scripts.get(id)?.reply !== 'reject-but-taken' && await everFailed(store, 'payout', id)) problems.push(`payout ${id} was recorded failed for a while, but LianLian paid it`);
        // A failure paykit recorded on LianLian's word, overturned by LianLian's later word, is kept as a correction.
        const history = (await store.history('payout', id))._unsafeUnwrap();
        for (const [i, v] of history.entries()) {
          if (history[i - 1]?.status === 'failed' && v.status !== 'failed' && v.cause?.correction !== true) problems.push(`payout ${id}: failed → ${v.status ?? '?'} is not marked as a correction in its history`);
        }
      }
      const attention = await Promise.all(s.payoutIds.map(async (id) => (await store.get<StoredPayout>('payout', id))._unsafeUnwrap()?.value.status === 'needs_attention'));
      if (!attention.includes(true) && recordedPaid !== ledgerPaid) problems.push(`paykit records ${recordedPaid} paid out, LianLian paid ${ledgerPaid}`);
      return problems;
    },
    stop: (s) => s.sim.close(),
  });
});
