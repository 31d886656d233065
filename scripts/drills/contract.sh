#!/usr/bin/env bash
# Contract drill: schemathesis (PyPI, in target/schemathesis-venv) against /api/openapi.json of a
# demo instance, every operation with the auth it needs: wholesaler routes with a wholesaler
# key, partner routes with a partner key, the hub's export routes with an operator key, public
# routes without. Checks: no 5xx (not_a_server_error) and responses as documented
# (response_schema_conformance, status_code_conformance, content_type_conformance).
#   bash scripts/drills/contract.sh                       # MAX_TIME=120 s per group
#   MAX_TIME=20 PROFILE=debug bash scripts/drills/contract.sh
#   CHECKS=not_a_server_error ...                         # the CI subset
source "$(dirname "$0")/lib.sh"
MAX_TIME=${MAX_TIME:-120}
CHECKS=${CHECKS:-not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance}
venv=$ROOT/target/schemathesis-venv
# CPython before 3.11.8 and 3.12.2 can fail `ast.parse` when two threads parse at once
# (python/cpython#106905, "AST constructor recursion depth mismatch"); hypothesis parses while
# schemathesis runs two workers, which ends an operation in a "Runtime Error" that is not the
# API's. The venv takes a Python with the fix: $PYTHON, else the first that has it.
python_fixed() {
  "$1" -c 'import sys; v = sys.version_info[:3]; sys.exit(not ((3, 11, 8) <= v < (3, 12) or v >= (3, 12, 2)))' 2>/dev/null
}
pick_python() {
  local c
  for c in ${PYTHON:-} python3 python3.14 python3.13 python3.12 python3.11 \
    "$(pyenv root 2>/dev/null || echo /nonexistent)"/versions/*/bin/python3; do
    if command -v "$c" >/dev/null 2>&1 && python_fixed "$c"; then echo "$c"; return 0; fi
  done
  return 1
}
workers=2
if [[ -x $venv/bin/python ]] && ! python_fixed "$venv/bin/python" && pick_python >/dev/null; then
  rm -rf "$venv"
fi
if [[ ! -x $venv/bin/schemathesis ]]; then
  "$(pick_python || echo python3)" -m venv "$venv"
  "$venv/bin/pip" install -q schemathesis
fi
if ! python_fixed "$venv/bin/python"; then
  echo "note: $("$venv/bin/python" --version) has python/cpython#106905; one worker (set PYTHON to a newer Python)" >&2
  workers=1
fi
BIN=$(ddhub_bin)
WORK=$(mktemp -d); data=$WORK/data
export DDHUB_SEARCH_RATE_PER_MINUTE=100000000 DDHUB_PARTNER_RATE_PER_MINUTE=100000000
DDHUB_DATA_DIR=$data "$BIN" demo --no-serve >/dev/null
port=$(free_port); base=http://127.0.0.1:$port
start_serve "$data" "$port"
wkey=$(demo_key "$data" wholesaler 1); pkey=$(demo_key "$data" partner 1)
# The demo keeps no operator key: the drill adds its own operator, as a hub would.
okey=$(DDHUB_DATA_DIR=$data "$BIN" operator add --name contract-drill --json |
  "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["key"])')
status=0
run_group() {
  local name=$1 regex=$2; shift 2
  echo "== $name: operations matching $regex"
  set +e
  "$venv/bin/schemathesis" run "$base/api/openapi.json" --checks "$CHECKS" \
    --include-path-regex "$regex" --max-time "$MAX_TIME" --workers "$workers" \
    --request-timeout 30 --suppress-health-check all "$@" 2>&1 | tee "$WORK/$name.log" | tail -25
  local rc=${PIPESTATUS[0]}
  set -e
  echo "== $name: schemathesis exit $rc"
  [[ $rc == 0 ]] || status=1
}
run_group wholesaler '^/api/v1/(styles|catalog|purchase-requests)' -H "Authorization: Bearer $wkey"
run_group partner '^/api/v1/(feeds|orders|webhooks|events)' -H "Authorization: Bearer $pkey"
# Test mode: the partner's sandbox key (`ddh_pt_`), which alone may answer its own test orders.
run_group partner-test '^/api/v1/(orders|test_helpers)' -H "Authorization: Bearer $(demo_key "$data" partner_test 1)"
run_group operator '^/api/v1/(buyers|declarations|pickups|shipments)' -H "Authorization: Bearer $okey"
run_group public '^/(healthz|readyz|api/openapi\.json|api/v1/(search|landed-cost)|media/)' 
# The server's own count of 5xx answers during the whole drill.
echo "5xx answers counted by the server:"
curl -fsS "$base/metrics" | grep '^ddhub_http_requests_total' | grep 'status="5' || echo "  none"
exit $status
