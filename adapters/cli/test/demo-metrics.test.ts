import { expect } from 'chai';
import { createNoopMeter, metrics } from '@opentelemetry/api';
import { PROVIDERS, runCli } from '../src/index.js';
import { MemoryIo } from './fixtures/memory-io.js';

const example = PROVIDERS.filter((p) => p.plugin.id === 'example');

describe('paykit demo --metrics', function () {
  this.timeout(60_000);

  context('when asked for metrics', () => {
    it('prints, after the demo, the notifications and provider calls paykit recorded, and unregisters its meter provider', async () => {
      const io = new MemoryIo();
      const code = await runCli(['demo', '--store', 'memory', '--provider', 'example', '--metrics'], io, example);
      expect(io.stderr).to.equal('');
      expect(code).to.equal(0);
      const section = io.stdout.slice(io.stdout.indexOf('Metrics paykit recorded'));
      expect(section, io.stdout.slice(-500)).to.match(/^Metrics paykit recorded/);
      expect(section).to.match(/paykit\.notifications\{paykit\.instance=\w+, paykit\.outcome=accepted, paykit\.provider=example\}  [1-9]\d*/);
      // The demo creates two payments: the one it walks through, and the one whose notification is
      // lost until the day's reconciliation repairs it.
      expect(section).to.match(/paykit\.provider\.calls\{paykit\.instance=\w+, paykit\.operation=payments\.create, paykit\.outcome=ok, paykit\.provider=example\}  2\n/);
      expect(section).to.match(/paykit\.provider\.call\.duration\{.*paykit\.operation=payments\.create.*\}  count 2, mean \d+\.\d ms/);
      expect(section).to.match(/paykit\.records\{paykit\.record\.kind=payout, paykit\.record\.state=held_for_review\}  0/);
      expect(metrics.getMeterProvider().getMeter('x')).to.be.an.instanceOf(createNoopMeter().constructor);
    });
  });

  context('when not asked', () => {
    it('prints no metrics', async () => {
      const io = new MemoryIo();
      expect(await runCli(['demo', '--store', 'memory', '--provider', 'example'], io, example)).to.equal(0);
      expect(io.stdout).not.to.include('Metrics paykit recorded');
    });
  });
});
