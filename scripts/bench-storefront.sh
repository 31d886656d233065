#!/usr/bin/env bash
# Storefront benchmark over HTTP (issue 21). Generates $STYLES styles (default 100,000), ingests
# them into a fresh SQLite database and reindexes with the real `ddhub reindex`, then starts the
# real `ddhub serve` (release build, result cache on as served) and loads the search page, the
# style page and an approved buyer's cart at concurrency 1 and 32, printing p50/p95/p99 and the
# ratio of p99 at 32 to the 30 ms target; then the first page's weight before images (HTML, CSS,
# scripts) in every storefront language against 100 KB. The load generator runs on this machine
# too (one thread): compare runs, and read the load average printed with each figure.
set -euo pipefail
cd "$(dirname "$0")/.."
STYLES="${STYLES:-100000}"
cargo build --release -p ddhub -p ddhub-bench >/dev/null
bin="$PWD/target/release/ddhub-bench"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
"$bin" storefront --styles "$STYLES" --data-dir "$data"
