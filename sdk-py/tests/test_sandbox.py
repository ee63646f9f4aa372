"""A hostile Python policy (tests/programs/mischief.py) is denied as a
hostile Rust one is (sb1-sb4, as sdk-ts/test names them), built
both ways: with the SDK's defaults (WASI replaced by trapping stubs: the
component imports nothing) and with ``--wasi`` (componentize-py's WASI 0.2
imports, which the host links denied: engine/src/wasi.rs)."""

from __future__ import annotations

import json

import pytest
from conftest import imports, principal, start_file

BUILDS = ["mischief", "mischief_wasi"]


def check(standin, built, work, build: str, reason: str, **extra: object) -> tuple[int, dict]:
    code, out, err = standin("check", "--policy", str(built[build]), "start", str(start_file(work, reason, **extra)))
    assert isinstance(out, dict), err
    return code, out


@pytest.mark.parametrize("build", BUILDS)
def test_sb1_a_python_policy_that_loops_hoards_memory_raises_or_recurses_is_denied(standin, built, work, build) -> None:
    expected = {"loop": "policy-timeout", "oom": "policy-memory", "throw": "policy-error",
                "recurse": "policy-error", "silent": "policy-error", "exit": "policy-error"}  # fmt: skip
    for reason, code_expected in expected.items():
        code, out = check(standin, built, work, build, reason)
        assert code == 2, f"{reason}: {out}"
        assert [r["code"] for r in out["reasons"]] == [code_expected], f"{reason}: {out}"
        assert out["reasons"][0]["rule"] == "host"
    code, out = check(standin, built, work, build, "fine")
    assert code == 0, out


@pytest.mark.parametrize("build", BUILDS)
def test_sb2_a_python_policys_oversized_or_malformed_answers_are_denied(standin, built, work, build) -> None:
    for reason in ["huge", "many", "ttl", "wrong-type"]:
        code, out = check(standin, built, work, build, reason)
        assert code == 2, f"{reason}: {str(out)[:300]}"
        assert out["reasons"][0]["code"] == "policy-error", f"{reason}: {str(out)[:300]}"
        assert len(json.dumps(out)) < 8192, f"{reason}: the oversized answer is not passed on"


@pytest.mark.parametrize("build", BUILDS)
def test_sb3_a_python_policy_reaching_for_the_host_is_denied(standin, built, work, build) -> None:
    # Files, sockets, clocks, stdio and exiting trap: denied, with nothing of the host.
    for reason in ["file", "listdir", "socket", "clock", "monotonic", "print", "stdin"]:
        code, out = check(standin, built, work, build, reason)
        assert code == 2, f"{reason}: {out}"
        assert out["reasons"][0]["code"] == "policy-error", f"{reason}: {out}"
        assert "root:" not in json.dumps(out)
        if build == "mischief_wasi":
            assert "is denied: policies get no WASI" in out["reasons"][0]["message"], f"{reason}: {out}"
    # The environment is empty: the host's never reaches the policy.
    for reason, seen in [("env", "env:[]"), ("getenv", "home:None")]:
        code, out = check(standin, built, work, build, reason)
        assert code == 0, f"{reason}: {out}"
        assert out["obligations"] == [seen], out
    # Entropy: stubbed, it traps; through the host, zeros, the same every time.
    code, out = check(standin, built, work, build, "random")
    if build == "mischief":
        assert out["reasons"][0]["code"] == "policy-error", out
    else:
        assert out["obligations"] == ["random:0000000000000000"], out


def test_sb3_the_sdks_build_imports_nothing_and_wasi_builds_only_wasi_0_2(built) -> None:
    stubbed = imports(built["mischief"].read_bytes())
    assert stubbed == ["standin:policy/types@0.6.0"], stubbed
    wasi = imports(built["mischief_wasi"].read_bytes())
    others = [n for n in wasi if not n.startswith("wasi:")]
    assert others == ["standin:policy/types@0.6.0"], wasi
    assert any(n.startswith("wasi:filesystem/") for n in wasi) and all("@0.2." in n for n in wasi if n.startswith("wasi:"))


@pytest.mark.parametrize("build", BUILDS)
def test_sb4_the_sdk_reads_every_field_of_a_start_and_an_action_as_the_host_packed_them(standin, built, work, build) -> None:
    actor = principal("u-1", roles=["support"], permissions=["users.impersonate"], groups=["g-1"],
                      manages=["g-2", "u-7"], domains=["emea"], consents=["tos"],
                      attributes={"title": "Größe 漢字 🙂", "vip": "no"})  # fmt: skip
    reason = "echo: é 漢字 🙂"
    code, out = check(standin, built, work, build, reason, actor=actor, target=principal("u-2", tenant="acme"),
                      ttl_seconds=900, domain="emea", consent_on_behalf=True, actor_session={"id": "s-0", "target": "u-9"},
                      scope={"actions": ["report.*", "ticket.comment"], "resources": ["account:17"]})  # fmt: skip
    assert code == 2, out
    seen = json.loads(out["reasons"][0]["message"])
    empty = {"roles": [], "permissions": [], "groups": [], "manages": [], "domains": [], "consents": [], "attributes": {}}
    assert seen == {
        "tenant": "acme",
        "actor": {"id": "u-1", "tenant": "acme", "roles": ["support"], "permissions": ["users.impersonate"],
                  "groups": ["g-1"], "manages": ["g-2", "u-7"], "domains": ["emea"], "consents": ["tos"],
                  "attributes": {"title": "Größe 漢字 🙂", "vip": "no"}, "active": True, "has_logged_in": True},
        "target": {"id": "u-2", "tenant": "acme", **empty, "active": True, "has_logged_in": True},
        "consent_on_behalf": True,
        "now": 1795428000,
        "reason": reason,
        "ttl_seconds": 900,
        "domain": "emea",
        "actor_session": {"id": "s-0", "target": "u-9"},
        "scope": {"actions": ["report.*", "ticket.comment"], "resources": ["account:17"]},
    }  # fmt: skip
    action = work / f"action-{build}.json"
    action.write_text(json.dumps({
        "tenant": "acme",
        "session": {"id": "s-1", "actor": actor, "target": principal("u-2"), "started_at": "2026-11-23T10:00:00Z",
                    "expires_at": "2026-11-23T11:00:00Z", "domain": None, "reason": "SUP-1", "read_only": True},
        "action": "echo", "resource": "course-17", "now": "2026-11-23T10:05:00Z",
    }))  # fmt: skip
    code, out, err = standin("check", "--policy", str(built[build]), "action", str(action))
    assert code == 2, out or err
    read = json.loads(out["reasons"][0]["message"])
    assert (read["action"], read["resource"], read["now"]) == ("echo", "course-17", 1795428300)
    session = read["session"]
    assert (session["reason"], session.get("domain"), session["read_only"]) == ("SUP-1", None, True)
    assert session["actor"]["attributes"]["title"] == "Größe 漢字 🙂"
    assert session["expires_at"] - session["started_at"] == 3600
