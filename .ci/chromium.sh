#!/usr/bin/env bash
# Chromium for the browser checks of CI (docs site, reports): installs Debian's `chromium` package
# once, checks that it starts headless, and prints its path.
#
#   path=$(bash .ci/chromium.sh)      stdout carries only the path (progress goes to stderr)
#
# Exit status: 0 = Chromium is installed and starts headless (its path on stdout); 3 = it is not
# installed and could not be installed (no apt mirror, not root): callers skip their browser check,
# loudly; anything else = it is installed but does not start: callers fail.
# CHROMIUM_PATH=/path/to/chromium uses that binary instead (it must still start).
set -euo pipefail

say() { echo "chromium.sh: $*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

find_chromium() {
  local c
  for c in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    [ -n "$c" ] && [ -x "$c" ] && { echo "$c"; return 0; }
  done
  return 1
}

install_chromium() {
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300)
  if ! is_root; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      apt=(sudo -n "${apt[@]}")
    else
      say "chromium is not installed and this is not root (and no passwordless sudo) to install it"
      return 1
    fi
  fi
  command -v apt-get >/dev/null || { say "chromium is not installed and there is no apt-get to install it"; return 1; }
  local log start
  log=$(mktemp "${TMPDIR:-/tmp}/paykit-chromium-apt.XXXXXX.log")
  start=$(date +%s)
  say "installing the chromium package (apt-get; log: $log)..."
  if timeout 900 "${apt[@]}" update >"$log" 2>&1 &&
     timeout 900 "${apt[@]}" install --no-install-recommends chromium >>"$log" 2>&1; then
    say "installed chromium in $(( $(date +%s) - start ))s"
    rm -f "$log"
    return 0
  fi
  say "apt-get failed after $(( $(date +%s) - start ))s; last lines of $log:"
  tail -n 20 "$log" >&2 || true
  return 1
}

# One install at a time, also when two checks call this script together.
exec 9>"${TMPDIR:-/tmp}/paykit-chromium.$(id -u).lock"
flock -w 1200 9 || { say "another chromium.sh held the lock for 20 minutes"; exit 1; }

if ! CHROMIUM=$(find_chromium); then
  if ! install_chromium; then
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
