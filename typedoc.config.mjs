// The docs site: `npm run docs` builds the packages, regenerates the tables that come from code
// (docs/tools/generate.ts), then runs typedoc with this file into docs/api/.
//
// Packages mode: each package is converted with its own typedoc.json (which extends
// typedoc.base.json); the options here are the root's (documents, navigation, rendering).
import { markdownHeadings } from './docs/tools/markdown-headings.mjs';

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  $schema: 'https://typedoc.org/schema.json',
  name: 'paykit',
  entryPointStrategy: 'packages',
  entryPoints: [
    'core',
    'conformance',
    'providers/example',
    'providers/lianlian-web',
    'providers/lianlian-payout',
    'providers/allinpay-mobile',
    'adapters/transport-ky',
    'adapters/store-sql',
    'adapters/webhooks',
    'adapters/statements-sftp',
    'adapters/logger-pino',
    'adapters/cli',
  ],
  out: 'docs/api',
  // The README is the site's home page (install, quick start); the guides are pages of the site,
  // in this order. Provider pages are documents of their own, grouped by their frontmatter.
  readme: 'README.md',
  projectDocuments: [
    'docs/configuration.md',
    'docs/production.md',
    'docs/events.md',
    'docs/reconciliation.md',
    'docs/observability.md',
    'docs/cli.md',
    'docs/providers/README.md',
    'docs/providers/lianlian-web.md',
    'docs/providers/lianlian-payout.md',
    'docs/providers/allinpay-mobile.md',
    'docs/providers/example.md',
    'docs/writing-a-plugin.md',
    'docs/benchmarks.md',
  ],
  sortEntryPoints: false,
  groupOrder: ['Guides', 'Providers', '*'],
  navigation: { includeGroups: true, includeCategories: false, includeFolders: false },
  headings: { readme: false, document: false },
  markdownItLoader: markdownHeadings,
  customCss: './docs/tools/site.css',
  treatWarningsAsErrors: true,
  // Links in the guides (to pages, anchors, files) must resolve. Undocumented exports are checked
  // per package (typedoc.base.json), where the TSDoc is written.
  validation: { notExported: true, invalidLink: true, invalidPath: true, rewrittenLink: true, notDocumented: false, unusedMergeModuleWith: true },
  packageOptions: {
    includeVersion: false,
  },
  disableSources: true,
};

export default config;
