# The book's tools (sourced by .ci/run): mdBook from crates.io, pinned,
# built once into a cache outside the clone and put on PATH; and the
# Debian tools its examples call (jq, curl, sqlite3).
MDBOOK_VERSION=0.5.4
MDBOOK_ROOT="${STANDIN_TOOLS_DIR:-$HOME/.cache/standin-tools}/mdbook-$MDBOOK_VERSION"
if ! "$MDBOOK_ROOT/bin/mdbook" --version 2>/dev/null | grep -qx "mdbook v$MDBOOK_VERSION"; then
    # Its own target folder, so the workspace's build is left alone; no
    # `serve` or `watch` (the checks only build).
    CARGO_TARGET_DIR="$MDBOOK_ROOT/target" cargo install mdbook --locked --quiet \
        --version "$MDBOOK_VERSION" --no-default-features --features search --root "$MDBOOK_ROOT"
    rm -rf "$MDBOOK_ROOT/target"
fi
export PATH="$MDBOOK_ROOT/bin:$PATH"
if ! command -v jq >/dev/null || ! command -v curl >/dev/null || ! command -v sqlite3 >/dev/null; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq curl sqlite3 >/dev/null
fi
