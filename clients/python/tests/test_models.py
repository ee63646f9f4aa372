"""The models and routes are those of docs/openapi.json, and stay so."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

import pytest

import standin
from standin import AsyncClient, Client, ProtocolError
from standin import models as m

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import gen_models  # noqa: E402


def test_models_are_generated_from_the_current_document() -> None:
    assert (ROOT / "standin" / "models.py").read_text() == gen_models.generate(), (
        "docs/openapi.json changed: run python clients/python/scripts/gen_models.py"
    )


def test_every_route_of_the_document_has_a_call() -> None:
    document = json.loads(gen_models.DOCUMENT.read_text())
    operations = {
        op["operationId"]
        for item in document["paths"].values()
        for method, op in item.items()
        if method in ("get", "post", "put", "delete", "patch")
    }
    assert operations == set(standin.OPERATIONS)


def test_sync_and_async_clients_offer_the_same_calls() -> None:
    def public(cls: type) -> set[str]:
        return {n for n, f in inspect.getmembers(cls, inspect.isfunction) if not n.startswith("_")} - {"close"}

    assert public(Client) == public(AsyncClient) - {"aclose"}
    # Routes served at two paths (AuthZEN's, under the PDP identifier too) share a call.
    assert len(public(Client)) >= len(set(standin.OPERATIONS.values()))


def test_a_decision_that_is_not_allow_deny_or_pending_is_refused() -> None:
    assert m.Decision.from_json({"decision": "allow", "reasons": []}).decision == "allow"
    for garbage in ({"decision": "yes", "reasons": []}, {"decision": "allow"}, {"decision": True, "reasons": []}, []):
        with pytest.raises(ProtocolError):
            m.Decision.from_json(garbage)


def test_unknown_fields_are_ignored_and_unset_fields_not_sent() -> None:
    reason = m.Reason.from_json({"code": "c", "message": "x", "new_field": 1})
    assert reason.code == "c"
    assert m.Principal(id="u-1", roles=["a"]).to_json() == {"id": "u-1", "roles": ["a"]}


def test_a_one_of_plain_forms_takes_the_first_that_fits() -> None:
    assert m.SsfStreamRequest.from_json({"aud": "rx"}).aud == "rx"
    assert m.SsfStreamRequest.from_json({"aud": ["a", "b"]}).aud == ["a", "b"]
    for garbage in (1, ["a", 2], {"a": 1}):
        with pytest.raises(ProtocolError):
            m.SsfStreamRequest.from_json({"aud": garbage})
