"""One function per route of docs/openapi.json: what to send and how to read the answer.

The sync `Client` and the async `AsyncClient` both run these, so the two
cannot drift apart; `OPERATIONS` maps each operationId of the document to
its function, and tests/test_models.py checks that every route is there.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Generic, Literal, TypeVar, Union
from urllib.parse import quote

from . import models as m
from ._wire import encode
from .errors import ApiError, ProtocolError, TokenExchangeError

T = TypeVar("T")
Query = Mapping[str, Union[str, int, bool, None]]
SsfStatusValue = Literal["enabled", "paused", "disabled"]


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    text: str
    request_id: str | None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str
    expect: tuple[int, ...]
    read: Callable[[Answer], T]
    body: Any = None
    query: Query | None = None
    raw: bool = False
    key: str | None = None
    # Sent as they are (forward-auth's X-Original-*).
    headers: Mapping[str, str] | None = None
    # Sends `key` alone, never the client's API key (forward-auth's token).
    anonymous: bool = False
    # Sent as `application/x-www-form-urlencoded` instead of a JSON `body`
    # (the token exchange, RFC 6749); a None value is left out.
    form: Mapping[str, str | int | None] | None = None

    @property
    def idempotent(self) -> bool:
        return self.method == "GET"


@dataclass(frozen=True)
class Started:
    """A start's outcome: `started`, `pending` (waits for approval) or `denied` (with the decision)."""

    outcome: str
    session: m.Session | None = None
    decision: m.Decision | None = None


@dataclass(frozen=True)
class SessionOrDenied:
    """An extension, approval or rejection: the session, or the deny decision."""

    session: m.Session | None = None
    decision: m.Decision | None = None


@dataclass(frozen=True)
class ForwardAuth:
    """Forward-auth's answer, as a gateway reads it: `allowed` (200) passes the request on.

    An allow of an impersonation token names who is acted as (`acting_as`),
    by whom (`on_behalf_of`) and in which `session`; a request with no
    impersonation token is allowed with those unset. 401 (a token that does
    not hold, or whose session ended) and 403 (denied, with the `decision`,
    or `no-route`) are refusals, returned; 503 (Standin could not decide)
    raises `ApiError`, as every other failure does.
    """

    status: int
    allowed: bool
    acting_as: str | None = None
    on_behalf_of: str | None = None
    session: str | None = None
    decision: m.Decision | None = None


JWT_TOKEN_TYPE: Final = "urn:ietf:params:oauth:token-type:jwt"
TOKEN_EXCHANGE: Final = "urn:ietf:params:oauth:grant-type:token-exchange"
TokenType = Literal[
    "urn:ietf:params:oauth:token-type:jwt",
    "urn:ietf:params:oauth:token-type:access_token",
    "urn:ietf:params:oauth:token-type:id_token",
]
RequestedTokenType = Literal["urn:ietf:params:oauth:token-type:access_token", "urn:ietf:params:oauth:token-type:jwt"]
# The OAuth errors that are an answer about the grant, returned: the
# policy's deny (`invalid_grant`), a pending start turned down
# (`access_denied`) or left unanswered (`expired_token`).
_DENIED = frozenset({"invalid_grant", "access_denied", "expired_token"})


@dataclass(frozen=True)
class Exchanged:
    """A token exchange's outcome, as a start's: `issued` (the `token`),
    `pending` (waits for approval: ask again with `session_id`) or `denied`
    (`error`: `invalid_grant` with the policy's `reasons`, or `access_denied`
    / `expired_token` for a pending start that was rejected or expired).

    Any other OAuth error (`invalid_request`: a token not accepted, and the
    like) raises `TokenExchangeError`.
    """

    outcome: Literal["issued", "pending", "denied"]
    token: m.TokenExchanged | None = None
    error: m.OAuthError | None = None

    @property
    def session_id(self) -> str | None:
        """The session of an issued token or of a pending start (and of an ended one)."""
        if self.token is not None:
            return self.token.session_id
        return self.error.session_id if self.error is not None else None

    @property
    def reasons(self) -> list[m.Reason]:
        """The policy's reasons of a deny (empty otherwise)."""
        return list(self.error.reasons or []) if self.error is not None else []


