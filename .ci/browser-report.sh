#!/usr/bin/env bash
# CI: opens the reconciliation HTML report in headless Chromium (Debian's package, from
# .ci/chromium.sh) and checks it: nothing fetched, the totals those of the JSON report, the table's
# filters and search, no card number; saves a screenshot to .ci/artifacts/reconciliation.png (see
# .ci/browser-report/check.ts).
#
# Exit status: 0 = passed, or skipped loudly because Chromium could not be installed (no apt
# mirror); 1 = a check failed, or Chromium is installed but does not start.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium_rc=0
chromium=$(bash .ci/chromium.sh) || chromium_rc=$?
case $chromium_rc in
  0) ;;
  3)
    {
      echo "################################################################################"
      echo "browser-report.sh: WARNING: Chromium could not be installed; the browser check of the"
      echo "browser-report.sh: WARNING: reconciliation report is SKIPPED in this run."
      echo "################################################################################"
    } >&2
    exit 0
    ;;
  *)
    echo "browser-report.sh: Chromium is installed but does not start (.ci/chromium.sh exit $chromium_rc); failing" >&2
    exit 1
    ;;
esac

export CHROMIUM_PATH=$chromium
export TSX_TSCONFIG_PATH=$PWD/tsconfig.json
node --conditions=@paykit/source --import tsx/esm .ci/browser-report/check.ts
