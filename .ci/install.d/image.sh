# What the image's test needs (sourced by .ci/run): the musl target for a
# static binary, musl-tools for its C parts (ring, SQLite), and podman to
# build and export the image; the test then requires them.
rustup target add x86_64-unknown-linux-musl
if ! command -v musl-gcc >/dev/null || ! command -v podman >/dev/null; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq musl-tools podman >/dev/null
fi
export STANDIN_REQUIRE_IMAGE=1
