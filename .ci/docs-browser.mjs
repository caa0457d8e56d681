// The docs site (docs/api, built by `npm run docs`) in a real browser: headless Chromium, offline,
// the site served from 127.0.0.1. Run by .ci/docs-browser.sh:
//
//   node .ci/docs-browser.mjs --chromium /usr/bin/chromium [--site docs/api] [--artifacts .ci/artifacts]
//
// It follows the sidebar navigation from the home page to a guide (Configuration) and to a
// provider's page (LianLian web payments), checks what they show (the install instructions, the
// guide's text, the provider's options table without io-ts internals), compares the capability
// matrix with the capabilities the built plugins declare, saves a screenshot of the provider's
// options, then visits every page of the site and checks every link inside it: its target exists
// and, for a `#fragment`, the target page has that anchor. Exit status 1 on any failure.
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    chromium: { type: 'string' },
    site: { type: 'string', default: 'docs/api' },
    artifacts: { type: 'string', default: '.ci/artifacts' },
  },
});
if (!args.chromium) {
  console.error('docs-browser: pass --chromium <path> (bash .ci/chromium.sh prints it)');
  process.exit(2);
}
const site = resolve(args.site);
const failures = [];
const fail = (message) => { failures.push(message); console.error(`docs-browser: FAIL ${message}`); };
const log = (message) => console.log(`docs-browser: ${message}`);

// ---------------------------------------------------------------- the site on 127.0.0.1

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png', '.ts': 'text/plain; charset=utf-8',
};

/** The file a URL path names inside the site, or undefined (outside it, or missing). */
function fileOf(pathname) {
  let path;
  try { path = resolve(site, `.${decodeURIComponent(pathname)}`); } catch { return undefined; }
  if (path !== site && !path.startsWith(site + sep)) return undefined;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return fileOf(`${pathname.replace(/\/$/, '')}/index.html`);
    return st.isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

const server = createServer((req, res) => {
  const file = fileOf(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
  if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405).end(); return; }
  if (file === undefined) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'max-age=600' });
  res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;
log(`serving ${site} on ${origin}`);

// ---------------------------------------------------------------- the browser

const profile = mkdtempSync(join(tmpdir(), 'paykit-docs-browser-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: args.chromium,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  viewport: { width: 1280, height: 900 },
  offline: false,
});
// The machine's network is closed, and the site must not need it: anything not on 127.0.0.1 is a failure.
let crawling = false; // while every page is visited for its links, only the HTML itself is loaded
await context.route('**/*', (route) => {
  const url = route.request().url();
  if (crawling && url.startsWith(`${origin}/`) && route.request().resourceType() !== 'document') return route.abort('blockedbyclient');
  if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
  fail(`the site asked for ${url} (outside the site)`);
  return route.abort();
});
const page = context.pages()[0] ?? (await context.newPage());
page.on('pageerror', (e) => fail(`script error on ${page.url()}: ${e.message}`));
page.on('console', (m) => { if (m.type() === 'error' && !crawling) fail(`console error on ${page.url()}: ${m.text()}`); });
page.on('response', (r) => { if (r.status() >= 400) fail(`${r.status()} for ${r.url()} (from ${page.url()})`); });

/** Loads a page of the site and waits until typedoc's script has shown it and built the sidebar. */
async function open(url) {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || response.status() !== 200) fail(`${url} answered ${response?.status()}`);
  await page.waitForFunction(() => document.body.style.display !== 'none' && document.querySelector('#tsd-nav-container a') !== null, undefined, { timeout: 10_000 });
}

