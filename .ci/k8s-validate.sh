#!/usr/bin/env bash
# CI: the Kubernetes manifests (deploy/kubernetes) validated against Kubernetes' own OpenAPI
# schemas, offline and strict (unknown fields refused), with `kubernetes-validate` from pinned
# requirements in a venv under target/. `kubectl apply --dry-run=client` would need a cluster's
# API server for discovery; this needs none. The fields that matter (indexed completion, the
# shard count, the shared volume) are asserted by cli/tests/deploy.rs. A manifest broken on
# purpose must be refused, so that a validator that passes everything cannot pass here.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$PWD/target/k8s-venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
  -r deploy/kubernetes/requirements.txt
"$venv/bin/kubernetes-validate" --strict deploy/kubernetes/*.yaml
broken="$(mktemp -d)"
trap 'rm -rf "$broken"' EXIT
sed 's/^\(  *\)completions:/\1completion:/' deploy/kubernetes/campaign-job.yaml \
  > "$broken/campaign-job.yaml"
if cmp -s deploy/kubernetes/campaign-job.yaml "$broken/campaign-job.yaml"; then
  echo "k8s-validate: the broken copy is not broken (no \`completions:\` field)" >&2
  exit 1
fi
if "$venv/bin/kubernetes-validate" --strict --quiet "$broken/campaign-job.yaml" > /dev/null 2>&1; then
  echo "k8s-validate: a Job with a misspelt field was accepted" >&2
  exit 1
fi
echo "k8s-validate: the manifests pass, a misspelt one is refused"