def _t(tenant: str, rest: str = "") -> str:
    return f"/v1/tenants/{quote(tenant, safe='')}{rest}"


def _s(tenant: str, session: str, rest: str = "") -> str:
    return _t(tenant, f"/sessions/{quote(session, safe='')}{rest}")


def _w(tenant: str, webhook: str, rest: str = "") -> str:
    return _t(tenant, f"/webhooks/{quote(webhook, safe='')}{rest}")


def _ssf(tenant: str, rest: str) -> str:
    return _t(tenant, f"/ssf{rest}")


def _model(cls: type[Any]) -> Callable[[Answer], Any]:
    def read(answer: Answer) -> Any:
        return cls.from_json(answer.body)

    return read


def _dict(answer: Answer) -> dict[str, Any]:
    if not isinstance(answer.body, dict):
        raise ProtocolError("the answer is not a JSON object", answer.request_id)
    return answer.body


def _text(answer: Answer) -> str:
    return answer.text


def _nothing(answer: Answer) -> None:
    return None


def _streams(answer: Answer) -> m.SsfStream | list[m.SsfStream]:
    if isinstance(answer.body, list):
        return [m.SsfStream.from_json(item, f"$[{i}]") for i, item in enumerate(answer.body)]
    return m.SsfStream.from_json(answer.body)


def _started(answer: Answer) -> Started:
    if answer.status == 403:
        return Started("denied", decision=m.Decision.from_json(answer.body))
    outcome = "pending" if answer.status == 202 else "started"
    return Started(outcome, session=m.Session.from_json(answer.body))


def _session_or_denied(answer: Answer) -> SessionOrDenied:
    if isinstance(answer.body, dict) and answer.body.get("decision") == "deny":
        return SessionOrDenied(decision=m.Decision.from_json(answer.body))
    return SessionOrDenied(session=m.Session.from_json(answer.body))


def _forward_auth(answer: Answer) -> ForwardAuth:
    if answer.status == 200:
        h = answer.headers
        return ForwardAuth(200, True, h.get("x-standin-acting-as"), h.get("x-standin-on-behalf-of"), h.get("x-standin-session"))
    if answer.status == 403:
        return ForwardAuth(403, False, decision=m.Decision.from_json(answer.body))
    return ForwardAuth(answer.status, False)


def _exchanged(answer: Answer) -> Exchanged:
    if answer.status == 200:
        return Exchanged("issued", token=m.TokenExchanged.from_json(answer.body))
    detail = answer.body.get("error") if isinstance(answer.body, dict) else None
    if isinstance(detail, dict):
        # A 400 in the house form (a tenant id that is not one), not OAuth's.
        code, message = detail.get("code"), detail.get("message")
        if isinstance(code, str) and isinstance(message, str):
            raise ApiError(answer.status, code, message, answer.request_id)
    error = m.OAuthError.from_json(answer.body)
    if error.error == "authorization_pending":
        if error.session_id is None:
            raise ProtocolError("`authorization_pending` without a `session_id`", answer.request_id)
        return Exchanged("pending", error=error)
    if error.error in _DENIED:
        return Exchanged("denied", error=error)
    raise TokenExchangeError(error.error, error.error_description, answer.request_id, error)


def _audit(answer: Answer) -> list[m.AuditEvent]:
    events = []
    for line in answer.text.splitlines():
        if line.strip():
            try:
                events.append(m.AuditEvent.from_json(json.loads(line)))
            except json.JSONDecodeError as error:
                raise ProtocolError("an audit line is not JSON", answer.request_id) from error
    return events


def _body(value: Any) -> Any:
    return encode(value)


# ---- public routes -----------------------------------------------------
def healthz() -> Call[m.Health]:
    return Call("GET", "/healthz", (200,), _model(m.Health))


def readyz() -> Call[m.Health]:
    return Call("GET", "/readyz", (200,), _model(m.Health))


def metrics() -> Call[str]:
    return Call("GET", "/metrics", (200,), _text, raw=True)


def openapi() -> Call[dict[str, Any]]:
    return Call("GET", "/openapi.json", (200,), _dict)


