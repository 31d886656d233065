#!/usr/bin/env bash
# Hostile-upload drill (issue 16): each hostile file is uploaded to a fresh `ddhub serve`, and
# the server's peak memory while it is read (VmHWM less what the idle server held) is printed
# with its limit, the larger of 20 times the file's size and 256 MB. Fails past a limit, or
# when an upload does not end as failed with its reason.
#   bash scripts/drills/hostile.sh                  # release build
#   PROFILE=debug bash scripts/drills/hostile.sh    # the CI size
source "$(dirname "$0")/lib.sh"
BIN=$(ddhub_bin)
WORK=$(mktemp -d)
python3 "$ROOT/scripts/drills/hostile_files.py" "$WORK"
# An old Excel file with one cell in A1 and one in IV65536 (calamine's dense grid: 16.7M cells).
cp "$ROOT/crates/ingest/tests/fixtures/xls/far-corner.xls" "$WORK/"
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
status=0
printf '%-20s %9s %9s %9s %8s  %s\n' file size_MB cost_MB limit_MB ratio outcome
for f in shared-strings.xlsx one-cell.xlsx one-line.csv photo.xlsx far-corner.xls; do
  data="$WORK/data-$f"; mkdir -p "$data"
  key=$(cd "$data" && DDHUB_DATA_DIR=$data "$BIN" wholesaler add --name 드릴 --building 청평화 --floor 1 --unit A-1 --json \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  port=$(free_port)
  start_serve "$data" "$port"
  idle=$(hwm_kb "$SERVE_PID")
  id=$(curl -fsS -H "Authorization: Bearer $key" -F "file=@$WORK/$f" \
    "http://127.0.0.1:$port/api/v1/catalog/uploads" | python3 -c 'import json,sys; print(json.load(sys.stdin)["upload_id"])')
  outcome=""
  for _ in $(seq 1 1200); do
    outcome=$(curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/api/v1/catalog/uploads/$id" \
      | python3 -c 'import json,sys; u=json.load(sys.stdin); print(u["state"], (u.get("failure") or {}).get("code", ""))')
    [[ $outcome == done* || $outcome == failed* ]] && break
    sleep 0.25
  done
  peak=$(hwm_kb "$SERVE_PID")
  size=$(stat -c %s "$WORK/$f")
  cost=$(( (peak - idle) / 1024 ))
  limit=$(( size * 20 / 1048576 )); (( limit < 256 )) && limit=256
  ratio=$(python3 -c "print(f'{$cost / $limit:.2f}')")
  printf '%-20s %9.1f %9d %9d %8s  %s\n' "$f" "$(python3 -c "print($size/1048576)")" "$cost" "$limit" "$ratio" "$outcome"
  if (( cost > limit )); then echo "  over the limit" >&2; status=1; fi
  if [[ $outcome != failed* ]]; then echo "  expected the upload to fail with its reason" >&2; status=1; fi
  kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null || true
done
exit $status
