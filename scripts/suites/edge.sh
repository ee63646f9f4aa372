#!/usr/bin/env bash
# Forward auth through real gateways: scripts/edge/edge.py puts nginx
# (`auth_request`) and Caddy (`forward_auth`) on loopback in front of a
# Python upstream, both asking a real `standin serve` at /v1/forward-auth:
# impersonated requests reach the upstream with X-Standin-* headers, a
# denied action, an ended session's or a forged token never does, and a
# stopped Standin makes each gateway refuse. Standard library only.
# Needs nginx and caddy (.ci/install.d/edge.sh); without them a note, or a
# failure when STANDIN_REQUIRE_EDGE=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/suite.sh
standin_bin
# nginx is in /usr/sbin, which a user's PATH may lack.
case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin" ;; esac
python3 scripts/edge/edge.py
