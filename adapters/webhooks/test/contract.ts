/**
 * The behaviour every webhook adapter shares, run against each of them over real HTTP on
 * 127.0.0.1 with real signed notifications from two providers.
 */
import { expect } from 'chai';
import type { WebhookOptions, WebhookPaykit } from '../src/index.js';
import {
  abortMidBody, ALLINPAY_ACK, ALLINPAY_MD5_KEY, allinpayPaidFields, LIANLIAN_ACK, LL_MD5_KEY, lianlianPaidNotification, nextOrderId, paymentRecord, send, stallMidBody,
  startWorld, type World,
} from './support.js';

/** A running app with the adapter serving `POST {url}/paykit/notify/:instance`. */
export interface Mounted {
  /** Base URL. */
  readonly url: string;
  close(): Promise<void>;
}

/** Mounts an adapter at `/paykit/notify/:instance` on a fresh server listening on 127.0.0.1:0. */
export type Mount = (paykit: WebhookPaykit, options: WebhookOptions) => Promise<Mounted>;

/** Options every contract run mounts with. */
export const CONTRACT_OPTIONS: WebhookOptions = { instanceFromPath: true, maxBodyBytes: 8 * 1024, handleTimeoutMs: 1000 };

const JSON_TYPE = 'application/json;charset=UTF-8';
const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The ret_code of a LianLian reply body (spec 4.3: only 0000 stops the retries). */
function retCode(body: string): string {
  return (JSON.parse(body) as { ret_code: string }).ret_code;
}

