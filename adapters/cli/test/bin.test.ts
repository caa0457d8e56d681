// The real `paykit` binary as a child process, with the built-in providers (Example Pay).
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { PROVIDERS } from '../src/index.js';
import { tempDir } from './fixtures/memory-io.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const KEY = 'example-hmac-key-01';

interface Run { readonly code: number | null; readonly stdout: string; readonly stderr: string }

function paykit(args: readonly string[], stdin = '', env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@paykit/source', '--import', 'tsx/esm', 'adapters/cli/src/bin.ts', ...args], {
      cwd: ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Example Pay's signature, written independently: HMAC-SHA256 over sorted non-empty k=v pairs without sign. */
function exampleSign(fields: Record<string, string>): string {
  const text = Object.keys(fields).filter((k) => k !== 'sign' && fields[k] !== '').sort().map((k) => `${k}=${fields[k]}`).join('&');
  return createHmac('sha256', KEY).update(text).digest('hex');
}

describe('paykit binary (child process)', function () {
  this.timeout(60_000);

  it('paykit demo exits 0 and prints every built-in provider\'s section', async () => {
    const r = await paykit(['demo']);
    expect(r.stderr).not.to.contain('error:');
    expect(r.code).to.equal(0);
    for (const { plugin, demo } of PROVIDERS) {
      expect(r.stdout).to.contain(`=== ${plugin.displayName} (${plugin.id}): ${demo?.title ?? 'no demo'} ===`);
    }
    expect(r.stdout).to.contain(`${PROVIDERS.filter((p) => p.demo).length} demo(s) finished.`);
    expect(r.stdout).not.to.match(/\n\s+at /);
  });

  it('paykit sign prints Example Pay\'s HMAC signature of the fields on stdin', async () => {
    const r = await paykit(['sign', '--provider', 'example', '--key', 'env:EXAMPLE_KEY'], '{"order_no":"A1001","amount":"49.65"}', { EXAMPLE_KEY: KEY });
    expect(r.code).to.equal(0);
    expect(r.stdout).to.equal(`${exampleSign({ order_no: 'A1001', amount: '49.65', sign_type: 'HMAC-SHA256' })}\n`);
  });

  context('paykit verify with Example Pay', () => {
    const fields = { merchant_id: 'M100200', order_no: 'A1001', amount: '49.65', currency: 'CNY', status: 'SUCCESS', notify_id: 'N1', sign_type: 'HMAC-SHA256' };
    const body = JSON.stringify({ ...fields, sign: exampleSign(fields) });

    it('exits 0 and prints the decoded message for a validly signed notification', async () => {
      const r = await paykit(['verify', '--provider', 'example', '--key', KEY], body);
      expect(r.code).to.equal(0);
      const out = JSON.parse(r.stdout) as { valid: boolean; message: string; result: Record<string, string> };
      expect(out).to.include({ valid: true, message: 'notification' });
      expect(out.result.order_no).to.equal('A1001');
    });

    it('exits 1 with the reason for a tampered notification', async () => {
      const r = await paykit(['verify', '--provider', 'example', '--key', KEY], body.replace('"49.65"', '"0.01"'));
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^error: Signature \[invalid_signature\]/);
      expect(r.stderr).not.to.match(/\n\s+at /);
    });
  });

  context('with an Example Pay config file', () => {
    const config = JSON.stringify({
      instances: { shop: { plugin: 'example', options: { merchantId: 'M100200', key: 'file:example.key', baseUrl: 'https://api.example-pay.test', notifyUrl: 'https://shop.example.com/notify' } } },
    });

    it('paykit config check prints the instance, its capabilities and routes', async () => {
      const dir = tempDir({ 'paykit.json': config, 'example.key': KEY });
      const r = await paykit(['config', 'check', `${dir}/paykit.json`]);
      expect(r.code).to.equal(0);
      expect(r.stdout).to.contain('  shop: plugin example; capabilities payments, notifications, refunds, statements\n');
      expect(r.stdout).to.contain('  payments -> shop\n');
      expect(r.stdout).not.to.contain(KEY);
    });

    it('paykit config check exits 1 naming the path of a bad option', async () => {
      const dir = tempDir({ 'paykit.json': config.replace('M100200', 'M-1'), 'example.key': KEY });
      const r = await paykit(['config', 'check', `${dir}/paykit.json`]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain('config.instances.shop.options.merchantId');
    });

    it('paykit request payments.query prints the signed request without sending it', async () => {
      const dir = tempDir({ 'paykit.json': config, 'example.key': KEY });
      const r = await paykit(['request', '--config', `${dir}/paykit.json`, 'payments.query'], '{"orderId":"A1001"}');
      expect(r.code).to.equal(0);
      const [head, body] = r.stdout.split('\n\n') as [string, string];
      expect(head).to.equal('POST https://api.example-pay.test/query\ncontent-type: application/json; charset=utf-8');
      const sent = JSON.parse(body) as Record<string, string>;
      expect(sent).to.include({ merchant_id: 'M100200', order_no: 'A1001' });
      expect(sent.sign).to.equal(exampleSign(sent));
      expect(r.stderr).to.contain('not sent');
    });
  });

  context('the installed link, node_modules/.bin/paykit (what npx paykit runs)', () => {
    const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

    it('prints the version of @paykit/cli with --version, from any working directory, with no build', async () => {
      const r = await new Promise<Run>((resolve, reject) => {
        // The link npm made at install; it runs the sources in this repository (dist/ may not exist).
        const child = spawn(`${ROOT}node_modules/.bin/paykit`, ['--version'], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
        child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(r.stderr).to.equal('');
      expect(r.code).to.equal(0);
      expect(r.stdout).to.equal(`${version}\n`);
    });
  });
});