def settings_schema() -> Call[dict[str, Any]]:
    return Call("GET", "/v1/settings-schema", (200,), _dict)


def get_tenant_settings_schema(tenant: str) -> Call[dict[str, Any]]:
    return Call("GET", _t(tenant, "/settings-schema"), (200,), _dict)


def jwks() -> Call[m.Jwks]:
    return Call("GET", "/.well-known/jwks.json", (200,), _model(m.Jwks))


def authzen_configuration(tenant: str) -> Call[m.AuthzenMetadata]:
    path = f"/.well-known/authzen-configuration/{quote(tenant, safe='')}"
    return Call("GET", path, (200,), _model(m.AuthzenMetadata))


# ---- checks, sessions, authorize ----------------------------------------
def check_start(tenant: str, request: m.StartRequest) -> Call[m.Decision]:
    return Call("POST", _t(tenant, "/check/start"), (200,), _model(m.Decision), _body(request))


def check_action(tenant: str, request: m.ActionRequest) -> Call[m.Decision]:
    return Call("POST", _t(tenant, "/check/action"), (200,), _model(m.Decision), _body(request))


def start_session(tenant: str, request: m.StartRequest, return_to: str | None) -> Call[Started]:
    body = _body(request)
    if return_to is not None:
        body["return_to"] = return_to
    return Call("POST", _t(tenant, "/sessions"), (201, 202, 403), _started, body)


def get_stats(tenant: str, from_: str | None, to: str | None) -> Call[m.Stats]:
    query = {"from": from_, "to": to}
    return Call("GET", _t(tenant, "/stats"), (200,), _model(m.Stats), query=query)


def list_sessions(tenant: str, active: bool | None, limit: int | None, after: str | None) -> Call[m.SessionList]:
    query = {"active": active, "limit": limit, "after": after}
    return Call("GET", _t(tenant, "/sessions"), (200,), _model(m.SessionList), query=query)


def get_session(tenant: str, session: str) -> Call[m.Session]:
    return Call("GET", _s(tenant, session), (200,), _model(m.Session))


def get_banner(tenant: str, session: str, token: str | None) -> Call[m.Banner]:
    return Call("GET", _s(tenant, session, "/banner"), (200,), _model(m.Banner), key=token)


def end_session(tenant: str, session: str, token: str | None) -> Call[m.Session]:
    return Call("POST", _s(tenant, session, "/end"), (200,), _model(m.Session), key=token)


def extend_session(tenant: str, session: str, ttl_seconds: int) -> Call[SessionOrDenied]:
    body = {"ttl_seconds": ttl_seconds}
    return Call("POST", _s(tenant, session, "/extend"), (200,), _session_or_denied, body)


def revoke_session(tenant: str, session: str, reason: str) -> Call[m.Session]:
    return Call("POST", _s(tenant, session, "/revoke"), (200,), _model(m.Session), {"reason": reason})


def approve_session(tenant: str, session: str, approver: m.Principal) -> Call[SessionOrDenied]:
    body = {"approver": _body(approver)}
    return Call("POST", _s(tenant, session, "/approve"), (200,), _session_or_denied, body)


def reject_session(tenant: str, session: str, approver: m.Principal, reason: str) -> Call[SessionOrDenied]:
    body = {"approver": _body(approver), "reason": reason}
    return Call("POST", _s(tenant, session, "/reject"), (200,), _session_or_denied, body)


def revoke_actor(tenant: str, actor: str, reason: str) -> Call[m.Revoked]:
    body = {"actor": actor, "reason": reason}
    return Call("POST", _t(tenant, "/sessions/revoke"), (200,), _model(m.Revoked), body)


def authorize(tenant: str, session: str, action: str, resource: str | None) -> Call[m.Authorization]:
    body: dict[str, Any] = {"action": action}
    if resource is not None:
        body["resource"] = resource
    return Call("POST", _s(tenant, session, "/authorize"), (200,), _model(m.Authorization), body)


def authorize_batch(tenant: str, calls: list[m.AuthorizeBatchCallsItem]) -> Call[m.AuthorizeResults]:
    body = {"calls": _body(calls)}
    return Call("POST", _t(tenant, "/authorize"), (200,), _model(m.AuthorizeResults), body)


