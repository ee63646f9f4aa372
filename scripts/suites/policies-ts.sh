#!/usr/bin/env bash
# Policies written in TypeScript (sdk-ts, examples/policies/business-hours-ts
# and default-ts): type-check the SDK and the examples, then node's test
# runner builds them into components with the SDK's build command
# (componentize-js) and runs them through the real `standin` binary: the
# Rust example's suite, both upload paths, the sandbox's hostile cases, and
# the built-in policy's port against every shipped suite (and its answers
# and settings refusals against the built-in's). Needs `npm ci` in sdk-ts
# first (.ci/install.d/policies-ts.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/suite.sh
standin_bin
cd sdk-ts
if [ ! -d node_modules ]; then
    echo "sdk-ts: no node_modules; run: (cd sdk-ts && npm ci)" >&2
    exit 1
fi
npx tsc -p tsconfig.json
npx tsc -p ../examples/policies/business-hours-ts/tsconfig.json
npx tsc -p ../examples/policies/default-ts/tsconfig.json
node --test --test-concurrency=1 test/*.test.mjs
