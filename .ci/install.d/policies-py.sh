# The Python policy SDK's packages (sourced by .ci/run): componentize-py and
# pytest from sdk-py/requirements.lock (every package pinned with ==) into
# the virtual environment sdk-py/.venv, for scripts/suites/policies-py.sh.
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || { echo "the Python policy SDK needs Python 3.10 or later" >&2; exit 1; }
python3 -m venv sdk-py/.venv
sdk-py/.venv/bin/pip install -q --disable-pip-version-check -r sdk-py/requirements.lock