def introspect_token(tenant: str, token: str) -> Call[m.Introspection]:
    body = {"token": token}
    return Call("POST", _t(tenant, "/tokens/introspect"), (200,), _model(m.Introspection), body)


def update_principal(tenant: str, principal: m.Principal) -> Call[m.Reevaluated]:
    path = _t(tenant, f"/principals/{quote(principal.id, safe='')}")
    return Call("PUT", path, (200,), _model(m.Reevaluated), _body(principal))


# ---- AuthZEN -------------------------------------------------------------
def evaluation(tenant: str, request: m.AuthzenEvaluation) -> Call[m.AuthzenDecision]:
    path = _t(tenant, "/access/v1/evaluation")
    return Call("POST", path, (200,), _model(m.AuthzenDecision), _body(request))


def evaluations(tenant: str, request: m.AuthzenEvaluations) -> Call[m.AuthzenDecisions]:
    path = _t(tenant, "/access/v1/evaluations")
    return Call("POST", path, (200,), _model(m.AuthzenDecisions), _body(request))


def search(tenant: str, kind: str, request: m.AuthzenSearch) -> Call[m.AuthzenSearchResults]:
    """AuthZEN search: `kind` is `subject`, `resource` or `action`."""
    path = _t(tenant, f"/access/v1/search/{quote(kind, safe='')}")
    return Call("POST", path, (200,), _model(m.AuthzenSearchResults), _body(request))


def access_request(tenant: str, request: m.AuthzenAccessRequest) -> Call[m.AuthzenTask]:
    """AuthZEN Access Request profile: submits a requestable denial of a start
    (the question again, with `denial` echoing `context.access_request`)."""
    path = _t(tenant, "/access/v1/requests")
    return Call("POST", path, (201, 202), _model(m.AuthzenTask), _body(request))


def access_request_task(tenant: str, id: str) -> Call[m.AuthzenTask]:
    """AuthZEN Access Request profile: a submitted request's task."""
    path = _t(tenant, f"/access/v1/requests/{quote(id, safe='')}")
    return Call("GET", path, (200,), _model(m.AuthzenTask))


# ---- audit, outbox, notifications ---------------------------------------
def query_audit(tenant: str, query: Query) -> Call[list[m.AuditEvent]]:
    return Call("GET", _t(tenant, "/audit"), (200,), _audit, query=query, raw=True)


def export_audit_csv(tenant: str, query: Query) -> Call[str]:
    return Call("GET", _t(tenant, "/audit"), (200,), _text, query={**query, "format": "csv"}, raw=True)


def verify_audit(tenant: str) -> Call[m.Verification]:
    return Call("GET", _t(tenant, "/audit/verify"), (200,), _model(m.Verification))


def list_outbox(tenant: str, all: bool | None, limit: int | None, after: int | None) -> Call[m.OutboxList]:
    query = {"all": all, "limit": limit, "after": after}
    return Call("GET", _t(tenant, "/outbox"), (200,), _model(m.OutboxList), query=query)


def claim_outbox(tenant: str, limit: int | None, lease_seconds: int | None) -> Call[m.Claimed]:
    body = _body(m.Claim(limit=limit, lease_seconds=lease_seconds))
    return Call("POST", _t(tenant, "/outbox/claim"), (200,), _model(m.Claimed), body)


def ack_outbox(tenant: str, ids: list[int]) -> Call[m.Acked]:
    return Call("POST", _t(tenant, "/outbox/ack"), (200,), _model(m.Acked), {"ids": ids})


def get_notifications(tenant: str) -> Call[m.Notifications]:
    return Call("GET", _t(tenant, "/notifications"), (200,), _model(m.Notifications))


def set_notifications(tenant: str, patch: m.NotificationsPatch) -> Call[m.Notifications]:
    return Call("PUT", _t(tenant, "/notifications"), (200,), _model(m.Notifications), _body(patch))


# ---- webhook endpoints ------------------------------------------------------
def add_webhook(tenant: str, url: str, events: list[str] | None, description: str | None) -> Call[m.WebhookWithSecret]:
    body = _body(m.WebhookNew(url=url, events=events, description=description))
    return Call("POST", _t(tenant, "/webhooks"), (201,), _model(m.WebhookWithSecret), body)


