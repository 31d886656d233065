#!/usr/bin/env bash
# Search benchmark over HTTP (issue: search). Generates $STYLES styles (default 100,000), ingests
# them into a fresh SQLite database, times the real `ddhub reindex` (target ≤ 60 s) and prints the
# index size, then starts the real `ddhub serve` (release build) and drives a mixed query set
# with facets (five languages, filters, every sort, second pages, USD/JPY/KRW) at concurrency 1
# and 32, printing p50/p95/p99 latency, queries per second and the ratio to the target (tantivy
# p99 ≤ 20 ms at concurrency 32), once with the result cache (the default) and once without it
# (`"result_cache": false`: the engine itself). Meilisearch runs side by side when DDHUB_BENCH_MEILISEARCH_URL
# is set or a `meilisearch` binary is on the PATH (otherwise the output says why it was skipped):
# behind DDHub, then queried directly with the very bodies DDHub sends (`meilisearch_direct`), and
# the run ends with `search_side_by_side` lines: every c=32 load's p99 and QPS against each other.
# $RUNS (default 2) repeats the load on the same catalog: other work on the machine moves the
# figures, so compare runs. The load generator runs on this machine too (one thread).
# Last, `ddhub-bench search-engine` runs the same query mix on the built index in this process,
# one thread, result cache off: mean and p99 per kind of query and the slowest queries (where the
# engine's own time goes, without HTTP or queueing).
set -euo pipefail
cd "$(dirname "$0")/.."
STYLES="${STYLES:-100000}"
RUNS="${RUNS:-2}"
cargo build --release -p ddhub -p ddhub-bench >/dev/null
bin="$PWD/target/release/ddhub-bench"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
"$bin" search --styles "$STYLES" --data-dir "$data"
for ((i = 2; i <= RUNS; i++)); do
  echo "run $i (same catalog, reindexed again):"
  "$bin" search --styles "$STYLES" --data-dir "$data" --reuse
done
"$bin" search-engine --data-dir "$data"
