#!/usr/bin/env bash
# Checks deploy/ with the tools that run here, without a container engine or a cluster:
#   compose.yaml      Debian's docker-compose 1.29: `config -q` parses, interpolates and
#                     validates the file against the Compose schema
#   k8s/*.yaml        kubernetes-validate (PyPI, in target/deploy-venv) against the Kubernetes
#                     1.30 and 1.37 OpenAPI schemas, strict (unknown fields fail); then
#                     `kubectl kustomize` builds the kustomization (client side, no cluster)
#   systemd/*         systemd-analyze verify (with the ddhub path pointed at the built binary)
#   Dockerfile        parsed by a syntax check of its instructions (no engine to build it)
#   ddhub.toml        loaded by the real config loader in the Rust test
#                     `ops::deploy_example_config_documents_every_key`
# Not run here: `docker build` and `docker compose up` (no engine), `kubectl apply` (no cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
say() { echo "check-deploy: $*"; }

# compose
if ! command -v docker-compose >/dev/null 2>&1; then
  sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends docker-compose >/dev/null \
    || { "${sudo_cmd[@]}" apt-get update -qq && "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; }
fi
if docker-compose -f deploy/compose.yaml config -q; then
  services=$(docker-compose -f deploy/compose.yaml config --services | sort | tr '\n' ' ')
  say "compose.yaml ok (services: $services)"
  for s in postgres meilisearch migrate serve-1 serve-2 worker-1 worker-2; do
    grep -qw "$s" <<<"$services" || { say "compose.yaml lacks service $s"; fail=1; }
  done
else
  say "compose.yaml INVALID"; fail=1
fi

# Kubernetes
venv=target/deploy-venv
if [[ ! -x $venv/bin/kubernetes-validate ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q kubernetes-validate
fi
manifests=()
for f in deploy/k8s/*.yaml; do
  [[ $(basename "$f") == kustomization.yaml ]] || manifests+=("$f")
done
for v in 1.30.0 1.37.0; do
  if "$venv/bin/kubernetes-validate" --quiet --strict -k "$v" "${manifests[@]}"; then
    say "k8s manifests ok against Kubernetes $v (${#manifests[@]} files)"
  else
    say "k8s manifests INVALID against $v"; fail=1
  fi
done
for kind in Deployment Job Service ConfigMap Secret HorizontalPodAutoscaler PersistentVolumeClaim; do
  grep -qx "kind: $kind" deploy/k8s/*.yaml || { say "k8s: no $kind"; fail=1; }
done
if command -v kubectl >/dev/null 2>&1; then
  if kubectl kustomize deploy/k8s >/dev/null; then say "kustomization builds"; else say "kustomization FAILS"; fail=1; fi
else
  say "kubectl not installed: kustomization build not checked"
fi

# systemd
if command -v systemd-analyze >/dev/null 2>&1; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  bin=$(command -v true)
  [[ -x target/debug/ddhub ]] && bin="$PWD/target/debug/ddhub"
  for u in deploy/systemd/*; do
    sed "s#/usr/local/bin/ddhub#$bin#g" "$u" >"$tmp/$(basename "$u")"
  done
  if out=$(systemd-analyze verify --man=no "$tmp"/* 2>&1) && [[ -z $out ]]; then
    say "systemd units ok"
  else
    say "systemd units: $out"; fail=1
  fi
else
  say "systemd-analyze not installed: units not checked"
fi

# Dockerfile: every instruction is one Docker knows, the runtime user is not root, and the
# health check probes /readyz.
bad=$(grep -vE '^\s*(#|$)' deploy/Dockerfile | grep -vE '^\s' | grep -vE '^(FROM|RUN|COPY|WORKDIR|ENV|USER|EXPOSE|HEALTHCHECK|ENTRYPOINT|CMD|VOLUME|ARG|LABEL) ' || true)
[[ -z $bad ]] || { say "Dockerfile: unknown instruction lines: $bad"; fail=1; }
grep -q '^USER 10001' deploy/Dockerfile || { say "Dockerfile: runtime user is not unprivileged"; fail=1; }
grep -q '/readyz' deploy/Dockerfile || { say "Dockerfile: no /readyz health check"; fail=1; }
[[ $fail == 0 ]] && say "Dockerfile instructions ok (not built: no container engine here)"

exit $fail
