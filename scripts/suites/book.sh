#!/usr/bin/env bash
# The documentation (README.md, docs/, the book in docs/book/): the
# generated reference pages are what the code makes now, the book builds
# with mdBook with no warning, every internal link and anchor resolves
# (offline: the repository's Markdown and the built book), and every
# example of the guides runs against the real binary and prints its
# transcript. Needs mdbook (.ci/install.d/book.sh), python3, jq, curl
# and sqlite3.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/suite.sh
standin_bin
for tool in mdbook python3 jq curl sqlite3; do
    command -v "$tool" >/dev/null || { echo "book: no $tool; run: source .ci/install.d/book.sh" >&2; exit 1; }
done

echo "-- generated reference pages (scripts/book/gen.py --check)" >&2
python3 scripts/book/gen.py --check

echo "-- mdbook build docs/book" >&2
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# mdBook reports problems on stderr as WARN or ERROR lines and may still exit 0.
if ! mdbook build docs/book --dest-dir "$out/book" 2>"$out/log"; then
    cat "$out/log" >&2; echo "book: mdbook build failed" >&2; exit 1
fi
if grep -E 'WARN|ERROR|warning|error' "$out/log" >&2; then
    echo "book: mdbook build warned (above)" >&2; exit 1
fi

echo "-- links (scripts/book/links.py)" >&2
python3 scripts/book/links.py --repo
python3 scripts/book/links.py --html "$out/book"

echo "-- examples (scripts/book/examples.py --check)" >&2
python3 scripts/book/examples.py --check
