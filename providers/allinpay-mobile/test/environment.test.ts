import { expect } from 'chai';
import { errAsync } from 'neverthrow';
import {
  createPaykit, PaymentErrors, Tokens, type HttpRequest, type HttpResponse, type HttpTransport, type PayResultAsync, type SendOptions,
} from '@paykit/core';
import { allinpayMobilePlugin } from '../src/index.js';

/** Records what would be sent and sends nothing; `refuseHttp` answers plain http as @paykit/transport-ky does. */
class Recorder implements HttpTransport {
  readonly sent: HttpRequest[] = [];
  constructor(private readonly refuseHttp = false) {}
  send(request: HttpRequest, options: SendOptions): PayResultAsync<HttpResponse> {
    this.sent.push(request);
    if (this.refuseHttp && request.url.startsWith('http:')) {
      return errAsync(PaymentErrors.invalidConfig(`${options.operation}: refusing plain http to ${new URL(request.url).host}: use https (plain http is allowed only for loopback hosts such as 127.0.0.1 and localhost)`, { path: 'url' }));
    }
    return errAsync(PaymentErrors.network(`${options.operation}: not sent`, false));
  }
}

const BASE = { merchantId: '100020091218001', md5Key: 'literal:k', signType: '0', receiveUrl: 'https://shop.example/allinpay/notify' };

async function build(options: Record<string, unknown>, transport: HttpTransport = new Recorder()) {
  return createPaykit({ instances: { app: { plugin: 'allinpay-mobile', options: { ...BASE, ...options } } } }, { plugins: [allinpayMobilePlugin], transport, env: {} });
}

describe('Allinpay mobile environments', () => {
  context('when the instance names no environment', () => {
    it('uses production: control mode "00" and https://service.allinpay.com', async () => {
      const transport = new Recorder();
      const paykit = (await build({}, transport))._unsafeUnwrap();
      const created = await paykit.payments.create({ orderId: 'E-1', amount: { amount: 100, currency: 'CNY' }, description: 'tea' });
      const action = created._unsafeUnwrap().action;
      expect(action.kind === 'sdk' && action.mode).to.equal('00');
      const payments = paykit.extension('app', Tokens.Payments)._unsafeUnwrap();
      await payments.query({ orderId: 'E-1', createdAt: new Date(), amount: { amount: 100, currency: 'CNY' } });
      expect(transport.sent.map((r) => r.url)).to.deep.equal(['https://service.allinpay.com/gateway/index.do']);
    });
  });

  context('when the instance asks for the test environment without saying how to reach it', () => {
    it('refuses the config, naming the insecure option and the https alternative', async () => {
      const r = await build({ environment: 'test' });
      expect(r.isErr() && r.error.kind).to.equal('InvalidConfig');
      const message = r.isErr() ? r.error.message : '';
      expect(message).to.contain('insecureHttpTestEndpoint');
      expect(message).to.contain('http://ceshi.allinpay.com');
      expect(message).to.contain('baseUrl');
    });
  });

  context('when the instance opts into the plain-http test endpoint', () => {
    it('sends to http://ceshi.allinpay.com with control mode "01"', async () => {
      const transport = new Recorder();
      const paykit = (await build({ environment: 'test', insecureHttpTestEndpoint: true }, transport))._unsafeUnwrap();
      const created = await paykit.payments.create({ orderId: 'E-2', amount: { amount: 100, currency: 'CNY' }, description: 'tea' });
      const action = created._unsafeUnwrap().action;
      expect(action.kind === 'sdk' && action.mode).to.equal('01');
      const refunds = paykit.extension('app', Tokens.Refunds)._unsafeUnwrap();
      await refunds.query({ refundId: 'R-2', amount: { amount: 1, currency: 'CNY' }, payment: { orderId: 'E-2', amount: { amount: 100, currency: 'CNY' }, createdAt: new Date() } });
      expect(transport.sent.map((r) => r.url)).to.deep.equal(['http://ceshi.allinpay.com/mchtoq/refundQuery']);
    });

    it('refuses the option on a production instance', async () => {
      const r = await build({ environment: 'production', insecureHttpTestEndpoint: true });
      expect(r.isErr() && r.error.kind).to.equal('InvalidConfig');
      expect(r.isErr() && r.error.message).to.contain('test');
    });

    it('says which option chose plain http when the transport refuses it', async () => {
      const paykit = (await build({ environment: 'test', insecureHttpTestEndpoint: true }, new Recorder(true)))._unsafeUnwrap();
      const payments = paykit.extension('app', Tokens.Payments)._unsafeUnwrap();
      const r = await payments.query({ orderId: 'E-3', createdAt: new Date(), amount: { amount: 100, currency: 'CNY' } });
      expect(r.isErr() && r.error.kind).to.equal('InvalidConfig');
      expect(r.isErr() && r.error.message).to.contain('insecureHttpTestEndpoint');
      expect(r.isErr() && r.error.message).to.contain('https://ceshi.allinpay.com');
    });
  });

  context('when the test environment is reached through an https baseUrl', () => {
    it('keeps control mode "01" and sends to that base', async () => {
      const transport = new Recorder();
      const paykit = (await build({ environment: 'test', baseUrl: 'https://ceshi.allinpay.com/' }, transport))._unsafeUnwrap();
      const created = await paykit.payments.create({ orderId: 'E-4', amount: { amount: 100, currency: 'CNY' }, description: 'tea' });
      const action = created._unsafeUnwrap().action;
      expect(action.kind === 'sdk' && action.mode).to.equal('01');
      const payments = paykit.extension('app', Tokens.Payments)._unsafeUnwrap();
      await payments.query({ orderId: 'E-4', createdAt: new Date(), amount: { amount: 100, currency: 'CNY' } });
      expect(transport.sent.map((r) => r.url)).to.deep.equal(['https://ceshi.allinpay.com/gateway/index.do']);
    });
  });
});
