// Checks for .ci/packaging.sh, on what npm publishes and on what a merchant installs.
//
//   node check-packages.mjs lockstep                      every package at one version, internal dependencies pinned to it
//   node check-packages.mjs tarballs <pack.json>          what `npm pack --json` put in each tarball
//   node check-packages.mjs installed <app>               every @paykit package in <app> came from a local tarball
//   node check-packages.mjs production <app>              no test framework in <app>'s production tree (and the check can see one)
//   node check-packages.mjs sourcemaps <app>              every source map of every installed @paykit package resolves
//
// Exits 1 with one line per problem; prints one summary line when all is well.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const WORKSPACES = ['core', 'conformance', 'providers/example', 'providers/lianlian-web', 'providers/lianlian-payout', 'providers/allinpay-mobile',
  'adapters/transport-ky', 'adapters/store-sql', 'adapters/webhooks', 'adapters/statements-sftp', 'adapters/cli'];
const TEST_FRAMEWORKS = ['mocha', 'chai', 'fast-check', '@paykit/conformance'];

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const problems = [];
const problem = (text) => problems.push(text);

function finish(summary) {
  if (problems.length > 0) {
    for (const p of problems) console.error(`packaging: ${p}`);
    process.exit(1);
  }
  console.log(`packaging: ${summary}`);
}

/** Every workspace has the same version, and every @paykit dependency names exactly that version. */
function lockstep() {
  const manifests = WORKSPACES.map((dir) => ({ dir, pkg: readJson(join(ROOT, dir, 'package.json')) }));
  const version = manifests[0].pkg.version;
  for (const { dir, pkg } of manifests) {
    if (pkg.version !== version) problem(`${dir}: version ${pkg.version}, the others ${version} (run: node .ci/set-version.mjs <version>)`);
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
      for (const [name, range] of Object.entries(pkg[field] ?? {})) {
        if (name.startsWith('@paykit/') && range !== version) problem(`${dir}: ${field}.${name} is "${range}", not the release version ${version}`);
      }
    }
    if (pkg.private) problem(`${dir}: marked private, so it would not be published`);
  }
  finish(`${manifests.length} packages at version ${version}, internal dependencies pinned to it`);
}

/** What every tarball holds: its docs and licence, its built entries, its sources, and no tests. */
function tarballs(packJson) {
  const packs = readJson(packJson);
  if (packs.length !== WORKSPACES.length) problem(`expected ${WORKSPACES.length} tarballs, npm pack made ${packs.length}`);
  for (const pack of packs) {
    const files = new Set(pack.files.map((f) => f.path));
    const pkg = readJson(join(ROOT, WORKSPACES.find((dir) => readJson(join(ROOT, dir, 'package.json')).name === pack.name), 'package.json'));
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
      if (!files.has(needed)) problem(`${pack.name}: ${needed} is missing from the tarball`);
    }
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      for (const condition of ['types', 'default', '@paykit/source']) {
        const file = target[condition]?.replace(/^\.\//, '');
        if (file !== undefined && !files.has(file)) problem(`${pack.name}: export "${subpath}" (${condition}) points at ${file}, which is not in the tarball`);
      }
    }
    for (const bin of Object.values(pkg.bin ?? {})) if (!files.has(bin.replace(/^\.\//, ''))) problem(`${pack.name}: bin ${bin} is not in the tarball`);
    for (const f of files) {
      if (/(^|\/)test\/|\.test\.|\.tsbuildinfo$|^bench\//.test(f)) problem(`${pack.name}: ${f} should not be published`);
    }
    if (!/ESM-only/.test(readFileSync(join(ROOT, WORKSPACES.find((dir) => readJson(join(ROOT, dir, 'package.json')).name === pack.name), 'README.md'), 'utf8'))) {
      problem(`${pack.name}: its README does not say the package is ESM-only`);
    }
    for (const field of ['repository', 'license', 'engines', 'sideEffects']) if (pkg[field] === undefined) problem(`${pack.name}: package.json has no "${field}"`);
  }
  finish(`${packs.length} tarballs hold README, LICENSE, CHANGELOG, every export and bin, and no tests`);
}

/** Every @paykit package in the app's lockfile was installed from a local tarball, never from a registry. */
function installed(app) {
  const lock = readJson(join(app, 'package-lock.json'));
  let count = 0;
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!/node_modules\/@paykit\//.test(path)) continue;
    count += 1;
    if (!String(entry.resolved ?? '').startsWith('file:')) problem(`${path} came from ${entry.resolved ?? 'nowhere known'}, not from a tarball of this build`);
  }
  if (count !== WORKSPACES.length) problem(`expected ${WORKSPACES.length} @paykit packages installed, found ${count}`);
  finish(`${count} @paykit packages installed, every one from a tarball of this build`);
}

/** The packages a tree lists, by name, from `npm ls --all --parseable` in the app. */
function tree(app, omitDev) {
  const out = execFileSync('npm', ['ls', '--all', '--parseable', ...(omitDev ? ['--omit=dev'] : [])], { cwd: app, encoding: 'utf8' });
  return new Set(out.split('\n').filter(Boolean).map((p) => p.replace(/^.*\/node_modules\//, '')));
}

/** No test framework reaches production; the same check on the whole tree does see the dev ones. */
function production(app) {
  const prod = tree(app, true);
  const all = tree(app, false);
  for (const t of TEST_FRAMEWORKS) if (prod.has(t)) problem(`${t} is in the production tree (npm ls --omit=dev --all)`);
  // A control: the app's dev dependencies bring the test kit, so a check that cannot see it is broken.
  for (const t of TEST_FRAMEWORKS) if (!all.has(t)) problem(`${t} is not in the full tree either: the production check could not have seen it`);
  finish(`production tree: ${prod.size} packages, none of ${TEST_FRAMEWORKS.join(', ')} (all ${TEST_FRAMEWORKS.length} are in the dev tree)`);
}

/** Each .map of each installed @paykit package names sources that exist in the installed package. */
function sourcemaps(app) {
  const scope = join(app, 'node_modules/@paykit');
  let maps = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.map')) {
        maps += 1;
        const map = readJson(path);
        if (!Array.isArray(map.sources) || map.sources.length === 0) problem(`${path}: no sources`);
        for (const source of map.sources ?? []) {
          const file = resolve(dirname(path), map.sourceRoot ?? '', source);
          if (!existsSync(file)) problem(`${path.slice(app.length + 1)}: source ${source} does not resolve (${file})`);
        }
      }
    }
  };
  for (const pkg of readdirSync(scope)) walk(join(scope, pkg, 'dist'));
  if (maps === 0) problem('no source maps found in the installed packages');
  finish(`${maps} source maps (JavaScript and declarations) resolve to sources shipped in the packages`);
}

const [command, arg] = process.argv.slice(2);
const commands = { lockstep, tarballs, installed, production, sourcemaps };
if (!(command in commands)) {
  console.error(`usage: node check-packages.mjs ${Object.keys(commands).join('|')} [arg]`);
  process.exit(2);
}
commands[command](arg === undefined ? undefined : resolve(arg));
