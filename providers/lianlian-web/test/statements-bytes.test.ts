import { expect } from 'chai';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import type { PayResult } from '@paykit/core';
import { formatSimStatementLine, syntheticLine } from '../src/simulator/statements.js';
import { parseStatementBatches, type LianlianStatementEntry, type StatementLayout, type StatementParseOptions } from '../src/statements/index.js';

const PARTNER = '201403251000001147';
const NAME = `JYMX_${PARTNER}_20240101.txt`;

// A piece of a column: text (encoded in the file's encoding) or raw bytes (possibly invalid).
type Piece = { readonly t: string } | { readonly b: readonly number[] };

// Ways to spoil or vary a column, chosen to hit the byte reader's edges: white space it must trim
// or leave to the string path, GBK characters whose second byte is `|` (亅 is 0x81 0x7C), lead
// bytes left dangling before a separator, invalid and single high bytes, a UTF-8 BOM, values the
// readers refuse.
const MUTATIONS: readonly ((col: string) => Piece[])[] = [
  (c) => [{ t: c }],
  (c) => [{ t: ` ${c} ` }],
  (c) => [{ t: `\t${c}` }],
  (c) => [{ t: `　${c}` }],
  (c) => [{ t: `${c}亅` }],
  (c) => [{ t: `亅${c}` }],
  () => [{ t: '' }],
  (c) => [{ b: [0x81] }, { t: c }],
  (c) => [{ t: c }, { b: [0xb0] }],
  (c) => [{ t: c }, { b: [0xff] }],
  (c) => [{ b: [0x80] }, { t: c }],
  (c) => [{ b: [0xef, 0xbb, 0xbf] }, { t: c }],
  (c) => [{ b: [0xe4, 0xbd] }, { t: c }],
  (c) => [{ t: `-${c}` }],
  (c) => [{ t: `${c}0` }],
  (c) => [{ t: `彩${c}` }],
  (c) => [{ t: `${c}.5` }],
  () => [{ t: 'CNY' }],
  () => [{ t: '衣服,两件|x' }],
];

interface LineSpec {
  readonly i: number; readonly muts: readonly (readonly [number, number])[]; readonly blank: boolean; readonly crlf: boolean; readonly info?: string;
}

function encode(p: Piece, encoding: 'UTF-8' | 'GBK'): number[] {
  if ('b' in p) return [...p.b];
  return [...(encoding === 'GBK' ? iconv.encode(p.t, 'gbk') : Buffer.from(p.t, 'utf8'))];
}

function fileBytes(layout: StatementLayout, encoding: 'UTF-8' | 'GBK', header: boolean, lines: readonly LineSpec[]): Uint8Array {
  const sep = layout === 'pipe' ? '|' : ',';
  const out: number[] = header ? encode({ t: layout === 'pipe' ? 'no_order|oid_partner\n' : '商户订单号,商户号\n' }, encoding) : [];
  for (const l of lines) {
    const synthetic = syntheticLine(l.i, PARTNER, '20240101');
    const cols = formatSimStatementLine(l.info === undefined ? synthetic : { ...synthetic, info: l.info }, layout).split(sep);
    const pieces: Piece[][] = cols.map((c) => [{ t: c }]);
    for (const [col, m] of l.muts) pieces[col % cols.length] = (MUTATIONS[m % MUTATIONS.length] as (c: string) => Piece[])(cols[col % cols.length] as string);
    pieces.forEach((ps, k) => {
      if (k > 0) out.push(sep.charCodeAt(0));
      for (const p of ps) out.push(...encode(p, encoding));
    });
    out.push(...(l.crlf ? [0x0d, 0x0a] : [0x0a]));
    if (l.blank) out.push(0x20, 0x0a);
  }
  return Uint8Array.from(out);
}

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

// Results in comparable form: the entry, or the error's kind, message and path.
async function parse(bytes: Uint8Array, size: number, options: StatementParseOptions): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of parseStatementBatches({ name: NAME, content: chunks(bytes, size) }, options)) {
    for (const r of batch as PayResult<LianlianStatementEntry>[]) {
      out.push(r.isOk() ? { ok: r.value } : { err: { kind: r.error.kind, message: r.error.message, path: r.error.path } });
    }
  }
  return out;
}

const lineSpec = fc.record({
  i: fc.nat(5000),
  muts: fc.array(fc.tuple(fc.nat(18), fc.nat(MUTATIONS.length * 3)), { maxLength: 3 }),
  blank: fc.boolean(),
  crlf: fc.boolean(),
});

