#!/usr/bin/env bash
# The layering of docs/architecture.md, checked with `cargo tree` (normal dependencies, so dev
# and build dependencies of tests do not count). Fails listing every offending edge.
#   - the domain and pipeline crates know nothing of HTTP or SQL: no axum, sea-orm or sqlx;
#   - the store knows no HTTP; the application layer (ddhub-app) knows no HTTP and not the server;
#   - the production binary carries no benchmark code (hdrhistogram lives in ddhub-bench) and no
#     test support (ddhub-testkit, the store's `testing` feature).
set -euo pipefail
cd "$(dirname "$0")/.."
members=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print("\n".join(p["name"] for p in json.load(sys.stdin)["packages"]))')
status=0
checked=0
# crate: the packages it must not reach, as an extended regex on `cargo tree` lines.
forbid() {
  local crate=$1 pattern=$2
  if ! grep -qx "$crate" <<<"$members"; then
    echo "layering: $crate is not a workspace member"
    status=1
    return
  fi
  checked=$((checked + 1))
  local bad
  bad=$(cargo tree -p "$crate" -e normal --prefix none 2>/dev/null | grep -E "^($pattern) " | sort -u || true)
  if [ -n "$bad" ]; then
    echo "layering: $crate depends on:"; echo "$bad" | sed 's/^/  /'
    status=1
  fi
}
http_sql='axum|axum-core|sea-orm|sea-query|sqlx|sqlx-core|ddhub-store|ddhub-app|ddhub-server'
for crate in ddhub-domain ddhub-ingest ddhub-imaging ddhub-translate ddhub-search ddhub-feeds ddhub-orders ddhub-shipping; do
  forbid "$crate" "$http_sql"
done
forbid ddhub-store 'axum|axum-core|ddhub-app|ddhub-server'
forbid ddhub-app 'axum|axum-core|utoipa-axum|ddhub-server'
forbid ddhub 'hdrhistogram|ddhub-bench|ddhub-testkit'
forbid ddhub-server 'ddhub-testkit|ddhub-bench'
forbid ddhub-app 'ddhub-testkit'
# And the edges that must be there: the server sits on the app, the CLI on both.
for edge in "ddhub-server ddhub-app" "ddhub ddhub-app"; do
  set -- $edge
  if ! cargo tree -p "$1" -e normal --depth 1 --prefix none 2>/dev/null | grep -qE "^$2 "; then
    echo "layering: $1 does not depend on $2"
    status=1
  fi
done
# Test support stays out of production builds: the store's `testing` feature is a dev-only one.
if cargo tree -p ddhub -e normal,features --prefix none 2>/dev/null | grep -q 'ddhub-store feature "testing"'; then
  echo "layering: the production binary builds ddhub-store with its testing feature"
  status=1
fi
echo "layering: checked $checked crates"
exit $status
