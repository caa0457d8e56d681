/**
 * CI check of the reconciliation HTML report in a real browser (Debian's Chromium, headless):
 *
 * 1. simulates five days of LianLian web traffic (a lost notification, a refund made on the
 *    merchant site, a fee off the contract, a duplicated line, a wrong amount, a success the file
 *    lacks, an order paykit never made under a card number, an unreadable line) into a PGlite store;
 * 2. runs `paykit reconcile --month … --file DIR --json --html FILE` in-process, as a merchant would;
 * 3. opens the HTML file from disk in Chromium with every request other than the file itself
 *    refused, and checks: nothing else was fetched, no script error, the tiles and the day table
 *    show the totals of the JSON report, the kind filter and the order-number search show exactly
 *    the rows they should, no card number appears;
 * 4. saves a screenshot to `.ci/artifacts/reconciliation.png` (and the report beside it).
 *
 * Run by `.ci/browser-report.sh` (after `npm test` in `.ci/run`); exits 1 on any failed check.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium as chromiumBrowser } from 'playwright-core';
import { createPaykit, FixedClock, type Paykit, type ReconciliationReport } from '@paykit/core';
import { LoopbackTransport } from '@paykit/core/simulator';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { LianlianWebSimulator, submitForm, testKeys, TEST_MD5_KEY, TEST_OID_PARTNER } from '@paykit/provider-lianlian-web/testing';
import { openStore } from '@paykit/store-sql';
import { PROVIDERS, runCli, type CliIo } from '@paykit/cli';

const root = resolve(import.meta.dirname, '../..');
const artifacts = join(root, '.ci', 'artifacts');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CARD = '6222020200112233445';
const failures: string[] = [];
const check = (ok: boolean, what: string): void => {
  process.stderr.write(`browser-report: ${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
  if (!ok) failures.push(what);
};

/** Five days of traffic through the LianLian web simulator into a PGlite store; the days' files written to `filesDir`. */
async function simulate(dataDir: string, filesDir: string): Promise<void> {
  const clock = new FixedClock(new Date('2024-03-01T02:00:00Z'));
  const sim = await LianlianWebSimulator.start({
    oidPartner: TEST_OID_PARTNER, md5Key: TEST_MD5_KEY, notifySignType: 'MD5', now: () => clock.now(),
    lianlianPrivateKey: testKeys.lianlianPrivate, merchantPublicKey: testKeys.merchantPublic,
  });
  const store = (await openStore({ kind: 'pglite', dataDir }))._unsafeUnwrap();
  try {
    const options = {
      oidPartner: TEST_OID_PARTNER, signType: 'MD5', notifySignType: 'MD5', md5Key: TEST_MD5_KEY, lianlianPublicKey: testKeys.lianlianPublic,
      cashierUrl: sim.cashierUrl, apiBaseUrl: sim.url, notifyUrl: 'http://127.0.0.1:9/notify', goodsCategory: '1002',
    };
    const paykit: Paykit = (await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options } } }, { plugins: [lianlianWebPlugin], store, transport: new LoopbackTransport(), clock }))._unsafeUnwrap();
    const pay = async (orderId: string, amount: number, heard: boolean): Promise<void> => {
      const created = (await paykit.payments.create({ orderId, amount: { amount, currency: 'CNY' }, description: '羽毛球', payer: { id: 'U1', ip: '122.11.37.211', registeredAt: new Date('2024-01-01T00:00:00Z') } }))._unsafeUnwrap();
      if (created.action.kind === 'redirect') await submitForm(created.action);
      await sim.complete(orderId, 'succeeded', { notify: false });
      // What the notification would have recorded, verified: the order query.
      if (heard) (await paykit.payments.query(orderId))._unsafeUnwrap();
    };
    for (let d = 1; d <= 5; d += 1) {
      const day = `202403${String(d).padStart(2, '0')}`;
      clock.set(new Date(`2024-03-0${d}T02:00:00Z`));
      for (let i = 1; i <= 3 + d; i += 1) await pay(`M${day}${String(i).padStart(3, '0')}`, 1000 * i + 99 * d, true);
      if (d === 2) await pay(`LOST${day}`, 4321, false);
      if (d === 3) {
        await pay(`PORTAL${day}`, 3000, true);
        sim.refund(`PORTAL${day}`, `MS${day}`, 3000);
        sim.statementFaults.push({ kind: 'fee', orderId: `M${day}001`, feeMinor: 250 });
      }
      if (d === 4) {
        sim.statementFaults.push({ kind: 'duplicate', orderId: `M${day}002` }, { kind: 'amount', orderId: `M${day}003`, amountMinor: 9999 });
      }
      if (d === 5) {
        sim.statementFaults.push({ kind: 'omit', orderId: `M${day}004` }, { kind: 'garbage', text: 'THIS,IS,NOT,A,LINE' }, { kind: 'extra', line: {
          orderNo: CARD, partnerId: TEST_OID_PARTNER, dtOrder: `${day}090000`, busiPartner: '101001', paybill: `${day}99999999`, settleDate: day,
          amountMinor: 7700, feeMinor: 38, status: '0', dtUpdate: `${day}090100`, payType: '2', info: '羽毛球',
        } });
      }
      const files = sim.statementDay(day)._unsafeUnwrap();
      for (const f of [files.transactions, files.summary, files.payouts]) writeFileSync(join(filesDir, f.name), f.bytes);
      sim.statementFaults.splice(0);
    }
  } finally {
    if ('close' in store) await store.close();
    await sim.close();
  }
}

