/**
 * Rule 3 for the functions `@paykit/cli` exports: input of any shape gives an error value (or, for
 * `runCli`, a non-zero exit code and one line on its stderr) saying what to pass, never a throw or
 * a rejection.
 */
import { expect } from 'chai';
import { expectResultForAnyInput, hostileValues } from '@paykit/conformance';
import { encodeForm, EXIT, parseArgv, PROVIDERS, renderAction, runCli } from '../src/index.js';
import { MemoryIo } from './fixtures/memory-io.js';

describe('@paykit/cli given input of the wrong shape', function () {
  context('parseArgv', function () {
    it('answers a command line or option spec of any shape with a Result', function () {
      expectResultForAnyInput('parseArgv', (argv) => parseArgv(argv as never, { provider: 'string' }), 1, undefined);
      expectResultForAnyInput('parseArgv', (spec) => parseArgv(['--provider', 'example'], spec as never), 1, undefined);
    });

    it('says what to pass', function () {
      expect(parseArgv(undefined as never, {})._unsafeUnwrapErr()).to.equal('the command line must be an array of strings, e.g. process.argv.slice(2)');
      expect(parseArgv(['--x', 1] as never, {})._unsafeUnwrapErr()).to.match(/array of strings/);
      expect(parseArgv([], { x: 'number' } as never)._unsafeUnwrapErr()).to.equal('the option spec must be an object of option names to "string" or "boolean"');
    });

    it('refuses an option named after an Object.prototype member as unknown', function () {
      for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
        expect(parseArgv([`--${name}=x`], { provider: 'string' })._unsafeUnwrapErr(), name).to.equal(`unknown option --${name}`);
      }
    });

    it('still parses a well-formed command line', function () {
      expect(parseArgv(['--provider', 'example', '--explain'], { provider: 'string', explain: 'boolean' })._unsafeUnwrap())
        .to.deep.equal({ positionals: [], options: { provider: 'example', explain: true } });
    });
  });

  context('encodeForm', function () {
    it('answers fields or a charset of any shape with a Result', function () {
      expectResultForAnyInput('encodeForm', (fields) => encodeForm(fields as never, 'UTF-8'), 1, undefined);
      expectResultForAnyInput('encodeForm', (charset) => encodeForm({ a: 'b' }, charset as never), 1, undefined);
    });

    it('says what to pass', function () {
      for (const [fields, charset] of [[undefined, 'UTF-8'], [{ a: 1 }, 'UTF-8'], [{ a: 'b' }, Symbol('cs')]]) {
        const e = encodeForm(fields as never, charset as never)._unsafeUnwrapErr();
        expect(e.kind).to.equal('InvalidRequest');
        expect(e.message).to.equal('encodeForm takes the form fields (an object of strings) and the form\'s charset name, e.g. "UTF-8"');
      }
    });

    it('still encodes form fields', function () {
      expect(encodeForm({ a: 'x y', b: '羽' }, 'UTF-8')._unsafeUnwrap()).to.equal('a=x+y&b=%E7%BE%BD');
    });
  });

  context('renderAction', function () {
    it('answers anything but a payment action with InvalidRequest', function () {
      expectResultForAnyInput('renderAction', (action) => renderAction(action as never), 1, undefined);
      for (const action of hostileValues()) {
        const e = renderAction(action as never)._unsafeUnwrapErr();
        expect(e.kind).to.equal('InvalidRequest');
        expect(e.message).to.match(/^renderAction takes the action of a created payment/);
      }
    });

    it('answers a redirect whose fields are of the wrong shape with a Result', function () {
      expectResultForAnyInput('renderAction', (fields) => renderAction({ kind: 'redirect', method: 'POST', url: 'https://pay.example/c', fields: fields as never, charset: 'UTF-8' }), 1, undefined);
    });

    it('still renders a redirect as the browser would submit it', function () {
      expect(renderAction({ kind: 'redirect', method: 'GET', url: 'https://pay.example/c?s=1', fields: { a: 'b' }, charset: 'UTF-8' })._unsafeUnwrap())
        .to.deep.equal(['GET https://pay.example/c?s=1&a=b\n\n']);
    });
  });

  context('runCli', function () {
    it('resolves with a non-zero exit code, never rejects, and prints one line for arguments of the wrong shape', async function () {
      const plain = () => [['--version'], new MemoryIo(), PROVIDERS] as const;
      for (let at = 0; at < 3; at += 1) {
        for (const v of hostileValues()) {
          // An empty command line (main help) and an empty provider list are well-formed.
          if (Array.isArray(v) && at !== 1) continue;
          const [argv, io, providers] = plain();
          const args = [argv, io, providers].map((p, i) => (i === at ? v : p));
          let running: Promise<number> | undefined;
          expect(() => { running = runCli(...(args as Parameters<typeof runCli>)); }, `argument ${at + 1}`).not.to.throw();
          const code = await (running as Promise<number>).then((c) => c, (e: unknown) => expect.fail(`argument ${at + 1}: rejected with ${String((e as Error)?.message ?? e)}`));
          expect(code, `argument ${at + 1}`).to.equal(EXIT.error);
          if (at !== 1) expect(io.stderr, `argument ${at + 1}`).to.match(/^error: runCli takes [^\n]*\n$/);
          expect(io.stdout, `argument ${at + 1}`).to.equal('');
        }
      }
    });

    it('resolves with a non-zero exit code when its io throws a value that cannot be described', async function () {
      const undescribable = { toString() { throw new Error('toString'); } };
      const io = new MemoryIo();
      io.out = () => { throw undescribable; };
      const code = await runCli(['--version'], io, PROVIDERS).then((c) => c, (e: unknown) => expect.fail(`rejected with ${String((e as Error)?.message ?? e)}`));
      expect(code).to.equal(EXIT.error);
    });

    it('still runs a well-formed command line', async function () {
      const io = new MemoryIo();
      expect(await runCli(['--version'], io, PROVIDERS)).to.equal(EXIT.ok);
      expect(io.stdout).to.match(/^\d+\.\d+\.\d+/);
    });
  });
});
