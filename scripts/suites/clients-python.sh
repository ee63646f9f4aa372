#!/usr/bin/env bash
# The Python client and its Django integration (clients/python) against a
# real `standin serve`: `mypy --strict`, then pytest (Django, django-hijack).
# Needs the virtual environment clients/python/.venv first
# (.ci/install.d/clients.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
# The binary `scripts/test` names (the one `cargo test` just built), or
# one built here when the suite runs alone.
if [ -z "${STANDIN_BIN:-}" ]; then
    cargo build -q --locked -p standin-cli
    STANDIN_BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/standin"
fi
export STANDIN_BIN
cd clients/python
if [ ! -x .venv/bin/python ]; then
    echo "clients/python: no .venv; run: source .ci/install.d/clients.sh" >&2
    exit 1
fi
.venv/bin/python scripts/gen_models.py --check
.venv/bin/mypy
.venv/bin/pytest -q
