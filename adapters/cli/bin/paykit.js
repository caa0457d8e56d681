#!/usr/bin/env node
// The `paykit` binary.
//
// Installed from npm, it runs the built CLI in dist/. In a clone of the repository (where this
// package's tsconfig.json sits next to bin/; it is not published) it runs the TypeScript sources
// through tsx, a dev dependency there: `npx paykit …` then works right after `npm install`, with
// no build step, and never runs a dist/ older than the sources.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const inRepository = existsSync(here('../tsconfig.json')) && existsSync(here('../src/bin.ts'));

function tsxLoader() {
  try {
    return import.meta.resolve('tsx/esm');
  } catch {
    return undefined;
  }
}

const tsx = inRepository ? tsxLoader() : undefined;
if (tsx !== undefined) {
  // The sources import the other workspaces' sources through the "@paykit/source" export condition,
  // and tsx applies the repository's root tsconfig (decorators) to all of them.
  const rootTsconfig = here('../../../tsconfig.json');
  const run = spawnSync(process.execPath, ['--conditions=@paykit/source', '--import', tsx, here('../src/bin.ts'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: existsSync(rootTsconfig) ? { ...process.env, TSX_TSCONFIG_PATH: rootTsconfig } : process.env,
  });
  if (run.error) {
    process.stderr.write(`paykit: cannot start the CLI from its sources: ${run.error.message}\n`);
    process.exitCode = 1;
  } else {
    process.exitCode = run.status ?? 1;
  }
} else if (existsSync(here('../dist/bin.js'))) {
  await import('../dist/bin.js');
} else {
  process.stderr.write('paykit: the CLI is not built (no dist/bin.js): run "npm run build" in the repository, or "npm install" it again\n');
  process.exitCode = 1;
}
