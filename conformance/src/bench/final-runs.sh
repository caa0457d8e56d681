#!/usr/bin/env bash
# `npm run bench:final [OUT_DIR]`: the figures for docs/benchmarks.md. Run it on a quiet machine
# (nothing else busy). It starts a throwaway PostgreSQL on 127.0.0.1 (.ci/postgres.sh) so the
# PostgreSQL rows run too, runs the whole bench three times, writes each run's JSON and log to
# OUT_DIR (default bench-results/), stops PostgreSQL, and prints the Markdown table of the three
# runs (also in OUT_DIR/summary.md). Exit status 1 when any run had a row below its target or failed.
# BENCH_FINAL_ARGS adds arguments to each run (e.g. "--quick --only core" to check this script).
set -uo pipefail
cd "$(dirname "$0")/../../.."
out=${1:-bench-results}
mkdir -p "$out"

pg_dir=""
if pg_out=$(bash .ci/postgres.sh); then
  while IFS='=' read -r key value; do
    case $key in
      PAYKIT_PG_DIR) pg_dir=$value ;;
      DATABASE_URL) export DATABASE_URL=$value ;;
    esac
  done <<<"$pg_out"
  trap '[ -n "$pg_dir" ] && bash .ci/postgres.sh stop "$pg_dir"' EXIT
else
  echo "bench:final: no PostgreSQL (.ci/postgres.sh failed): the PostgreSQL rows will say skipped" >&2
fi

status=0
for run in 1 2 3; do
  echo "bench:final: run $run of 3" >&2
  # shellcheck disable=SC2086 # BENCH_FINAL_ARGS is a list of arguments
  npm run --silent bench -- --json "$out/run-$run.json" ${BENCH_FINAL_ARGS:-} >"$out/run-$run.log" 2>&1 || status=1
  tail -n 1 "$out/run-$run.log" >&2
done
node --conditions=@paykit/source --import tsx/esm conformance/src/bench/summary.ts "$out"/run-1.json "$out"/run-2.json "$out"/run-3.json | tee "$out/summary.md"
exit $status