def list_webhooks(tenant: str) -> Call[m.WebhookList]:
    return Call("GET", _t(tenant, "/webhooks"), (200,), _model(m.WebhookList))


def get_webhook(tenant: str, webhook: str) -> Call[m.Webhook]:
    return Call("GET", _w(tenant, webhook), (200,), _model(m.Webhook))


def remove_webhook(tenant: str, webhook: str) -> Call[m.Webhook]:
    return Call("DELETE", _w(tenant, webhook), (200,), _model(m.Webhook))


def rotate_webhook_secret(tenant: str, webhook: str, overlap_seconds: int | None) -> Call[m.WebhookWithSecret]:
    body = _body(m.WebhookRotate(overlap_seconds=overlap_seconds))
    return Call("POST", _w(tenant, webhook, "/rotate"), (200,), _model(m.WebhookWithSecret), body)


def test_webhook(tenant: str, webhook: str) -> Call[m.WebhookTest]:
    return Call("POST", _w(tenant, webhook, "/test"), (200,), _model(m.WebhookTest))


def list_webhook_deliveries(tenant: str, webhook: str, status: str | None, limit: int | None) -> Call[m.WebhookDeliveries]:
    query = {"status": status, "limit": limit}
    return Call("GET", _w(tenant, webhook, "/deliveries"), (200,), _model(m.WebhookDeliveries), query=query)


def replay_webhooks(tenant: str, webhook: str) -> Call[m.WebhookReplay]:
    return Call("POST", _w(tenant, webhook, "/replay"), (200,), _model(m.WebhookReplay))


# ---- Shared Signals (SSF) streams ---------------------------------------------
def ssf_configuration(tenant: str) -> Call[m.SsfConfiguration]:
    path = f"/.well-known/ssf-configuration/{quote(tenant, safe='')}"
    return Call("GET", path, (200,), _model(m.SsfConfiguration))


def create_ssf_stream(tenant: str, stream: m.SsfStreamRequest) -> Call[m.SsfStream]:
    return Call("POST", _ssf(tenant, "/streams"), (201,), _model(m.SsfStream), _body(stream))


def get_ssf_streams(tenant: str, stream_id: str | None) -> Call[m.SsfStream | list[m.SsfStream]]:
    # One stream (an object) or every stream (a list): raw, so a list is not refused.
    return Call("GET", _ssf(tenant, "/streams"), (200,), _streams, query={"stream_id": stream_id}, raw=True)


def update_ssf_stream(tenant: str, stream: m.SsfStreamRequest) -> Call[m.SsfStream]:
    return Call("PATCH", _ssf(tenant, "/streams"), (200,), _model(m.SsfStream), _body(stream))


def replace_ssf_stream(tenant: str, stream: m.SsfStreamRequest) -> Call[m.SsfStream]:
    return Call("PUT", _ssf(tenant, "/streams"), (200,), _model(m.SsfStream), _body(stream))


def delete_ssf_stream(tenant: str, stream_id: str) -> Call[None]:
    return Call("DELETE", _ssf(tenant, "/streams"), (204,), _nothing, query={"stream_id": stream_id}, raw=True)


def get_ssf_status(tenant: str, stream_id: str) -> Call[m.SsfStatus]:
    return Call("GET", _ssf(tenant, "/status"), (200,), _model(m.SsfStatus), query={"stream_id": stream_id})


def set_ssf_status(tenant: str, stream_id: str, status: SsfStatusValue, reason: str | None) -> Call[m.SsfStatus]:
    body = _body(m.SsfStatus(stream_id=stream_id, status=status, reason=reason))
    return Call("POST", _ssf(tenant, "/status"), (200,), _model(m.SsfStatus), body)


def verify_ssf_stream(tenant: str, stream_id: str, state: str | None) -> Call[None]:
    body = _body(m.SsfVerify(stream_id=stream_id, state=state))
    return Call("POST", _ssf(tenant, "/verify"), (204,), _nothing, body, raw=True)