/** Runs `paykit reconcile` in-process; its stdout, stderr and exit code. */
async function reconcile(cwd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { out: (d) => { stdout += typeof d === 'string' ? d : Buffer.from(d).toString('utf8'); }, err: (t) => { stderr += t; }, readStdin: async () => new Uint8Array(), env: {}, cwd };
  const code = await runCli(['reconcile', ...args], io, PROVIDERS);
  return { code, stdout, stderr };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'paykit-browser-report-'));
  const profile = mkdtempSync(join(tmpdir(), 'paykit-chromium-'));
  try {
    mkdirSync(join(work, 'statements'));
    writeFileSync(join(work, 'paykit.json'), JSON.stringify({
      instances: { shop: { plugin: 'lianlian-web', options: {
        oidPartner: TEST_OID_PARTNER, signType: 'MD5', notifySignType: 'MD5', md5Key: TEST_MD5_KEY, lianlianPublicKey: testKeys.lianlianPublic,
        notifyUrl: 'https://shop.example/notify', goodsCategory: '1002',
      } } },
      store: { kind: 'pglite', dataDir: 'data' },
    }));
    await simulate(join(work, 'data'), join(work, 'statements'));
    const run = await reconcile(work, ['--config', 'paykit.json', '--instance', 'shop', '--month', '2024-03', '--file', 'statements',
      '--fee-rate', '0.5%', '--fee-rounding', 'down', '--json', '--html', 'report.html']);
    check(run.code === 1, `paykit reconcile exits 1 while discrepancies remain (got ${run.code}${run.stderr ? `: ${run.stderr.trim()}` : ''})`);
    const report = JSON.parse(run.stdout) as ReconciliationReport;
    const htmlPath = join(work, 'report.html');
    mkdirSync(artifacts, { recursive: true });
    copyFileSync(htmlPath, join(artifacts, 'reconciliation.html'));

    const browser = await chromiumBrowser.launchPersistentContext(profile, {
      executablePath: chromium, headless: true, viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      const url = pathToFileURL(htmlPath).href;
      const refused: string[] = [];
      const errors: string[] = [];
      await browser.route('**/*', (route) => {
        const asked = route.request().url();
        if (asked === url || asked.startsWith('data:')) return route.continue();
        refused.push(asked);
        return route.abort();
      });
      const page = browser.pages()[0] ?? (await browser.newPage());
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(url, { waitUntil: 'load' });
      check(refused.length === 0, `the page fetches nothing but itself${refused.length ? ` (it asked for ${refused.join(', ')})` : ''}`);
      check(errors.length === 0, `no script errors${errors.length ? `: ${errors.join('; ')}` : ''}`);

      // Totals: the tiles and the day table against the JSON report.
      const tiles = await page.$$eval('[data-total][data-minor]', (els) => els.map((e) => [e.getAttribute('data-total'), e.getAttribute('data-currency'), Number(e.getAttribute('data-minor')), e.querySelector('.value')?.textContent ?? '']));
      const sum = (f: (d: ReconciliationReport['days'][number]) => number): number => report.days.reduce((n, d) => n + f(d), 0);
      const expectTile = (name: string, value: number): void => {
        const t = tiles.find((x) => x[0] === name && x[1] === 'CNY');
        check(t !== undefined && t[2] === value, `tile ${name} shows ${value} minor units (page: ${t?.[2]})`);
      };
      expectTile('statement-amount', sum((d) => d.statement.amount));
      expectTile('statement-fee', sum((d) => d.statement.fee));
      expectTile('statement-net', sum((d) => d.statement.net));
      expectTile('paykit-amount', sum((d) => d.paykit.amount));
      const shownNet = tiles.find((x) => x[0] === 'statement-net')?.[3];
      const net = sum((d) => d.statement.net);
      check(shownNet === `${Math.trunc(net / 100)}.${String(Math.abs(net) % 100).padStart(2, '0')}`, `the net settlement tile reads ${shownNet} in yuan`);
      const cells = await page.$$eval('td[data-day][data-field]', (els) => els.map((e) => [e.getAttribute('data-day'), e.getAttribute('data-field'), Number(e.getAttribute('data-minor') ?? e.textContent)]));
      let dayCells = true;
      for (const d of report.days) {
        const at = (field: string): number | undefined => cells.find((c) => c[0] === d.day && c[1] === field)?.[2] as number | undefined;
        dayCells &&= at('statement-count') === d.statement.count && at('statement-amount') === d.statement.amount && at('statement-fee') === d.statement.fee
          && at('statement-net') === d.statement.net && at('paykit-count') === d.paykit.count && at('paykit-amount') === d.paykit.amount;
      }
      check(dayCells && report.days.length === 5, `the day table shows each of the ${report.days.length} days' totals of the JSON report`);
      const bars = await page.$$eval('svg g[data-day]', (els) => els.length);
      check(bars === report.days.length, `the chart has a group of bars per day (${bars})`);
      const open = await page.$eval('[data-total="open"] .value', (e) => Number(e.textContent));
      check(open === report.counts.open, `the open tile shows ${report.counts.open}`);

      // The table and its filters.
      const visible = async (): Promise<{ kinds: string[]; orders: string[]; shown: number }> => page.evaluate(() => {
        const rows = [...document.querySelectorAll('#discrepancies tbody tr[data-kind]')].filter((r) => !(r as HTMLElement).hidden);
        return { kinds: rows.map((r) => r.getAttribute('data-kind') ?? ''), orders: rows.map((r) => r.getAttribute('data-order') ?? ''), shown: Number(document.getElementById('shown')?.textContent) };
      });
      const all = await visible();
      check(all.kinds.length === report.discrepancies.length && all.shown === all.kinds.length, `the table lists all ${report.discrepancies.length} discrepancies`);
      for (const kind of ['amount_mismatch', 'missing_in_paykit', 'status_mismatch']) {
        await page.selectOption('#filter-kind', kind);
        const v = await visible();
        const expected = report.discrepancies.filter((d) => d.kind === kind).length;
        check(v.kinds.length === expected && v.kinds.every((k) => k === kind) && v.shown === expected, `filtering by ${kind} shows its ${expected} rows only (shown ${v.kinds.length})`);
      }
      await page.selectOption('#filter-kind', '');
      await page.locator('#search').pressSequentially('lost20240302');
      const searched = await visible();
      check(searched.kinds.length === 1 && searched.orders[0]?.includes('lost20240302') === true, `searching by order number LOST20240302 shows its one row (${searched.kinds.length})`);
      await page.locator('#search').fill('');
      const text = await page.evaluate(() => document.documentElement.outerHTML);
      check(!text.includes(CARD), 'no card number appears in the page');
      check(!JSON.stringify(report).includes(CARD), 'nor in the JSON report');
      check((await visible()).kinds.length === report.discrepancies.length, 'clearing the search shows every row again');
      await page.screenshot({ path: join(artifacts, 'reconciliation.png'), fullPage: true });
      process.stderr.write(`browser-report: screenshot saved to ${join(artifacts, 'reconciliation.png')}\n`);
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    process.stderr.write(`browser-report: ${failures.length} check(s) failed\n`);
    process.exit(1);
  }
  process.stderr.write('browser-report: every check passed\n');
}

await main();