describe('LianLian statement byte reader', () => {
  for (const layout of ['pipe', 'comma'] as const) {
    for (const encoding of ['GBK', 'UTF-8'] as const) {
      context(`when reading ${encoding} files in the ${layout} layout`, () => {
        it('gives exactly what the text reader (every line decoded first) gives, errors included', async () => {
          await fc.assert(fc.asyncProperty(
            fc.array(lineSpec, { minLength: 1, maxLength: 12 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 400 }),
            async (lines, header, declared, size) => {
              const bytes = fileBytes(layout, encoding, header, lines);
              const base: StatementParseOptions = declared ? { encoding } : {};
              const mine = await parse(bytes, size, { ...base, reader: 'bytes' });
              const reference = await parse(bytes, size, { ...base, reader: 'text' });
              expect(mine).to.deep.equal(reference);
            },
          ), { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) });
        });
      });
    }
  }

  context('when most lines carry a description of their own (the reader switches to decoding whole runs)', () => {
    it('gives exactly what the text reader gives, in both layouts and encodings', async () => {
      const described = fc.record({
        i: fc.nat(5000),
        muts: fc.array(fc.tuple(fc.nat(18), fc.nat(MUTATIONS.length * 3)), { maxLength: 1 }),
        blank: fc.constant(false),
        crlf: fc.boolean(),
        info: fc.oneof(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.stringMatching(/^[a-z]{0,3}$/).map((t) => `彩票${t}充值`), fc.constant('衣服,两件|x')),
      });
      await fc.assert(fc.asyncProperty(
        fc.constantFrom('pipe', 'comma'), fc.constantFrom('GBK', 'UTF-8'), fc.array(described, { minLength: 20, maxLength: 120 }), fc.boolean(),
        fc.integer({ min: 500, max: 20_000 }),
        async (layout, encoding, lines, declared, size) => {
          const bytes = fileBytes(layout as StatementLayout, encoding as 'GBK' | 'UTF-8', false, lines);
          const base: StatementParseOptions = declared ? { encoding: encoding as 'GBK' | 'UTF-8' } : {};
          expect(await parse(bytes, size, { ...base, reader: 'bytes' })).to.deep.equal(await parse(bytes, size, { ...base, reader: 'text' }));
        },
      ), { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) / 3 });
    });
  });

  context('when a GBK character ends in the byte of a separator (亅 is 0x81 0x7C)', () => {
    it('keeps the character in its column instead of splitting there', async () => {
      const cols = formatSimStatementLine(syntheticLine(0, PARTNER, '20240101'), 'pipe').split('|');
      cols[16] = 'WEB亅网关';
      const bytes = Uint8Array.from(iconv.encode(`${cols.join('|')}\n${cols.join('|')}\n`, 'gbk'));
      const results = await parse(bytes, 1 << 16, { encoding: 'GBK' });
      expect(results).to.have.length(2);
      for (const r of results) expect((r as { ok: LianlianStatementEntry }).ok).to.include({ product: 'WEB亅网关', method: '快捷支付(信用卡)' });
    });
  });

  context('when a column the parser does not read holds invalid bytes (currency_pay without money_pay)', () => {
    it('still gives the Decode error of the line', async () => {
      const cols = formatSimStatementLine(syntheticLine(0, PARTNER, '20240101'), 'pipe').split('|');
      const line = (c8: number[]): number[] => cols.flatMap((c, k) => [...(k > 0 ? [0x7c] : []), ...(k === 8 ? c8 : k === 9 ? [] : [...Buffer.from(c, 'utf8')])]);
      const bytes = Uint8Array.from([...line([0x43, 0x4e, 0x59]), 0x0a, ...line([0x81, 0x43, 0x4e, 0x59]), 0x0a]);
      const results = await parse(bytes, 1, { encoding: 'UTF-8' });
      expect(results[0]).to.have.property('ok');
      expect(results[1]).to.deep.equal({ err: { kind: 'Decode', message: 'line 2: bytes are not valid UTF-8: check the file\'s encoding (LianLian files are GBK or UTF-8)', path: 'line 2' } });
    });
  });

  context('when a file read as UTF-8 is GBK', () => {
    it('gives the same Decode error for each line as the text reader', async () => {
      const line = formatSimStatementLine(syntheticLine(1, PARTNER, '20240101'), 'pipe');
      const bytes = Uint8Array.from(iconv.encode(`${line}\n${line}\n`, 'gbk'));
      const mine = await parse(bytes, 64, { encoding: 'UTF-8' });
      expect(mine).to.deep.equal([
        { err: { kind: 'Decode', message: 'line 1: bytes are not valid UTF-8: check the file\'s encoding (LianLian files are GBK or UTF-8)', path: 'line 1' } },
        { err: { kind: 'Decode', message: 'line 2: bytes are not valid UTF-8: check the file\'s encoding (LianLian files are GBK or UTF-8)', path: 'line 2' } },
      ]);
    });
  });
});
