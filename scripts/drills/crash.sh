#!/usr/bin/env bash
# Crash drill: kill -9 of serve and worker at random moments during ingest and order intake,
# then checks nothing acknowledged is lost or duplicated, no job is stuck, integrity_check ok.
#   bash scripts/drills/crash.sh                      # 12 rounds, release build
#   ROUNDS=4 PROFILE=debug bash scripts/drills/crash.sh   # the CI size
source "$(dirname "$0")/lib.sh"
BIN=$(ddhub_bin)
python3 "$ROOT/scripts/drills/crash.py" --bin "$BIN" --rounds "${ROUNDS:-12}" --seconds "${MAX_WAIT:-3}" ${SEED:+--seed "$SEED"}