def poll_ssf_stream(
    tenant: str, stream_id: str, max_events: int | None, return_immediately: bool | None, ack: list[str] | None, set_errs: dict[str, Any] | None
) -> Call[m.SsfPollAnswer]:
    body = _body(m.SsfPoll(maxEvents=max_events, returnImmediately=return_immediately, ack=ack, setErrs=set_errs))
    path = _ssf(tenant, f"/poll/{quote(stream_id, safe='')}")
    return Call("POST", path, (200,), _model(m.SsfPollAnswer), body)


# ---- enforcement at the gateway ----------------------------------------------
def _forward(method: str, original_method: str, uri: str, token: str | None) -> Call[ForwardAuth]:
    # raw: a pass has no body; 401 and 403 are answers, not errors.
    headers = {"X-Original-Method": original_method, "X-Original-URI": uri}
    return Call(method, "/v1/forward-auth", (200, 401, 403), _forward_auth, raw=True, key=token, headers=headers, anonymous=True)


def forward_auth(method: str, uri: str, token: str | None) -> Call[ForwardAuth]:
    return _forward("GET", method, uri, token)


def forward_auth_post(method: str, uri: str, token: str | None) -> Call[ForwardAuth]:
    return _forward("POST", method, uri, token)


def forward_auth_prefix(method: str, uri: str, token: str | None) -> Call[ForwardAuth]:
    # Envoy's form: the original request line itself, under the prefix.
    if not uri.startswith("/"):
        raise ValueError(f"`uri` must be a path from `/`, not {uri!r}")
    return Call(method.upper(), f"/v1/forward-auth{uri}", (200, 401, 403), _forward_auth, raw=True, key=token, anonymous=True)


def get_routes(tenant: str) -> Call[m.RouteTable]:
    return Call("GET", _t(tenant, "/routes"), (200,), _model(m.RouteTable))


def set_routes(
    tenant: str, routes: list[m.RouteTableSetRoutesItem] | None, text: str | None, tokenless: Literal["pass", "deny"] | None = None
) -> Call[m.RouteTable]:
    body = _body(m.RouteTableSet(routes=routes, text=text, tokenless=tokenless))
    return Call("PUT", _t(tenant, "/routes"), (200,), _model(m.RouteTable), body)


# ---- token exchange (RFC 8693) ------------------------------------------------
def exchange_token(
    tenant: str,
    subject_token: str,
    actor_token: str,
    reason: str | None = None,
    ttl_seconds: int | None = None,
    domain: str | None = None,
    session_id: str | None = None,
    audience: str | None = None,
    requested_token_type: RequestedTokenType | None = None,
    subject_token_type: TokenType = JWT_TOKEN_TYPE,
    actor_token_type: TokenType = JWT_TOKEN_TYPE,
) -> Call[Exchanged]:
    form = {
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": subject_token,
        "subject_token_type": subject_token_type,
        "actor_token": actor_token,
        "actor_token_type": actor_token_type,
        "requested_token_type": requested_token_type,
        "audience": audience,
        "reason": reason,
        "ttl_seconds": ttl_seconds,
        "domain": domain,
        "session_id": session_id,
    }
    return Call("POST", _t(tenant, "/oauth/token"), (200, 400), _exchanged, form=form)


def get_token_issuers(tenant: str) -> Call[m.TokenIssuers]:
    return Call("GET", _t(tenant, "/token-issuers"), (200,), _model(m.TokenIssuers))


def set_token_issuers(tenant: str, issuers: list[m.TokenIssuersIssuersItem]) -> Call[m.TokenIssuers]:
    body = _body(m.TokenIssuers(issuers=issuers))
    return Call("PUT", _t(tenant, "/token-issuers"), (200,), _model(m.TokenIssuers), body)


# ---- policy versions -------------------------------------------------------
def upload_policy(tenant: str, upload: m.Upload) -> Call[m.PolicyVersion]:
    return Call("POST", _t(tenant, "/policies"), (201,), _model(m.PolicyVersion), _body(upload))


def list_policies(tenant: str) -> Call[m.PolicyVersions]:
    return Call("GET", _t(tenant, "/policies"), (200,), _model(m.PolicyVersions))


def get_policy(tenant: str, version: int) -> Call[m.PolicyVersion]:
    return Call("GET", _t(tenant, f"/policies/{int(version)}"), (200,), _model(m.PolicyVersion))


