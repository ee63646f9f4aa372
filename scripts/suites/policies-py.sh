#!/usr/bin/env bash
# Policies written in Python (sdk-py, examples/policies/business-hours-py
# and default-py): pytest builds them into components with the SDK's build
# command (`python -m standin_policy build`, componentize-py) and runs them
# through the real `standin` binary: the Rust example's suite, both upload
# paths, the scaffold of `standin policy new --lang python`, the sandbox's
# hostile cases (built with WASI stubbed and with WASI imported, which the
# host denies), and the built-in policy's port against the built-in itself
# (every shipped suite, the parity suites, settings refused word for word).
# Needs the virtual environment sdk-py/.venv first
# (.ci/install.d/policies-py.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/suite.sh
standin_bin
need_venv sdk-py sdk-py .ci/install.d/policies-py.sh
cd sdk-py
.venv/bin/pytest -q
