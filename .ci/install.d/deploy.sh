# The deployment manifests' checkers and the traces' receiver (sourced by
# .ci/run): kubernetes-validate, yamllint and opentelemetry-proto from
# PyPI, pinned by deploy/requirements.lock, into the virtual environment
# deploy/.venv.
python3 -m venv deploy/.venv
deploy/.venv/bin/pip install -q --disable-pip-version-check -r deploy/requirements.lock
