#!/usr/bin/env bash
# OpenTelemetry traces: scripts/deploy/tracing.py runs an OTLP/HTTP receiver
# that decodes with the official protobufs (opentelemetry-proto) and checks
# one request's spans from a real `standin serve` end to end (parent from
# the caller's traceparent, the children, their attributes, no secret),
# sampling, and that nothing is sent with tracing off.
# Needs deploy/.venv (.ci/install.d/deploy.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/suite.sh
standin_bin
need_venv tracing deploy .ci/install.d/deploy.sh
deploy/.venv/bin/python scripts/deploy/tracing.py
