#!/usr/bin/env bash
# The domain and pipeline crates know nothing of HTTP or SQL (ARCHITECTURE.md): none of them may
# depend, even indirectly, on axum, sea-orm or sqlx. Fails listing every offending edge.
set -euo pipefail
cd "$(dirname "$0")/.."
pure=(ddhub-domain ddhub-ingest ddhub-imaging ddhub-translate ddhub-search ddhub-feeds ddhub-orders)
members=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print("\n".join(p["name"] for p in json.load(sys.stdin)["packages"]))')
status=0
checked=0
for crate in "${pure[@]}"; do
  grep -qx "$crate" <<<"$members" || continue
  checked=$((checked + 1))
  bad=$(cargo tree -p "$crate" -e normal --prefix none 2>/dev/null | grep -E '^(axum|axum-core|sea-orm|sea-query|sqlx|sqlx-core) ' | sort -u || true)
  if [ -n "$bad" ]; then
    echo "layering: $crate depends on:"; echo "$bad" | sed 's/^/  /'
    status=1
  fi
done
echo "layering: checked $checked pure crates"
exit $status