/** Clicks the sidebar link with exactly this text (opening its group if it is folded) and waits for the page. */
async function followNav(text, expectPath) {
  const link = page.locator('#tsd-nav-container a').filter({ hasText: new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).first();
  if ((await link.count()) === 0) { fail(`no "${text}" link in the sidebar of ${page.url()}`); return false; }
  if (!(await link.isVisible())) {
    // Folded group: open every <details> around it.
    await link.evaluate((a) => { for (let d = a.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true; });
  }
  // A link in a <summary> (a page with child pages) also toggles its group: Chromium then starts the
  // navigation twice and aborts the first, so wait for where the page ends up, not for one request.
  await link.click({ noWaitAfter: true });
  await page.waitForFunction((p) => location.pathname.endsWith(p), expectPath, { timeout: 10_000 });
  await page.waitForLoadState('load');
  await page.waitForFunction(() => document.body.style.display !== 'none' && document.querySelector('#tsd-nav-container a') !== null, undefined, { timeout: 10_000 });
  log(`followed the sidebar to "${text}" → ${new URL(page.url()).pathname}`);
  return true;
}

const text = async (selector) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ');
const expectText = async (where, selector, needles) => {
  const t = await text(selector);
  for (const n of needles) if (!t.includes(n)) fail(`${where}: "${n}" not shown`);
};

try {
  // Home: the README, with the install instructions.
  await open(`${origin}/index.html`);
  await expectText('home page', '.tsd-panel.tsd-typography', ['paykit', 'Install', 'npm install @paykit/core', 'ESM-only', 'Quick start']);

  // A guide, through the sidebar.
  if (await followNav('Configuration', '/documents/Configuration.html')) {
    await expectText('Configuration guide', '.tsd-panel.tsd-typography', ['Configuration', 'defineConfig', 'env:', 'Routes', 'Store']);
  }

  // A provider's page and its options, through the sidebar.
  if (await followNav('LianLian web payments', '/documents/LianLian_web_payments.html')) {
    const table = page.locator('h2#configuration ~ table').first();
    if ((await table.count()) === 0) {
      fail('LianLian web page: no options table under "Configuration"');
    } else {
      const head = (await table.locator('thead th').allTextContents()).map((s) => s.trim());
      if (head.join('|') !== 'option|type|meaning') fail(`LianLian web options table has columns ${head.join(', ')}`);
      const options = await table.locator('tbody tr td:first-child').evaluateAll((tds) =>
        tds.map((td) => ({ name: td.querySelector('code')?.textContent ?? '', required: td.textContent.includes('required') })));
      const names = options.map((o) => o.name);
      for (const o of ['oidPartner', 'signType', 'md5Key', 'goodsCategory', 'riskGroups', 'timeoutMs']) {
        if (!names.includes(o)) fail(`LianLian web options table lacks ${o}`);
      }
      // The interface's required options (no `?`): oidPartner, signType, goodsCategory.
      const required = options.filter((o) => o.required).map((o) => o.name);
      if (required.join(',') !== 'oidPartner,signType,goodsCategory') fail(`LianLian web options marked required: ${required.join(', ')}`);
      const body = (await table.textContent()) ?? '';
      if (/\bt\.(Type|type|partial|union|intersection)\b|io-ts|Codec\b/.test(body)) fail('LianLian web options table shows io-ts internals');
      log(`LianLian web options table: ${names.length} options (${names.join(', ')}), required: ${required.join(', ')}`);
      mkdirSync(args.artifacts, { recursive: true });
      // The top of the page down to the first options, with the sidebar that led there.
      await page.setViewportSize({ width: 1280, height: 1400 });
      const shot = join(args.artifacts, 'provider-options.png');
      await page.screenshot({ path: shot });
      await page.setViewportSize({ width: 1280, height: 900 });
      log(`screenshot of the options: ${shot}`);
    }
  }

  // The capability matrix against what the built plugins declare.
  if (await followNav('Providers and capabilities', '/documents/Providers_and_capabilities.html')) {
    const { CAPABILITIES } = await import('@paykit/core');
    const plugins = await Promise.all(
      ['@paykit/provider-lianlian-web', '@paykit/provider-lianlian-payout', '@paykit/provider-allinpay-mobile', '@paykit/provider-example'].map(async (name) =>
        Object.values(await import(name)).find((v) => v && typeof v.id === 'string' && Array.isArray(v.capabilities) && 'configCodec' in v)),
    );
    // Columns: one per provider, its plugin id in the head; rows: one per capability.
    const matrix = await page.locator('h2#capability-matrix ~ table').first().evaluate((t) => ({
      ids: [...t.querySelectorAll('thead th')].slice(1).map((th) => th.querySelector('code')?.textContent ?? ''),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent.trim())),
    }));
    for (const plugin of plugins) {
      const column = matrix.ids.indexOf(plugin.id) + 1;
      if (column === 0) { fail(`capability matrix has no column for ${plugin.id}`); continue; }
      const ticked = matrix.rows.filter((r) => r[column] === '✓').map((r) => r[0]);
      const declared = CAPABILITIES.filter((c) => plugin.capabilities.includes(c));
      if (ticked.join(',') !== declared.join(',')) fail(`capability matrix shows ${plugin.id} with ${ticked.join(', ')}; the plugin declares ${declared.join(', ')}`);
    }
    log(`capability matrix: ${matrix.ids.join(', ')}, each with the capabilities its plugin declares`);
  }

  // Every page, every link inside the site. The sidebar is the same on every page (typedoc's script
  // builds it from one file): its links are taken once, from the home page, and each page's own
  // links from its HTML as the browser parsed it.
  const pages = new Map(); // path → Set of anchor ids
  const links = new Map(); // target (path#fragment) → the first page linking to it
  const addLinks = (from, hrefs) => {
    for (const href of hrefs) {
      const url = new URL(href);
      if (url.origin !== origin) continue;
      const key = `${url.pathname}${url.hash}`;
      if (!links.has(key)) links.set(key, { from, url });
    }
  };
  await open(`${origin}/index.html`);
  const sidebar = await page.locator('#tsd-nav-container a[href]').evaluateAll((as) => as.map((a) => a.href));
  addLinks('the sidebar', sidebar);
  const queue = ['/index.html'];
  const queued = new Set(queue);
  // The pages above were checked with their scripts, styles and sidebar; for the rest only the HTML
  // and its links matter, and loading the search index on each of ~900 pages would take minutes.
  crawling = true;
  const enqueue = () => {
    for (const { url } of links.values()) {
      if (url.pathname.endsWith('.html') && !queued.has(url.pathname)) { queued.add(url.pathname); queue.push(url.pathname); }
    }
  };
  enqueue();
  while (queue.length > 0) {
    const path = queue.shift();
    const response = await page.goto(`${origin}${path}`, { waitUntil: 'domcontentloaded' });
    if (!response || response.status() !== 200) { fail(`${path} answered ${response?.status()}`); continue; }
    const found = await page.evaluate(() => ({
      ids: [...document.querySelectorAll('[id], a[name]')].map((e) => e.id || e.getAttribute('name')),
      hrefs: [...document.querySelectorAll('a[href]')].filter((a) => !a.closest('#tsd-nav-container')).map((a) => a.href),
      text: document.querySelector('.col-content')?.textContent?.trim().length ?? 0,
    }));
    if (found.text === 0) fail(`${path} shows no content`);
    pages.set(path, new Set(found.ids));
    addLinks(path, found.hrefs);
    enqueue();
  }
  let anchors = 0;
  for (const { from, url } of links.values()) {
    if (!url.pathname.endsWith('.html')) {
      if (fileOf(url.pathname) === undefined) fail(`${from} links to ${url.pathname}, which the site does not have`);
      continue;
    }
    const ids = pages.get(url.pathname);
    if (ids === undefined) { fail(`${from} links to ${url.pathname}, which did not load`); continue; }
    const fragment = decodeURIComponent(url.hash.slice(1));
    if (fragment !== '') {
      anchors++;
      if (!ids.has(fragment)) fail(`${from} links to ${url.pathname}#${fragment}: no such anchor there`);
    }
  }
  log(`crawled ${pages.size} pages: ${links.size} distinct link targets inside the site (${anchors} anchors), every one checked`);
} catch (e) {
  fail(`the check stopped: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`docs-browser: ${failures.length} failure(s)`);
  process.exit(1);
}
log('the docs site renders and its links hold');
