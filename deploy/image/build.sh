#!/usr/bin/env bash
# Builds the standin image: the static binary (x86_64-unknown-linux-musl,
# release), then `podman build` of deploy/image/Containerfile from a
# context made here. Needs musl-tools and podman (or buildah's podman
# front end), and the rustup target (`rustup target add
# x86_64-unknown-linux-musl`; .ci/install.d/image.sh does all three).
#
#   deploy/image/build.sh [TAG]     default tag: standin:VERSION
#
# Prints the tag on standard output; progress goes to standard error.
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET=x86_64-unknown-linux-musl
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
SOURCE=$(sed -n 's/^repository = "\(.*\)"/\1/p' Cargo.toml | head -1)
REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
TAG=${1:-standin:$VERSION}

# ring and SQLite have C parts: musl-gcc compiles them for the target.
# No debug info at all (the binary is stripped below): the build's
# intermediate files are a third of the size.
CC_x86_64_unknown_linux_musl=musl-gcc CARGO_PROFILE_RELEASE_DEBUG=false \
    cargo build --release --locked --target "$TARGET" -p standin-cli --bin standin >&2
BIN="${CARGO_TARGET_DIR:-target}/$TARGET/release/standin"

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp "$BIN" "$context/standin"
strip "$context/standin"
cp /etc/ssl/certs/ca-certificates.crt "$context/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nstandin:x:65532:65532:standin:/var/lib/standin:/sbin/nologin\n' > "$context/passwd"
printf 'root:x:0:\nstandin:x:65532:\n' > "$context/group"
mkdir "$context/empty"

# No layer cache: a cached LABEL step kept an earlier commit's revision
# label on a machine that had built the image before (the layers are four
# COPYs onto scratch; rebuilding them takes about a second).
podman build --quiet --no-cache --file deploy/image/Containerfile \
    --build-arg STANDIN_VERSION="$VERSION" --build-arg REVISION="$REVISION" --build-arg SOURCE="$SOURCE" \
    --tag "$TAG" "$context" >&2
echo "$TAG"
