#!/usr/bin/env bash
# Runs the Express example against a throwaway `standin serve`:
#   examples/express/run.sh      then open http://127.0.0.1:3000
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
(cd "$HERE/../../clients/typescript" && { [ -d node_modules ] || npm ci; } && npm run --silent build)
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
source "$HERE/../standin-dev.sh"
node "$HERE/app.mjs"
