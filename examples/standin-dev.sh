# Sourced by examples/express/run.sh and examples/django/run.sh: a
# throwaway `standin serve` for the examples, on 127.0.0.1:8080, with
# tenant `acme` (built-in policy, examples/settings/clients.json), a
# `decide` key and a token-signing key, all in a temporary folder removed
# on exit. Exports STANDIN_URL and STANDIN_KEY.
# STANDIN_BIN: the binary (default: cargo build -p standin-cli, target/debug/standin).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${STANDIN_BIN:-}" ]; then
    (cd "$ROOT" && cargo build -q -p standin-cli)
    STANDIN_BIN="$(cd "$ROOT/${CARGO_TARGET_DIR:-target}" 2>/dev/null && pwd || echo "$CARGO_TARGET_DIR")/debug/standin"
fi
DEV="$(mktemp -d)"
export STANDIN_DB="$DEV/standin.db" STANDIN_HOST_KEY_FILE="$DEV/host.key"
"$STANDIN_BIN" key gen-signing --out "$DEV/token.key" >/dev/null
"$STANDIN_BIN" policy set --tenant acme --settings "$ROOT/examples/settings/clients.json" >/dev/null
STANDIN_KEY="$("$STANDIN_BIN" key create --tenant acme --scope decide --name example | sed 's/.*"key":"\([^"]*\)".*/\1/')"
"$STANDIN_BIN" --token-key "$DEV/token.key" serve --listen 127.0.0.1:8080 > "$DEV/serve.out" &
SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null; wait $SERVE_PID 2>/dev/null; rm -rf "$DEV"' EXIT
until [ -s "$DEV/serve.out" ]; do
    kill -0 $SERVE_PID 2>/dev/null || { echo "standin serve did not start" >&2; exit 1; }
    sleep 0.1
done
export STANDIN_URL=http://127.0.0.1:8080 STANDIN_KEY
echo "standin serve on $STANDIN_URL (tenant acme)" >&2
