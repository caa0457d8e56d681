import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

interface MochaJsonTest { readonly fullTitle: string; readonly title: string }
interface MochaJson { readonly stats: { readonly passes: number; readonly failures: number }; readonly failures: readonly MochaJsonTest[]; readonly passes: readonly MochaJsonTest[] }

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the conformance suite against every mutant in a child mocha and returns its JSON report. */
function runMutants(): MochaJson {
  const out = join(mkdtempSync(join(tmpdir(), 'paykit-mutants-')), 'report.json');
  const run = spawnSync(process.execPath, [
    '--conditions=@paykit/source', '--import', 'tsx/esm', join(root, 'node_modules/mocha/bin/mocha.js'),
    '--no-config', '--timeout', '20000', '--reporter', 'json', '--reporter-option', `output=${out}`,
    join(root, 'conformance/test/fixtures/mutants.ts'),
  ], { cwd: root, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') }, encoding: 'utf8', timeout: 120_000 });
  if (run.error) throw run.error;
  try {
    return JSON.parse(readFileSync(out, 'utf8')) as MochaJson;
  } catch {
    throw new Error(`the mutant run wrote no report (exit ${String(run.status)}): ${run.stderr.slice(0, 2000)}`);
  }
}

function failedTitles(report: MochaJson, mutant: string): string[] {
  return report.failures.filter((t) => t.fullTitle.startsWith(`mutant:${mutant} `)).map((t) => t.title);
}

describe('describeProviderConformance', function () {
  this.timeout(150_000);
  let report: MochaJson;
  before(function () {
    report = runMutants();
  });

  context('when run against plugins with one deliberate bug each', function () {
    it('still passes the tests the bug does not touch (the mutants start and run)', function () {
      expect(report.stats.passes).to.be.greaterThan(100);
    });

    const cases: ReadonlyArray<readonly [string, string, readonly string[]]> = [
      ['unknown-status-succeeds', 'an unknown status mapped to success', ['maps any unknown string to a waiting status, never a final one', 'maps near-misses of documented statuses to a waiting status, never a final one']],
      ['unverified-notifications', 'a notification trusted without its signature', ['refuses a tampered notification with a Signature or Decode error and changes nothing', 'refuses an unsigned notification']],
      ['query-invents-data', 'a failed query answered with made-up data', ['returns an error on server-error and leaves every record as it was', 'returns an error on bad-signature and leaves every record as it was']],
      ['secret-in-errors', 'the merchant key in an error message', ['never puts a secret or a full card number in an error']],
      ['float-amounts', 'amounts parsed through floating point', ['pays and queries every amount in every currency exactly']],
      ['lost-reply-is-failure', 'a lost refund reply reported as a failure', ['answers OutcomeUnknown with a resolution on timeout-after-processing', 'answers OutcomeUnknown with a resolution on drop-reply-after-processing']],
    ];
    for (const [mutant, bug, mustFail] of cases) {
      it(`fails ${mutant}: ${bug}`, function () {
        const failed = failedTitles(report, mutant);
        for (const title of mustFail) expect(failed, `failed tests of mutant ${mutant}`).to.include(title);
      });
    }
  });
});
