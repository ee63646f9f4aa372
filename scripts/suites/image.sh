#!/usr/bin/env bash
# The container image (deploy/image): build it (a static musl binary in a
# scratch image), export its filesystem and start it as a runtime would,
# under chroot as its own user (scripts/deploy/image.py). Skips with a note
# without podman, musl-tools, the musl target or root, unless
# STANDIN_REQUIRE_IMAGE=1 (.ci/install.d/image.sh sets it).
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 scripts/deploy/image.py
