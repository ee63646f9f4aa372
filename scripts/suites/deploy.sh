#!/usr/bin/env bash
# The Kubernetes manifests (deploy/kubernetes): yamllint, kubernetes-validate
# --strict against the Kubernetes schemas (offline, the version its release
# bundles), then scripts/deploy/check.py against the real binary (the
# variables and flags each container uses exist, the ConfigMap's settings
# start a server whose probe and scrape paths answer 200, SIGTERM exits 0).
# Needs deploy/.venv (.ci/install.d/deploy.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${STANDIN_BIN:-}" ]; then
    cargo build -q --locked -p standin-cli
    STANDIN_BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/standin"
fi
export STANDIN_BIN
if [ ! -x deploy/.venv/bin/python ]; then
    echo "deploy: no deploy/.venv; run: source .ci/install.d/deploy.sh" >&2
    exit 1
fi
echo "-- yamllint deploy/" >&2
deploy/.venv/bin/yamllint --strict -c deploy/.yamllint deploy/kubernetes
echo "-- kubernetes-validate --strict" >&2
deploy/.venv/bin/kubernetes-validate --strict --quiet deploy/kubernetes/*.yaml
echo "-- scripts/deploy/check.py" >&2
deploy/.venv/bin/python scripts/deploy/check.py deploy/kubernetes
