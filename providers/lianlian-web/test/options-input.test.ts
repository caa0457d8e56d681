import { expect } from 'chai';
import { createPaykit, defineConfig } from '@paykit/core';
import type { OptionsInputMatchesCodec } from '@paykit/core/simulator';
import { lianlianWebPlugin, LianlianWebOptionsCodec, type LianlianWebOptionsInput } from '../src/index.js';
import { testKeys } from '../src/testing.js';

describe('LianLian web options as a merchant writes them', function () {
  it('name exactly the options the codec decodes, required where it requires them (checked by tsc)', function () {
    const inSync: OptionsInputMatchesCodec<LianlianWebOptionsInput, typeof LianlianWebOptionsCodec> = true;
    expect(inSync).to.equal(true);
  });

  context('when a config sets every option through defineConfig', function () {
    it('is accepted by createPaykit, references resolved', async function () {
      const config = defineConfig({
        instances: {
          shop: {
            plugin: 'lianlian-web',
            options: {
              oidPartner: '201408071000001543', signType: 'RSA', notifySignType: 'env:LL_NOTIFY_SIGN_TYPE', md5Key: 'env:LL_MD5_KEY',
              privateKey: 'env:LL_PRIVATE_KEY', lianlianPublicKey: 'env:LL_PUBLIC_KEY', charset: 'GBK',
              cashierUrl: 'https://cashier.example/pay', apiBaseUrl: 'https://api.example', notifyUrl: 'https://shop.example/notify',
              returnUrl: 'https://shop.example/paid', busiPartner: '109001', platform: '201408071000001543', goodsCategory: '4008', timeoutMs: 8000,
              signedBytes: 'form-charset', riskGroups: ['logistics'], bindListPageSize: 10,
            },
          },
        },
      });
      const env = { LL_NOTIFY_SIGN_TYPE: 'MD5', LL_MD5_KEY: 'md5-key', LL_PRIVATE_KEY: testKeys.merchantPrivate, LL_PUBLIC_KEY: testKeys.lianlianPublic };
      const r = await createPaykit(config, { plugins: [lianlianWebPlugin], env });
      expect(r.isOk(), r.isErr() ? r.error.message : '').to.equal(true);
    });
  });

  context('when a sign type is not one LianLian has', function () {
    it('is a type error where the config is written', function () {
      const config = defineConfig({
        // @ts-expect-error -- LianLian web signs with MD5 or RSA, not SHA256
        instances: { shop: { plugin: 'lianlian-web', options: { oidPartner: '201408071000001543', signType: 'SHA256' } } },
      });
      expect(config.instances.shop.plugin).to.equal('lianlian-web');
    });
  });
});
