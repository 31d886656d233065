#!/usr/bin/env bash
# Fuzz drill: a short run of every cargo-fuzz target in the workspace (crates/*/fuzz).
#   SECONDS_PER_TARGET=60 bash scripts/drills/fuzz.sh
# Needs the nightly toolchain (rustup) and cargo-fuzz (`cargo install cargo-fuzz` from
# crates.io); prints why it cannot run when either is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${SECONDS_PER_TARGET:-60}
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz drill skipped: no nightly toolchain (cargo-fuzz needs -Zsanitizer)"; exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz from crates.io"
  cargo +nightly install -q cargo-fuzz || { echo "fuzz drill skipped: cargo-fuzz could not be installed"; exit 0; }
fi
status=0
for dir in crates/*/fuzz; do
  for target in $(cd "$dir/.." && cargo +nightly fuzz list 2>/dev/null); do
    echo "== $dir $target: $SECS s"
    log=$(mktemp)
    # Checked-in seeds (hostile files found by hand) join the generated corpus.
    seeds=()
    [[ -d "$dir/seeds/$target" ]] && seeds=("fuzz/corpus/$target" "fuzz/seeds/$target") && mkdir -p "$dir/corpus/$target"
    if (cd "$dir/.." && cargo +nightly fuzz run "$target" "${seeds[@]}" -- -max_total_time="$SECS" -rss_limit_mb=2048) >"$log" 2>&1; then
      grep -E '^(#[0-9]+\s+DONE|Done [0-9]+ runs)' "$log" | tail -1 || tail -3 "$log"
      echo "   no crash"
    else
      echo "   FAILED (crash or build error):"; tail -30 "$log"; status=1
    fi
    rm -f "$log"
  done
done
exit $status
