# The TypeScript and Python clients' packages (sourced by .ci/run):
# npm from clients/typescript/package-lock.json, PyPI from
# clients/python/requirements.lock (every package pinned with ==) into the
# virtual environment clients/python/.venv. CPython 3.11 is what a fresh
# machine has; the client needs 3.10 or later.
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || { echo "the Python client needs Python 3.10 or later" >&2; exit 1; }
(cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error)
python3 -m venv clients/python/.venv
clients/python/.venv/bin/pip install -q --disable-pip-version-check -r clients/python/requirements.lock
clients/python/.venv/bin/pip install -q --disable-pip-version-check --no-deps -e clients/python
