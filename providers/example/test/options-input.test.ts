import { expect } from 'chai';
import { createPaykit, defineConfig } from '@paykit/core';
import type { OptionsInputMatchesCodec } from '@paykit/core/simulator';
import { examplePlugin, ExampleOptionsCodec, type ExampleOptionsInput } from '../src/index.js';

describe('Example Pay options as a merchant writes them', function () {
  it('name exactly the options the codec decodes, required where it requires them (checked by tsc)', function () {
    const inSync: OptionsInputMatchesCodec<ExampleOptionsInput, typeof ExampleOptionsCodec> = true;
    expect(inSync).to.equal(true);
  });

  context('when a config sets every option through defineConfig', function () {
    it('is accepted by createPaykit, references resolved', async function () {
      const config = defineConfig({
        instances: {
          shop: {
            plugin: 'example',
            options: {
              merchantId: 'M100200', key: 'env:EXAMPLE_KEY', baseUrl: 'https://api.example-pay.test',
              notifyUrl: 'https://shop.example/paykit/notify/shop', returnUrl: 'https://shop.example/paid', timeoutMs: 5000,
            },
          },
        },
        routes: { payments: 'shop' },
      });
      const r = await createPaykit(config, { plugins: [examplePlugin], env: { EXAMPLE_KEY: 'example-key' } });
      expect(r.isOk(), r.isErr() ? r.error.message : '').to.equal(true);
    });
  });

  context('when an option is misspelt', function () {
    it('is a type error where the config is written', function () {
      const config = defineConfig({
        // @ts-expect-error -- `notifyURL` is not an option (`notifyUrl` is), and `notifyUrl` is missing
        instances: { shop: { plugin: 'example', options: { merchantId: 'M1', key: 'env:K', baseUrl: 'https://a.test', notifyURL: 'https://b.test' } } },
      });
      expect(config.instances.shop.plugin).to.equal('example');
    });
  });
});
