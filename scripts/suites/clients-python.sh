#!/usr/bin/env bash
# The Python client and its Django integration (clients/python) against a
# real `standin serve`: `mypy --strict`, then pytest (Django, django-hijack).
# Needs the virtual environment clients/python/.venv first
# (.ci/install.d/clients.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/suite.sh
standin_bin
need_venv clients/python clients/python .ci/install.d/clients.sh
cd clients/python
.venv/bin/python scripts/gen_models.py --check
.venv/bin/mypy
.venv/bin/pytest -q
