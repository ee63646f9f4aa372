# Sourced by scripts/suites/*.sh: the binary they test and the checks they share.

# STANDIN_BIN: the binary `scripts/test` names (the one `cargo test` just
# built), or one built here when a suite runs alone.
standin_bin() {
    if [ -z "${STANDIN_BIN:-}" ]; then
        cargo build -q --locked -p standin-cli
        STANDIN_BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/standin"
    fi
    export STANDIN_BIN
}

# need_venv SUITE DIR INSTALLER: fail, saying how to install, when DIR has
# no virtual environment.
need_venv() {
    if [ ! -x "$2/.venv/bin/python" ]; then
        echo "$1: no $2/.venv; run: source $3" >&2
        exit 1
    fi
}
