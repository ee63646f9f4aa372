#!/usr/bin/env bash
# The Kubernetes manifests (deploy/kubernetes): yamllint, kubernetes-validate
# --strict against the Kubernetes schemas (offline, the version its release
# bundles), then scripts/deploy/check.py against the real binary (the
# variables and flags each container uses exist, the ConfigMap's settings
# start a server whose probe and scrape paths answer 200, SIGTERM exits 0).
# Needs deploy/.venv (.ci/install.d/deploy.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/suite.sh
standin_bin
need_venv deploy deploy .ci/install.d/deploy.sh
echo "-- yamllint deploy/" >&2
deploy/.venv/bin/yamllint --strict -c deploy/.yamllint deploy/kubernetes
echo "-- kubernetes-validate --strict" >&2
deploy/.venv/bin/kubernetes-validate --strict --quiet deploy/kubernetes/*.yaml
echo "-- scripts/deploy/check.py" >&2
deploy/.venv/bin/python scripts/deploy/check.py deploy/kubernetes
