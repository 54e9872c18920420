#!/usr/bin/env bash
# CI: the JavaScript and Python adapter kits (adapters/js, adapters/python) and the real
# libraries (Yjs, Automerge, Loro, pycrdt) checked over the adapter protocol. Installs from the
# committed lockfile (npm ci) and pinned requirements (a venv under target/), runs the kits' own
# tests, then `crdt-harness check --adapter` on every real library (adapters/real/check.py).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step() { echo "kits: $* ($((SECONDS - start)) s)"; }

step "building crdt-harness (release)"
cargo build --release -p crdt-cli
export CRDT_HARNESS="$PWD/target/release/crdt-harness"

step "npm ci"
(cd adapters/js && npm ci --no-audit --no-fund)
(cd adapters/real/js && npm ci --no-audit --no-fund)

step "python venv"
venv="$PWD/target/kits-venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps \
  -r adapters/python/requirements-dev.txt -r adapters/real/python/requirements.txt
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation ./adapters/python

step "the JavaScript kit's tests"
(cd adapters/js && node --test)
step "the Python kit's tests"
(cd adapters/python && "$venv/bin/python" -m pytest -q -p no:cacheprovider)
step "the real libraries' own scenarios (Table 1 of the Fugue paper)"
(cd adapters/real/js && node --test)
(cd adapters/real/python && "$venv/bin/python" -m pytest -q -p no:cacheprovider test_pycrdt.py)

step "the real libraries under crdt-harness check --adapter"
"$venv/bin/python" adapters/real/check.py --harness "$CRDT_HARNESS" --python "$venv/bin/python"
step "done"
