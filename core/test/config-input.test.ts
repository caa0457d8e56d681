import { expect } from 'chai';
import * as t from 'io-ts';
import { reportIoTsErrors, SecretFromString } from '../src/container/codecs.js';
import { createPaykit, defineConfig, PaykitConfigCodec, type ConfigText, type PaykitConfigInput } from '../src/index.js';
import type { OptionsInputMatchesCodec } from '../src/simulator/index.js';
import { ALL, fakePlugin } from './support/fake-plugin.js';

// The fake plugin's options, registered the way a provider package registers its own.
declare module '../src/index.js' {
  interface PaykitPluginOptions {
    fake: { readonly merchantId: ConfigText; readonly apiKey: ConfigText; readonly label?: string };
  }
}

describe('defineConfig (typed config input)', () => {
  it('has the settings the config codec reads, beside $schema and description (checked by tsc)', () => {
    const inSync: OptionsInputMatchesCodec<Omit<PaykitConfigInput, '$schema' | 'description'>, typeof PaykitConfigCodec> = true;
    expect(inSync).to.equal(true);
  });

  context('when a config is written with it', () => {
    it('returns the config unchanged, which createPaykit validates and builds', async () => {
      const input = {
        instances: { a: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'env:FAKE_KEY' } }, b: { plugin: 'fake', options: { merchantId: 'N', apiKey: 'k' } } },
        routes: { payments: 'b', 'refunds.create': 'a' },
        store: { kind: 'memory' },
      } as const;
      const config = defineConfig(input);
      expect(config).to.equal(input);
      const paykit = await createPaykit(config, { plugins: [fakePlugin('fake', ALL)], env: { FAKE_KEY: 'secret' } });
      expect(paykit._unsafeUnwrap().routeOf('payments.create')).to.equal('b');
    });
  });

  // Each mistake is a type error where it is written (tsc fails if the @ts-expect-error has nothing
  // to expect) and still an InvalidConfig at run time, for configs that were not typed.
  context('when the config has a mistake', () => {
    const plugins = [fakePlugin('fake', ALL)];
    const refused = async (config: unknown, path: string) => {
      const e = (await createPaykit(config, { plugins }))._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.path).to.equal(path);
    };

    it('reports a route to an instance that does not exist', async () => {
      await refused(defineConfig({
        instances: { shop: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'k' } } },
        // @ts-expect-error -- there is no instance "shopp"
        routes: { payments: 'shopp' },
      }), 'config.routes.payments');
    });

    it('reports a route key that is not a capability', async () => {
      await refused(defineConfig({
        instances: { shop: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'k' } } },
        // @ts-expect-error -- "pay" is not a capability
        routes: { pay: 'shop' },
      }), 'config.routes.pay');
    });

    it('reports a plugin id no package registered', async () => {
      await refused(defineConfig({
        // @ts-expect-error -- no plugin "fakee"
        instances: { shop: { plugin: 'fakee', options: { merchantId: 'M', apiKey: 'k' } } },
      }), 'config.instances.shop.plugin');
    });

    it('reports a postgres store without its url', async () => {
      await refused(defineConfig({
        instances: { shop: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'k' } } },
        // @ts-expect-error -- a postgres store needs url
        store: { kind: 'postgres' },
      }), 'config.store.url');
    });
  });
});

describe('config errors about secrets', () => {
  const Options = t.type({ apiKey: t.string, merchantId: t.string });
  const report = (input: unknown): string => {
    const decoded = Options.decode(input);
    if (decoded._tag === 'Right') throw new Error('expected the options to be refused');
    return reportIoTsErrors(decoded.left, 'options').message;
  };

  it('say a missing secret is missing, not that a hidden value was given', () => {
    expect(report({ merchantId: 'M1' })).to.equal('options.apiKey: expected string, got nothing');
  });

  it('say a missing required secret option (a Secret codec) is missing', () => {
    const decoded = t.type({ key: SecretFromString }).decode({});
    if (decoded._tag === 'Right') throw new Error('expected the options to be refused');
    expect(reportIoTsErrors(decoded.left, 'options').message).to.equal('options.key: expected a non-empty secret string, got nothing');
  });

  it('hide a secret that was given, whatever its shape', () => {
    const message = report({ apiKey: 98765432, merchantId: 'M1' });
    expect(message).to.equal('options.apiKey: expected string, got a value (hidden)');
    expect(message).not.to.include('98765432');
  });
});
