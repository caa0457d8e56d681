// Where a plugin package named in the config lives, seen from the merchant's application.
//
// `import(name)` inside core looks the name up from core's own folder: with npm's flat layout that
// finds the merchant's packages too, but with pnpm's isolated layout or a nested @paykit/core it
// does not. This looks the package up the way Node would from the config's folder (the nearest
// node_modules/<name> upwards) and picks its ES module entry ("exports" with the import, node or
// default condition, else "main", else index.js).
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const CONDITIONS = ['import', 'node', 'default'] as const;

/** The target of an `exports` value for the import conditions, or undefined. */
function exportTarget(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = exportTarget(v);
      if (t !== undefined) return t;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const map = value as Record<string, unknown>;
  if ('.' in map) return exportTarget(map['.']);
  for (const c of CONDITIONS) if (c in map) {
    const t = exportTarget(map[c]);
    if (t !== undefined) return t;
  }
  return undefined;
}

const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The entry file of package `name` (a bare name such as `@acme/paykit-plugin`, without a subpath)
 * as seen from `fromDir`, or undefined when no node_modules above it holds the package.
 */
export function packageEntry(name: string, fromDir: string): string | undefined {
  if (!/^(@[^/@\s]+\/)?[^/@\s.][^/@\s]*$/.test(name)) return undefined;
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', name);
    const manifest = join(root, 'package.json');
    if (isFile(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: unknown; main?: unknown };
        const target = pkg.exports !== undefined ? exportTarget(pkg.exports) : typeof pkg.main === 'string' ? pkg.main : 'index.js';
        const file = target === undefined ? undefined : resolve(root, target);
        return file !== undefined && isFile(file) ? file : undefined;
      } catch {
        return undefined;
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}
