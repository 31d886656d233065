#!/usr/bin/env bash
# Ingestion benchmark (issue: catalog ingestion). Generates a realistic CP949 catalog of
# $STYLES styles (about 6 SKUs each) and measures, each in its own process so peak memory is its
# own: parse-only, full ingest to committed rows on SQLite, and on PostgreSQL when
# DDHUB_BENCH_POSTGRES_URL (or DDHUB_TEST_POSTGRES_URL) is set. Prints styles/s, the ratio of
# full ingest to parse-only, and peak memory. Targets: SQLite ≥ 20,000 styles/s, PostgreSQL ≥
# 10,000 styles/s, peak memory ≤ 500 MB.
# Each figure is printed next to its ratio to the target.
set -euo pipefail
cd "$(dirname "$0")/.."
STYLES="${STYLES:-100000}"
cargo build --release -p ddhub -p ddhub-bench >/dev/null
bin=target/release/ddhub-bench
# The figures depend on what else runs: say how busy the machine was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
parse=$($bin ingest --styles "$STYLES" --phase parse)
echo "$parse"
sqlite=$($bin ingest --styles "$STYLES" --phase full)
echo "$sqlite"
pg_url="${DDHUB_BENCH_POSTGRES_URL:-${DDHUB_TEST_POSTGRES_URL:-}}"
pg=""
if [ -n "$pg_url" ]; then
  pg=$($bin ingest --styles "$STYLES" --phase full --database-url "$pg_url")
  echo "$pg"
else
  echo "PostgreSQL run skipped: set DDHUB_BENCH_POSTGRES_URL"
fi
python3 - "$parse" "$sqlite" "$pg" <<'PY'
import json, sys
parse = json.loads(sys.argv[1]); runs = [json.loads(a) for a in sys.argv[2:] if a]
MEM_TARGET_MB = 500
print(f"\n{'run':<18}{'styles/s':>12}{'target':>10}{'vs target':>11}{'vs parse':>10}{'peak MB':>9}{'vs 500 MB':>11}")
print(f"{'parse only':<18}{parse['styles_per_s']:>12,.0f}{'':>10}{'':>11}{'1.00':>10}{parse['peak_rss_mb']:>9}{parse['peak_rss_mb'] / MEM_TARGET_MB:>10.2f}x")
for r in runs:
    ratio = r['styles_per_s'] / parse['styles_per_s']
    print(f"{'full, '+r['backend']:<18}{r['styles_per_s']:>12,.0f}{r['target_styles_per_s']:>10,.0f}{r['ratio_to_target']:>10.2f}x{ratio:>10.2f}{r['peak_rss_mb']:>9}{r['peak_rss_mb'] / MEM_TARGET_MB:>10.2f}x")
PY
