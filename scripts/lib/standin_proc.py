"""What the Python suites share: the binary they test, a JSON call over
loopback, and `standin serve` on a free port.

The suites (scripts/deploy/ and those to come) start real processes; this
module keeps the one way they do it, so a change to how `serve` says
where it listens is made once. Standard library only: each suite runs in
whichever virtual environment its own packages need.
"""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.abspath(os.environ.get("STANDIN_BIN") or os.path.join(ROOT, "target/debug/standin"))


def call(method, url, key=None, body=None, headers=None, timeout=10):
    """One JSON request; returns (status, decoded body or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Server:
    """`standin serve` on a free port of loopback, its stderr kept in `work`."""

    def __init__(self, work, *flags, env=None, db=None):
        self.errors = open(os.path.join(work, f"serve-{time.monotonic_ns()}.log"), "w+", encoding="utf-8")
        database = db or ["--db", os.path.join(work, "standin.db")]
        self.process = subprocess.Popen(
            [BIN, *database, "serve", "--listen", "127.0.0.1:0", *flags],
            cwd=work, stdout=subprocess.PIPE, stderr=self.errors, text=True, env=env)
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"serve did not start: {self.log()}")
        self.base = f"http://{json.loads(line)['listening']}"

    def log(self):
        self.errors.flush()
        self.errors.seek(0)
        return self.errors.read()

    def stop(self, sig=signal.SIGTERM):
        self.process.send_signal(sig)
        return self.process.wait(timeout=30)
