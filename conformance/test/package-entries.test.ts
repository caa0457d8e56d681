import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'chai';

// What a merchant's production install loads: every package entry's import graph, read from the
// sources (the built files mirror them one to one). Rule 10: product code never imports the test
// kit; simulators, demos and harnesses live behind a provider's `testing` entry.

const ROOT = resolve(import.meta.dirname, '../..');
const WORKSPACES = ['core', 'conformance', 'providers/example', 'providers/lianlian-web', 'providers/lianlian-payout', 'providers/allinpay-mobile',
  'adapters/transport-ky', 'adapters/store-sql', 'adapters/webhooks', 'adapters/statements-sftp', 'adapters/cli'];
const TEST_FRAMEWORKS = ['@paykit/conformance', 'mocha', 'chai', 'fast-check'];
/** What only a `testing` entry may load. */
const TEST_KIT = [...TEST_FRAMEWORKS, '@paykit/core/simulator', 'node-forge'];

/**
 * Runtime dependencies a package needs without importing them itself. The CLI runs Allinpay's demo,
 * whose simulator uses node-forge, an optional peer of @paykit/provider-allinpay-mobile that npm
 * does not install on its own.
 */
const NEEDED_UNIMPORTED: Readonly<Record<string, readonly string[]>> = { '@paykit/cli': ['node-forge'] };

interface Manifest {
  readonly name: string;
  readonly exports: Readonly<Record<string, { readonly '@paykit/source': string }>>;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;

/** The specifiers a source file imports or re-exports (static and dynamic), without comments. */
function specifiersOf(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|[;\s])(?:import|export)\s[^;'"]*?from\s*['"]([^'"]+)['"]|(?:^|[;\s])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    found.push((m[1] ?? m[2] ?? m[3]) as string);
  }
  return found;
}

/** Every source file an entry reaches and every package specifier they import. */
function graphOf(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of specifiersOf(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (!existsSync(target)) throw new Error(`${relative(ROOT, file)} imports ${spec}, which does not exist`);
        todo.push(target);
      } else packages.add(spec);
    }
  }
  return { files, packages };
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
const packageName = (spec: string): string => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || builtinModules.includes(spec);
const matches = (spec: string, banned: readonly string[]): boolean => banned.some((b) => spec === b || spec.startsWith(`${b}/`));

describe('package entries', function () {
  for (const dir of WORKSPACES) {
    const pkg = manifest(dir);
    context(`${pkg.name}`, function () {
      for (const [subpath, target] of Object.entries(pkg.exports)) {
        const entry = join(ROOT, dir, target['@paykit/source']);
        const testing = subpath === './testing' || subpath === './simulator' || pkg.name === '@paykit/conformance';

        it(`entry "${subpath}" imports only packages it declares as dependencies or peers`, function () {
          const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), pkg.name]);
          const undeclared = [...graphOf(entry).packages].filter((s) => !isBuiltin(s) && !declared.has(packageName(s)));
          expect(undeclared, `${pkg.name}${subpath.slice(1)} imports packages missing from its package.json`).to.deep.equal([]);
        });

        if (!testing) {
          it(`entry "${subpath}" loads no simulator, demo, harness or test framework`, function () {
            const { files, packages } = graphOf(entry);
            const kitFiles = [...files].map((f) => relative(join(ROOT, dir), f)).filter((f) => /^src\/(simulator\/|demo\.ts$|harness\.ts$|testing\.ts$)/.test(f));
            expect(kitFiles, 'test-kit files reached from a production entry').to.deep.equal([]);
            // The CLI runs the providers' demos (`paykit demo`), so it may load their testing entries.
            const allowed = pkg.name === '@paykit/cli' ? (s: string) => /^@paykit\/provider-[a-z-]+\/testing$/.test(s) : () => false;
            expect([...packages].filter((s) => matches(s, TEST_KIT) && !allowed(s)), 'test-kit packages imported by a production entry').to.deep.equal([]);
          });
        }

        // The conformance kit is the test framework's home; everything else stays clear of it.
        if (pkg.name !== '@paykit/conformance') it(`entry "${subpath}" never loads a test framework`, function () {
          expect([...graphOf(entry).packages].filter((s) => matches(s, TEST_FRAMEWORKS))).to.deep.equal([]);
        });
      }

      it('imports every runtime dependency it declares from one of its entries', function () {
        const imported = new Set<string>();
        for (const target of Object.values(pkg.exports)) for (const spec of graphOf(join(ROOT, dir, target['@paykit/source'])).packages) imported.add(packageName(spec));
        const unused = Object.keys(pkg.dependencies ?? {}).filter((d) => !imported.has(d) && !(NEEDED_UNIMPORTED[pkg.name] ?? []).includes(d));
        expect(unused, `${pkg.name} declares dependencies nothing in it imports`).to.deep.equal([]);
      });

      it('declares no test framework as a runtime dependency', function () {
        const runtime = Object.keys(pkg.dependencies ?? {});
        const allowed = pkg.name === '@paykit/conformance' ? ['chai', 'fast-check'] : [];
        expect(runtime.filter((d) => TEST_FRAMEWORKS.includes(d) && !allowed.includes(d))).to.deep.equal([]);
      });
    });
  }
});
