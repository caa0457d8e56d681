import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import ts from 'typescript';
import { CAPABILITIES, type ProviderPlugin } from '@paykit/core';
import { allinpayMobilePlugin } from '@paykit/provider-allinpay-mobile';
import { examplePlugin } from '@paykit/provider-example';
import { lianlianPayoutPlugin } from '@paykit/provider-lianlian-payout';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { collectProviders, optionsOf, registeredOptions, renderPages, ROOT, stalePages } from '../tools/generate.js';

const page = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** The committed capability matrix: plugin id (from its column head) → the capabilities ticked in its column. */
function matrixColumns(): Map<string, string[]> {
  const text = page('docs/providers/README.md');
  const block = text.slice(text.indexOf('<!-- generated:capabilities -->'), text.indexOf('<!-- /generated:capabilities -->'));
  const lines = block.split('\n').filter((l) => l.startsWith('| '));
  const cellsOf = (line: string): string[] => line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
  const head = cellsOf(lines[0]!);
  const rows = lines.slice(2).map(cellsOf);
  const columns = new Map<string, string[]>();
  head.slice(1).forEach((h, i) => {
    const id = /<br>`([^`]+)`$/.exec(h)?.[1] ?? h;
    columns.set(id, rows.filter((r) => r[i + 1] === '✓').map((r) => r[0]!.replaceAll('`', '')));
  });
  return columns;
}

const FIXTURE = `
import type { ConfigReference, ConfigText } from '@paykit/core';
/** Acme options. */
export interface AcmeOptionsInput {
  /** The merchant id. */
  readonly merchantId: ConfigText;
  /**
   * How requests are signed: \`MD5\` or \`RSA\`.
   *
   * See {@link AcmeSigner | the signer} and {@link AcmeKeys}; a \`|\` stays text.
   *
   * @defaultValue \`RSA\`
   */
  readonly signType?: 'MD5' | 'RSA' | ConfigReference;
  /** Groups sent with each payment. */
  readonly groups?: readonly string[];
  /** Largest payout. */
  readonly limit?: { readonly amount: number; readonly currency: 'CNY' };
}
declare module '@paykit/core' {
  interface PaykitPluginOptions {
    'acme-pay': AcmeOptionsInput;
  }
}
`;

describe('The generated parts of the docs', () => {
  context('when the committed pages are compared with the code', () => {
    it('finds every generated block up to date (run npm run docs to refresh them)', async () => {
      const pages = renderPages(await collectProviders());
      expect([...pages.keys()]).to.include.members(['docs/providers/README.md', 'docs/providers/lianlian-web.md', 'docs/providers/example.md']);
      expect(stalePages(pages)).to.deep.equal([]);
    });
  });

  context('the capability matrix', () => {
    it('ticks exactly the capabilities each plugin declares, one column per provider package', () => {
      const plugins: readonly Pick<ProviderPlugin, 'id' | 'capabilities'>[] = [allinpayMobilePlugin, examplePlugin, lianlianPayoutPlugin, lianlianWebPlugin];
      const columns = matrixColumns();
      expect([...columns.keys()].sort()).to.deep.equal(plugins.map((p) => p.id).sort());
      for (const p of plugins) expect(columns.get(p.id), p.id).to.have.members([...p.capabilities]);
    });

    it('has a row for every capability core knows', () => {
      const lines = page('docs/providers/README.md').split('\n');
      for (const c of CAPABILITIES) expect(lines.some((l) => l.startsWith(`| \`${c}\` |`)), c).to.equal(true);
    });
  });

  context('an options table', () => {
    const file = ts.createSourceFile('options.ts', FIXTURE, ts.ScriptTarget.Latest, true);

    it('finds the interface a package registers for its plugin id', () => {
      expect([...registeredOptions(file)]).to.deep.equal([['acme-pay', 'AcmeOptionsInput']]);
    });

    it('lists each option with its requiredness, its type as written in a config and its TSDoc', () => {
      expect(optionsOf([file], 'AcmeOptionsInput', '@acme/paykit-plugin')).to.deep.equal([
        { name: 'merchantId', required: true, type: 'string', doc: 'The merchant id.' },
        { name: 'signType', required: false, type: '"MD5" | "RSA"', doc: 'How requests are signed: `MD5` or `RSA`.<br><br>See the signer and `AcmeKeys`; a `|` stays text.<br><br>Default: `RSA`' },
        { name: 'groups', required: false, type: 'string[]', doc: 'Groups sent with each payment.' },
        { name: 'limit', required: false, type: '{ amount: number, currency: "CNY" }', doc: 'Largest payout.' },
      ]);
    });

    it('refuses an option without TSDoc, naming it', () => {
      const bare = ts.createSourceFile('options.ts', 'export interface BareOptionsInput { readonly key: string }', ts.ScriptTarget.Latest, true);
      expect(() => optionsOf([bare], 'BareOptionsInput', '@acme/bare')).to.throw('BareOptionsInput.key has no TSDoc');
    });
  });

  context('a provider page', () => {
    it('shows no io-ts type in its options table', () => {
      for (const p of ['lianlian-web', 'lianlian-payout', 'allinpay-mobile', 'example']) {
        const text = page(`docs/providers/${p}.md`);
        const block = text.slice(text.indexOf('<!-- generated:options -->'), text.indexOf('<!-- /generated:options -->'));
        expect(block, p).to.include('| option | type | meaning |');
        expect(block, p).not.to.match(/\bt\.(Type|type|partial|union)\b|Codec\b|io-ts/);
      }
    });
  });
});
