import { expect } from 'chai';
import { runCli } from '../src/index.js';
import { brokenProvider, FAKE_PROVIDERS, fakeDemo, fakePlugin } from './fixtures/fakepay.js';
import { MemoryIo, tempDir } from './fixtures/memory-io.js';

const shop = (options: Record<string, unknown>): string => JSON.stringify({ instances: { shop: { plugin: 'fakepay', options } } });

describe('paykit config check', () => {
  async function check(files: Record<string, string>, env: Record<string, string> = {}): Promise<{ code: number; io: MemoryIo }> {
    const dir = tempDir(files);
    // Run from another directory: file: references must resolve from the config file's directory.
    const io = new MemoryIo('', env, tempDir({}));
    const code = await runCli(['config', 'check', `${dir}/paykit.json`], io, FAKE_PROVIDERS);
    return { code, io };
  }

  context('when the config is valid', () => {
    it('resolves env: and file: references and lists instances and routes', async () => {
      const { code, io } = await check({
        'paykit.json': JSON.stringify({
          instances: { shop: { plugin: 'fakepay', options: { merchantId: 'env:FAKE_MERCHANT', md5Key: 'file:md5.key', gatewayUrl: 'https://pay.example.com' } } },
          routes: { 'refunds.create': 'shop' },
        }),
        'md5.key': 'K123secret',
      }, { FAKE_MERCHANT: 'M1' });
      expect(io.stderr).to.equal('');
      expect(code).to.equal(0);
      expect(io.stdout).to.contain('config OK');
      expect(io.stdout).to.contain('  shop: plugin fakepay; capabilities payments, refunds\n');
      expect(io.stdout).to.contain('  payments -> shop\n');
      expect(io.stdout).to.contain('  refunds -> shop\n');
      expect(io.stdout).to.contain('  payouts -> (no instance)\n');
      expect(io.stdout).to.contain('  refunds.create -> shop\n');
      expect(io.stdout).not.to.contain('K123secret');
    });
  });

  context('when the config is wrong', () => {
    it('names a file: reference that cannot be read, resolved from the config directory', async () => {
      const { code, io } = await check({ 'paykit.json': shop({ merchantId: 'M1', md5Key: 'file:keys/md5.key', gatewayUrl: 'https://pay.example.com' }) });
      expect(code).to.equal(1);
      expect(io.stderr).to.contain('config.instances.shop.options.md5Key: cannot read file').and.to.contain('keys/md5.key');
    });

    it('names an unset environment variable with its path', async () => {
      const { code, io } = await check({ 'paykit.json': shop({ merchantId: 'M1', md5Key: 'env:FAKE_KEY', gatewayUrl: 'https://pay.example.com' }) });
      expect(code).to.equal(1);
      expect(io.stderr).to.match(/^error: InvalidConfig \[invalid_config\] config\.instances\.shop\.options\.md5Key: environment variable FAKE_KEY is not set/);
    });

    it('names an invalid option value with its exact path', async () => {
      const { code, io } = await check({ 'paykit.json': shop({ merchantId: 'M1', md5Key: 'k', gatewayUrl: 'not a url' }) });
      expect(code).to.equal(1);
      expect(io.stderr).to.contain('config.instances.shop.options.gatewayUrl');
    });

    it('names an unknown plugin', async () => {
      const { code, io } = await check({ 'paykit.json': JSON.stringify({ instances: { shop: { plugin: 'nopay' } } }) });
      expect(code).to.equal(1);
      expect(io.stderr).to.contain('config.instances.shop.plugin').and.to.contain('unknown plugin "nopay"');
    });

    it('reports a file that is not JSON', async () => {
      const { code, io } = await check({ 'paykit.json': '{ instances: ' });
      expect(code).to.equal(1);
      expect(io.stderr).to.contain('is not valid JSON');
    });

    it('never quotes the file\'s text when it is not JSON: a key written inline in single quotes stays out of the message', async () => {
      for (const text of [`{ "instances": { "shop": { "plugin": "fakepay", "options": { "md5Key": 'K123secretvalue' } } } }`,
        `{ "instances": { "shop": { "plugin": "fakepay", "options": { "md5Key": K123secretvalue } } } }`]) {
        const { code, io } = await check({ 'paykit.json': text });
        expect(code).to.equal(1);
        expect(io.stderr).to.contain('is not valid JSON: unexpected character (a value in single quotes, or not quoted?)');
        expect(io.stderr).not.to.match(/K123|secret/);
      }
    });

    it('exits 2 without the check subcommand or the file', async () => {
      for (const argv of [['config'], ['config', 'show', 'x.json'], ['config', 'check']]) {
        const io = new MemoryIo();
        expect(await runCli(argv, io, FAKE_PROVIDERS)).to.equal(2);
      }
    });
  });
});

describe('paykit demo', function () {
  // Four providers' scenarios against their simulators: seconds each on a busy machine.
  this.timeout(120_000);
  context('when every demo finishes', () => {
    it("prints each provider's section with numbered steps, secrets hidden and cards masked, exit 0", async () => {
      const io = new MemoryIo();
      expect(await runCli(['demo'], io, FAKE_PROVIDERS)).to.equal(0);
      expect(io.stdout).to.contain('=== Fake Pay (fakepay): fake scenario ===');
      expect(io.stdout).to.contain('--- paying with a card ---');
      expect(io.stdout).to.contain('  1. created the payment\n');
      expect(io.stdout).to.contain('      {\n        "orderId": "A1",\n        "md5Key": "[REDACTED]",');
      expect(io.stdout).to.contain('  2. the payer used card 622202*********3445\n');
      expect(io.stdout).to.contain('  3. done\n');
      expect(io.stdout).to.contain('=== Bare (bare): no demo ===');
      expect(io.stdout).not.to.contain('demo-secret-key');
      expect(io.stdout).not.to.contain('6222020200112233445');
    });
  });

  context('when a demo fails', () => {
    it('reports it in one line, still runs the others, and exits 1', async () => {
      const io = new MemoryIo();
      expect(await runCli(['demo', '--store', 'memory'], io, [brokenProvider, { plugin: fakePlugin, demo: fakeDemo }])).to.equal(1);
      expect(io.stderr).to.contain('error: demo of brokenpay failed: Error: simulator did not start');
      expect(io.stderr).not.to.match(/\n\s+at /);
      expect(io.stdout).to.contain('=== Fake Pay (fakepay): fake scenario ===');
    });
  });

  context('with --provider', () => {
    it('runs only that provider', async () => {
      const io = new MemoryIo();
      expect(await runCli(['demo', '--provider', 'fakepay', '--store', 'memory'], io, [brokenProvider, { plugin: fakePlugin, demo: fakeDemo }])).to.equal(0);
      expect(io.stdout).not.to.contain('Broken Pay');
    });

    it('exits 2 for an unknown provider', async () => {
      expect(await runCli(['demo', '--provider', 'nopay'], new MemoryIo(), FAKE_PROVIDERS)).to.equal(2);
    });
  });
});
