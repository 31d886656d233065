#!/usr/bin/env bash
# Shipping benchmark (issue 17). Seeds a SQLite database with LINES (default 10,000) confirmed
# order lines across WHOLESALERS (default 500) wholesalers, then builds the pickup list from it
# as GET /api/v1/pickups does, and a declaration batch of 100 lines (rows, XLSX, CSV), each in
# its own process so peak memory (VmHWM) is that phase's. Targets: under 1 s and 100 MB each.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES="${LINES:-10000}"
WHOLESALERS="${WHOLESALERS:-500}"
cargo build --release -p ddhub-bench >/dev/null
bin=target/release/ddhub-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/shipping.sqlite"
$bin shipping --phase seed --database "$db" --lines "$LINES" --wholesalers "$WHOLESALERS"
$bin shipping --phase pickup --database "$db"
$bin shipping --phase declaration --database "$db"
