import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { ContainerModule } from 'inversify';
import { errAsync, okAsync } from 'neverthrow';
import {
  createPaykit, InMemoryStore, parseConfig, PaymentErrors, Tokens, type OpenedStore, type Paykit, type PaykitDeps, type PayResultAsync,
  type ProviderPlugin, type StoreConfig,
} from '../src/index.js';
import { ALL, defaultScript, fakePlugin, FakeOptionsCodec, type FakeOptions } from './support/fake-plugin.js';

async function built(config: unknown, deps: PaykitDeps): Promise<Paykit> {
  const r = await createPaykit(config, deps);
  if (r.isErr()) expect.fail(`createPaykit failed: ${r.error.message}`);
  return r.value;
}
async function failure(r: PayResultAsync<unknown>) {
  const out = await r;
  if (out.isOk()) expect.fail('expected Err, got Ok');
  return out.error;
}
const order = (orderId: string) => ({ orderId, amount: { amount: 4965, currency: 'CNY' as const }, description: 'Tea' });
const thirdPartyFile = fileURLToPath(new URL('./fixtures/third-party-plugin/index.ts', import.meta.url));

describe('createPaykit (container and config)', () => {
  context('when one plugin is configured twice with different options', () => {
    const script = defaultScript();
    const plugins = [fakePlugin('fake', ALL, script)];
    const config = {
      instances: { 'shop-a': { plugin: 'fake', options: { merchantId: 'A', apiKey: 'ka' } }, 'shop-b': { plugin: 'fake', options: { merchantId: 'B', apiKey: 'kb' } } },
      routes: { payments: 'shop-b', refunds: 'shop-a' },
    };
    it('gives each instance its own options', async () => {
      const paykit = await built(config, { plugins });
      script.calls.length = 0;
      expect((await paykit.payments.create(order('O1'))).isOk()).to.equal(true);
      expect((await paykit.payments.create(order('O2'), { instance: 'shop-a' })).isOk()).to.equal(true);
      expect(script.calls.map((c) => [c.op, c.instanceId, c.merchantId])).to.deep.equal([
        ['payments.create', 'shop-b', 'B'], ['payments.create', 'shop-a', 'A'],
      ]);
    });
    it('routes by the explicit routes and lists both instances', async () => {
      const paykit = await built(config, { plugins });
      expect(paykit.routeOf('payments.create')).to.equal('shop-b');
      expect(paykit.routeOf('refunds.create')).to.equal('shop-a');
      expect(paykit.routeOf('payouts.submit')).to.equal(undefined);
      expect(paykit.instances()).to.deep.equal([
        { id: 'shop-a', pluginId: 'fake', capabilities: [...ALL] }, { id: 'shop-b', pluginId: 'fake', capabilities: [...ALL] },
      ]);
    });
    it('refuses an operation no route decides with Unsupported', async () => {
      const paykit = await built(config, { plugins });
      const e = await failure(paykit.payouts.submit({ payoutId: 'P1', amount: { amount: 100, currency: 'CNY' }, account: { type: 'private', accountNumber: '6222021234567890', accountName: 'Li' }, description: 'x' }));
      expect(e.kind).to.equal('Unsupported');
      expect(e.message).to.contain('add a route "payouts"');
    });
  });

  context('when only one instance can serve a capability', () => {
    it('routes it there without a route entry', async () => {
      const script = defaultScript();
      const paykit = await built({
        instances: { pay: { plugin: 'payer', options: { merchantId: 'P', apiKey: 'k' } }, out: { plugin: 'payouter', options: { merchantId: 'O', apiKey: 'k' } } },
      }, { plugins: [fakePlugin('payer', ['payments'], script), fakePlugin('payouter', ['payouts'], script)] });
      expect(paykit.routeOf('payments.create')).to.equal('pay');
      expect(paykit.routeOf('payouts.submit')).to.equal('out');
      expect(paykit.capabilities('out')._unsafeUnwrap()).to.deep.equal(['payouts']);
      expect(paykit.capabilities('nope')._unsafeUnwrapErr().kind).to.equal('NotFound');
      const e = await failure(paykit.refunds.create({ refundId: 'R1', orderId: 'O1', amount: { amount: 1, currency: 'CNY' } }));
      // No payment O1 is recorded, so the facade says so before it looks for a refunds route.
      expect(e.kind).to.equal('NotFound');
      await paykit.payments.create(order('O1'));
      const unsupported = await failure(paykit.refunds.create({ refundId: 'R1', orderId: 'O1', amount: { amount: 1, currency: 'CNY' } }));
      expect(unsupported.kind).to.equal('Unsupported');
      expect(unsupported.message).to.contain('does not support refunds');
    });
  });

  context('when a route names an instance that lacks the capability', () => {
    it('is an InvalidConfig naming config.routes.<key>', async () => {
      const e = await failure(createPaykit({
        instances: { pay: { plugin: 'payer', options: { merchantId: 'P', apiKey: 'k' } } }, routes: { payouts: 'pay' },
      }, { plugins: [fakePlugin('payer', ['payments'])] }));
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.path).to.equal('config.routes.payouts');
      expect(e.message).to.contain('config.routes.payouts').and.contain('does not support payouts');
    });
    it('an unknown route key or target is an InvalidConfig naming it', async () => {
      const plugins = [fakePlugin('payer', ['payments'])];
      const instances = { pay: { plugin: 'payer', options: { merchantId: 'P', apiKey: 'k' } } };
      expect((await failure(createPaykit({ instances, routes: { teleport: 'pay' } }, { plugins }))).path).to.equal('config.routes.teleport');
      expect((await failure(createPaykit({ instances, routes: { payments: 'ghost' } }, { plugins }))).path).to.equal('config.routes.payments');
    });
  });

  describe('env: and file: references', () => {
    const plugins = [fakePlugin('fake', ALL)];
    it('resolves env:NAME from the given environment', async () => {
      const script = defaultScript();
      const paykit = await built({ instances: { main: { plugin: 'fake', options: { merchantId: 'env:FAKE_MID', apiKey: 'env:FAKE_KEY' } } } },
        { plugins: [fakePlugin('fake', ALL, script)], env: { FAKE_MID: 'M-42', FAKE_KEY: 'k' } });
      await paykit.payments.create(order('E1'));
      expect(script.calls[0]?.merchantId).to.equal('M-42');
    });
    it('a missing variable is an InvalidConfig naming the exact option path', async () => {
      const e = await failure(createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'env:FAKE_MISSING' } } } }, { plugins, env: {} }));
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.path).to.equal('config.instances.main.options.apiKey');
      expect(e.message).to.contain('config.instances.main.options.apiKey').and.contain('FAKE_MISSING');
    });
    it('a variable named after an Object.prototype member is missing too, not a function found on the environment', async () => {
      for (const name of ['toString', 'constructor', 'hasOwnProperty', '__proto__']) {
        for (const env of [{}, process.env]) {
          const e = await failure(createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M', apiKey: `env:${name}` } } } }, { plugins, env }));
          expect(e.kind, name).to.equal('InvalidConfig');
          expect(e.message, name).to.contain(`environment variable ${name} is not set`);
        }
      }
    });
    it('reads file:PATH relative to baseDir, without the final newline', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'paykit-core-'));
      writeFileSync(join(dir, 'mid.txt'), 'FROM-FILE\n');
      const script = defaultScript();
      const paykit = await built({ instances: { main: { plugin: 'fake', options: { merchantId: 'file:mid.txt', apiKey: 'k' } } } },
        { plugins: [fakePlugin('fake', ALL, script)], baseDir: dir });
      await paykit.payments.create(order('F1'));
      expect(script.calls[0]?.merchantId).to.equal('FROM-FILE');
    });
    it('an unreadable file is an InvalidConfig naming the option path', async () => {
      const e = await failure(createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'file:/nonexistent/key.pem' } } } }, { plugins }));
      expect(e.path).to.equal('config.instances.main.options.apiKey');
    });
    it('literal: escapes a value that starts like a reference', async () => {
      const script = defaultScript();
      const paykit = await built({ instances: { main: { plugin: 'fake', options: { merchantId: 'literal:env:NOT_A_REF', apiKey: 'k' } } } }, { plugins: [fakePlugin('fake', ALL, script)], env: {} });
      await paykit.payments.create(order('L1'));
      expect(script.calls[0]?.merchantId).to.equal('env:NOT_A_REF');
    });
  });

  describe('config validation', () => {
    const plugins = [fakePlugin('fake', ALL)];
    it('refuses an unknown top-level key, naming it', async () => {
      const e = await failure(createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'k' } } }, rutes: {} }, { plugins }));
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.path).to.equal('config.rutes');
    });
    it('refuses an unknown instance key, naming it', async () => {
      const e = await failure(createPaykit({ instances: { main: { plugin: 'fake', option: {} } } }, { plugins }));
      expect(e.path).to.equal('config.instances.main.option');
    });
    it('refuses an unknown plugin id, listing the available ones', async () => {
      const e = await failure(createPaykit({ instances: { main: { plugin: 'nopay' } } }, { plugins }));
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.path).to.equal('config.instances.main.plugin');
      expect(e.message).to.contain('"nopay"').and.contain('fake');
    });
    it('refuses a config that is not an object or has no instances', () => {
      for (const bad of [null, [], 'x', {}, { instances: {} }, { instances: { 'bad id!': { plugin: 'fake' } } }]) {
        expect(parseConfig(bad).isErr(), JSON.stringify(bad)).to.equal(true);
      }
    });
    context('when the plugin codec rejects the options', () => {
      it('names each offending path and never echoes a secret value', async () => {
        const e = await failure(createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 12345, apiKey: 987654321 } } } }, { plugins }));
        expect(e.kind).to.equal('InvalidConfig');
        expect(e.message).to.contain('config.instances.main.options.merchantId').and.contain('config.instances.main.options.apiKey');
        expect(e.message).to.contain('12345');
        expect(JSON.stringify(e)).to.not.contain('987654321');
      });
      it('does not echo a secret given next to a wrong field', async () => {
        const e = await failure(createPaykit({ instances: { main: { plugin: 'fake', options: { apiKey: 'TOP-SECRET-KEY-VALUE' } } } }, { plugins }));
        expect(e.path).to.equal('config.instances.main.options.merchantId');
        expect(JSON.stringify(e)).to.not.contain('TOP-SECRET-KEY-VALUE');
      });
      it('does not echo a secret resolved from the environment', async () => {
        const e = await failure(createPaykit({ instances: { main: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'env:K', label: 5 } } } }, { plugins, env: { K: 'ENV-SECRET-VALUE' } }));
        expect(e.path).to.equal('config.instances.main.options.label');
        expect(JSON.stringify(e)).to.not.contain('ENV-SECRET-VALUE');
      });
    });
    it('a plugin that declares a capability its module does not bind is refused', async () => {
      const e = await failure(createPaykit({ instances: { main: { plugin: 'liar', options: { merchantId: 'M', apiKey: 'k' } } } }, { plugins: [fakePlugin('liar', ['payments', 'refunds'], defaultScript(), false)] }));
      expect(e.message).to.contain('declares payments');
    });
  });

  describe('a third-party plugin loaded by module', () => {
    for (const [how, module] of [['an absolute file URL', pathToFileURL(thirdPartyFile).href], ['an absolute path', thirdPartyFile]] as const) {
      it(`registers from ${how} with no plugins passed and no change to core`, async () => {
        const paykit = await built({ instances: { acme: { plugin: 'acme', module, options: { shopCode: 'S9' } } } }, {});
        expect(paykit.instances()).to.deep.equal([{ id: 'acme', pluginId: 'acme', capabilities: ['payments'] }]);
        const r = await paykit.payments.create(order('T1'));
        const created = r._unsafeUnwrap();
        expect(created.action).to.deep.include({ kind: 'redirect', url: 'https://acme.example/pay/S9' });
        expect(created.payment).to.deep.include({ orderId: 'T1', instanceId: 'acme', status: 'pending' });
      });
    }
    it('resolves a relative module path against the config folder (deps.baseDir), not core', async () => {
      const baseDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
      const paykit = await built({ instances: { acme: { plugin: 'acme', module: './third-party-plugin/index.ts', options: { shopCode: 'S7' } } } }, { baseDir });
      expect(paykit.instances().map((i) => i.pluginId)).to.deep.equal(['acme']);
    });
    it('finds a plugin package by name in the node_modules of the config folder (pnpm, nested installs), by its import entry', async () => {
      // An application folder whose node_modules core cannot see from its own folder.
      const app = mkdtempSync(join(tmpdir(), 'paykit-app-'));
      const pkg = join(app, 'node_modules', '@acme', 'paykit-plugin');
      mkdirSync(join(pkg, 'dist'), { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@acme/paykit-plugin', type: 'module', exports: { '.': { types: './dist/index.d.ts', require: './dist/missing.cjs', import: './dist/index.js' } } }));
      writeFileSync(join(pkg, 'dist', 'index.js'), `export * from ${JSON.stringify(pathToFileURL(thirdPartyFile).href)};\n`);
      const config = { instances: { acme: { plugin: 'acme', module: '@acme/paykit-plugin', options: { shopCode: 'S8' } } } };
      const paykit = await built(config, { baseDir: join(app, 'config') });
      expect(paykit.instances().map((i) => i.pluginId)).to.deep.equal(['acme']);
      const missing = await failure(createPaykit({ instances: { acme: { plugin: 'acme', module: '@acme/not-installed' } } }, { baseDir: app }));
      expect(missing).to.include({ kind: 'InvalidConfig', path: 'config.instances.acme.module' });
    });
    it('a module without that plugin id is an InvalidConfig naming the module path', async () => {
      const e = await failure(createPaykit({ instances: { x: { plugin: 'zeta', module: thirdPartyFile } } }, {}));
      expect(e.path).to.equal('config.instances.x.module');
      expect(e.message).to.contain('exports no plugin with id "zeta"');
    });
    it('a module that cannot be imported is an InvalidConfig', async () => {
      const e = await failure(createPaykit({ instances: { x: { plugin: 'acme', module: '/nonexistent/plugin.js' } } }, {}));
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.path).to.equal('config.instances.x.module');
    });
  });

  describe('opening the store the config names', () => {
    /** An openStore that records every call and gives an in-memory store whose close() is counted. */
    function spyOpenStore() {
      const calls: { config: StoreConfig; options: { readonly baseDir?: string } }[] = [];
      const closed: string[] = [];
      const openStore = (config: StoreConfig, options: { readonly baseDir?: string }): PayResultAsync<OpenedStore> => {
        calls.push({ config, options });
        return okAsync(Object.assign(new InMemoryStore(), { close: () => { closed.push(config.kind); return Promise.resolve(); } }));
      };
      return { calls, closed, openStore };
    }
    const plugins = [fakePlugin('fake', ALL)];
    const store = { kind: 'pglite', dataDir: './paykit-data' };
    const good = { merchantId: 'M', apiKey: 'k' };
    const BAD: readonly (readonly [string, unknown, string])[] = [
      ['plugin options the codec refuses', { instances: { main: { plugin: 'fake', options: { merchantId: 5, apiKey: 'k' } } }, store }, 'config.instances.main.options.merchantId'],
      ['an unset env: reference in the options', { instances: { main: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'env:UNSET_KEY' } } }, store }, 'config.instances.main.options.apiKey'],
      ['an unknown plugin', { instances: { main: { plugin: 'nopay', options: good } }, store }, 'config.instances.main.plugin'],
      ['a plugin module that cannot be imported', { instances: { main: { plugin: 'x', module: '/nonexistent/plugin.js' } }, store }, 'config.instances.main.module'],
      ['a route to an instance without the capability', { instances: { main: { plugin: 'payer', options: good } }, routes: { refunds: 'main' }, store }, 'config.routes.refunds'],
      ['an unknown route key', { instances: { main: { plugin: 'fake', options: good } }, routes: { pay: 'main' }, store }, 'config.routes.pay'],
      ['an unset env: reference in the store section', { instances: { main: { plugin: 'fake', options: good } }, store: { kind: 'postgres', url: 'env:UNSET_DATABASE_URL' } }, 'config.store.url'],
    ];
    for (const [what, config, path] of BAD) {
      it(`refuses ${what} before opening the store`, async () => {
        const spy = spyOpenStore();
        const e = await failure(createPaykit(config, { plugins: [...plugins, fakePlugin('payer', ['payments'])], openStore: spy.openStore, env: {} }));
        expect(e.kind).to.equal('InvalidConfig');
        expect(e.path).to.equal(path);
        expect(spy.calls, 'openStore must not be called for a bad config').to.deep.equal([]);
      });
    }

    it('opens it once, with its references resolved, when the whole config is valid', async () => {
      const spy = spyOpenStore();
      const paykit = await built({ instances: { main: { plugin: 'fake', options: good } }, store: { kind: 'postgres', url: 'env:DB' } },
        { plugins, openStore: spy.openStore, env: { DB: 'postgres://127.0.0.1/shop' }, baseDir: '/srv/shop' });
      expect(spy.calls).to.deep.equal([{ config: { kind: 'postgres', url: 'postgres://127.0.0.1/shop' }, options: { baseDir: '/srv/shop' } }]);
      expect((await paykit.payments.create(order('S1'))).isOk()).to.equal(true);
    });
  });

  describe('paykit.close()', () => {
    const plugins = [fakePlugin('fake', ALL)];
    const config = { instances: { main: { plugin: 'fake', options: { merchantId: 'M', apiKey: 'k' } } }, store: { kind: 'pglite' } };

    it('closes the store createPaykit opened, once however often it is called', async () => {
      const closed: string[] = [];
      const openStore = () => okAsync(Object.assign(new InMemoryStore(), { close: () => { closed.push('store'); return okAsync(undefined); } }));
      const paykit = await built(config, { plugins, openStore });
      expect(closed).to.deep.equal([]);
      expect((await paykit.close()).isOk()).to.equal(true);
      expect((await paykit.close()).isOk()).to.equal(true);
      expect(closed).to.deep.equal(['store']);
    });

    it('leaves a store passed in deps.store open: its owner closes it', async () => {
      let closed = 0;
      const store = Object.assign(new InMemoryStore(), { close: () => { closed += 1; return Promise.resolve(); } });
      const paykit = await built(config, { plugins, store });
      expect((await paykit.close()).isOk()).to.equal(true);
      expect(closed).to.equal(0);
    });

    it("runs the deactivation of every instance's services", async () => {
      const released: string[] = [];
      const plugin: ProviderPlugin<FakeOptions> = {
        id: 'holder', displayName: 'Holder', capabilities: ['payments'], configCodec: FakeOptionsCodec,
        module: new ContainerModule(({ bind }) => {
          bind(Tokens.Payments).toDynamicValue(() => ({ create: () => errAsync(PaymentErrors.internal('unused')), query: () => errAsync(PaymentErrors.internal('unused')) }))
            .inSingletonScope().onDeactivation(() => { released.push('payments service'); });
        }),
      };
      const paykit = await built({ instances: { a: { plugin: 'holder', options: { merchantId: 'M', apiKey: 'k' } } } }, { plugins: [plugin] });
      expect(paykit.service('payments', 'create').isOk()).to.equal(true); // builds the singleton
      expect((await paykit.close()).isOk()).to.equal(true);
      expect(released).to.deep.equal(['payments service']);
    });

    it('refuses operations afterwards, saying the paykit was closed', async () => {
      const paykit = await built(config, { plugins, openStore: () => okAsync(new InMemoryStore()) });
      await paykit.close();
      const e = await failure(paykit.payments.create(order('C1')));
      expect(e.kind).to.equal('InvalidRequest');
      expect(e.message).to.contain('was closed');
    });

    it('reports a store that fails to close as an Internal error, without throwing', async () => {
      const openStore = () => okAsync(Object.assign(new InMemoryStore(), { close: () => errAsync(PaymentErrors.internal('disk gone')) }));
      const paykit = await built(config, { plugins, openStore });
      const e = await failure(paykit.close());
      expect(e.kind).to.equal('Internal');
      expect(e.message).to.contain('the store');
    });
  });
});
