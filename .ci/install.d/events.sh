# The webhook receivers of scripts/suites/webhooks.sh (sourced by .ci/run):
# the Standard Webhooks reference libraries, npm's standardwebhooks from
# scripts/events/package-lock.json and PyPI's from
# scripts/events/requirements.lock (pinned with ==, with PyJWT and
# cryptography for the Shared Signals SETs) into the virtual environment
# scripts/events/.venv. PostgreSQL, for its replicas case, is installed by
# .ci/run.
(cd scripts/events && npm ci --no-audit --no-fund --loglevel=error)
python3 -m venv scripts/events/.venv
scripts/events/.venv/bin/pip install -q --disable-pip-version-check -r scripts/events/requirements.lock
