// Sets the release version of every paykit package and pins their dependencies on each other to it
// (all packages are released together, at one version). `npm version --workspaces` changes the
// versions but not the pins, which would then name a version that was never published.
//
//   node .ci/set-version.mjs 0.2.0 && npm install      (npm install updates package-lock.json)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const version = process.argv[2];
if (version === undefined || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  console.error('usage: node .ci/set-version.mjs <version>   (e.g. 0.2.0 or 1.0.0-rc.1)');
  process.exit(2);
}
const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const dirs = root.workspaces.flatMap((pattern) => (pattern.endsWith('/*')
  ? readdirSync(join(ROOT, pattern.slice(0, -2)), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${pattern.slice(0, -2)}/${e.name}`)
  : [pattern]));

for (const dir of dirs) {
  const file = join(ROOT, dir, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  pkg.version = version;
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) if (name.startsWith('@paykit/')) pkg[field][name] = version;
  }
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  console.log(`${pkg.name} ${version}`);
}
console.log(`Now: npm install (updates package-lock.json), add a section to each CHANGELOG.md, run bash .ci/packaging.sh, commit, tag v${version}, then npm publish --workspaces`);
