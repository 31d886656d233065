#!/usr/bin/env bash
# Partner feed benchmark (issue 7). Seeds SQLite databases with 10,000 and $STYLES (default
# 100,000) generated styles (about 6 SKUs each, one ready photo each), then builds the partner's
# full Google Merchant XML feed from the database the way GET /api/v1/feeds/products does, plain
# and gzip, each in its own process so peak memory (VmHWM) is the feed's alone. Prints items/s
# and peak memory, and the ratios to the targets: ≥ 100,000 items/s uncompressed; peak memory of
# the large run no more than 64 MB above the 10,000-style run.
set -euo pipefail
cd "$(dirname "$0")/.."
STYLES="${STYLES:-100000}"
SMALL="${SMALL:-10000}"
cargo build --release -p ddhub -p ddhub-bench >/dev/null
bin=target/release/ddhub-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
results=()
for n in "$SMALL" "$STYLES"; do
  db="$work/feeds-$n.sqlite"
  $bin feeds --styles "$n" --database "$db" --seed
  plain=$($bin feeds --styles "$n" --database "$db")
  echo "$plain"
  gz=$($bin feeds --styles "$n" --database "$db" --gzip)
  echo "$gz"
  results+=("$plain" "$gz")
done
python3 - "${results[@]}" <<'PY'
import json, sys
r = [json.loads(a) for a in sys.argv[1:]]
print(f"\n{'styles':>8} {'coding':<9}{'items':>9}{'items/s':>11}{'vs 100k/s':>10}{'MB':>8}{'peak MB':>9}")
for x in r:
    print(f"{x['styles']:>8} {x['coding']:<9}{x['items']:>9,}{x['items_per_s']:>11,.0f}{x['ratio_to_target']:>9.2f}x{x['bytes']/1e6:>8.0f}{x['peak_rss_mb']:>9.1f}")
for coding in ('identity', 'gzip'):
    s, b = [x for x in r if x['coding'] == coding]
    growth = b['peak_rss_mb'] - s['peak_rss_mb']
    print(f"peak memory growth {s['styles']:,} → {b['styles']:,} styles ({coding}): {growth:+.1f} MB "
          f"(target ≤ 64 MB: {growth/64:.2f} of the allowance)")
PY
