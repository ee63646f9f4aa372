"""The synchronous client: one tenant, one API key, every route of docs/openapi.json.

    from standin import Client, Principal, StartRequest

    client = Client("http://127.0.0.1:8080", tenant="acme", api_key="stn_...")
    started = client.start_session(StartRequest(tenant="acme", actor=..., target=...))
    answer = client.authorize(started.session.id, "billing.purchase")

A deny is a returned decision; every failure raises a `StandinError`
(`ApiError`, `UnreachableError`, `ProtocolError`), never an allow.
"""

from __future__ import annotations

import time
from typing import Any, Literal, TypeVar

import httpx

from . import _calls as _c
from . import models as m
from ._calls import Call, Exchanged, ForwardAuth, RequestedTokenType, SessionOrDenied, Started, TokenType
from ._transport import CallOptions, content, finish, headers, params, should_retry, unreachable

T = TypeVar("T")


class Client:
    """A tenant's client. `timeout` is per attempt (seconds); `retries` apply to GETs only."""

    def __init__(
        self,
        base_url: str,
        tenant: str,
        api_key: str | None = None,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        http: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tenant = tenant
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self._http = http or httpx.Client(timeout=timeout)
        self._own_http = http is None

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, call: Call[T], options: CallOptions | None) -> T:
        options = options or CallOptions()
        attempt = 0
        while True:
            response: httpx.Response | None = None
            try:
                response = self._http.request(
                    call.method,
                    self.base_url + call.path,
                    params=params(call),
                    content=content(call),
                    headers=headers(call, self.api_key, options),
                    timeout=options.timeout or self.timeout,
                )
            except httpx.TransportError as error:
                if not should_retry(call, None, attempt, self.retries):
                    raise unreachable(error, self.base_url) from error
            if response is not None and not should_retry(call, response, attempt, self.retries):
                result: T = finish(call, response)
                return result
            time.sleep(0.05 * 4**attempt)
            attempt += 1

    def healthz(self, *, options: CallOptions | None = None) -> m.Health:
        """The process answers (no key)."""
        return self._run(_c.healthz(), options)

    def readyz(self, *, options: CallOptions | None = None) -> m.Health:
        """The store answers (no key); 503 `unavailable` when not."""
        return self._run(_c.readyz(), options)

    def metrics(self, *, options: CallOptions | None = None) -> str:
        """Prometheus text (no key)."""
        return self._run(_c.metrics(), options)

    def openapi(self, *, options: CallOptions | None = None) -> dict[str, Any]:
        """The OpenAPI document the server serves."""
        return self._run(_c.openapi(), options)

    def settings_schema(self, *, options: CallOptions | None = None) -> dict[str, Any]:
        """The JSON Schema of the default policy's settings (no key)."""
        return self._run(_c.settings_schema(), options)

    def jwks(self, *, options: CallOptions | None = None) -> m.Jwks:
        """Public keys of impersonation tokens; 404 without `--token-key`."""
        return self._run(_c.jwks(), options)

    def authzen_configuration(self, *, options: CallOptions | None = None) -> m.AuthzenMetadata:
        """The tenant's AuthZEN metadata."""
        return self._run(_c.authzen_configuration(self.tenant), options)

    def check_start(self, request: m.StartRequest, *, options: CallOptions | None = None) -> m.Decision:
        """May the actor start impersonating the target? Stores nothing."""
        return self._run(_c.check_start(self.tenant, request), options)

    def check_action(self, request: m.ActionRequest, *, options: CallOptions | None = None) -> m.Decision:
        """May the actor do this in these session facts? Stores nothing."""
        return self._run(_c.check_action(self.tenant, request), options)

    def start_session(self, request: m.StartRequest, return_to: str | None = None, *, options: CallOptions | None = None) -> Started:
        """Starts a session (audited either way): started, pending, or denied with the reasons."""
        return self._run(_c.start_session(self.tenant, request, return_to), options)

    def get_tenant_settings_schema(self, *, options: CallOptions | None = None) -> dict[str, Any]:
        """The JSON Schema of the settings the tenant's active policy takes (a custom component's own, or the built-in policy's; 404 when it publishes none)."""
        return self._run(_c.get_tenant_settings_schema(self.tenant), options)

    def get_stats(self, from_: str | None = None, to: str | None = None, *, options: CallOptions | None = None) -> m.Stats:
        """The tenant's activity per day (`YYYY-MM-DD`, default the last 30 days), denials by code, top actors and targets, sessions now (audit)."""
        return self._run(_c.get_stats(self.tenant, from_, to), options)

    def list_sessions(self, active: bool | None = None, limit: int | None = None, after: str | None = None, *, options: CallOptions | None = None) -> m.SessionList:
        """The tenant's sessions, newest first."""
        return self._run(_c.list_sessions(self.tenant, active, limit, after), options)

    def get_session(self, session: str, *, options: CallOptions | None = None) -> m.Session:
        """One session."""
        return self._run(_c.get_session(self.tenant, session), options)

    def get_banner(self, session: str, token: str | None = None, *, options: CallOptions | None = None) -> m.Banner:
        """The banner facts; `token` (the session's) may stand in for the key."""
        return self._run(_c.get_banner(self.tenant, session, token), options)

    def end_session(self, session: str, token: str | None = None, *, options: CallOptions | None = None) -> m.Session:
        """Ends a session; `ApiError` 409 `session-ended` when it already has."""
        return self._run(_c.end_session(self.tenant, session, token), options)

    def extend_session(self, session: str, ttl_seconds: int, *, options: CallOptions | None = None) -> SessionOrDenied:
        """Asks for `ttl_seconds` from now."""
        return self._run(_c.extend_session(self.tenant, session, ttl_seconds), options)

    def revoke_session(self, session: str, reason: str, *, options: CallOptions | None = None) -> m.Session:
        """Ends someone's session and says why (admin)."""
        return self._run(_c.revoke_session(self.tenant, session, reason), options)

    def approve_session(self, session: str, approver: m.Principal, *, options: CallOptions | None = None) -> SessionOrDenied:
        """Approves a pending session."""
        return self._run(_c.approve_session(self.tenant, session, approver), options)

    def reject_session(self, session: str, approver: m.Principal, reason: str, *, options: CallOptions | None = None) -> SessionOrDenied:
        """Rejects a pending session."""
        return self._run(_c.reject_session(self.tenant, session, approver, reason), options)

    def revoke_actor(self, actor: str, reason: str, *, options: CallOptions | None = None) -> m.Revoked:
        """Ends every active session of `actor` (admin)."""
        return self._run(_c.revoke_actor(self.tenant, actor, reason), options)

    def authorize(self, session: str, action: str, resource: str | None = None, *, options: CallOptions | None = None) -> m.Authorization:
        """May the actor, in this session, do `action`? Audited; never retried."""
        return self._run(_c.authorize(self.tenant, session, action, resource), options)

    def authorize_batch(self, calls: list[m.AuthorizeBatchCallsItem], *, options: CallOptions | None = None) -> m.AuthorizeResults:
        """Many `authorize` calls, one answer each, in order."""
        return self._run(_c.authorize_batch(self.tenant, calls), options)

    def introspect_token(self, token: str, *, options: CallOptions | None = None) -> m.Introspection:
        """Whether an impersonation token is active, and for which session."""
        return self._run(_c.introspect_token(self.tenant, token), options)

    def update_principal(self, principal: m.Principal, *, options: CallOptions | None = None) -> m.Reevaluated:
        """Replaces a principal's facts; its active sessions are asked again (admin)."""
        return self._run(_c.update_principal(self.tenant, principal), options)

    def evaluation(self, request: m.AuthzenEvaluation, *, options: CallOptions | None = None) -> m.AuthzenDecision:
        """One AuthZEN evaluation."""
        return self._run(_c.evaluation(self.tenant, request), options)

    def evaluations(self, request: m.AuthzenEvaluations, *, options: CallOptions | None = None) -> m.AuthzenDecisions:
        """AuthZEN evaluations."""
        return self._run(_c.evaluations(self.tenant, request), options)

    def search(
        self, kind: str, request: m.AuthzenSearch, *, options: CallOptions | None = None
    ) -> m.AuthzenSearchResults:
        """AuthZEN search: `kind` is `subject`, `resource` or `action`."""
        return self._run(_c.search(self.tenant, kind, request), options)

    def access_request(
        self, request: m.AuthzenAccessRequest, *, options: CallOptions | None = None
    ) -> m.AuthzenTask:
        """AuthZEN Access Request profile: submits a requestable denial; its task."""
        return self._run(_c.access_request(self.tenant, request), options)

    def access_request_task(self, id: str, *, options: CallOptions | None = None) -> m.AuthzenTask:
        """AuthZEN Access Request profile: a submitted request's task."""
        return self._run(_c.access_request_task(self.tenant, id), options)

    def query_audit(self, *, options: CallOptions | None = None, **filters: str) -> list[m.AuditEvent]:
        """The audit trail, oldest first (`actor`, `target`, `event`, `session`, `since`, `until`, `view`)."""
        return self._run(_c.query_audit(self.tenant, filters), options)

    def export_audit_csv(self, *, options: CallOptions | None = None, **filters: str) -> str:
        """The audit trail as CSV."""
        return self._run(_c.export_audit_csv(self.tenant, filters), options)

    def verify_audit(self, *, options: CallOptions | None = None) -> m.Verification:
        """Checks the tenant's hash chain."""
        return self._run(_c.verify_audit(self.tenant), options)

    def list_outbox(self, all: bool | None = None, limit: int | None = None, after: int | None = None, *, options: CallOptions | None = None) -> m.OutboxList:
        """Messages not yet acknowledged (`all`: those too)."""
        return self._run(_c.list_outbox(self.tenant, all, limit, after), options)

    def claim_outbox(self, limit: int | None = None, lease_seconds: int | None = None, *, options: CallOptions | None = None) -> m.Claimed:
        """Messages held for this caller until `claimed_until` (admin)."""
        return self._run(_c.claim_outbox(self.tenant, limit, lease_seconds), options)

    def ack_outbox(self, ids: list[int], *, options: CallOptions | None = None) -> m.Acked:
        """Acknowledges delivered messages (admin)."""
        return self._run(_c.ack_outbox(self.tenant, ids), options)

    def get_notifications(self, *, options: CallOptions | None = None) -> m.Notifications:
        """The notification settings (admin)."""
        return self._run(_c.get_notifications(self.tenant), options)

    def set_notifications(self, patch: m.NotificationsPatch, *, options: CallOptions | None = None) -> m.Notifications:
        """Changes the given notification settings (admin)."""
        return self._run(_c.set_notifications(self.tenant, patch), options)

    def add_webhook(self, url: str, events: list[str] | None = None, description: str | None = None, *, options: CallOptions | None = None) -> m.WebhookWithSecret:
        """Adds an endpoint for the tenant's events (`events`: names, `session.*` families or `*`, the default); its `secret` is shown this once (admin)."""
        return self._run(_c.add_webhook(self.tenant, url, events, description), options)

    def list_webhooks(self, *, options: CallOptions | None = None) -> m.WebhookList:
        """The webhook endpoints, oldest first, with where each one's delivery stands (admin)."""
        return self._run(_c.list_webhooks(self.tenant), options)

    def get_webhook(self, webhook: str, *, options: CallOptions | None = None) -> m.Webhook:
        """One webhook endpoint (admin)."""
        return self._run(_c.get_webhook(self.tenant, webhook), options)

    def remove_webhook(self, webhook: str, *, options: CallOptions | None = None) -> m.Webhook:
        """Removes an endpoint and its delivery log (admin)."""
        return self._run(_c.remove_webhook(self.tenant, webhook), options)

    def rotate_webhook_secret(self, webhook: str, overlap_seconds: int | None = None, *, options: CallOptions | None = None) -> m.WebhookWithSecret:
        """A new secret (shown this once); the current one keeps signing for `overlap_seconds` (default 86400) (admin)."""
        return self._run(_c.rotate_webhook_secret(self.tenant, webhook, overlap_seconds), options)

    def test_webhook(self, webhook: str, *, options: CallOptions | None = None) -> m.WebhookTest:
        """Sends a signed `webhook.test` message now; says what the receiver answered (admin)."""
        return self._run(_c.test_webhook(self.tenant, webhook), options)

    def list_webhook_deliveries(self, webhook: str, status: Literal["delivered", "dead", "replaying"] | None = None, limit: int | None = None, *, options: CallOptions | None = None) -> m.WebhookDeliveries:
        """The endpoint's delivery log, newest first (admin)."""
        return self._run(_c.list_webhook_deliveries(self.tenant, webhook, status, limit), options)

    def replay_webhooks(self, webhook: str, *, options: CallOptions | None = None) -> m.WebhookReplay:
        """Delivers the endpoint's dead letters again, before new events (admin)."""
        return self._run(_c.replay_webhooks(self.tenant, webhook), options)

    def ssf_configuration(self, *, options: CallOptions | None = None) -> m.SsfConfiguration:
        """The tenant's SSF transmitter metadata (issuer `{base}/{tenant}`, no key); 404 without `--token-key`."""
        return self._run(_c.ssf_configuration(self.tenant), options)

    def create_ssf_stream(self, stream: m.SsfStreamRequest, *, options: CallOptions | None = None) -> m.SsfStream:
        """Creates an SSF stream: push (`urn:ietf:rfc:8935`, to `delivery.endpoint_url`) or poll (`urn:ietf:rfc:8936`); it receives CAEP session events from now on (admin)."""
        return self._run(_c.create_ssf_stream(self.tenant, stream), options)

    def get_ssf_streams(self, stream_id: str | None = None, *, options: CallOptions | None = None) -> m.SsfStream | list[m.SsfStream]:
        """One stream's configuration (`stream_id`), or a list of every stream of the tenant (admin)."""
        return self._run(_c.get_ssf_streams(self.tenant, stream_id), options)

    def update_ssf_stream(self, stream: m.SsfStreamRequest, *, options: CallOptions | None = None) -> m.SsfStream:
        """Changes the `events_requested`, `description`, `aud` or push `authorization_header` given of stream `stream.stream_id` (admin)."""
        return self._run(_c.update_ssf_stream(self.tenant, stream), options)

    def replace_ssf_stream(self, stream: m.SsfStreamRequest, *, options: CallOptions | None = None) -> m.SsfStream:
        """Replaces the `events_requested`, `description` and push `authorization_header` of stream `stream.stream_id` (admin)."""
        return self._run(_c.replace_ssf_stream(self.tenant, stream), options)

    def delete_ssf_stream(self, stream_id: str, *, options: CallOptions | None = None) -> None:
        """Deletes a stream (admin)."""
        return self._run(_c.delete_ssf_stream(self.tenant, stream_id), options)

    def get_ssf_status(self, stream_id: str, *, options: CallOptions | None = None) -> m.SsfStatus:
        """A stream's status: `enabled`, `paused` (events held) or `disabled` (events dropped) (admin)."""
        return self._run(_c.get_ssf_status(self.tenant, stream_id), options)

    def set_ssf_status(self, stream_id: str, status: Literal["enabled", "paused", "disabled"], reason: str | None = None, *, options: CallOptions | None = None) -> m.SsfStatus:
        """Enables, pauses or disables a stream (admin)."""
        return self._run(_c.set_ssf_status(self.tenant, stream_id, status, reason), options)

    def verify_ssf_stream(self, stream_id: str, state: str | None = None, *, options: CallOptions | None = None) -> None:
        """Sends the stream a verification SET carrying `state`: pushed now, or in its next poll (admin)."""
        return self._run(_c.verify_ssf_stream(self.tenant, stream_id, state), options)

    def poll_ssf_stream(self, stream_id: str, max_events: int | None = None, return_immediately: bool | None = None, ack: list[str] | None = None, set_errs: dict[str, Any] | None = None, *, options: CallOptions | None = None) -> m.SsfPollAnswer:
        """RFC 8936: acknowledges `ack` (and every SET before them), then takes the next SETs by `jti`, waiting up to 5 s for one unless `return_immediately` (audit; a longer wait needs a `timeout` over 5 s)."""
        return self._run(_c.poll_ssf_stream(self.tenant, stream_id, max_events, return_immediately, ack, set_errs), options)

    def forward_auth(self, method: str, uri: str, token: str | None = None, *, options: CallOptions | None = None) -> ForwardAuth:
        """The gateway's question (GET; no API key): may the request `method uri` pass with the impersonation `token`? 401 and 403 are returned refusals, never raised; 503 raises."""
        return self._run(_c.forward_auth(method, uri, token), options)

    def forward_auth_post(self, method: str, uri: str, token: str | None = None, *, options: CallOptions | None = None) -> ForwardAuth:
        """`forward_auth`, asked with POST (gateways that forward the method), never retried."""
        return self._run(_c.forward_auth_post(method, uri, token), options)

    def forward_auth_prefix(self, method: str, uri: str, token: str | None = None, *, options: CallOptions | None = None) -> ForwardAuth:
        """`forward_auth` in Envoy's form (ext_authz `path_prefix`): asked with the original `method` on `/v1/forward-auth` + `uri` (path and query), no forwarded headers; retried only as a GET."""
        return self._run(_c.forward_auth_prefix(method, uri, token), options)

    def get_routes(self, *, options: CallOptions | None = None) -> m.RouteTable:
        """The route table that names each request's action for forward-auth, in order (empty when none is set) (admin)."""
        return self._run(_c.get_routes(self.tenant), options)

    def set_routes(self, routes: list[m.RouteTableSetRoutesItem] | None = None, text: str | None = None, tokenless: Literal["pass", "deny"] | None = None, *, options: CallOptions | None = None) -> m.RouteTable:
        """Replaces the route table: `routes`, or `text` (one `METHOD PATTERN -> ACTION` a line; first match wins); `ApiError` 400 names a bad line; `tokenless="deny"` refuses requests without an impersonation token from a gateway naming this tenant (admin)."""
        return self._run(_c.set_routes(self.tenant, routes, text, tokenless), options)

    def exchange_token(
        self,
        subject_token: str,
        actor_token: str,
        reason: str | None = None,
        *,
        ttl_seconds: int | None = None,
        domain: str | None = None,
        session_id: str | None = None,
        audience: str | None = None,
        requested_token_type: RequestedTokenType | None = None,
        subject_token_type: TokenType = _c.JWT_TOKEN_TYPE,
        actor_token_type: TokenType = _c.JWT_TOKEN_TYPE,
        options: CallOptions | None = None,
    ) -> Exchanged:
        """RFC 8693 token exchange (form body; the key needs `decide`): the target's JWT (`subject_token`) and the admin's (`actor_token`), of issuers the tenant trusts, for an impersonation token when the policy allows the start (audited). Issued, pending (ask again with `session_id`) or denied with the reasons, returned; any other OAuth error (`invalid_request`: a token not accepted) raises `TokenExchangeError`. Never retried."""
        call = _c.exchange_token(
            self.tenant, subject_token, actor_token, reason, ttl_seconds, domain, session_id, audience, requested_token_type, subject_token_type, actor_token_type
        )
        return self._run(call, options)

    def get_token_issuers(self, *, options: CallOptions | None = None) -> m.TokenIssuers:
        """The identity providers whose tokens the token exchange takes (admin)."""
        return self._run(_c.get_token_issuers(self.tenant), options)

    def set_token_issuers(self, issuers: list[m.TokenIssuersIssuersItem], *, options: CallOptions | None = None) -> m.TokenIssuers:
        """Replaces the trusted issuers, each with its JWKS (public keys only) and optional claim map; `ApiError` 400 names a bad one (admin)."""
        return self._run(_c.set_token_issuers(self.tenant, issuers), options)

    def upload_policy(self, upload: m.Upload, *, options: CallOptions | None = None) -> m.PolicyVersion:
        """Uploads a policy version; `UploadRefusedError` names the failed step."""
        return self._run(_c.upload_policy(self.tenant, upload), options)

    def list_policies(self, *, options: CallOptions | None = None) -> m.PolicyVersions:
        """The tenant's policy versions."""
        return self._run(_c.list_policies(self.tenant), options)

    def get_policy(self, version: int, *, options: CallOptions | None = None) -> m.PolicyVersion:
        """One policy version."""
        return self._run(_c.get_policy(self.tenant, version), options)

    def activate_policy(self, version: int, *, options: CallOptions | None = None) -> m.PolicyVersion:
        """Makes a stored version active."""
        return self._run(_c.activate_policy(self.tenant, version), options)

    def rollback_policy(self, *, options: CallOptions | None = None) -> m.PolicyVersion:
        """Undoes the last activation."""
        return self._run(_c.rollback_policy(self.tenant), options)

    def diff_policy(self, version: int, since: str | None = None, *, options: CallOptions | None = None) -> dict[str, Any]:
        """Replays recorded decisions against `version`."""
        return self._run(_c.diff_policy(self.tenant, version, since), options)
