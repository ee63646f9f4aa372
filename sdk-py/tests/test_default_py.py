"""The built-in default policy ported to Python
(examples/policies/default-py), built with ``python -m standin_policy
build`` once for this module and run by a real ``standin`` binary: it
passes every shipped suite (examples/suites/*.json) case for case; its
answers to those and to the parity suites of the TypeScript port
(examples/policies/default-ts/parity/*.json, every rule, reason and
obligation) are the built-in policy's, messages included; it refuses the
settings the built-in refuses, in the same words; and it publishes the
built-in's settings schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import REPO, build, principal

import standin_proc

EXAMPLE = REPO / "examples/policies/default-py"
SHIPPED = sorted((REPO / "examples/suites").glob("*.json"))
PARITY = sorted((REPO / "examples/policies/default-ts/parity").glob("*.json"))


@pytest.fixture(scope="module")
def default_py(work: Path) -> Path:
    return build(EXAMPLE / "policy.py", work / "default-py.wasm")


def suite_run(standin, suites: list[Path], policy: Path | None = None) -> tuple[int, dict]:
    """``standin test --format json`` of ``suites``, with ``policy`` (none: the built-in one)."""
    chosen = ["--policy", str(policy)] if policy else []
    code, out, err = standin("test", "--format", "json", *chosen, *map(str, suites))
    assert isinstance(out, dict), f"standin test printed no JSON: {err}"
    return code, out


def test_default_py_passes_every_shipped_suite_case_for_case(standin, default_py) -> None:
    code, out = suite_run(standin, SHIPPED, default_py)
    failing = [c for s in out["suites"] for c in s["cases"] if not c["passed"]]
    assert code == 0, failing
    assert len(out["suites"]) == len(SHIPPED)
    total = 0
    for suite, file in zip(out["suites"], SHIPPED):
        cases = len(json.loads(file.read_text())["cases"])
        total += cases
        assert len(suite["cases"]) == cases, file
        assert all(c["passed"] for c in suite["cases"]), file
    assert (out["passed"], out["failed"]) == (total, 0)


def test_default_py_answers_as_the_built_in_policy_does_messages_included(standin, default_py) -> None:
    suites = SHIPPED + PARITY
    (code, ours), (built_in_code, built_in) = suite_run(standin, suites, default_py), suite_run(standin, suites)
    assert built_in_code == 0, "the parity suites pass with the built-in policy"
    compared = 0
    for theirs, mine in zip(built_in["suites"], ours["suites"], strict=True):
        for expected, actual in zip(theirs["cases"], mine["cases"], strict=True):
            # The host names the policy in its own refusals (a generic question no policy answers).
            same = json.loads(json.dumps(actual["actual"]).replace("standin-default-py", "standin-default"))
            assert same == expected["actual"], f"{theirs['file']}: {expected['name']}"
            compared += 1
    assert code == 0, "and with default-py"
    assert compared == sum(len(json.loads(f.read_text())["cases"]) for f in suites) >= 100


EVERY_FIELD = {
    "preset": "permissive", "impersonator_roles": ["super_admin", "hr_admin"], "impersonate_permission": None,
    "role_levels": {"super_admin": 100, "hr_admin": 50}, "scoped_roles": ["hr_admin"], "require_domain": True,
    "domain_scoped_roles": ["hr_admin"], "require_active": False, "require_logged_in": False,
    "required_consents": ["tos"], "consent_on_behalf_roles": ["super_admin"], "forbid_wider_access": True,
    "allow_nested": True, "require_reason": True, "default_ttl_seconds": 600, "max_ttl_seconds": 7200,
    "notify_target": False, "read_only": True, "read_actions": ["*.view"], "forbidden_actions": [],
    "reserved_for_target": [], "deliver_to_target": [], "ephemeral_actions": [], "notify_changes": ["course.*"],
    "approval": "privileged", "approval_min_target_level": 50, "approver_roles": ["security"], "target_approves": True,
    "approval_ttl_seconds": 604800, "require_scope": True, "grantable_actions": ["report.*"],
    "scope_beyond_grantable": "refuse", "idle_timeout_seconds": 900, "do_not_track": True, "reason_pattern": "SUP-*",
    "read_only_unless_scoped": True,
}  # fmt: skip

# Accepted: every field at once; the strict preset given as serde's map
# form; seconds past 2^53; names Python counts as white space and Rust
# does not. The start's answer is compared as printed.
ACCEPTED = [
    json.dumps(EVERY_FIELD),
    '{"preset": {"strict": null}, "approval": "always", "target_approves": true, "idle_timeout_seconds": 18446744073709551615}',
    '{"idle_timeout_seconds": 9007199254740993, "notify_target": false}',
    '{"impersonator_roles": ["\\u001c"], "approver_roles": ["a"], "approval": {"always": null}, "reason_pattern": null}',
]  # fmt: skip

# Refused: each problem named, in the built-in's order and words. The
# first nine are default-ts's; the rest reach what Python reads otherwise:
# floats as ryu prints them, integers past u64 and i64, strings with
# characters Rust escapes by code point, separators in a pattern.
REFUSED = [
    '{"read_only": true, "read_only": false, "role_levels": {"a": 1, "a": 2}, "x": [{"k": 1, "k": 2}]}',
    '{"max_ttl_seconds": 1e3, "default_ttl_seconds": 18446744073709551615, "approval_min_target_level": 5000000000, "idle_timeout_seconds": -1, "approval_ttl_seconds": -0}',
    '{"max_ttl_seconds": 100000, "foo": 1, "read_only": "a\\"b\\\\\\u00e9\\u0007\\t\\u00a0x\\ud83d\\ude00", "default_ttl_seconds": 1.0, "approval": "always", "forbidden_actions": ["a b", "**"], "preset": "strict"}',
    '{"preset": 5, "approval": "x", "role_levels": [], "impersonator_roles": [1, " "], "impersonate_permission": ""}',
    '{"preset": {"strict": 1}, "scope_beyond_grantable": null, "reason_pattern": "\\u00a0", "read_actions": ["a\\tb", "\\u0001"], "grantable_actions": ["x\\u2028"], "require_scope": 0}',
    '{"preset": {}, "approval": {"always": null, "never": null}, "role_levels": {"": 1, "b": "x"}, "impersonator_roles": ["\\ufeff", "\\u3000"], "approver_roles": [""], "max_ttl_seconds": 0, "default_ttl_seconds": 0, "approval_ttl_seconds": 604801, "idle_timeout_seconds": 0}',
    '{"preset": "lax", "scope_beyond_grantable": {"narrow": null}, "notify_changes": [""], "reason_pattern": 1.5e300, "approval_min_target_level": 12345678901234567890123}',
    "[1]",
    '"settings"',
    '{"max_ttl_seconds": 1e15, "default_ttl_seconds": 1e-6, "approval_ttl_seconds": 0.00001, "notify_target": 2e19, "read_only": -1.25, "require_scope": 123456.789}',
    '{"max_ttl_seconds": -9223372036854775808, "default_ttl_seconds": -9223372036854775809, "approval_min_target_level": 4294967296, "idle_timeout_seconds": 18446744073709551616}',
    '{"read_only": "e\\u0301\\u0378\\ue000\\u00ad\\u200d\\u2028\\uff9e\\u0e31\\u1b35\\u0cc0\\u302e\\ud83d\\ude00\\ud800\\udc00\\udb40\\udc20", "reason_pattern": "a\\u001cb", "x": [[{"a": 1, "a": [{"b": 1, "b": 2}]}]]}',
]  # fmt: skip


# Refused by both, in other words: JSON that Python reads and serde_json
# does not, which serde_json refuses naming a line and column.
REFUSED_OTHERWISE = [
    '{"read_only": NaN}',
    '{"max_ttl_seconds": 1e400}',
    '{"impersonator_roles": ["\\ud800"]}',
    '{"x": ' + "[" * 127 + "]" * 127 + "}",
]

SETTINGS = [
    pytest.param(text, kind, id=f"{kind}-{i}")
    for kind, texts in (("accepted", ACCEPTED), ("refused", REFUSED), ("refused-otherwise", REFUSED_OTHERWISE))
    for i, text in enumerate(texts)
]


@pytest.mark.parametrize(("text", "kind"), SETTINGS)
def test_default_py_accepts_and_refuses_settings_as_the_built_in_does_in_its_words(
    standin, default_py, work, text, kind
) -> None:
    request = work / "default-py-start.json"
    request.write_text(json.dumps({
        "tenant": "acme", "actor": principal("u-1", roles=["super_admin"]),
        "target": principal("u-2", roles=["super_admin"]), "now": "2026-11-21T10:00:00Z", "reason": "SUP-1",
    }))  # fmt: skip
    settings = work / "default-py-settings.json"
    settings.write_text(text)
    check = ["check", "--settings", str(settings), "start", str(request)]
    built_in, ours = standin(*check), standin(check[0], "--policy", str(default_py), *check[1:])

    def refusal(err: str) -> str:
        return re.sub(r"^error: cannot load (the built-in policy|policy `[^`]*`): ", "", err).strip()

    assert ours[0] == built_in[0], f"{built_in[2]}\n{ours[2]}"
    if kind == "accepted":
        assert built_in[0] != 1, f"accepted: {built_in[2]}"
        assert (ours[1], ours[2]) == (built_in[1], built_in[2])
        return
    assert "policy refused its settings" in built_in[2] and "policy refused its settings" in ours[2], ours[2]
    if kind == "refused":
        assert refusal(ours[2]) == refusal(built_in[2])


def test_default_py_publishes_the_built_in_policys_settings_schema(standin, default_py, work) -> None:
    db = ["--db", str(work / "default-py.db")]
    env = {"STANDIN_HOST_KEY_FILE": str(work / "host.key")}
    code, _, err = standin(*db, "policy", "upload", "--tenant", "acme", str(default_py), "--activate", env=env)
    assert code == 0, err
    code, key, err = standin(*db, "key", "create", "--tenant", "acme", "--scope", "admin", "--name", "py", env=env)
    assert code == 0, err
    server = standin_proc.Server(str(work), env={**standin.env, **env, "RUST_LOG": "warn"}, db=db)
    try:
        status, schema = standin_proc.call("GET", f"{server.base}/v1/tenants/acme/settings-schema", key["key"])
        assert status == 200, schema
        assert schema == json.loads((REPO / "docs/settings.schema.json").read_text())
    finally:
        server.stop()
