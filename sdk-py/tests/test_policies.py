"""Policies written in Python, built with ``python -m standin_policy build``
and run by a real ``standin`` binary: the business-hours example passes the
Rust example's suite case for case, through ``standin test`` and both
upload paths (CLI and HTTP), and ``standin policy new --lang python``
makes a package that builds and passes its own suite."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SDK, SUITE, build, principal, start_file

import standin_proc


def test_the_sdks_wit_is_the_archived_0_6_0() -> None:
    ours = (SDK / "standin_policy/wit/policy.wit").read_text()
    assert ours == (REPO / "wit/archive/0.6.0/policy.wit").read_text()


def test_business_hours_py_passes_the_rust_business_hours_suite_case_for_case(standin, built) -> None:
    code, out, err = standin("test", "--policy", str(built["business_hours"]), str(SUITE))
    assert code == 0, out or err
    cases = len(json.loads(SUITE.read_text())["cases"])
    assert f"{cases} passed, 0 failed" in out


def test_a_changed_rule_fails_the_suite_the_suite_reads_the_python_policy(standin, work) -> None:
    source = (REPO / "examples/policies/business-hours-py/policy.py").read_text()
    broken = work / "broken" / "policy.py"
    broken.parent.mkdir()
    broken.write_text(source.replace('get("vip") == "true"', 'get("vip") == "never"'))
    code, out, _ = standin("test", "--policy", str(build(broken, work / "broken.wasm")), str(SUITE))
    assert code == 3, out
    assert "never a VIP" in out


def test_the_cli_upload_path_checks_tests_and_stores_a_python_policy(standin, built, work) -> None:
    db = str(work / "upload.db")
    up = standin("--db", db, "--now", "2026-11-23T09:00:00Z", "policy", "upload", "--tenant", "acme",
                 str(built["business_hours"]), "--suite", str(SUITE), "--activate")  # fmt: skip
    assert up[0] == 0, up[2]
    # The tenant's sessions now start under the Python policy (Monday 10:00 UTC).
    request = start_file(
        work,
        "SUP-1",
        actor=principal("u-1", permissions=["users.impersonate"]),
        target=principal("u-2", attributes={"business_hours": "09:00-17:00"}),
    )
    code, started, _ = standin("--db", db, "--now", "2026-11-23T10:00:00Z", "session", "start", str(request))
    assert code == 0, started
    assert started["expires_at"] == "2026-11-23T10:30:00Z", started
    code, late, _ = standin("--db", db, "--now", "2026-11-23T18:00:00Z", "session", "start", str(request))
    assert code == 2, late
    assert [r["code"] for r in late["reasons"]] == ["outside-business-hours"]


def custom_section(name: str, payload: bytes) -> bytes:
    """A custom section (id 0): what a toolchain adds (names, producers), ignored by the host."""

    def leb(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n & 0x7F, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    body = leb(len(name)) + name.encode() + payload
    return b"\x00" + leb(len(body)) + body


def test_the_http_upload_path_takes_a_python_policy_of_21_mb(standin, built, work) -> None:
    # The example with 2 MB more (a policy with its own modules and data):
    # 28 MB of base64, past the 24 MiB the HTTP cap was before Python.
    component = built["business_hours"].read_bytes() + custom_section("padding", bytes(2 << 20))
    assert len(component) > 16 << 20 and len(base64.b64encode(component)) > 24 << 20
    db = ["--db", str(work / "http.db")]
    env = {"STANDIN_HOST_KEY_FILE": str(work / "host.key")}
    code, key, err = standin(*db, "key", "create", "--tenant", "acme", "--scope", "admin", "--name", "py", env=env)
    assert code == 0, err
    server = standin_proc.Server(str(work), env={**standin.env, **env, "RUST_LOG": "warn"}, db=db)
    try:
        body = {"component_base64": base64.b64encode(component).decode(), "suites": [json.loads(SUITE.read_text())],
                "activate": True}  # fmt: skip
        status, answer = standin_proc.call(
            "POST", f"{server.base}/v1/tenants/acme/policies", key["key"], body, timeout=600
        )
        assert status == 201, answer
        assert answer["version"] == 1, answer
        assert answer["digest"] == f"sha256:{hashlib.sha256(component).hexdigest()}"
    finally:
        server.stop()


def test_standin_policy_new_lang_python_builds_and_passes_its_suite(standin, work) -> None:
    code, made, err = standin("policy", "new", "my-py-policy", "--lang", "python", "--dir", str(work))
    assert code == 0, err
    root = Path(made["created"])
    # The SDK it carries is this one, and its lock pins this SDK's build tool.
    for module in (SDK / "standin_policy").glob("*.py"):
        assert (root / "sdk/standin_policy" / module.name).read_text() == module.read_text(), module.name
    pinned = re.findall(r"^componentize-py==\S+$", (SDK / "requirements.lock").read_text(), re.M)
    assert pinned and pinned[0] in (root / "requirements.txt").read_text().splitlines()
    # Its build, as its README says (this interpreter has componentize-py).
    env = {**os.environ, "PYTHONPATH": str(root / "sdk")}
    done = subprocess.run([sys.executable, "-m", "standin_policy", "build", "policy.py", "-o", "my-py-policy.wasm"],
                          cwd=root, env=env, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    code, out, _ = standin("test", "--policy", str(root / "my-py-policy.wasm"), str(root / "suite.json"))
    assert code == 0, out
    assert "4 passed, 0 failed" in out


def test_business_hours_py_refuses_settings_naming_every_problem(standin, built, work) -> None:
    settings = work / "bad-settings.json"
    settings.write_text(json.dumps({"ticket_prefixes": [""], "ttl_seconds": 0, "colour": "red"}))
    request = start_file(work, "SUP-1")
    code, out, err = standin("check", "--policy", str(built["business_hours"]), "--settings", str(settings),
                             "start", str(request))  # fmt: skip
    assert code == 1, out
    for problem in ["unknown field `colour`", "`ticket_prefixes`: a prefix is empty", "`ttl_seconds`: must be 1 to 86400"]:
        assert problem in err, err
