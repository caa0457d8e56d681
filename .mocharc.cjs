// Tests run from TypeScript source through tsx; cross-package imports resolve to each package's
// src/ through the "@paykit/source" export condition.
process.env.TSX_TSCONFIG_PATH = require('node:path').join(__dirname, 'tsconfig.json');
// `npx mocha some/file.test.ts` runs just that file; without file arguments, every package's tests.
const named = process.argv.slice(2).some((a) => /\.test\.ts$|\/test\/?$|\*/.test(a));
module.exports = {
  'node-option': ['conditions=@paykit/source', 'import=tsx/esm'],
  ...(named ? {} : { spec: ['core/test/**/*.test.ts', 'conformance/test/**/*.test.ts', 'providers/*/test/**/*.test.ts', 'adapters/*/test/**/*.test.ts', 'docs/test/**/*.test.ts'] }),
  timeout: 20000,
  reporter: 'spec',
};
