#!/usr/bin/env bash
# The business-hours policy in Rust and in TypeScript, measured in one run
# (standin/benches/languages.rs): builds both components, then the bench.
# Needs the wasm32-wasip2 target and `npm ci` in sdk-ts.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build -q --locked --target wasm32-wasip2 --release -p business-hours-policy
mkdir -p "${CARGO_TARGET_DIR:-target}/languages"
# Absolute: cargo runs the bench in the package's folder.
target="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)"
node sdk-ts/bin/standin-policy-build.mjs examples/policies/business-hours-ts/policy.ts -o "$target/languages/business_hours_ts.wasm"
STANDIN_BENCH_POLICIES="rust=$target/wasm32-wasip2/release/business_hours_policy.wasm,typescript=$target/languages/business_hours_ts.wasm" \
    cargo bench -p standin --bench languages -- "$@"
