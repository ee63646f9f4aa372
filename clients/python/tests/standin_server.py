"""A real `standin serve` for the tests, and loopback servers that misbehave.

The binary: $STANDIN_BIN, else $CARGO_TARGET_DIR/debug/standin, else the
repository's target/debug/standin (scripts/suites/clients-python.sh builds
it first). Each server gets a fresh SQLite database, host key and token key
in a temporary folder, tenant `acme` with the built-in policy and SETTINGS,
one API key per scope, and CONFIG as its `--config` (webhook receivers on
loopback allowed).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]

SETTINGS = {
    "impersonator_roles": ["super_admin", "admin", "support"],
    "role_levels": {"super_admin": 100, "admin": 50, "support": 10},
}

CONFIG = "[webhooks]\nallow_private = true\n"


def standin_bin() -> str:
    candidates = [os.environ.get("STANDIN_BIN")]
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(os.path.join(os.environ["CARGO_TARGET_DIR"], "debug", "standin"))
    candidates.append(str(REPO / "target" / "debug" / "standin"))
    for path in candidates:
        if path and os.path.exists(path):
            return path
    raise RuntimeError(f"no standin binary (tried {candidates}): cargo build -p standin-cli, or set STANDIN_BIN")


@dataclass
class Standin:
    url: str
    tenant: str
    keys: dict[str, str]
    process: subprocess.Popen[bytes]
    folder: str

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_standin(tenant: str = "acme", settings: dict[str, Any] | None = None) -> Standin:
    binary = standin_bin()
    folder = tempfile.mkdtemp(prefix="standin-py-")
    env = {
        **os.environ,
        "STANDIN_DB": os.path.join(folder, "standin.db"),
        "STANDIN_HOST_KEY_FILE": os.path.join(folder, "host.key"),
        "RUST_LOG": "warn",
    }

    def run(*args: str) -> str:
        return subprocess.run([binary, *args], env=env, check=True, capture_output=True, text=True).stdout

    settings_file = os.path.join(folder, "settings.json")
    Path(settings_file).write_text(json.dumps(SETTINGS if settings is None else settings))
    token_key = os.path.join(folder, "token.key")
    run("key", "gen-signing", "--out", token_key)
    run("policy", "set", "--tenant", tenant, "--settings", settings_file)
    keys = {
        scope: json.loads(run("key", "create", "--tenant", tenant, "--scope", scope, "--name", f"t-{scope}"))["key"]
        for scope in ("decide", "audit", "admin")
    }
    config = os.path.join(folder, "standin.toml")
    Path(config).write_text(CONFIG)
    process = subprocess.Popen(
        [binary, "--token-key", token_key, "serve", "--listen", "127.0.0.1:0", "--config", config],
        env=env,
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"standin serve exited {process.wait()}")
    listening = json.loads(line)["listening"]
    return Standin(f"http://{listening}", tenant, keys, process, folder)


@contextmanager
def fake_server(handle: Callable[[BaseHTTPRequestHandler], None]) -> Iterator[str]:
    """A loopback HTTP server whose every request is answered by `handle`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            handle(self)

        do_POST = do_GET
        do_PUT = do_GET
        do_PATCH = do_GET
        do_DELETE = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def dead_url() -> str:
    """A loopback port where nothing listens (bound, then closed)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def answer(status: int, body: str, content_type: str = "application/json") -> Callable[[BaseHTTPRequestHandler], None]:
    def handle(request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        request.rfile.read(length)
        data = body.encode()
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    return handle


def never_answer(stop: threading.Event) -> Callable[[BaseHTTPRequestHandler], None]:
    def handle(request: BaseHTTPRequestHandler) -> None:
        stop.wait(10)

    return handle
