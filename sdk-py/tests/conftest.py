"""What the Python policy tests share: components built with the SDK's
build command (componentize-py), once per session, and the real
``standin`` binary (``STANDIN_BIN``, else the workspace's debug build).

Compiling an 18 MB component takes the debug binary most of a minute, so
every call shares one compile cache (``STANDIN_CACHE_DIR``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

SDK = Path(__file__).resolve().parent.parent
REPO = SDK.parent
SUITE = REPO / "examples/policies/business-hours/suite.json"
BIN = os.environ.get("STANDIN_BIN") or str(
    Path(os.environ.get("CARGO_TARGET_DIR") or REPO / "target").resolve() / "debug" / "standin"
)
sys.path.insert(0, str(REPO / "scripts/lib"))


def build(policy: Path, out: Path, *flags: str) -> Path:
    """``python -m standin_policy build POLICY -o OUT``, as an author runs it."""
    env = {**os.environ, "PYTHONPATH": str(SDK)}
    command = [sys.executable, "-m", "standin_policy", "build", str(policy), "-o", str(out), *flags]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return out


class Standin:
    """The binary, with the session's compile cache."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.env = {**os.environ, "STANDIN_CACHE_DIR": str(work / "cache")}

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> tuple[int, object, str]:
        """``standin ARGS``: exit code, stdout (parsed when JSON), stderr."""
        done = subprocess.run([BIN, *args], env={**self.env, **(env or {})}, capture_output=True, text=True)
        try:
            out: object = json.loads(done.stdout)
        except ValueError:
            out = done.stdout
        return done.returncode, out, done.stderr


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("standin-py-policy")


@pytest.fixture(scope="session")
def standin(work: Path) -> Standin:
    return Standin(work)


@pytest.fixture(scope="session")
def built(work: Path) -> dict[str, Path]:
    """The example and the hostile program, built with the SDK's defaults
    (WASI stubbed: imports nothing) and, for the hostile one, with
    ``--wasi`` (WASI 0.2 imported: the host denies it)."""
    jobs = {
        "business_hours": (REPO / "examples/policies/business-hours-py/policy.py", ()),
        "mischief": (SDK / "tests/programs/mischief.py", ()),
        "mischief_wasi": (SDK / "tests/programs/mischief.py", ("--wasi",)),
    }
    with ThreadPoolExecutor(2) as pool:
        futures = {k: pool.submit(build, src, work / f"{k}.wasm", *flags) for k, (src, flags) in jobs.items()}
        return {k: f.result() for k, f in futures.items()}


def principal(id: str, **extra: object) -> dict[str, object]:
    return {"id": id, "active": True, "has_logged_in": True, **extra}


def start_file(work: Path, reason: str, **extra: object) -> Path:
    """A start request to ``standin check``, with ``reason``."""
    path = work / f"start-{abs(hash((reason, repr(extra))))}.json"
    request = {
        "tenant": "acme",
        "actor": principal("u-1"),
        "target": principal("u-2"),
        "reason": reason,
        "now": "2026-11-23T10:00:00Z",
        **extra,
    }
    path.write_text(json.dumps(request))
    return path


def imports(component: bytes) -> list[str]:
    """The names a component imports (its top-level import sections)."""

    def leb(at: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = component[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value, at

    def name(at: int) -> tuple[str, int]:
        n, at = leb(at)
        return component[at : at + n].decode(), at + n

    names, at = [], 8
    while at < len(component):
        section, size_at = component[at], at + 1
        size, body = leb(size_at)
        if section == 10:  # import section: (name, externdesc)*
            count, p = leb(body)
            for _ in range(count):
                p += 1  # 0x00 plain name, 0x01 interface name
                n, p = name(p)
                names.append(n)
                sort = component[p]
                p += 1
                if sort == 0x00:
                    p += 1  # core module 0x11
                if sort in (0x02, 0x03):
                    p += 1  # value or type bound
                _, p = leb(p)
        at = body + size
    return names
