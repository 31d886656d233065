#!/usr/bin/env bash
# Marketplace channel writers (issue 18): Shopify CSV, Shopee global JSON Lines and Yahoo!
# Shopping Shift-JIS CSV beside the Google Merchant XML writer over the same generated styles
# (10,000 and $STYLES, default 100,000; about 6 SKUs each), each run in its own process.
# Prints items/s, the ratio to GMC (target ≥ 0.8×) and peak memory growth (target ≤ 64 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
STYLES="${STYLES:-100000}"
SMALL="${SMALL:-10000}"
cargo build --release -p ddhub-bench >/dev/null
target/release/ddhub-bench channels --styles "$STYLES" --small "$SMALL"
