# axe-core for the console's accessibility check (the browser tests of
# server/tests/http/console run it in Chromium on every page), pinned by
# server/tests/console-a11y/package-lock.json.
(cd server/tests/console-a11y && npm ci --no-audit --no-fund --loglevel=error)
