import { formatPaymentError, Tokens } from '@paykit/core';
import { expect } from 'chai';
import { inspect } from 'node:util';
import type { ConformanceHarness } from '@paykit/core/simulator';
import { describeWithSut, expectOk, SUT, type LeakLedger } from '../kit.js';

function leaks(text: string, ledger: LeakLedger): string | undefined {
  for (const s of ledger.secrets) if (s.length > 0 && text.includes(s)) return 'a configured secret';
  for (const c of ledger.cardNumbers) if (c.length > 0 && text.includes(c)) return 'a full card number';
  return undefined;
}

/** A text with every secret and card number blanked, for failure messages. */
function scrub(text: string, ledger: LeakLedger): string {
  let out = text;
  for (const s of [...ledger.secrets, ...ledger.cardNumbers]) if (s.length > 0) out = out.split(s).join('[LEAKED]');
  return out;
}

/**
 * Group: nothing the suite saw (every log line and every error of every group before it) carries a
 * secret or a full card number. Declare it last.
 */
export function secretsGroup(harness: ConformanceHarness, ledger: LeakLedger): void {
  describeWithSut('secrets never leak', harness, ledger, (sut) => {
    it('gives the kit secrets to look for', function () {
      expect(sut().ctx.secrets.length, 'HarnessContext.secrets').to.be.greaterThan(0);
      for (const s of sut().ctx.secrets) expect(s.length, 'a secret is a non-empty string').to.be.greaterThan(0);
    });

    it('keeps secrets out of the decoded instance options when printed', function () {
      const svc = expectOk(sut().paykit.service(harness.plugin.capabilities[0] ?? 'payments', 'conformance', SUT), 'service');
      const options = svc.instance.container.get(Tokens.InstanceConfig);
      for (const text of [JSON.stringify(options) ?? '', inspect(options, { depth: null }), String(options)]) {
        expect(leaks(text, ledger), 'printed instance options carry').to.equal(undefined);
      }
    });

    it('saw errors from the groups before it (so the checks below inspect something)', function () {
      expect(ledger.errors.length).to.be.greaterThan(0);
    });

    it('never puts a secret or a full card number in an error', function () {
      for (const e of ledger.errors) {
        for (const text of [JSON.stringify(e), inspect(e, { depth: null }), formatPaymentError(e)]) {
          const found = leaks(text, ledger);
          expect(found, `${e.kind} error "${scrub(e.message, ledger).slice(0, 120)}" carries`).to.equal(undefined);
        }
      }
    });

    it('never puts a secret or a full card number in a log line', function () {
      for (const logger of ledger.loggers) {
        for (const line of logger.lines) {
          for (const text of [JSON.stringify(line), inspect(line, { depth: null })]) {
            const found = leaks(text, ledger);
            expect(found, `log line "${scrub(line.message, ledger).slice(0, 120)}" carries`).to.equal(undefined);
          }
        }
      }
    });
  });
}
