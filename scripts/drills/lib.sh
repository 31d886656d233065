# Shared by the drills: build or find the binary, start a demo instance on a free port.
# Every process a drill starts is killed by its id on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROFILE=${PROFILE:-release}
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [[ -n $p ]] && kill -9 "$p" 2>/dev/null || true; done
  if [[ -n ${WORK:-} && -z ${KEEP:-} ]]; then rm -rf "$WORK"; fi
  # The drill's own status stands: an EXIT trap's last command must not replace it.
  return 0
}
trap cleanup EXIT

ddhub_bin() {
  if [[ -n ${DDHUB_BIN:-} ]]; then echo "$DDHUB_BIN"; return; fi
  local flag=(); [[ $PROFILE == release ]] && flag=(--release)
  (cd "$ROOT" && cargo build -q "${flag[@]}" -p ddhub >&2)
  echo "$ROOT/target/$([[ $PROFILE == release ]] && echo release || echo debug)/ddhub"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_serve DATA_DIR PORT [args...]: starts `ddhub serve` in the background, sets SERVE_PID.
start_serve() {
  local data=$1 port=$2; shift 2
  DDHUB_DATA_DIR=$data DDHUB_LISTEN=127.0.0.1:$port DDHUB_LOG_FORMAT=json RUST_LOG=${RUST_LOG:-warn} \
    "$BIN" serve "$@" >>"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!; pids+=("$SERVE_PID")
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || { echo "serve died; see $WORK/serve.log" >&2; tail -5 "$WORK/serve.log" >&2; return 1; }
    sleep 0.1
  done
  echo "serve not ready" >&2; return 1
}

demo_key() { awk -F'\t' -v k="$2" '$1==k {print $3}' "$1/demo-keys.txt" | sed -n "${3:-1}p"; }
