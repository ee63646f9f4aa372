#!/usr/bin/env bash
# Webhook deliveries checked by the official Standard Webhooks libraries:
# scripts/events/webhooks.py runs a receiver with PyPI's standardwebhooks
# and one in Node with npm's (scripts/events/receiver.mjs) against a real
# `standin serve`: a whole session's events verified, in order, with the
# trail's ids; retries with one id; a wrong secret refused; dead letters
# and their replay; a SIGKILL mid-delivery losing nothing; a rotation;
# Shared Signals (SSF/CAEP) SETs, pushed and polled, verified by PyJWT;
# two replicas on a throwaway PostgreSQL, one SIGKILLed mid-delivery
# (skipped without PostgreSQL unless STANDIN_REQUIRE_POSTGRES=1); the
# documented receivers of examples/webhooks/ as they are.
# Needs scripts/events/.venv and scripts/events/node_modules
# (.ci/install.d/events.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/suite.sh
standin_bin
need_venv webhooks scripts/events .ci/install.d/events.sh
if ! scripts/events/.venv/bin/python -c 'import standardwebhooks, jwt, cryptography' 2>/dev/null; then
    echo "webhooks: scripts/events/.venv lacks what requirements.lock pins; run: source .ci/install.d/events.sh" >&2
    exit 1
fi
if ! command -v node >/dev/null 2>&1 || [ ! -d scripts/events/node_modules/standardwebhooks ]; then
    echo "webhooks: no node or no scripts/events/node_modules; run: source .ci/install.d/events.sh" >&2
    exit 1
fi
scripts/events/.venv/bin/python scripts/events/webhooks.py
