"""The AuthZEN Access Request profile from Python (AR1): a start that waits
for approval is a requestable denial; the client submits it, reads its task,
and a re-evaluation presenting the approval is a permit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from standin import ApiError, Client, Principal
from standin.models import (
    AuthzenAccessRequest,
    AuthzenAccessRequestAction,
    AuthzenAccessRequestDenial,
    AuthzenEntity,
    AuthzenEvaluation,
    AuthzenEvaluationAction,
)

from .standin_server import SETTINGS, Standin, start_standin

FOUR_EYES = {
    **SETTINGS,
    "role_levels": {"super_admin": 100, "security_officer": 90},
    "approval": "always",
    "approver_roles": ["security_officer"],
}
ADMIN = AuthzenEntity(type="user", id="u-1", properties={"roles": ["super_admin"]})
TARGET = AuthzenEntity(type="user", id="u-42", properties={"active": True, "has_logged_in": True})


@pytest.fixture(scope="module")
def four_eyes() -> Iterator[Standin]:
    server = start_standin(settings=FOUR_EYES)
    try:
        yield server
    finally:
        server.stop()


def question(**context: object) -> AuthzenEvaluation:
    return AuthzenEvaluation(
        subject=ADMIN,
        action=AuthzenEvaluationAction(name="impersonate"),
        resource=TARGET,
        context={"reason": "ticket SUP-9", **context},
    )


def submission(offer: dict[str, str], reason: str = "ticket SUP-9") -> AuthzenAccessRequest:
    return AuthzenAccessRequest(
        subject=ADMIN,
        action=AuthzenAccessRequestAction(name="impersonate"),
        resource=TARGET,
        context={"reason": reason},
        denial=AuthzenAccessRequestDenial(binding_token=offer["binding_token"], expires_at=offer["expires_at"]),
    )


def test_ar1_a_requestable_denial_submitted_approved_and_presented(four_eyes: Standin) -> None:
    client = Client(four_eyes.url, "acme", four_eyes.keys["decide"])
    denied = client.evaluation(question())
    assert denied.decision is False and denied.context is not None
    assert denied.context["reason"] == "approval_required"
    offer = denied.context["access_request"]

    with pytest.raises(ApiError) as tampered:
        client.access_request(submission(offer, reason="ticket SUP-10"))
    assert (tampered.value.status, tampered.value.code) == (400, "invalid_denial_binding")

    task = client.access_request(submission(offer))
    assert task.task.status == "pending" and task.result is None
    officer = Principal(id="u-officer", roles=["security_officer"], active=True)
    client.approve_session(task.task.id, officer)
    approved = client.access_request_task(task.task.id)
    assert approved.task.status == "approved" and approved.result is not None
    assert approved.result.approval.id == task.task.id

    permit = client.evaluation(question(approval={"id": task.task.id}))
    assert permit.decision is True and permit.context is not None
    assert permit.context["session"] == task.task.id

    with pytest.raises(ApiError) as unknown:
        client.access_request_task("s-0000000000000000")
    assert (unknown.value.status, unknown.value.code) == (404, "unknown_task")
