"""The sync and async clients against a real `standin serve` over loopback."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any, Final

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from standin import (
    ApiError,
    AsyncClient,
    AuthorizeBatchCallsItem,
    AuthzenEntity,
    AuthzenEvaluation,
    AuthzenEvaluationAction,
    CallOptions,
    Client,
    Principal,
    ProtocolError,
    RouteTableSetRoutesItem,
    SsfStreamRequest,
    SsfStreamRequestDelivery,
    StartRequest,
    UnreachableError,
    Upload,
    UploadRefusedError,
)

from .standin_server import Standin, answer, dead_url, fake_server, never_answer

POLL: Final = "urn:ietf:rfc:8936"
PUSH: Final = "urn:ietf:rfc:8935"
CAEP = "https://schemas.openid.net/secevent/caep/event-type/"
VERIFICATION = "https://schemas.openid.net/secevent/ssf/event-type/verification"


def person(name: str, *roles: str) -> Principal:
    return Principal(id=name, roles=list(roles), active=True, has_logged_in=True)


def start(actor: Principal, target: Principal) -> StartRequest:
    return StartRequest(tenant="acme", actor=actor, target=target, reason="ticket SUP-1")


def test_a_whole_session(standin: Standin) -> None:
    with Client(standin.url, "acme", standin.keys["decide"]) as client:
        audit = Client(standin.url, "acme", standin.keys["audit"])
        assert client.healthz().status == "ok"
        assert client.openapi()["openapi"] == "3.1.0"
        assert client.settings_schema()["properties"]["approval"]["enum"] == ["never", "always", "privileged"]
        assert client.jwks().keys[0].alg == "EdDSA"
        assert "standin_http_requests_total" in client.metrics()
        assert client.authzen_configuration().access_evaluation_endpoint.endswith("/acme/access/v1/evaluation")

        admin, user = person("py-admin", "admin"), person("py-user")
        assert client.check_start(start(admin, user)).decision == "allow"
        started = client.start_session(start(admin, user), return_to="/admin/users")
        assert started.outcome == "started" and started.session is not None
        session = started.session
        assert (session.state, session.return_to, session.actor) == ("active", "/admin/users", "py-admin")
        assert session.token is not None
        banner = client.get_banner(session.id, token=session.token)
        assert (banner.actor, banner.target) == ("py-admin", "py-user")

        report = client.authorize(session.id, "report.generate", "r-1")
        assert (report.decision, report.obligations, report.acting_as) == ("allow", ["deliver-to-target"], "py-user")
        denied = client.authorize(session.id, "billing.purchase")
        assert denied.decision == "deny" and denied.reasons[0].code == "forbidden-action"
        batch = client.authorize_batch([
            AuthorizeBatchCallsItem(session=session.id, action="course.view"),
            AuthorizeBatchCallsItem(session="s-0000000000000000", action="course.view"),
        ])
        assert batch.results is not None
        assert getattr(batch.results[0], "decision") == "allow"
        assert getattr(batch.results[1], "error").code == "not-found"
        evaluation = client.evaluation(AuthzenEvaluation(
            subject=AuthzenEntity(type="impersonation_session", id=session.id),
            action=AuthzenEvaluationAction(name="billing.purchase"),
            resource=AuthzenEntity(type="course", id="c-1"),
        ))
        assert evaluation.decision is False
        assert client.introspect_token(session.token).sid == session.id
        assert client.extend_session(session.id, 600).session is not None
        assert any(s.id == session.id for s in client.list_sessions(active=True).sessions or [])
        stats = audit.get_stats()
        assert stats.active >= 1 and sum(d.sessions_started for d in stats.days) >= 1

        ended = client.end_session(session.id, token=session.token)
        assert (ended.state, ended.end_reason) == ("ended", "stopped")
        with pytest.raises(ApiError) as again:
            client.end_session(session.id)
        assert (again.value.status, again.value.code) == (409, "session-ended")
        late = client.authorize(session.id, "course.view")
        assert late.decision == "deny" and late.reasons[0].code == "session-ended"

        events = [e.event for e in audit.query_audit(session=session.id)]
        for kind in ("session.started", "action.allowed", "action.denied", "session.ended"):
            assert kind in events
        assert "action.denied" in audit.export_audit_csv(session=session.id)
        assert audit.verify_audit().broken is None


def test_a_refused_start_is_a_decision_with_every_reason(standin: Standin) -> None:
    client = Client(standin.url, "acme", standin.keys["decide"])
    started = client.start_session(start(person("py-support", "support"), person("py-root", "super_admin")))
    assert started.outcome == "denied" and started.decision is not None
    assert "target-level-not-lower" in [r.code for r in started.decision.reasons]


def test_admin_routes(standin: Standin) -> None:
    admin = Client(standin.url, "acme", standin.keys["admin"])
    assert admin.get_policy(1).version == 1
    with pytest.raises(UploadRefusedError) as refused:
        admin.upload_policy(Upload(component_base64="AAAA"))
    assert refused.value.step == "component"
    assert admin.set_notifications(__import__("standin").models.NotificationsPatch(enabled=True)).enabled
    claimed = admin.claim_outbox(limit=5)
    assert admin.ack_outbox([msg.id for msg in claimed.messages]).acked == len(claimed.messages)
    assert isinstance(admin.diff_policy(1), dict)


def test_webhook_endpoints(standin: Standin) -> None:
    admin = Client(standin.url, "acme", standin.keys["admin"])
    url = dead_url() + "/hook"
    added = admin.add_webhook(url, events=["session.*", "action.denied"], description="py hook")
    assert (added.tenant, added.url, added.events, added.description) == ("acme", url, ["session.*", "action.denied"], "py hook")
    assert added.id.startswith("wh-") and added.secret.startswith("whsec_")
    assert added.id in [w.id for w in admin.list_webhooks().webhooks]
    got = admin.get_webhook(added.id)
    assert (got.url, got.cursor.seq, got.cursor.attempts) == (url, added.cursor.seq, 0)
    assert not hasattr(got, "secret")

    rotated = admin.rotate_webhook_secret(added.id, overlap_seconds=60)
    assert rotated.id == added.id and rotated.secret.startswith("whsec_") and rotated.secret != added.secret
    assert admin.rotate_webhook_secret(added.id).secret not in (added.secret, rotated.secret)
    assert admin.list_webhook_deliveries(added.id, status="dead", limit=10).deliveries == []
    assert admin.list_webhook_deliveries(added.id).deliveries == []
    assert admin.replay_webhooks(added.id).replaying == 0
    tested = admin.test_webhook(added.id)
    assert (tested.delivered, tested.status) == (False, None)
    assert tested.message_id and tested.error

    assert admin.remove_webhook(added.id).id == added.id
    assert added.id not in [w.id for w in admin.list_webhooks().webhooks]
    for call in (admin.get_webhook, admin.remove_webhook, admin.test_webhook, admin.replay_webhooks, admin.list_webhook_deliveries):
        with pytest.raises(ApiError) as missing:
            call(added.id)
        assert (missing.value.status, missing.value.code) == (404, "not-found")
    with pytest.raises(ApiError) as scope:
        Client(standin.url, "acme", standin.keys["decide"]).list_webhooks()
    assert (scope.value.status, scope.value.code) == (403, "forbidden")


def test_a_webhook_test_message_is_signed_with_the_secret(standin: Standin) -> None:
    admin = Client(standin.url, "acme", standin.keys["admin"])
    received: dict[str, tuple[str, str, bytes]] = {}

    def handle(request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        received[request.headers["webhook-id"]] = (request.headers["webhook-timestamp"], request.headers["webhook-signature"], body)
        request.send_response(204)
        request.end_headers()

    def signed_by(message: str, secret: str) -> bool:
        timestamp, signatures, body = received[message]
        key = base64.b64decode(secret.removeprefix("whsec_"))
        mac = hmac.new(key, f"{message}.{timestamp}.".encode() + body, hashlib.sha256).digest()
        return f"v1,{base64.b64encode(mac).decode()}" in signatures.split(" ")

    with fake_server(handle) as url:
        added = admin.add_webhook(url + "/hook")
        try:
            first = admin.test_webhook(added.id)
            assert (first.delivered, first.status, first.error) == (True, 204, None)
            assert signed_by(first.message_id, added.secret)
            assert json.loads(received[first.message_id][2])["type"] == "webhook.test"
            rotated = admin.rotate_webhook_secret(added.id)
            second = admin.test_webhook(added.id)
            assert signed_by(second.message_id, rotated.secret) and signed_by(second.message_id, added.secret)
        finally:
            admin.remove_webhook(added.id)


def test_ssf_poll_stream(standin: Standin) -> None:
    admin = Client(standin.url, "acme", standin.keys["admin"])
    audit = Client(standin.url, "acme", standin.keys["audit"])
    decide = Client(standin.url, "acme", standin.keys["decide"])
    discovery = Client(standin.url, "acme").ssf_configuration()
    assert discovery.issuer.endswith("/acme") and discovery.spec_version == "1_0"
    assert POLL in discovery.delivery_methods_supported
    assert (discovery.configuration_endpoint or "").endswith("/v1/tenants/acme/ssf/streams")
    keys = {k.kid: k for k in decide.jwks().keys}

    def claims_of(token: str) -> dict[str, Any]:
        header, claims, signed, signature = jwt_parts(token)
        assert (header["alg"], header["typ"]) == ("EdDSA", "secevent+jwt")
        x = keys[str(header["kid"])].x
        Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))).verify(signature, signed)
        assert claims["iss"] == discovery.issuer
        return claims

    def session_started_and_ended(name: str) -> str:
        started = decide.start_session(start(person(f"{name}-admin", "admin"), person(f"{name}-user")))
        assert started.outcome == "started" and started.session is not None
        assert decide.end_session(started.session.id).state == "ended"
        return started.session.id

    stream = admin.create_ssf_stream(SsfStreamRequest(delivery=SsfStreamRequestDelivery(method=POLL), description="py stream"))
    assert (stream.iss, stream.aud, stream.delivery.method, stream.description) == (discovery.issuer, ["acme"], POLL, "py stream")
    assert stream.delivery.endpoint_url.endswith(f"/v1/tenants/acme/ssf/poll/{stream.stream_id}")
    assert stream.events_delivered == [CAEP + "session-established", CAEP + "session-revoked"]
    one = admin.get_ssf_streams(stream.stream_id)
    assert not isinstance(one, list) and one.stream_id == stream.stream_id
    every = admin.get_ssf_streams()
    assert isinstance(every, list) and stream.stream_id in [s.stream_id for s in every]

    session = session_started_and_ended("py-ssf")
    first = audit.poll_ssf_stream(stream.stream_id, return_immediately=True)
    assert len(first.sets) == 2 and first.moreAvailable is False
    claims = [claims_of(token) for token in first.sets.values()]
    assert sorted(kind for c in claims for kind in c["events"]) == [CAEP + "session-established", CAEP + "session-revoked"]
    assert [c["jti"] for c in claims] == list(first.sets)
    assert all(c["sub_id"]["session"]["id"] == session for c in claims)
    assert audit.poll_ssf_stream(stream.stream_id, return_immediately=True).sets.keys() == first.sets.keys()
    assert audit.poll_ssf_stream(stream.stream_id, return_immediately=True, ack=list(first.sets)).sets == {}

    paused = admin.set_ssf_status(stream.stream_id, "paused", reason="maintenance")
    assert (paused.stream_id, paused.status, paused.reason) == (stream.stream_id, "paused", "maintenance")
    assert admin.get_ssf_status(stream.stream_id).status == "paused"
    session_started_and_ended("py-ssf2")
    assert audit.poll_ssf_stream(stream.stream_id, return_immediately=True).sets == {}
    assert admin.set_ssf_status(stream.stream_id, "enabled").status == "enabled"
    assert (admin.get_ssf_status(stream.stream_id).status, admin.get_ssf_status(stream.stream_id).reason) == ("enabled", None)
    held = audit.poll_ssf_stream(stream.stream_id, return_immediately=True, max_events=1)
    assert len(held.sets) == 1 and held.moreAvailable is True
    held = audit.poll_ssf_stream(stream.stream_id, return_immediately=True, ack=list(held.sets))
    assert len(held.sets) == 1 and held.moreAvailable is False
    assert audit.poll_ssf_stream(stream.stream_id, return_immediately=True, ack=list(held.sets)).sets == {}

    admin.verify_ssf_stream(stream.stream_id, state="py-state")
    verified = audit.poll_ssf_stream(stream.stream_id, return_immediately=True)
    [token] = verified.sets.values()
    assert claims_of(token)["events"] == {VERIFICATION: {"state": "py-state"}}
    assert audit.poll_ssf_stream(stream.stream_id, return_immediately=True).sets == {}

    updated = admin.update_ssf_stream(SsfStreamRequest(stream_id=stream.stream_id, events_requested=[CAEP + "session-revoked"]))
    assert (updated.events_requested, updated.events_delivered) == ([CAEP + "session-revoked"], [CAEP + "session-revoked"])
    replaced = admin.replace_ssf_stream(SsfStreamRequest(stream_id=stream.stream_id, events_requested=[]))
    assert (replaced.events_requested, len(replaced.events_delivered)) == ([], 2)
    with pytest.raises(ApiError) as unsupported:
        admin.update_ssf_stream(SsfStreamRequest(stream_id=stream.stream_id, events_requested=["urn:nope"]))
    assert (unsupported.value.status, unsupported.value.code) == (400, "invalid-request")

    admin.delete_ssf_stream(stream.stream_id)
    for call in (admin.get_ssf_streams, admin.delete_ssf_stream, admin.get_ssf_status, admin.verify_ssf_stream, audit.poll_ssf_stream):
        with pytest.raises(ApiError) as missing:
            call(stream.stream_id)
        assert (missing.value.status, missing.value.code) == (404, "not-found")
    with pytest.raises(ApiError) as scope:
        decide.get_ssf_streams()
    assert (scope.value.status, scope.value.code) == (403, "forbidden")


def test_ssf_push_stream_verification_carries_the_receivers_authorization(standin: Standin) -> None:
    admin = Client(standin.url, "acme", standin.keys["admin"])
    received: list[tuple[str, str, str]] = []

    def handle(request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0)).decode()
        received.append((request.headers["Content-Type"], request.headers["Authorization"], body))
        request.send_response(202)
        request.end_headers()

    with fake_server(handle) as url:
        delivery = SsfStreamRequestDelivery(method=PUSH, endpoint_url=url + "/ssf", authorization_header="Bearer rx-1")
        stream = admin.create_ssf_stream(SsfStreamRequest(delivery=delivery, aud="https://rx.example"))
        try:
            assert (stream.delivery.method, stream.delivery.endpoint_url, stream.aud) == (PUSH, url + "/ssf", ["https://rx.example"])
            admin.verify_ssf_stream(stream.stream_id, state="py-push")
            [(content_type, authorization, token)] = received
            assert (content_type, authorization) == ("application/secevent+jwt", "Bearer rx-1")
            _, claims, _, _ = jwt_parts(token)
            assert (claims["aud"], claims["events"]) == (["https://rx.example"], {VERIFICATION: {"state": "py-push"}})
            with pytest.raises(ApiError) as pushed:
                admin.poll_ssf_stream(stream.stream_id, return_immediately=True)
            assert (pushed.value.status, pushed.value.code) == (400, "invalid-request")
        finally:
            admin.delete_ssf_stream(stream.stream_id)


TABLE = "POST /billing/** -> billing.purchase\nGET /** -> course.view"


def test_forward_auth_by_the_route_table(standin: Standin) -> None:
    admin = Client(standin.url, "acme", standin.keys["admin"])
    table = admin.set_routes(text=TABLE)
    assert [(r.method, r.path, r.action) for r in table.routes] == [("POST", "/billing/**", "billing.purchase"), ("GET", "/**", "course.view")]
    assert admin.get_routes() == table
    started = Client(standin.url, "acme", standin.keys["decide"]).start_session(start(person("py-edge-admin", "admin"), person("py-edge-user")))
    assert started.session is not None and started.session.token is not None
    session, token = started.session, started.session.token

    gateway = Client(standin.url, "acme")  # forward-auth is public: no API key
    allowed = gateway.forward_auth("GET", "/reports", token)
    assert (allowed.status, allowed.allowed, allowed.decision) == (200, True, None)
    assert (allowed.acting_as, allowed.on_behalf_of, allowed.session) == ("py-edge-user", "py-edge-admin", session.id)
    denied = gateway.forward_auth_post("POST", "/billing/charge", token)
    assert (denied.status, denied.allowed, denied.acting_as) == (403, False, None)
    assert denied.decision is not None and denied.decision.decision == "deny"
    assert denied.decision.reasons[0].code == "forbidden-action"
    no_route = gateway.forward_auth("DELETE", "/reports", token)
    assert (no_route.status, no_route.allowed) == (403, False)
    assert no_route.decision is not None and no_route.decision.reasons[0].code == "no-route"
    untouched = admin.forward_auth("GET", "/reports")  # no token: not an impersonation, passes
    assert (untouched.status, untouched.allowed, untouched.acting_as, untouched.on_behalf_of, untouched.session) == (200, True, None, None, None)
    assert "action.denied" in [e.event for e in Client(standin.url, "acme", standin.keys["audit"]).query_audit(session=session.id)]

    with pytest.raises(ApiError) as bad:
        admin.set_routes(text="GET /** -> course.view\nGET reports -> report.generate")
    assert (bad.value.status, bad.value.code) == (400, "invalid-request") and "line 2" in bad.value.message
    assert admin.get_routes() == table
    with pytest.raises(ApiError) as scope:
        Client(standin.url, "acme", standin.keys["decide"]).get_routes()
    assert scope.value.status == 403

    Client(standin.url, "acme", standin.keys["decide"]).end_session(session.id)
    ended = gateway.forward_auth("GET", "/reports", token)
    assert (ended.status, ended.allowed, ended.acting_as, ended.decision) == (401, False, None, None)


def test_forward_auth_sends_the_original_request_and_only_the_token() -> None:
    seen: list[tuple[str, str, str | None, str | None, str | None]] = []

    def handle(request: BaseHTTPRequestHandler) -> None:
        h = request.headers
        seen.append((request.command, request.path, h["X-Original-Method"], h["X-Original-URI"], h["Authorization"]))
        status = 503 if h["X-Original-URI"] == "/down" else 200
        body = b'{"error": {"code": "unavailable", "message": "refuse"}}' if status == 503 else b""
        request.send_response(status)
        request.send_header("X-Standin-Acting-As", "u-42")
        if body:
            request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    with fake_server(handle) as url:
        client = Client(url, "acme", "stn_api_key", retries=0)
        assert client.forward_auth("GET", "/a?b=1", "tok").acting_as == "u-42"
        assert client.forward_auth_post("PUT", "/c").allowed
        with pytest.raises(ApiError) as down:
            client.forward_auth("GET", "/down", "tok")
        assert (down.value.status, down.value.code) == (503, "unavailable")
    assert seen == [
        ("GET", "/v1/forward-auth", "GET", "/a?b=1", "Bearer tok"),
        ("POST", "/v1/forward-auth", "PUT", "/c", None),
        ("GET", "/v1/forward-auth", "GET", "/down", "Bearer tok"),
    ]


def test_forward_auth_prefix_sends_the_original_request_line_and_only_the_token() -> None:
    # Envoy's form (the prebuilt test binary may predate it): a loopback server.
    seen: list[tuple[str, str, str | None, str | None]] = []

    def handle(request: BaseHTTPRequestHandler) -> None:
        seen.append((request.command, request.path, request.headers["X-Original-URI"], request.headers["Authorization"]))
        denied = request.command == "DELETE"
        body = b'{"decision": "deny", "reasons": [{"code": "no-route", "message": "none"}]}' if denied else b""
        request.send_response(403 if denied else 200)
        request.send_header("X-Standin-Acting-As", "u-42")
        if body:
            request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    with fake_server(handle) as url:
        client = Client(url, "acme", "stn_api_key", retries=0)
        assert client.forward_auth_prefix("get", "/reports/7?full=1", "tok").acting_as == "u-42"
        refused = client.forward_auth_prefix("DELETE", "/reports/7", "tok")
        assert (refused.status, refused.allowed) == (403, False)
        assert refused.decision is not None and refused.decision.reasons[0].code == "no-route"
        assert client.forward_auth_prefix("PATCH", "/c").allowed
        with pytest.raises(ValueError):
            client.forward_auth_prefix("GET", "reports")
    assert seen == [
        ("GET", "/v1/forward-auth/reports/7?full=1", None, "Bearer tok"),
        ("DELETE", "/v1/forward-auth/reports/7", None, "Bearer tok"),
        ("PATCH", "/v1/forward-auth/c", None, None),
    ]


def test_errors_carry_the_code_and_the_callers_request_id(standin: Standin) -> None:
    wrong = Client(standin.url, "acme", "stn_nope")
    with pytest.raises(ApiError) as error:
        wrong.get_session("s-1", options=CallOptions(request_id="py-req-1", traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
    assert (error.value.status, error.value.code, error.value.request_id) == (401, "unauthenticated", "py-req-1")


def test_get_is_retried_after_503_post_never() -> None:
    seen: list[str] = []
    unavailable = answer(503, json.dumps({"error": {"code": "unavailable", "message": "down"}}))

    def handle(request: BaseHTTPRequestHandler) -> None:
        seen.append(request.command)
        unavailable(request)

    with fake_server(handle) as url:
        client = Client(url, "acme", "k", retries=2)
        with pytest.raises(ApiError):
            client.get_session("s-1")
        assert seen.count("GET") == 3
        with pytest.raises(ApiError):
            client.authorize("s-1", "course.view")
        assert seen.count("POST") == 1


def test_down_slow_and_garbage_are_errors_never_decisions() -> None:
    with pytest.raises(UnreachableError) as down:
        Client(dead_url(), "acme", "k", retries=0).authorize("s-1", "course.view")
    assert down.value.kind == "network"
    stop = threading.Event()
    with fake_server(never_answer(stop)) as url:
        with pytest.raises(UnreachableError) as slow:
            Client(url, "acme", "k", timeout=0.3).authorize("s-1", "course.view")
        assert slow.value.kind == "timeout"
        stop.set()
    for body, kind in (('{"decision": "yes", "reasons": []}', "application/json"), ("<html>", "application/json"), ("allow", "text/html")):
        with fake_server(answer(200, body, kind)) as url:
            with pytest.raises(ProtocolError):
                Client(url, "acme", "k").authorize("s-1", "course.view")


@pytest.mark.anyio
async def test_the_async_client(standin: Standin) -> None:
    async with AsyncClient(standin.url, "acme", standin.keys["decide"]) as client:
        started = await client.start_session(start(person("py-async-admin", "admin"), person("py-async-user")))
        assert started.session is not None
        answer_ = await client.authorize(started.session.id, "billing.purchase")
        assert answer_.decision == "deny"
        assert (await client.end_session(started.session.id)).state == "ended"
    async with AsyncClient(standin.url, "acme", standin.keys["admin"]) as admin:
        added = await admin.add_webhook(dead_url() + "/hook")
        assert added.secret.startswith("whsec_")
        assert (await admin.get_webhook(added.id)).url == added.url
        assert (await admin.test_webhook(added.id)).delivered is False
        assert (await admin.remove_webhook(added.id)).id == added.id
        assert (await admin.ssf_configuration()).issuer.endswith("/acme")
        stream = await admin.create_ssf_stream(SsfStreamRequest(delivery=SsfStreamRequestDelivery(method=POLL)))
        assert not isinstance(got := await admin.get_ssf_streams(stream.stream_id), list) and got.stream_id == stream.stream_id
        assert (await admin.set_ssf_status(stream.stream_id, "paused")).status == "paused"
        assert (await admin.get_ssf_status(stream.stream_id)).status == "paused"
        assert (await admin.update_ssf_stream(SsfStreamRequest(stream_id=stream.stream_id, events_requested=[]))).stream_id == stream.stream_id
        assert (await admin.replace_ssf_stream(SsfStreamRequest(stream_id=stream.stream_id))).stream_id == stream.stream_id
        await admin.verify_ssf_stream(stream.stream_id)
        assert len((await admin.poll_ssf_stream(stream.stream_id, return_immediately=True)).sets) == 1
        await admin.delete_ssf_stream(stream.stream_id)
        rule = RouteTableSetRoutesItem(method="GET", path="/**", action="course.view")
        assert (await admin.set_routes(routes=[rule])).routes[0].action == "course.view"
        assert [r.path for r in (await admin.get_routes()).routes] == ["/**"]
        with pytest.raises(ApiError) as bad:
            await admin.set_routes(text="GET /** -> course.view", routes=[rule])
        assert bad.value.status == 400
    async with AsyncClient(standin.url, "acme", standin.keys["decide"]) as client:
        started = await client.start_session(start(person("py-async-admin", "admin"), person("py-async-edge")))
        assert started.session is not None and started.session.token is not None
        allowed = await client.forward_auth("GET", "/reports", started.session.token)
        assert (allowed.allowed, allowed.acting_as, allowed.session) == (True, "py-async-edge", started.session.id)
        no_route = await client.forward_auth_post("POST", "/billing/charge", started.session.token)
        assert no_route.status == 403 and no_route.decision is not None and no_route.decision.reasons[0].code == "no-route"
        assert (await client.forward_auth("GET", "/reports")).acting_as is None
        await client.end_session(started.session.id)
    async with AsyncClient(dead_url(), "acme", "k", retries=0) as down:
        with pytest.raises(UnreachableError):
            await down.authorize("s-1", "course.view")


def jwt_parts(token: str) -> tuple[dict[str, object], dict[str, object], bytes, bytes]:
    def b64(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    head, body, signature = token.split(".")
    return json.loads(b64(head)), json.loads(b64(body)), f"{head}.{body}".encode(), b64(signature)
