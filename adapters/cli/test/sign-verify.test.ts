import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { COMMANDS, PROVIDERS, runCli } from '../src/index.js';
import { FAKE_PROVIDERS } from './fixtures/fakepay.js';
import { MemoryIo, tempDir } from './fixtures/memory-io.js';

// Known answer written out by hand, hashed with node:crypto directly (not the provider's code).
const KEY = 'K123secret';
const SIGNED = `amount=49.65&order_id=A1001&key=${KEY}`;
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const FIELDS = JSON.stringify({ order_id: 'A1001', amount: '49.65' });

describe('paykit CLI', () => {
  context('when run without a command', () => {
    it('prints the usage on stderr and exits 2', async () => {
      const io = new MemoryIo();
      expect(await runCli([], io, FAKE_PROVIDERS)).to.equal(2);
      expect(io.stderr).to.contain('Usage: paykit <command>');
      expect(io.stdout).to.equal('');
    });
  });

  context('when asked for help', () => {
    it('lists every command and the built-in providers, exit 0', async () => {
      const io = new MemoryIo();
      expect(await runCli(['--help'], io, FAKE_PROVIDERS)).to.equal(0);
      for (const name of ['demo', 'sign', 'verify', 'request', 'config']) expect(io.stdout).to.contain(`  ${name}`);
      expect(io.stdout).to.contain('Built-in providers: fakepay, bare');
    });

    for (const command of COMMANDS) {
      it(`prints the help of ${command.name} with --help and -h`, async () => {
        for (const flag of ['--help', '-h']) {
          const io = new MemoryIo();
          expect(await runCli([command.name, flag], io, FAKE_PROVIDERS)).to.equal(0);
          expect(io.stdout).to.contain(`Usage: paykit ${command.name}`);
          expect(io.stdout).to.contain('Example');
        }
      });
    }
  });

  context('when asked for the version', () => {
    it('prints the version of @paykit/cli from its package.json, exit 0', async () => {
      const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
      for (const flag of ['--version', '-v']) {
        const io = new MemoryIo();
        expect(await runCli([flag], io, FAKE_PROVIDERS)).to.equal(0);
        expect(io.stdout).to.equal(`${version}\n`);
      }
    });
  });

  context('when the command line is wrong', () => {
    it('exits 2 for an unknown command', async () => {
      const io = new MemoryIo();
      expect(await runCli(['pay'], io, FAKE_PROVIDERS)).to.equal(2);
      expect(io.stderr).to.contain('unknown command "pay"');
    });

    it('exits 2 for an unknown option, naming it', async () => {
      const io = new MemoryIo(FIELDS);
      expect(await runCli(['sign', '--provider', 'fakepay', '--md5key', KEY], io, FAKE_PROVIDERS)).to.equal(2);
      expect(io.stderr).to.contain('unknown option --md5key').and.to.contain('paykit sign --help');
    });

    it('exits 2 for an option without its value', async () => {
      const io = new MemoryIo(FIELDS);
      expect(await runCli(['sign', '--provider'], io, FAKE_PROVIDERS)).to.equal(2);
      expect(io.stderr).to.contain('--provider needs a value');
    });
  });

  describe('sign', () => {
    it('prints the signature of the fields on stdin', async () => {
      const io = new MemoryIo(FIELDS);
      expect(await runCli(['sign', '--provider', 'fakepay', '--md5-key', KEY], io, FAKE_PROVIDERS)).to.equal(0);
      expect(io.stdout).to.equal(`${md5(SIGNED)}\n`);
    });

    it('with --explain hides only the key itself, not the same text elsewhere in the signed string', async () => {
      const io = new MemoryIo(JSON.stringify({ order_id: 'A1001', amount: '49.65', note: 'x49.65' }));
      expect(await runCli(['sign', '--provider', 'fakepay', '--md5-key', '49.65', '--explain'], io, FAKE_PROVIDERS)).to.equal(0);
      expect(io.stdout).to.contain('signed text: amount=49.65&note=x49.65&order_id=A1001&key=<md5Key>\n');
    });

    it('accepts --name=value and reads the key from env: references', async () => {
      const io = new MemoryIo(FIELDS, { FAKE_KEY: KEY });
      expect(await runCli(['sign', '--provider=fakepay', '--md5-key=env:FAKE_KEY'], io, FAKE_PROVIDERS)).to.equal(0);
      expect(io.stdout).to.equal(`${md5(SIGNED)}\n`);
    });

    it('reads the key from a file: reference relative to the working directory', async () => {
      const dir = tempDir({ 'md5.key': `${KEY}\n` });
      const io = new MemoryIo(FIELDS, {}, dir);
      expect(await runCli(['sign', '--provider', 'fakepay', '--md5-key', 'file:md5.key'], io, FAKE_PROVIDERS)).to.equal(0);
      expect(io.stdout).to.equal(`${md5(SIGNED)}\n`);
    });

    context('with --explain', () => {
      it('prints field, signature and the signed text with the key shown as <md5Key>, never the key itself', async () => {
        const io = new MemoryIo(FIELDS);
        expect(await runCli(['sign', '--provider', 'fakepay', '--md5-key', KEY, '--explain'], io, FAKE_PROVIDERS)).to.equal(0);
        expect(io.stdout).to.contain('field:       sign\n');
        expect(io.stdout).to.contain(`signature:   ${md5(SIGNED)}\n`);
        expect(io.stdout).to.contain('signed text: amount=49.65&order_id=A1001&key=<md5Key>\n');
        expect(io.stdout + io.stderr).not.to.contain(KEY);
      });

      it('masks a card number in the signed text, as verify --explain does, and still prints the signature of the real one', async () => {
        const fields = { amount: '49.65', card_no: '6222020200112233445', order_id: 'A1001' };
        const io = new MemoryIo(JSON.stringify(fields));
        expect(await runCli(['sign', '--provider', 'fakepay', '--md5-key', KEY, '--explain'], io, FAKE_PROVIDERS)).to.equal(0);
        expect(io.stdout).to.contain('signed text: amount=49.65&card_no=622202*********3445&order_id=A1001&key=<md5Key>\n');
        expect(io.stdout).to.contain(`signature:   ${md5(`amount=49.65&card_no=6222020200112233445&order_id=A1001&key=${KEY}`)}\n`);
        expect(io.stdout + io.stderr).not.to.contain('6222020200112233445');
      });
    });

    context('when the input or the options are wrong', () => {
      it('exits 2 without --provider', async () => {
        const io = new MemoryIo(FIELDS);
        expect(await runCli(['sign', '--md5-key', KEY], io, FAKE_PROVIDERS)).to.equal(2);
        expect(io.stderr).to.contain('--provider is required');
      });

      it('exits 2 for an unknown provider, listing the known ones', async () => {
        const io = new MemoryIo(FIELDS);
        expect(await runCli(['sign', '--provider', 'nopay', '--md5-key', KEY], io, FAKE_PROVIDERS)).to.equal(2);
        expect(io.stderr).to.contain('unknown provider "nopay"').and.to.contain('fakepay, bare');
      });

      it('exits 2 when both --md5-key and --private-key are given', async () => {
        const io = new MemoryIo(FIELDS);
        expect(await runCli(['sign', '--provider', 'fakepay', '--md5-key', KEY, '--private-key', 'k.pem'], io, FAKE_PROVIDERS)).to.equal(2);
      });

      it('does not quote standard input back when it is not JSON (it may hold a key)', async () => {
        const io = new MemoryIo(`{"order_id": "A1001", "note": 'K123secretvalue'}`);
        expect(await runCli(['sign', '--provider', 'fakepay', '--md5-key', KEY], io, FAKE_PROVIDERS)).to.equal(1);
        expect(io.stderr).to.contain('standard input is not valid JSON (unexpected character');
        expect(io.stderr).not.to.match(/K123|secret/);
      });

      it('exits 1 with a one-line reason, no stack trace, when stdin is not JSON', async () => {
        const io = new MemoryIo('order_id=A1001');
        expect(await runCli(['sign', '--provider', 'fakepay', '--md5-key', KEY], io, FAKE_PROVIDERS)).to.equal(1);
        expect(io.stderr).to.match(/^error: InvalidRequest \[invalid_request\] standard input is not valid JSON/);
        expect(io.stderr.trim().split('\n')).to.have.length(1);
        expect(io.stderr).not.to.match(/\n\s+at /);
      });

      it('exits 1 when the key file cannot be read', async () => {
        const io = new MemoryIo(FIELDS, {}, tempDir({}));
        expect(await runCli(['sign', '--provider', 'fakepay', '--private-key', 'missing.pem'], io, FAKE_PROVIDERS)).to.equal(1);
        expect(io.stderr).to.contain('cannot read file missing.pem');
      });

      it('exits 1 when an env: reference names an unset variable', async () => {
        const io = new MemoryIo(FIELDS, {});
        expect(await runCli(['sign', '--provider', 'fakepay', '--md5-key', 'env:NOPE'], io, FAKE_PROVIDERS)).to.equal(1);
        expect(io.stderr).to.contain('environment variable NOPE is not set');
      });

      it('exits 1 with Unsupported for a provider without tools', async () => {
        const io = new MemoryIo(FIELDS);
        expect(await runCli(['sign', '--provider', 'bare', '--md5-key', KEY], io, FAKE_PROVIDERS)).to.equal(1);
        expect(io.stderr).to.contain('Unsupported');
      });
    });
  });

  describe('verify', () => {
    const signedBody = (fields: string): string => `${fields}&sign=${md5(`${fields}&key=${KEY}`)}`;

    it('prints the decoded result as JSON with card numbers masked, exit 0', async () => {
      const fields = 'card_no=6222020200112233445&order_id=A1001&status=paid';
      const io = new MemoryIo(signedBody(fields));
      expect(await runCli(['verify', '--provider', 'fakepay', '--md5-key', KEY], io, FAKE_PROVIDERS)).to.equal(0);
      const out = JSON.parse(io.stdout) as { valid: boolean; message: string; result: Record<string, string> };
      expect(out.valid).to.equal(true);
      expect(out.message).to.equal('notification');
      expect(out.result.orderId).to.equal('A1001');
      expect(out.result.status).to.equal('succeeded');
      expect(io.stdout).not.to.contain('6222020200112233445');
      expect(out.result.payer_card_no).to.match(/^\*+3445$/);
    });

    it('with --explain adds the signed text with the key hidden', async () => {
      const io = new MemoryIo(signedBody('order_id=A1001'));
      expect(await runCli(['verify', '--provider', 'fakepay', '--key', KEY, '--explain'], io, FAKE_PROVIDERS)).to.equal(0);
      expect((JSON.parse(io.stdout) as { signedText: string }).signedText).to.equal('order_id=A1001&key=<md5Key>');
      expect(io.stdout).not.to.contain(KEY);
    });

    it('with --explain prints long merchant and order numbers exactly, masking only card fields', async () => {
      const io = new MemoryIo(signedBody('card_no=6222020200112233445&oid_partner=201408071000001543&order_id=2013051500001234'));
      expect(await runCli(['verify', '--provider', 'fakepay', '--key', KEY, '--explain'], io, FAKE_PROVIDERS)).to.equal(0);
      const text = (JSON.parse(io.stdout) as { signedText: string }).signedText;
      expect(text).to.equal('card_no=622202*********3445&oid_partner=201408071000001543&order_id=2013051500001234&key=<md5Key>');
      expect(io.stdout).not.to.contain('6222020200112233445');
    });

    it('with --explain masks the payer\'s id number (id_no) like a card, keeping its last 4', async () => {
      const io = new MemoryIo(signedBody('id_no=11010119900101123X&order_id=A1001'));
      expect(await runCli(['verify', '--provider', 'fakepay', '--key', KEY, '--explain'], io, FAKE_PROVIDERS)).to.equal(0);
      const text = (JSON.parse(io.stdout) as { signedText: string }).signedText;
      expect(text).to.equal('id_no=**************123X&order_id=A1001&key=<md5Key>');
      expect(io.stdout).not.to.contain('11010119900101123X');
      // A short one keeps its last 2 (5 to 8 characters), as LianLian's own masking does.
      const short = new MemoryIo(signedBody('id_no=E1234567&order_id=A1001'));
      expect(await runCli(['verify', '--provider', 'fakepay', '--key', KEY, '--explain'], short, FAKE_PROVIDERS)).to.equal(0);
      expect((JSON.parse(short.stdout) as { signedText: string }).signedText).to.equal('id_no=******67&order_id=A1001&key=<md5Key>');
    });

    it('shows provider ids (oid_paybill) exactly and masks a card number glued to letters', async () => {
      const io = new MemoryIo(signedBody('card_no=6222020200112233445&note=paid by card6222020200112233445&oid_paybill=2013051500001234&order_id=A1001'));
      expect(await runCli(['verify', '--provider', 'fakepay', '--key', KEY, '--explain'], io, FAKE_PROVIDERS)).to.equal(0);
      const out = JSON.parse(io.stdout) as { result: Record<string, string>; signedText: string };
      expect(out.result.providerPaymentId).to.equal('2013051500001234');
      expect(out.result.note).to.equal('paid by card622202*********3445');
      expect(out.signedText).to.equal('card_no=622202*********3445&note=paid by card622202*********3445&oid_paybill=2013051500001234&order_id=A1001&key=<md5Key>');
      expect(io.stdout).not.to.contain('6222020200112233445');
    });

    it("shows a LianLian notification's oid_paybill as the provider payment id", async () => {
      // Signed here as LianLian's spec says (sorted k=v of the non-empty fields, &key=, MD5), not by the plugin.
      const md5Key = 'lianlian-md5-key-for-this-test';
      const fields: Record<string, string> = {
        oid_partner: '201408071000001543', dt_order: '20240101120000', no_order: 'A1001', oid_paybill: '2013051500001234', money_order: '49.65',
        result_pay: 'SUCCESS', settle_date: '20240101', info_order: 'tea', pay_type: '2', bank_code: '01020000', sign_type: 'MD5',
      };
      const text = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('&');
      const body = JSON.stringify({ ...fields, sign: md5(`${text}&key=${md5Key}`) });
      const io = new MemoryIo(body);
      expect(await runCli(['verify', '--provider', 'lianlian-web', '--md5-key', md5Key], io, PROVIDERS)).to.equal(0);
      const out = JSON.parse(io.stdout) as { result: Record<string, unknown> };
      expect(out.result).to.include({ orderId: 'A1001', providerPaymentId: '2013051500001234', status: 'succeeded' });
    });

    it('exits 1 with the reason when the message was tampered with', async () => {
      const io = new MemoryIo(signedBody('order_id=A1001&amount=1.00').replace('amount=1.00', 'amount=9.00'));
      expect(await runCli(['verify', '--provider', 'fakepay', '--md5-key', KEY], io, FAKE_PROVIDERS)).to.equal(1);
      expect(io.stderr).to.match(/^error: Signature \[invalid_signature\] fakepay notification signature does not verify/);
      expect(io.stdout).to.equal('');
    });

    it('exits 1 when stdin is empty', async () => {
      const io = new MemoryIo('');
      expect(await runCli(['verify', '--provider', 'fakepay', '--md5-key', KEY], io, FAKE_PROVIDERS)).to.equal(1);
      expect(io.stderr).to.contain('standard input is empty');
    });

    it('exits 2 when two key sources are given', async () => {
      const io = new MemoryIo('x');
      expect(await runCli(['verify', '--provider', 'fakepay', '--md5-key', KEY, '--cert', 'c.pem'], io, FAKE_PROVIDERS)).to.equal(2);
    });
  });
});

