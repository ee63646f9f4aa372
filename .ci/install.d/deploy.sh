# The deployment manifests' checkers (sourced by .ci/run): kubernetes-validate
# and yamllint from PyPI, pinned by deploy/requirements.lock, into the
# virtual environment deploy/.venv.
python3 -m venv deploy/.venv
deploy/.venv/bin/pip install -q --disable-pip-version-check -r deploy/requirements.lock
