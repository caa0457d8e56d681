/**
 * `npm run bench` rows of the Allinpay mobile plugin: verifying a certificate-signed notification
 * through the plugin against bare node:crypto SHA1withRSA verification of the same bytes.
 */
import { createPublicKey, createVerify } from 'node:crypto';
import { measureRatio, type BenchRow } from '@paykit/conformance/bench';
import { createPaykit, Tokens } from '@paykit/core';
import { allinpayMobilePlugin } from '../src/index.js';
import { LoopbackTransport } from '@paykit/core/simulator';
import { AllinpaySimulator, simSource, SIM_ORDERS } from '../src/simulator/index.js';

/** The bench rows of this package. */
export async function rows(): Promise<BenchRow[]> {
  const sim = await AllinpaySimulator.start({ md5Key: 'bench-key' });
  try {
    const paykit = (await createPaykit({
      instances: { app: { plugin: 'allinpay-mobile', options: {
        merchantId: sim.merchantId, md5Key: 'bench-key', certificate: sim.certificatePem, baseUrl: sim.url, receiveUrl: 'http://127.0.0.1:9/n',
      } } },
    }, { plugins: [allinpayMobilePlugin], transport: new LoopbackTransport() }))._unsafeUnwrap();
    const notifications = paykit.extension('app', Tokens.Notifications)._unsafeUnwrap();
    const payData = { inputCharset: '1', receiveUrl: 'http://127.0.0.1:9/n', version: 'v1.0', signType: '1', merchantId: sim.merchantId, orderNo: 'BENCH1', orderAmount: '4965', orderCurrency: '156', orderDatetime: '20240101120000', productName: 'tea', payType: '0' };
    const signMsg = allinpayMobilePlugin.tools?.sign(payData, { md5Key: 'bench-key' })._unsafeUnwrap().signature ?? '';
    sim.pay(JSON.stringify({ ...payData, signMsg }), 'succeeded', false);
    const fields = sim.paymentResult('BENCH1');
    const body = new Uint8Array(Buffer.from(new URLSearchParams(fields).toString(), 'utf8'));
    const request = { method: 'POST', url: '/n', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
    if (notifications.verify(request).isErr()) throw new Error('bench notification does not verify');
    const key = createPublicKey(sim.certificatePem);
    const text = Buffer.from(simSource(fields, SIM_ORDERS.paymentResult), 'utf8');
    const sig = fields.signMsg as string;
    return [await measureRatio({
      name: 'allinpay-mobile: verify certificate-signed notification (decode, verify, map)',
      baseline: 'bare node:crypto SHA1withRSA verify of the same bytes',
      subject: () => notifications.verify(request),
      bare: () => createVerify('RSA-SHA1').update(text).verify(key, sig, 'base64'),
      target: 0.8,
    })];
  } finally {
    await sim.close();
  }
}