describe('paykit sign and verify errors', () => {
  /** Runs a command with the built-in providers; returns the exit code and stderr. */
  async function run(argv: readonly string[], stdin = '{"no_order":"A1","money_order":"1.00"}'): Promise<{ code: number; stderr: string }> {
    const io = new MemoryIo(stdin);
    const code = await runCli(argv, io, PROVIDERS);
    return { code, stderr: io.stderr };
  }

  context('when a key a sign type needs is missing', () => {
    it('says which flag to pass (--private-key), not which instance option', async () => {
      const { code, stderr } = await run(['sign', '--provider', 'lianlian-web', '--sign-type', 'RSA']);
      expect(code).to.equal(1);
      expect(stderr).to.contain('pass --private-key');
      expect(stderr).not.to.contain('instance options');
      expect(stderr).not.to.match(/\bprivateKey\b/);
    });

    it('names --md5-key for an MD5 sign type', async () => {
      const { stderr } = await run(['sign', '--provider', 'lianlian-web', '--sign-type', 'MD5']);
      expect(stderr).to.contain('--md5-key');
      expect(stderr).not.to.match(/\bmd5Key\b/);
    });

    it('names --private-key for LianLian payouts and --public-key to verify them', async () => {
      expect((await run(['sign', '--provider', 'lianlian-payout'])).stderr).to.contain('--private-key');
      const verify = await run(['verify', '--provider', 'lianlian-payout'], '{"oid_partner":"201606221000921503"}');
      expect(verify.stderr).to.contain('--public-key');
      expect(verify.stderr).not.to.match(/\bpublicKey\b/);
    });
  });

  context('when the symmetric key is given as --key', () => {
    it('names --key in a reference error, not --md5-key', async () => {
      const io = new MemoryIo(FIELDS);
      const code = await runCli(['sign', '--provider', 'fakepay', '--key', 'env:UNSET_FAKE_KEY'], io, FAKE_PROVIDERS);
      const { stderr } = io;
      expect(code).to.equal(1);
      expect(stderr).to.contain('--key: environment variable UNSET_FAKE_KEY is not set');
      expect(stderr).not.to.contain('--md5-key');
    });

    it("names --key in a provider's message that says --md5-key", async () => {
      const { stderr } = await run(['sign', '--provider', 'allinpay-mobile', '--key', '']);
      expect(stderr).to.contain('(--key)');
      expect(stderr).not.to.contain('--md5-key');
    });
  });

  context('when the symmetric key is given as --md5-key', () => {
    it("names --md5-key in a provider's message that says --key", async () => {
      const { stderr } = await run(['sign', '--provider', 'example', '--md5-key', '']);
      expect(stderr).to.contain('(--md5-key)');
      expect(stderr).not.to.match(/--key\b/);
    });
  });
});
