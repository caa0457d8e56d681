#!/usr/bin/env bash
# Installs Debian packages for CI (the PostgreSQL of .ci/postgres.sh, the Chromium of .ci/chromium.sh):
#
#   bash .ci/apt-install.sh <package>...
#
# As root, or through passwordless sudo; apt-get update, then install without recommends. Progress
# and, on failure, the last lines of apt's log go to stderr. Exit status 0 = installed; 1 = not
# installed (not root, no apt-get, mirror unreachable, package missing): the caller decides whether
# that skips its check or fails it.
set -euo pipefail

say() { echo "apt-install.sh: $*" >&2; }

[ $# -gt 0 ] || { say "usage: bash .ci/apt-install.sh <package>..."; exit 2; }

apt=(env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300)
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    apt=(sudo -n "${apt[@]}")
  else
    say "cannot install $*: not root, and no passwordless sudo"
    exit 1
  fi
fi
command -v apt-get >/dev/null || { say "cannot install $*: no apt-get"; exit 1; }

log=$(mktemp "${TMPDIR:-/tmp}/paykit-apt.XXXXXX.log")
start=$(date +%s)
say "installing $* (apt-get; log: $log)..."
if timeout 900 "${apt[@]}" update >"$log" 2>&1 &&
   timeout 900 "${apt[@]}" install --no-install-recommends "$@" >>"$log" 2>&1; then
  say "installed $* in $(( $(date +%s) - start ))s"
  rm -f "$log"
  exit 0
fi
say "apt-get failed after $(( $(date +%s) - start ))s; last lines of $log:"
tail -n 20 "$log" >&2 || true
exit 1
