#!/usr/bin/env bash
# CI: opens the reconciliation HTML report in headless Chromium (Debian's package) and checks it:
# nothing fetched, the totals those of the JSON report, the table's filters and search, no card
# number; saves a screenshot to .ci/artifacts/reconciliation.png (see .ci/browser-report/check.ts).
#
# Chromium comes from apt (installed here, as root, when missing). A mirror that cannot be reached
# must not fail CI: the check is then SKIPPED, loudly. A check that fails does fail it.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "browser-report.sh: $*" >&2; }
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}

skip() {
  {
    echo "################################################################################"
    echo "ci: WARNING: $*"
    echo "ci: WARNING: the browser check of the reconciliation report is SKIPPED in this run."
    echo "################################################################################"
  } >&2
  exit 0
}

if [ ! -x "$CHROMIUM" ]; then
  apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300)
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then apt=(sudo -n "${apt[@]}"); else skip "no Chromium at $CHROMIUM and not root to install it"; fi
  fi
  command -v apt-get >/dev/null || skip "no Chromium at $CHROMIUM and no apt-get to install it"
  log=$(mktemp "${TMPDIR:-/tmp}/paykit-chromium-apt.XXXXXX.log")
  say "installing the chromium package (apt-get; log: $log)..."
  if ! { timeout 900 "${apt[@]}" update >"$log" 2>&1 && timeout 900 "${apt[@]}" install --no-install-recommends chromium >>"$log" 2>&1; }; then
    tail -n 20 "$log" >&2 || true
    skip "Chromium could not be installed from the Debian mirror"
  fi
  rm -f "$log"
  [ -x "$CHROMIUM" ] || skip "the chromium package installed no $CHROMIUM"
fi
say "using $("$CHROMIUM" --version 2>/dev/null | head -n 1)"

export CHROMIUM_PATH=$CHROMIUM
export TSX_TSCONFIG_PATH=$PWD/tsconfig.json
node --conditions=@paykit/source --import tsx/esm .ci/browser-report/check.ts
