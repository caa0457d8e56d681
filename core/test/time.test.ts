import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import fc from 'fast-check';
import { formatCst, formatCstDate, isFresh, parseCst, type PayResult } from '../src/index.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function okValue<T>(r: PayResult<T>): T {
  if (r.isErr()) expect.fail(`expected Ok, got ${r.error.kind}: ${r.error.message}`);
  return r.value;
}

/**
 * Independent reference: CST is UTC+8 with no daylight saving, so the wall clock is the UTC fields
 * of the instant shifted by 8 hours, computed here with plain arithmetic on days since the epoch.
 */
function referenceCst(ms: number): string {
  const shifted = ms + 8 * 3600_000;
  const days = Math.floor(shifted / 86400_000);
  const secondsOfDay = Math.floor((shifted - days * 86400_000) / 1000);
  // Civil-from-days (proleptic Gregorian), after H. Hinnant's algorithm.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(y, 4)}${p(m)}${p(d)}${p(Math.floor(secondsOfDay / 3600))}${p(Math.floor(secondsOfDay / 60) % 60)}${p(secondsOfDay % 60)}`;
}

describe('time (China Standard Time)', () => {
  describe('formatCst', () => {
    const known: readonly [string, string][] = [
      ['2024-01-01T00:00:00Z', '20240101080000'],
      ['2023-12-31T16:00:00Z', '20240101000000'],
      ['2023-12-31T15:59:59Z', '20231231235959'],
      ['2024-02-29T15:59:59Z', '20240229235959'],
      ['2024-07-15T04:05:06Z', '20240715120506'],
    ];
    for (const [iso, cst] of known) {
      it(`formats ${iso} as "${cst}"`, () => {
        expect(formatCst(new Date(iso))).to.equal(cst);
      });
    }
    it('gives the CST date', () => {
      expect(formatCstDate(new Date('2023-12-31T16:00:00Z'))).to.equal('20240101');
    });
    it('agrees with an independent epoch-arithmetic model for any instant in 1970–2199', () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: Date.UTC(2199, 11, 31) }), (ms) => {
        expect(formatCst(new Date(ms))).to.equal(referenceCst(ms));
      }), { numRuns: 3000 });
    });
  });

  describe('parseCst', () => {
    it('parses "20240101080000" as 2024-01-01T00:00:00Z', () => {
      expect(okValue(parseCst('20240101080000')).toISOString()).to.equal('2024-01-01T00:00:00.000Z');
    });
    it('parses a leap day "20240229235959"', () => {
      expect(okValue(parseCst('20240229235959')).toISOString()).to.equal('2024-02-29T15:59:59.000Z');
    });
    it('parses a date alone as CST midnight', () => {
      expect(okValue(parseCst('20240101')).toISOString()).to.equal('2023-12-31T16:00:00.000Z');
    });
    it('reads a two-digit year as itself, not as 19xx', () => {
      expect(okValue(parseCst('00990301080000')).getUTCFullYear()).to.equal(99);
      expect(okValue(parseCst('00990301080000')).toISOString()).to.equal('0099-03-01T00:00:00.000Z');
    });
    for (const bad of ['20230229120000', '20240101240000', '20240230000000', '20241301000000', '20240101006000', '20240101000060', '2024010108000', '2024-01-01', '', 'abcdefghijklmn', ' 20240101080000']) {
      it(`rejects "${bad}" with an InvalidRequest naming the path`, () => {
        const r = parseCst(bad, 'notify.dt_order');
        if (r.isOk()) expect.fail(`accepted ${bad} as ${r.value.toISOString()}`);
        expect(r.error.kind).to.equal('InvalidRequest');
        expect(r.error.path).to.equal('notify.dt_order');
        expect(r.error.message).to.contain('notify.dt_order');
      });
    }
    it('is the inverse of formatCst for whole seconds', () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: Math.floor(Date.UTC(2199, 11, 31) / 1000) }), (s) => {
        expect(okValue(parseCst(referenceCst(s * 1000))).getTime()).to.equal(s * 1000);
      }), { numRuns: 2000 });
    });
  });

  describe('isFresh', () => {
    const now = new Date('2024-01-01T00:10:00Z');
    it('accepts timestamps within the tolerance on either side, inclusive', () => {
      expect(isFresh(new Date('2024-01-01T00:05:00Z'), now, 300_000)).to.equal(true);
      expect(isFresh(new Date('2024-01-01T00:15:00Z'), now, 300_000)).to.equal(true);
    });
    it('refuses timestamps one millisecond past it', () => {
      expect(isFresh(new Date(Date.parse('2024-01-01T00:05:00Z') - 1), now, 300_000)).to.equal(false);
      expect(isFresh(new Date(Date.parse('2024-01-01T00:15:00Z') + 1), now, 300_000)).to.equal(false);
    });
  });

  describe('independence from the host time zone', () => {
    // The instants are chosen around DST changes of the host zones and around CST midnight.
    const instants = [Date.UTC(2024, 0, 1), Date.UTC(2024, 2, 10, 10, 30), Date.UTC(2024, 3, 6, 13, 45, 1), Date.UTC(2023, 11, 31, 16)];
    const script = `import('@paykit/core').then((m) => { const out = ${JSON.stringify(instants)}.map((ms) => m.formatCst(new Date(ms)) + '/' + m.parseCst('20240101080000')._unsafeUnwrap().getTime()); console.log(JSON.stringify({ offset: new Date(${instants[0]}).getTimezoneOffset(), out })); })`;
    for (const tz of ['Asia/Shanghai', 'America/Los_Angeles', 'Pacific/Chatham']) {
      context(`when the process runs with TZ=${tz}`, () => {
        it('formats and parses exactly as the reference does', async function () {
          this.timeout(30000);
          const { stdout } = await run(process.execPath, ['--conditions=@paykit/source', '--import', 'tsx/esm', '-e', script], {
            cwd: repoRoot, env: { ...process.env, TZ: tz, TSX_TSCONFIG_PATH: `${repoRoot}tsconfig.json` },
          });
          const { offset, out } = JSON.parse(stdout.trim()) as { offset: number; out: string[] };
          // The child really ran in that zone: its UTC offset on 2024-01-01 is the zone's (Chatham is on +13:45 summer time).
          expect(offset).to.equal(tz === 'Asia/Shanghai' ? -480 : tz === 'America/Los_Angeles' ? 480 : -825);
          expect(out).to.deep.equal(instants.map((ms) => `${referenceCst(ms)}/${Date.UTC(2024, 0, 1)}`));
        });
      });
    }
  });
});
