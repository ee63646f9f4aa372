"""The token exchange (RFC 8693) and the trusted issuers against a real `standin serve`.

The identity provider is made up here: an Ed25519 key whose public half
is the issuer's JWKS, and JWTs signed with it by hand (base64url parts).
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from standin import (
    ApiError,
    AsyncClient,
    Client,
    ProtocolError,
    TokenExchangeError,
    TokenIssuersIssuersItem,
)
from standin._calls import exchange_token
from standin._transport import CallOptions, content, headers

from .standin_server import Standin, answer, fake_server

ISSUER = "https://idp.example.test"
AUDIENCE = "standin-py"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Idp:
    """An identity provider: a key, its JWKS and the tokens it signs."""

    def __init__(self, issuer: str = ISSUER, kid: str = "k1") -> None:
        self.issuer, self.kid = issuer, kid
        self.key = Ed25519PrivateKey.generate()

    def jwks(self) -> dict[str, Any]:
        x = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": b64(x), "kid": self.kid, "alg": "EdDSA", "use": "sig"}]}

    def issuer_item(self) -> TokenIssuersIssuersItem:
        # Roles where Keycloak puts realm roles: the claim map says so.
        return TokenIssuersIssuersItem(issuer=self.issuer, audience=AUDIENCE, jwks=self.jwks(), claims={"roles": "/realm_access/roles"})

    def token(self, sub: str, *roles: str, **claims: Any) -> str:
        now = int(time.time())
        header = {"alg": "EdDSA", "kid": self.kid, "typ": "JWT"}
        body = {"iss": self.issuer, "aud": AUDIENCE, "sub": sub, "iat": now, "exp": now + 300, "realm_access": {"roles": list(roles)}, **claims}
        signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}"
        return f"{signing_input}.{b64(self.key.sign(signing_input.encode()))}"


@pytest.fixture(scope="module")
def idp(standin: Standin) -> Idp:
    provider = Idp()
    with Client(standin.url, "acme", standin.keys["admin"]) as admin:
        admin.set_token_issuers([provider.issuer_item()])
    return provider


def test_the_form_is_sent_form_encoded_with_none_left_out() -> None:
    call = exchange_token("acme", "sub.tok", "act.tok", reason="ticket 1&2", ttl_seconds=60)
    assert call.body is None and call.method == "POST" and call.path == "/v1/tenants/acme/oauth/token"
    assert headers(call, "stn_x", CallOptions())["Content-Type"] == "application/x-www-form-urlencoded"
    sent = content(call)
    assert sent is not None
    assert sent.decode() == (
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=sub.tok"
        "&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt&actor_token=act.tok"
        "&actor_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt&reason=ticket+1%262&ttl_seconds=60"
    )


def test_token_issuers_are_set_and_read_back(standin: Standin, idp: Idp) -> None:
    with Client(standin.url, "acme", standin.keys["admin"]) as admin:
        issuers = admin.get_token_issuers().issuers
        assert [(i.issuer, i.audience, i.claims) for i in issuers] == [(ISSUER, AUDIENCE, {"roles": "/realm_access/roles"})]
        assert issuers[0].jwks["keys"][0]["x"] == idp.jwks()["keys"][0]["x"]
        # A shared secret is refused, naming the issuer; nothing changes.
        oct_key = TokenIssuersIssuersItem(issuer="https://hs.test", audience=AUDIENCE, jwks={"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})
        with pytest.raises(ApiError) as refused:
            admin.set_token_issuers([idp.issuer_item(), oct_key])
        assert (refused.value.status, refused.value.code) == (400, "invalid-request")
        assert "issuer 2" in refused.value.message
        assert [i.issuer for i in admin.get_token_issuers().issuers] == [ISSUER]
    with Client(standin.url, "acme", standin.keys["decide"]) as client, pytest.raises(ApiError) as scope:
        client.get_token_issuers()
    assert scope.value.status == 403


def test_an_allowed_exchange_issues_an_impersonation_token(standin: Standin, idp: Idp) -> None:
    with Client(standin.url, "acme", standin.keys["decide"]) as client:
        exchanged = client.exchange_token(idp.token("py-x-user"), idp.token("py-x-admin", "super_admin"), reason="ticket SUP-7", ttl_seconds=600)
        assert exchanged.outcome == "issued" and exchanged.token is not None and exchanged.error is None
        token = exchanged.token
        assert (token.token_type, token.issued_token_type) == ("Bearer", "urn:ietf:params:oauth:token-type:access_token")
        assert 0 < token.expires_in <= 600 and exchanged.session_id == token.session_id and exchanged.reasons == []
        session = client.get_session(token.session_id)
        assert (session.actor, session.target, session.state) == ("py-x-admin", "py-x-user", "active")
        introspected = client.introspect_token(token.access_token)
        assert (introspected.active, introspected.sid, introspected.sub) == (True, token.session_id, "py-x-user")
        assert introspected.act is not None and introspected.act.sub == "py-x-admin"
        client.end_session(token.session_id, token=token.access_token)  # one session at a time (E7)
        as_jwt = client.exchange_token(
            idp.token("py-x-user2"), idp.token("py-x-admin", "super_admin"), "ticket SUP-8", requested_token_type="urn:ietf:params:oauth:token-type:jwt", audience="acme"
        )
        assert as_jwt.token is not None and as_jwt.token.issued_token_type == "urn:ietf:params:oauth:token-type:jwt"


def test_a_refused_exchange_is_denied_with_the_reasons(standin: Standin, idp: Idp) -> None:
    with Client(standin.url, "acme", standin.keys["decide"]) as client:
        denied = client.exchange_token(idp.token("py-x-user"), idp.token("py-x-nobody"), reason="ticket SUP-9")
        assert denied.outcome == "denied" and denied.token is None and denied.error is not None
        assert denied.error.error == "invalid_grant" and denied.error.error_description
        assert denied.reasons and "not-permitted" in [r.code for r in denied.reasons]
        assert denied.error.policy is not None


def test_oauth_errors_that_are_not_about_the_grant_raise(standin: Standin, idp: Idp) -> None:
    stranger = Idp("https://stranger.test")
    with Client(standin.url, "acme", standin.keys["decide"]) as client:
        with pytest.raises(TokenExchangeError) as untrusted:
            client.exchange_token(idp.token("py-x-user"), stranger.token("py-x-admin", "super_admin"), reason="r")
        error = untrusted.value
        assert (error.status, error.code, error.error) == (400, "invalid_request", "invalid_request")
        assert error.error_description is not None and "`actor_token`" in error.error_description and "not a trusted issuer" in error.error_description
        assert error.answer is not None and error.answer.error == "invalid_request"
        assert isinstance(error, ApiError)
        with pytest.raises(TokenExchangeError) as target:
            client.exchange_token(idp.token("py-x-user"), idp.token("py-x-admin", "super_admin"), audience="globex")
        assert target.value.error == "invalid_target"
        with pytest.raises(TokenExchangeError) as unknown:
            client.exchange_token(idp.token("py-x-user"), idp.token("py-x-admin", "super_admin"), session_id="s-0000000000000000")
        assert unknown.value.error == "invalid_request"
    # The key is checked first, in the house's error form.
    with Client(standin.url, "acme", "stn_not-a-key") as nobody, pytest.raises(ApiError) as unauthorized:
        nobody.exchange_token(idp.token("py-x-user"), idp.token("py-x-admin", "super_admin"))
    assert unauthorized.value.status == 401 and not isinstance(unauthorized.value, TokenExchangeError)


@pytest.mark.anyio
async def test_the_async_client_exchanges_too(standin: Standin, idp: Idp) -> None:
    async with AsyncClient(standin.url, "acme", standin.keys["admin"]) as admin:
        assert [i.issuer for i in (await admin.set_token_issuers([idp.issuer_item()])).issuers] == [ISSUER]
        assert [i.issuer for i in (await admin.get_token_issuers()).issuers] == [ISSUER]
    async with AsyncClient(standin.url, "acme", standin.keys["decide"]) as client:
        issued = await client.exchange_token(idp.token("py-a-user"), idp.token("py-a-admin", "super_admin"), reason="ticket SUP-10")
        assert issued.outcome == "issued" and issued.token is not None
        denied = await client.exchange_token(idp.token("py-a-user"), idp.token("py-a-nobody"), reason="ticket SUP-11")
        assert denied.outcome == "denied" and denied.reasons
        with pytest.raises(TokenExchangeError):
            await client.exchange_token("not-a-jwt", idp.token("py-a-admin", "super_admin"))


def test_a_pending_answer_carries_its_session_id_and_a_garbled_one_is_refused() -> None:
    pending = json.dumps({"error": "authorization_pending", "error_description": "wait", "session_id": "s-1", "interval": 5})
    with fake_server(answer(400, pending)) as url, Client(url, "acme", "stn_api_key") as client:
        exchanged = client.exchange_token("sub.tok", "act.tok", "ticket 1")
        assert (exchanged.outcome, exchanged.session_id, exchanged.reasons) == ("pending", "s-1", [])
        assert exchanged.error is not None and exchanged.error.interval == 5
    for garbage in ('{"error": "authorization_pending"}', '{"error": "made_up"}', '{"access_token": 1}'):
        with fake_server(answer(400, garbage)) as url, Client(url, "acme", "stn_api_key") as client, pytest.raises(ProtocolError):
            client.exchange_token("sub.tok", "act.tok")