/** Changes one byte of a text: the first occurrence of `from` (one character) becomes `to`. */
function oneByteChanged(text: string, marker: string, from: string, to: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker} in the body`);
  const i = text.indexOf(from, at + marker.length);
  return `${text.slice(0, i)}${to}${text.slice(i + 1)}`;
}

/** Runs the shared webhook adapter behaviour against one adapter. */
export function describeWebhookAdapter(name: string, mount: Mount): void {
  describe(`${name} webhook adapter (shared behaviour)`, function () {
    let w: World;
    let app: Mounted;
    const at = (instance: string): string => `${app.url}/paykit/notify/${instance}`;

    before(async function () {
      w = await startWorld();
      app = await mount(w.view, CONTRACT_OPTIONS);
    });
    after(async function () {
      await app.close();
      await w.close();
    });
    afterEach(function () {
      w.storeFails = false;
      w.handleMode = 'real';
    });

    context('when LianLian posts a valid JSON notification', function () {
      let orderId: string;
      let body: string;
      before(async function () {
        orderId = nextOrderId('LLW');
        body = await lianlianPaidNotification(w, orderId);
      });

      it('answers the exact acknowledgement bytes and records the payment as succeeded', async function () {
        expect((await paymentRecord(w, orderId))?.value.status).to.equal('pending');
        const reply = await send(at('shop'), body, { contentType: JSON_TYPE });
        expect(reply.status).to.equal(200);
        expect(reply.body).to.equal(LIANLIAN_ACK);
        expect(Buffer.from(w.handled.at(-1) ?? []).toString('utf8')).to.equal(body);
        expect((await paymentRecord(w, orderId))?.value.status).to.equal('succeeded');
      });

      it('acknowledges a redelivery the same way and changes nothing', async function () {
        const before = await paymentRecord(w, orderId);
        const reply = await send(at('shop'), body, { contentType: JSON_TYPE });
        expect(reply.body).to.equal(LIANLIAN_ACK);
        const after = await paymentRecord(w, orderId);
        expect(after?.version).to.equal(before?.version);
        expect(after).to.deep.equal(before);
      });

      it('never logs the notification body, its signature or a key', async function () {
        await send(at('shop'), body.replace('"money_order":"', '"money_order":"1'), { contentType: JSON_TYPE }); // a rejection, logged
        const logged = JSON.stringify(w.logger.lines);
        expect(logged).to.contain('webhook not acknowledged');
        expect(logged).not.to.contain((JSON.parse(body) as { sign: string }).sign);
        expect(logged).not.to.contain(LL_MD5_KEY);
        expect(logged).not.to.contain(ALLINPAY_MD5_KEY);
      });
    });

    context('when Allinpay posts a valid form-encoded notification', function () {
      it('answers its acknowledgement, records the payment, and acknowledges a redelivery without a change', async function () {
        const orderId = nextOrderId('AW');
        const body = new URLSearchParams(await allinpayPaidFields(w, orderId)).toString();
        const first = await send(at('app'), body, { contentType: FORM_TYPE });
        expect(first.status).to.equal(200);
        expect(first.body).to.equal(ALLINPAY_ACK);
        const recorded = await paymentRecord(w, orderId);
        expect(recorded?.value.status).to.equal('succeeded');
        const again = await send(at('app'), body, { contentType: FORM_TYPE });
        expect(again.body).to.equal(ALLINPAY_ACK);
        expect(await paymentRecord(w, orderId)).to.deep.equal(recorded);
      });
    });

    context('when one byte of the body was changed on the way', function () {
      it('answers LianLian a non-0000 rejection and changes no state', async function () {
        const orderId = nextOrderId('LLT');
        const body = await lianlianPaidNotification(w, orderId);
        const tampered = oneByteChanged(body, '"money_order":"', '5', '6');
        expect(tampered).to.have.length(body.length);
        const before = await paymentRecord(w, orderId);
        const reply = await send(at('shop'), tampered, { contentType: JSON_TYPE });
        expect(reply.body).not.to.equal(LIANLIAN_ACK);
        expect(retCode(reply.body)).not.to.equal('0000');
        expect(await paymentRecord(w, orderId)).to.deep.equal(before);
      });

      it('answers Allinpay a non-2xx rejection and changes no state', async function () {
        const orderId = nextOrderId('AT');
        const body = new URLSearchParams(await allinpayPaidFields(w, orderId)).toString();
        const tampered = oneByteChanged(body, 'orderAmount=', '0', '1');
        const before = await paymentRecord(w, orderId);
        const reply = await send(at('app'), tampered, { contentType: FORM_TYPE });
        expect(reply.status).to.be.at.least(300);
        expect(reply.body).not.to.equal(ALLINPAY_ACK);
        expect(await paymentRecord(w, orderId)).to.deep.equal(before);
      });
    });

    context('when the body bytes differ from any re-serialisation of the same fields', function () {
      it('verifies LianLian JSON with its own whitespace and key order, handing paykit exactly those bytes', async function () {
        const orderId = nextOrderId('LLR');
        const fields = JSON.parse(await lianlianPaidNotification(w, orderId)) as Record<string, string>;
        const reordered = Object.fromEntries(Object.entries(fields).reverse());
        const body = `${JSON.stringify(reordered, null, 3)}\n`;
        const reply = await send(at('shop'), body, { contentType: JSON_TYPE });
        expect(reply.body).to.equal(LIANLIAN_ACK);
        expect(Buffer.from(w.handled.at(-1) ?? []).equals(Buffer.from(body, 'utf8'))).to.equal(true);
        expect((await paymentRecord(w, orderId))?.value.status).to.equal('succeeded');
      });

      it('verifies an Allinpay form with a raw + in signMsg and needless %-escapes, handing paykit exactly those bytes', async function () {
        let orderId = '';
        let fields: Record<string, string> = {};
        for (let i = 0; i < 12 && !(fields.signMsg ?? '').includes('+'); i += 1) {
          orderId = nextOrderId('AR');
          fields = await allinpayPaidFields(w, orderId);
        }
        expect(fields.signMsg).to.contain('+');
        // Unencoded, as some senders post it: a form parser would read the signMsg '+' as a space,
        // and `%2e` would come back from any re-serialisation as '.'.
        const body = Object.entries(fields).map(([k, v]) => `${k}=${k === 'version' ? v.replace('.', '%2e') : v}`).join('&');
        expect(body).to.contain('version=v1%2e0');
        const reply = await send(at('app'), body, { contentType: FORM_TYPE });
        expect(reply.status).to.equal(200);
        expect(reply.body).to.equal(ALLINPAY_ACK);
        expect(Buffer.from(w.handled.at(-1) ?? []).toString('latin1')).to.equal(body);
        expect((await paymentRecord(w, orderId))?.value.status).to.equal('succeeded');
      });
    });

    context('when the body is larger than maxBodyBytes', function () {
      const big = `{"padding":"${'x'.repeat(20 * 1024)}"}`;

      it('answers LianLian a rejection without calling paykit (declared content-length)', async function () {
        const calls = w.handled.length;
        const reply = await send(at('shop'), big, { contentType: JSON_TYPE });
        expect(retCode(reply.body)).not.to.equal('0000');
        expect(w.handled.length).to.equal(calls);
      });

      it('answers Allinpay a rejection without calling paykit (chunked, no content-length)', async function () {
        const calls = w.handled.length;
        const reply = await send(at('app'), `a=${'1'.repeat(40 * 1024)}`, { contentType: FORM_TYPE, chunked: true });
        expect(reply.status).to.be.at.least(300);
        expect(reply.body).not.to.equal(ALLINPAY_ACK);
        expect(w.handled.length).to.equal(calls);
      });

      it('still serves the next notification', async function () {
        const orderId = nextOrderId('LLB');
        const reply = await send(at('shop'), await lianlianPaidNotification(w, orderId), { contentType: JSON_TYPE });
        expect(reply.body).to.equal(LIANLIAN_ACK);
      });
    });

    context('when the method is not POST', function () {
      it('answers 405 with Allow: POST and never calls paykit', async function () {
        const calls = w.handled.length;
        const reply = await send(at('shop'), '', { method: 'GET' });
        expect(reply.status).to.equal(405);
        expect(reply.headers.allow).to.equal('POST');
        expect(w.handled.length).to.equal(calls);
      });
    });

    context('when the path names an instance paykit does not have', function () {
      it('answers 404 naming the instance and never calls paykit', async function () {
        const calls = w.handled.length;
        const reply = await send(at('nosuchshop'), '{}', { contentType: JSON_TYPE });
        expect(reply.status).to.equal(404);
        expect(reply.body).to.contain('"nosuchshop"');
        expect(w.handled.length).to.equal(calls);
      });
    });

    context('when the store fails to record the notification', function () {
      it('answers the rejection, never the acknowledgement, and the redelivery after recovery is acknowledged', async function () {
        const orderId = nextOrderId('LLS');
        const body = await lianlianPaidNotification(w, orderId);
        const before = await paymentRecord(w, orderId);
        w.storeFails = true;
        const lines = w.logger.lines.length;
        const refused = await send(at('shop'), body, { contentType: JSON_TYPE });
        expect(w.logger.lines.slice(lines).map((l) => l.message).join('\n')).to.contain('store unavailable (test)');
        expect(refused.body).not.to.equal(LIANLIAN_ACK);
        expect(retCode(refused.body)).not.to.equal('0000');
        w.storeFails = false;
        expect(await paymentRecord(w, orderId)).to.deep.equal(before);
        const redelivered = await send(at('shop'), body, { contentType: JSON_TYPE });
        expect(redelivered.body).to.equal(LIANLIAN_ACK);
        expect((await paymentRecord(w, orderId))?.value.status).to.equal('succeeded');
      });

      it('answers Allinpay a non-2xx reply so it delivers again', async function () {
        const orderId = nextOrderId('AS');
        const body = new URLSearchParams(await allinpayPaidFields(w, orderId)).toString();
        w.storeFails = true;
        const refused = await send(at('app'), body, { contentType: FORM_TYPE });
        expect(refused.status).to.be.at.least(300);
        expect(refused.body).not.to.equal(ALLINPAY_ACK);
      });
    });

    context('when paykit throws or never answers', function () {
      it('answers the provider rejection when handle throws', async function () {
        w.handleMode = 'throw';
        const reply = await send(at('shop'), await lianlianPaidNotification(w, nextOrderId('LLX')), { contentType: JSON_TYPE });
        expect(retCode(reply.body)).not.to.equal('0000');
      });

      it('answers the provider rejection once handleTimeoutMs passes', async function () {
        w.handleMode = 'hang';
        const started = Date.now();
        const reply = await send(at('shop'), await lianlianPaidNotification(w, nextOrderId('LLH')), { contentType: JSON_TYPE });
        expect(retCode(reply.body)).not.to.equal('0000');
        expect(Date.now() - started).to.be.at.least(900);
      });
    });

    context('when a client sends part of the body and then stalls', function () {
      it('closes the connection once handleTimeoutMs passes, never calls paykit, and keeps serving', async function () {
        const calls = w.handled.length;
        const closedAfter = await stallMidBody(at('shop'), 500, '{"oid_partner":', 8000);
        expect(closedAfter, 'the stalled connection was still open after 8 s').to.be.a('number');
        expect(w.handled.length).to.equal(calls);
        const reply = await send(at('shop'), await lianlianPaidNotification(w, nextOrderId('LLS')), { contentType: JSON_TYPE });
        expect(reply.body).to.equal(LIANLIAN_ACK);
      });
    });

    context('when the provider goes away in the middle of the body', function () {
      it('does not call paykit and keeps serving', async function () {
        const calls = w.handled.length;
        await abortMidBody(at('shop'), 500, '{"oid_partner":');
        await new Promise((r) => setTimeout(r, 50));
        expect(w.handled.length).to.equal(calls);
        const reply = await send(at('shop'), await lianlianPaidNotification(w, nextOrderId('LLA')), { contentType: JSON_TYPE });
        expect(reply.body).to.equal(LIANLIAN_ACK);
      });
    });
  });
}
