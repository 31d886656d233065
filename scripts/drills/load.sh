#!/usr/bin/env bash
# Load drill: a mixed workload against a local demo instance (SQLite, tantivy), one wrk per route
# running at the same time (public search, partner feed pulls, order intake, wholesaler style
# listing), plus one catalog upload (sheet + photo ZIP) in the middle. Prints throughput and
# p50/p99 per route, and how long the upload took to be processed under that load.
#   bash scripts/drills/load.sh                 # 30 s, release build
#   DURATION=10s CONNS=8 PROFILE=debug bash scripts/drills/load.sh
source "$(dirname "$0")/lib.sh"
DURATION=${DURATION:-30s}
CONNS=${CONNS:-16}
command -v wrk >/dev/null || { sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo); "${sudo_cmd[@]}" apt-get install -y -qq wrk >/dev/null; }
BIN=$(ddhub_bin)
WORK=$(mktemp -d); data=$WORK/data
# Limits far above the offered load: the drill measures the server, not the limiter.
export DDHUB_SEARCH_RATE_PER_MINUTE=100000000 DDHUB_PARTNER_RATE_PER_MINUTE=100000000
DDHUB_DATA_DIR=$data "$BIN" demo --no-serve >/dev/null
port=$(free_port); base=http://127.0.0.1:$port
start_serve "$data" "$port"
wkey=$(demo_key "$data" wholesaler 1); pkey=$(demo_key "$data" partner 1)
# Let the demo's photos and listings finish (indexing, normalisation) before measuring.
for _ in $(seq 1 600); do
  n=$(sqlite3 "$data/ddhub.sqlite" "SELECT COUNT(*) FROM jobs WHERE state IN ('queued','running')")
  [[ $n == 0 ]] && break; sleep 0.5
done
id=$(curl -fsS -H "Authorization: Bearer $wkey" "$base/api/v1/styles?per_page=200" | jq '[.styles[] | select(.state=="active")][0].id')
sku=$(curl -fsS -H "Authorization: Bearer $wkey" "$base/api/v1/styles/$id" | jq '.skus[0].id')
moq=$(curl -fsS -H "Authorization: Bearer $wkey" "$base/api/v1/styles/$id" | jq '.moq')
# The partner's price for that SKU: the `expected` of the price_mismatch answer to a probe.
price=$(curl -sS -H "Authorization: Bearer $pkey" -H 'Content-Type: application/json' -H "Idempotency-Key: probe-$$" \
  -d "{\"partner_order_id\":\"PROBE\",\"currency\":\"JPY\",\"lines\":[{\"sku_id\":$sku,\"quantity\":$moq,\"unit_price\":\"1\"}],\"ship_to\":{\"name\":\"P\",\"country\":\"JP\",\"address_lines\":[\"1\"],\"postal_code\":\"100-0001\",\"phone\":\"+81 3 0000 0000\"}}" \
  "$base/api/v1/orders" | jq -r '[.. | objects | .expected? | strings][0]')
echo "load drill: $DURATION, $CONNS connections per route, binary $(basename "$(dirname "$BIN")"), $(nproc) cores"
per=$(( CONNS > 4 ? CONNS / 4 : 1 ))
out=$WORK/results
for route in search feed orders styles; do
  case $route in search) key="";; feed|orders) key=$pkey;; styles) key=$wkey;; esac
  ROUTE=$route KEY=$key SKU=$sku QTY=$moq PRICE=$price wrk -t1 -c"$per" -d"$DURATION" --latency -s "$ROOT/scripts/drills/load.lua" "$base" \
    2>&1 | grep '^{' >>"$out" &
  pids+=($!)
done
# One upload under load: the demo sheet again (a merge, every row unchanged) with its photos.
sleep 2
t0=$(date +%s.%N)
up=$(curl -fsS -H "Authorization: Bearer $wkey" -F "file=@$data/demo-catalog/misonit-catalog-cp949.csv" \
  -F "photos=@$data/demo-catalog/misonit-photos.zip" "$base/api/v1/catalog/uploads" | jq .upload_id)
state=""
for _ in $(seq 1 1200); do
  state=$(curl -fsS -H "Authorization: Bearer $wkey" "$base/api/v1/catalog/uploads/$up" | jq -r .state)
  [[ $state == done || $state == failed ]] && break; sleep 0.1
done
t1=$(date +%s.%N)
wait "${pids[@]: -4}" 2>/dev/null || true
printf '%-8s %10s %9s %9s %9s %9s %7s\n' route requests req/s p50_ms p99_ms max_ms errors
jq -r '[.route, .requests, .rps, .p50_ms, .p99_ms, .max_ms, .errors] | @tsv' "$out" |
  while IFS=$'\t' read -r r n rps p50 p99 mx e; do printf '%-8s %10s %9s %9s %9s %9s %7s\n' "$r" "$n" "$rps" "$p50" "$p99" "$mx" "$e"; done
printf 'upload under load: %s in %.2f s\n' "$state" "$(echo "$t1 - $t0" | bc)"
# The server's own view of the same run, from /metrics.
curl -fsS "$base/metrics" | grep -E '^ddhub_http_requests_total' | grep -v 'status="2' | sed 's/^/non-2xx: /' || true
