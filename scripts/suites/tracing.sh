#!/usr/bin/env bash
# OpenTelemetry traces: scripts/deploy/tracing.py runs an OTLP/HTTP receiver
# that decodes with the official protobufs (opentelemetry-proto) and checks
# one request's spans from a real `standin serve` end to end (parent from
# the caller's traceparent, the children, their attributes, no secret),
# sampling, and that nothing is sent with tracing off.
# Needs deploy/.venv (.ci/install.d/deploy.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${STANDIN_BIN:-}" ]; then
    cargo build -q --locked -p standin-cli
    STANDIN_BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/standin"
fi
export STANDIN_BIN
if [ ! -x deploy/.venv/bin/python ]; then
    echo "tracing: no deploy/.venv; run: source .ci/install.d/deploy.sh" >&2
    exit 1
fi
deploy/.venv/bin/python scripts/deploy/tracing.py
