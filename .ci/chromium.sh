#!/usr/bin/env bash
# Chromium for the browser checks of CI (docs site, reports): installs Debian's `chromium` package
# once, checks that it starts headless, and prints its path.
#
#   path=$(bash .ci/chromium.sh)      stdout carries only the path (progress goes to stderr)
#
# Exit status: 0 = Chromium is installed and starts headless (its path on stdout); 3 = it is not
# installed and could not be installed (.ci/apt-install.sh: no apt mirror, not root): callers skip
# their browser check, loudly; anything else = it is installed but does not start: callers fail.
# CHROMIUM_PATH=/path/to/chromium uses that binary instead (it must still start).
set -euo pipefail

say() { echo "chromium.sh: $*" >&2; }

find_chromium() {
  local c
  for c in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}

# One install at a time, also when two checks call this script together.
exec 9>"${TMPDIR:-/tmp}/paykit-chromium.$(id -u).lock"
flock -w 1200 9 || { say "another chromium.sh held the lock for 20 minutes"; exit 1; }

if ! CHROMIUM=$(find_chromium); then
  if ! bash "$(dirname "$0")/apt-install.sh" chromium; then
    say "Chromium is not available: browser checks will be SKIPPED"
    exit 3
  fi
  CHROMIUM=$(find_chromium) || { say "the chromium package installed but no /usr/bin/chromium appeared"; exit 1; }
fi

# Does it start? Render a page headless, offline, in a throwaway profile.
profile=$(mktemp -d "${TMPDIR:-/tmp}/paykit-chromium-profile.XXXXXX")
trap 'rm -rf -- "$profile"' EXIT
out=$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --dump-dom 'data:text/html,<title>t</title><p id=ok>chromium-starts</p>' 2>"$profile/stderr.log") || true
if ! grep -q 'chromium-starts' <<<"$out"; then
  say "$CHROMIUM is installed but did not render a page headless; its output:"
  tail -n 20 "$profile/stderr.log" >&2 || true
  exit 1
fi
say "using $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
echo "$CHROMIUM"
