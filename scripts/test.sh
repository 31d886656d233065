#!/usr/bin/env bash
# The whole test suite. Runs on SQLite always; also on PostgreSQL when DDHUB_TEST_POSTGRES_URL is
# set, and on Meilisearch when DDHUB_TEST_MEILISEARCH_URL is set (each skipped part says why).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# The end-to-end tests start the real binary: build it first so they find it.
cargo build -p ddhub
cargo test --workspace --no-fail-fast "$@"
