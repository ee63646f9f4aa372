#!/usr/bin/env bash
# The business-hours policy in Rust, TypeScript and Python, measured in one
# run (standin/benches/languages.rs): builds the components (Python twice:
# the SDK's default, WASI stubbed, and `--wasi`, WASI imported and denied
# by the host), then the bench. Needs the wasm32-wasip2 target, `npm ci` in
# sdk-ts and sdk-py/.venv (.ci/install.d/).
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build -q --locked --target wasm32-wasip2 --release -p business-hours-policy
mkdir -p "${CARGO_TARGET_DIR:-target}/languages"
# Absolute: cargo runs the bench in the package's folder.
target="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)"
node sdk-ts/bin/standin-policy-build.mjs examples/policies/business-hours-ts/policy.ts -o "$target/languages/business_hours_ts.wasm"
py=examples/policies/business-hours-py/policy.py
PYTHONPATH=sdk-py sdk-py/.venv/bin/python -m standin_policy build "$py" -o "$target/languages/business_hours_py.wasm"
PYTHONPATH=sdk-py sdk-py/.venv/bin/python -m standin_policy build "$py" -o "$target/languages/business_hours_py_wasi.wasm" --wasi
policies="rust=$target/wasm32-wasip2/release/business_hours_policy.wasm,typescript=$target/languages/business_hours_ts.wasm"
policies="$policies,python=$target/languages/business_hours_py.wasm,python-wasi=$target/languages/business_hours_py_wasi.wasm"
STANDIN_BENCH_POLICIES="$policies" \
    cargo bench -p standin --bench languages -- "$@"
