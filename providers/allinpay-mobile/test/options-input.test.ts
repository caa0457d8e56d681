import { expect } from 'chai';
import { createPaykit, defineConfig } from '@paykit/core';
import type { OptionsInputMatchesCodec } from '@paykit/core/simulator';
import { allinpayMobilePlugin, AllinpayOptionsCodec, type AllinpayOptionsInput } from '../src/index.js';
import { simulatorIdentity } from '../src/testing.js';

describe('Allinpay mobile options as a merchant writes them', function () {
  it('name exactly the options the codec decodes, required where it requires them (checked by tsc)', function () {
    const inSync: OptionsInputMatchesCodec<AllinpayOptionsInput, typeof AllinpayOptionsCodec> = true;
    expect(inSync).to.equal(true);
  });

  context('when a config sets every option through defineConfig', function () {
    it('is accepted by createPaykit, references resolved', async function () {
      const config = defineConfig({
        instances: {
          app: {
            plugin: 'allinpay-mobile',
            options: {
              merchantId: '100020091218001', md5Key: 'env:ALLINPAY_MD5_KEY', receiveUrl: 'https://shop.example/notify', signType: '1',
              certificate: 'env:ALLINPAY_CERT', environment: 'production', baseUrl: 'https://gateway.example', currency: 'USD',
              inputCharset: '1', language: '3', payType: '30', timeoutMs: 12_000,
            },
          },
        },
      });
      const env = { ALLINPAY_MD5_KEY: 'allinpay-md5-key', ALLINPAY_CERT: simulatorIdentity().certificatePem };
      const r = await createPaykit(config, { plugins: [allinpayMobilePlugin], env });
      expect(r.isOk(), r.isErr() ? r.error.message : '').to.equal(true);
    });
  });

  context('when the environment is misspelt', function () {
    it('is a type error where the config is written', function () {
      const config = defineConfig({
        instances: {
          // @ts-expect-error -- environment is `test` or `production`
          app: { plugin: 'allinpay-mobile', options: { merchantId: '1', md5Key: 'env:K', receiveUrl: 'https://a.test', environment: 'prod' } },
        },
      });
      expect(config.instances.app.plugin).to.equal('allinpay-mobile');
    });
  });
});