def activate_policy(tenant: str, version: int) -> Call[m.PolicyVersion]:
    path = _t(tenant, f"/policies/{int(version)}/activate")
    return Call("POST", path, (200,), _model(m.PolicyVersion))


def rollback_policy(tenant: str) -> Call[m.PolicyVersion]:
    return Call("POST", _t(tenant, "/policies/rollback"), (200,), _model(m.PolicyVersion))


def diff_policy(tenant: str, version: int, since: str | None) -> Call[dict[str, Any]]:
    path = _t(tenant, f"/policies/{int(version)}/diff")
    return Call("GET", path, (200,), _dict, query={"since": since})


OPERATIONS: dict[str, Callable[..., Call[Any]]] = {
    "healthz": healthz,
    "readyz": readyz,
    "metrics": metrics,
    "openapi": openapi,
    "settingsSchema": settings_schema,
    "jwks": jwks,
    "authzenConfiguration": authzen_configuration,
    "checkStart": check_start,
    "checkAction": check_action,
    "startSession": start_session,
    "listSessions": list_sessions,
    "getSession": get_session,
    "getBanner": get_banner,
    "endSession": end_session,
    "extendSession": extend_session,
    "revokeSession": revoke_session,
    "approveSession": approve_session,
    "rejectSession": reject_session,
    "revokeActor": revoke_actor,
    "authorize": authorize,
    "authorizeBatch": authorize_batch,
    "introspectToken": introspect_token,
    "updatePrincipal": update_principal,
    "authzenEvaluation": evaluation,
    "authzenEvaluations": evaluations,
    # The same routes at the default paths under the PDP identifier: one call each.
    "authzenEvaluationAtPdp": evaluation,
    "authzenEvaluationsAtPdp": evaluations,
    "authzenSearchSubject": search,
    "authzenSearchResource": search,
    "authzenSearchAction": search,
    "authzenSearchSubjectAtPdp": search,
    "authzenSearchResourceAtPdp": search,
    "authzenSearchActionAtPdp": search,
    "authzenAccessRequest": access_request,
    "authzenAccessRequestAtPdp": access_request,
    "authzenAccessRequestTask": access_request_task,
    "authzenAccessRequestTaskAtPdp": access_request_task,
    "queryAudit": query_audit,
    "verifyAudit": verify_audit,
    "getStats": get_stats,
    "getTenantSettingsSchema": get_tenant_settings_schema,
    "listOutbox": list_outbox,
    "claimOutbox": claim_outbox,
    "ackOutbox": ack_outbox,
    "getNotifications": get_notifications,
    "setNotifications": set_notifications,
    "addWebhook": add_webhook,
    "listWebhooks": list_webhooks,
    "getWebhook": get_webhook,
    "removeWebhook": remove_webhook,
    "rotateWebhookSecret": rotate_webhook_secret,
    "testWebhook": test_webhook,
    "listWebhookDeliveries": list_webhook_deliveries,
    "replayWebhooks": replay_webhooks,
    "ssfConfiguration": ssf_configuration,
    "createSsfStream": create_ssf_stream,
    "getSsfStreams": get_ssf_streams,
    "updateSsfStream": update_ssf_stream,
    "replaceSsfStream": replace_ssf_stream,
    "deleteSsfStream": delete_ssf_stream,
    "getSsfStatus": get_ssf_status,
    "setSsfStatus": set_ssf_status,
    "verifySsfStream": verify_ssf_stream,
    "pollSsfStream": poll_ssf_stream,
    "forwardAuth": forward_auth,
    "forwardAuthPost": forward_auth_post,
    "forwardAuthPrefix": forward_auth_prefix,
    "getRoutes": get_routes,
    "setRoutes": set_routes,
    "exchangeToken": exchange_token,
    "getTokenIssuers": get_token_issuers,
    "setTokenIssuers": set_token_issuers,
    "uploadPolicy": upload_policy,
    "listPolicies": list_policies,
    "getPolicy": get_policy,
    "activatePolicy": activate_policy,
    "rollbackPolicy": rollback_policy,
    "diffPolicy": diff_policy,
}
