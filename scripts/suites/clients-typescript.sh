#!/usr/bin/env bash
# The TypeScript client and its Express middleware (clients/typescript)
# against a real `standin serve`: type-check and build, then node's test
# runner. Needs `npm ci` there first (.ci/install.d/clients.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/suite.sh
standin_bin
cd clients/typescript
if [ ! -d node_modules ]; then
    echo "clients/typescript: no node_modules; run: (cd clients/typescript && npm ci)" >&2
    exit 1
fi
npm run --silent build
node --test --test-concurrency=1 test/*.test.mjs
