#!/usr/bin/env bash
# Runs the Django example against a throwaway `standin serve`:
#   examples/django/run.sh      then open http://127.0.0.1:8000
# Uses the Python client's virtual environment (source .ci/install.d/clients.sh makes it).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PY="$HERE/../../clients/python/.venv/bin/python"
[ -x "$PY" ] || { echo "no clients/python/.venv: run 'source .ci/install.d/clients.sh' at the repository root" >&2; exit 1; }
source "$HERE/../standin-dev.sh"
export EXAMPLE_DB="$DEV/example.sqlite3"
cd "$HERE"
"$PY" manage.py migrate -v 0
"$PY" manage.py seed
"$PY" manage.py runserver --noreload "127.0.0.1:${PORT:-8000}"
