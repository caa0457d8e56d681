#!/usr/bin/env bash
# Packaging test: what a merchant installs from npm, checked outside this repository.
#
#   1. builds the repository from nothing and type-checks it (tests included: some tests are type errors on purpose);
#   2. checks the release: one version everywhere, and `npm publish --dry-run` of every package;
#   3. packs every package and checks each tarball (README, LICENSE, CHANGELOG, exports, no tests);
#   4. installs the tarballs in a new project in a temporary folder outside the repository, and
#      checks that every @paykit package came from them and that no test framework reaches the
#      production tree (npm ls --omit=dev --all), and that the source maps resolve;
#   5. type-checks a strict NodeNext merchant app (skipLibCheck false) against every entry of every
#      package: the README's quick start (core, a provider, the store, the webhook adapter, the
#      transport) plus a file importing all entries;
#   6. runs the quick start against the LianLian simulator from the provider's `testing` entry;
#   7. runs the installed CLI (`npx paykit --version`) and loads core from CommonJS (require(esm)).
#
# Reaches the npm registry only (the app's own dependencies: TypeScript, Express, their types).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CHECK="node $ROOT/.ci/packaging/check-packages.mjs"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/paykit-packaging.XXXXXX")
case $WORK in "$ROOT"/*) echo "packaging: the temporary folder must be outside the repository" >&2; exit 1 ;; esac
trap 'rm -rf "$WORK"' EXIT
step() { echo "packaging: --- $* ---"; }

step "clean build and type-check"
# From nothing: an incremental build trusts its .tsbuildinfo, and a dist/ missing files (or holding
# files whose sources are gone) would be packed as it is.
for dir in core conformance providers/* adapters/*; do rm -rf "$dir/dist" "$dir/tsconfig.tsbuildinfo"; done
npm run --silent build
npm run --silent typecheck

step "release checks"
$CHECK lockstep
if ! npm publish --dry-run --workspaces --ignore-scripts >"$WORK/publish.log" 2>&1; then
  cat "$WORK/publish.log" >&2
  echo "packaging: npm publish --dry-run failed" >&2
  exit 1
fi
echo "packaging: npm publish --dry-run: $(grep -c '^+ @paykit/' "$WORK/publish.log") packages would be published"

step "pack"
mkdir "$WORK/tarballs"
npm pack --workspaces --pack-destination "$WORK/tarballs" --json --silent >"$WORK/pack.json"
$CHECK tarballs "$WORK/pack.json"

step "install in a new project outside the repository"
APP=$WORK/app
mkdir "$APP"
cp .ci/packaging/merchant/package.json .ci/packaging/merchant/tsconfig.json .ci/packaging/merchant/*.ts "$APP/"
cp docs/examples/express-quickstart.ts "$APP/quickstart.ts"
tarball() { ls "$WORK/tarballs"/paykit-"$1"-*.tgz; }
PROD=()
for name in core provider-example provider-lianlian-web provider-lianlian-payout provider-allinpay-mobile transport-ky store-sql webhooks statements-sftp cli; do
  PROD+=("$(tarball "$name")")
done
TS_VERSION=$(node -p "require('./package.json').devDependencies.typescript")
(
  cd "$APP"
  # One install, so that each package's @paykit dependencies are the tarballs beside it.
  npm install --no-audit --no-fund --save "${PROD[@]}" express@^5
  npm install --no-audit --no-fund --save-dev "$(tarball conformance)" mocha@^12 "typescript@$TS_VERSION" @types/node@^20.19 @types/express@^5
) 2>&1 | sed '/^$/d; s/^/  npm: /'
$CHECK installed "$APP"
$CHECK production "$APP"
$CHECK sourcemaps "$APP"

step "type-check the merchant app (strict, NodeNext, skipLibCheck false)"
(cd "$APP" && npx --no-install tsc -p tsconfig.json)
echo "packaging: the quick start and every entry of every package type-check"

step "run the quick start against the simulator from the testing entry"
(cd "$APP" && node dist/check.js)

step "the installed CLI and CommonJS"
VERSION=$(node -p "require('./adapters/cli/package.json').version")
GOT=$(cd "$APP" && npx --no-install paykit --version)
[ "$GOT" = "$VERSION" ] || { echo "packaging: npx paykit --version printed '$GOT', expected '$VERSION'" >&2; exit 1; }
echo "packaging: npx paykit --version prints $GOT"
(cd "$APP" && node --input-type=commonjs -e "
  const core = require('@paykit/core');
  if (typeof core.createPaykit !== 'function') throw new Error('require(\"@paykit/core\") gave no createPaykit');
  console.log('packaging: require(\"@paykit/core\") works from CommonJS (require(esm), Node ' + process.versions.node + ')');
")

echo "packaging: OK"
