"""Django 5.2 with django-hijack 3.7 and Standin's integration, against a real `standin serve`.

Django's test client drives the whole middleware stack (sessions, CSRF,
auth, django-hijack's middleware, Standin's) and django-hijack's real
acquire and release views.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.contrib.auth.models import Group, User
from django.test import Client as Browser
from django.utils import timezone
from hijack.templatetags.hijack import can_hijack

from standin import Client, Principal, StartRequest

from .django_app import views
from .standin_server import SETTINGS, Standin, answer, dead_url, fake_server, never_answer, start_standin
from .test_client import jwt_parts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def wired(standin: Standin, settings: Any) -> Iterator[None]:
    settings.STANDIN = {**settings.STANDIN, "URL": standin.url, "API_KEY": standin.keys["decide"]}
    views.RUNS.clear()
    yield


def user(name: str, *roles: str) -> User:
    account = User.objects.create_user(name, password=None, last_login=timezone.now())
    for role in roles:
        account.groups.add(Group.objects.get_or_create(name=role)[0])
    return account


def logged_in(account: User) -> Browser:
    browser = Browser()
    browser.force_login(account)
    return browser


def hijack(browser: Browser, target: User, reason: str = "ticket SUP-9") -> Any:
    return browser.post("/hijack/acquire/", {"user_pk": target.pk, "reason": reason, "return_to": "/page/"})


def levels(browser: Browser) -> list[dict[str, Any]]:
    return list(browser.session.get("standin_sessions", []))


def api(standin: Standin, scope: str = "decide") -> Client:
    return Client(standin.url, "acme", standin.keys[scope])


def test_an_admin_hijacks_a_user_and_a_standin_session_starts(standin: Standin) -> None:
    browser = logged_in(user("dj-admin", "admin"))
    target = user("dj-user")
    response = hijack(browser, target)
    assert response.status_code == 302
    assert browser.get("/page/").content.count(b"dj-user") >= 1
    [level] = levels(browser)
    session = api(standin).get_session(level["session"])
    assert (session.state, session.actor, session.target) == ("active", "dj-admin", "dj-user")
    assert (session.reason, session.return_to) == ("ticket SUP-9", "/page/")


def test_a_support_agent_cannot_hijack_a_super_admin_and_sees_why(standin: Standin) -> None:
    agent = user("dj-support", "support")
    browser = logged_in(agent)
    response = hijack(browser, user("dj-root", "super_admin"))
    assert response.status_code == 403
    assert b"target-level-not-lower" in response.content
    assert not browser.session.get("hijack_history")
    assert levels(browser) == []
    assert b"dj-support" in browser.get("/page/").content
    assert not [s for s in api(standin).list_sessions().sessions or [] if s.actor == "dj-support"]
    # Refused by the permission check, which stores nothing: no start was even tried.
    assert api(standin, "audit").query_audit(actor="dj-support") == []


def test_django_hijacks_can_hijack_filter_asks_standin() -> None:
    admin, agent = user("dj-admin-f", "admin"), user("dj-support-f", "support")
    plain, root = user("dj-user-f"), user("dj-root-f", "super_admin")
    assert can_hijack(admin, plain) is True
    assert can_hijack(agent, root) is False


def test_a_forbidden_view_while_hijacked_is_403_and_in_the_audit_trail(standin: Standin) -> None:
    browser = logged_in(user("dj-admin2", "admin"))
    hijack(browser, user("dj-user2"))
    response = browser.post("/billing/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    body = json.loads(response.content)
    assert body["error"]["reasons"][0]["code"] == "forbidden-action"
    assert "billing" not in views.RUNS
    trail = api(standin, "audit").query_audit(session=levels(browser)[0]["session"])
    assert [(e.event, e.action) for e in trail if e.event == "action.denied"] == [("action.denied", "billing.purchase")]


def test_an_allowed_view_gets_the_obligations() -> None:
    browser = logged_in(user("dj-admin3", "admin"))
    hijack(browser, user("dj-user3"))
    response = browser.get("/report/")
    assert response.status_code == 200
    assert json.loads(response.content) == {"obligations": ["deliver-to-target"], "do_not_track": False}


def test_dt1_a_do_not_track_tenant_s_hijack_leaves_the_target_s_login_history_alone(settings: Any) -> None:
    server = start_standin(settings={**SETTINGS, "do_not_track": True})
    try:
        settings.STANDIN = {**settings.STANDIN, "URL": server.url, "API_KEY": server.keys["decide"]}
        browser = logged_in(user("dj-admin-dnt", "admin"))
        target = user("dj-user-dnt")
        seen = target.last_login
        assert hijack(browser, target).status_code == 302
        response = browser.get("/report/")
        assert response.status_code == 200
        body = json.loads(response.content)
        assert body["do_not_track"] is True and "do-not-track" in body["obligations"]
        assert User.objects.get(pk=target.pk).last_login == seen, "the hijack is not the target's login"
    finally:
        server.stop()


def test_releasing_ends_the_standin_session(standin: Standin) -> None:
    browser = logged_in(user("dj-admin4", "admin"))
    hijack(browser, user("dj-user4"))
    [level] = levels(browser)
    assert browser.post("/hijack/release/").status_code == 302
    session = api(standin).get_session(level["session"])
    assert (session.state, session.end_reason) == ("ended", "stopped")
    assert levels(browser) == []
    assert b"dj-admin4" in browser.get("/page/").content


def test_the_banner_renders_a_token_that_verifies_against_the_jwks(standin: Standin) -> None:
    browser = logged_in(user("dj-admin5", "admin"))
    hijack(browser, user("dj-user5"))
    [level] = levels(browser)
    page = browser.get("/page/").content.decode()
    assert f'session="{level["session"]}"' in page and 'tenant="acme"' in page
    assert f'src="{standin.url}/console/banner.js"' in page
    token = page.split('token="', 1)[1].split('"', 1)[0]
    header, claims, signed, signature = jwt_parts(token)
    [key] = [k for k in api(standin).jwks().keys if k.kid == header["kid"]]
    raw = __import__("base64").urlsafe_b64decode(key.x + "=" * (-len(key.x) % 4))
    Ed25519PublicKey.from_public_bytes(raw).verify(signature, signed)  # raises when it does not verify
    assert (claims["sid"], claims["sub"], claims["act"]) == (level["session"], "dj-user5", {"sub": "dj-admin5"})
    assert "standin-banner" not in logged_in(user("dj-plain")).get("/page/").content.decode()


def test_a_session_ended_elsewhere_releases_the_hijack(standin: Standin) -> None:
    browser = logged_in(user("dj-admin6", "admin"))
    hijack(browser, user("dj-user6"))
    [level] = levels(browser)
    api(standin).end_session(level["session"], token=level["token"])  # the banner's Stop
    response = browser.post("/billing/")
    assert response.status_code == 403 and b"session-ended" in response.content
    assert not browser.session.get("hijack_history")
    assert b"dj-admin6" in browser.get("/page/").content
    assert "billing" not in views.RUNS


def test_a_start_refused_after_the_check_undoes_the_hijack(standin: Standin) -> None:
    admin = user("dj-admin7", "admin")
    # The admin already impersonates someone elsewhere: the check (no store) allows,
    # the start (which knows the open session) refuses, nested-impersonation (E7).
    other = api(standin).start_session(StartRequest(
        tenant="acme", reason="elsewhere",
        actor=Principal(id="dj-admin7", roles=["admin"], active=True, has_logged_in=True),
        target=Principal(id="someone", active=True, has_logged_in=True),
    ))
    assert other.outcome == "started"
    browser = logged_in(admin)
    response = hijack(browser, user("dj-user7"))
    assert response.status_code == 403 and b"nested-impersonation" in response.content
    assert not browser.session.get("hijack_history")
    assert b"dj-admin7" in browser.get("/page/").content


@pytest.mark.parametrize("kind", ["down", "slow", "garbage"])
def test_standin_down_slow_or_garbage_fails_closed(kind: str, settings: Any) -> None:
    admin = user(f"dj-admin-{kind}", "admin")
    target = user(f"dj-user-{kind}")
    hijacked = logged_in(admin)
    assert hijack(hijacked, target).status_code == 302  # while Standin answers
    stop = threading.Event()
    handlers = {"slow": never_answer(stop), "garbage": answer(200, '{"decision": "allow"}')}
    with fake_server(handlers.get(kind, answer(200, "{}"))) as url:
        settings.STANDIN = {**settings.STANDIN, "URL": dead_url() if kind == "down" else url, "TIMEOUT": 0.3}
        for path in ("/page/", "/report/"):
            response = hijacked.get(path)
            assert response.status_code == 503, (kind, path)
            assert b"standin-unavailable" in response.content
        fresh = logged_in(user(f"dj-admin2-{kind}", "admin"))
        refused = hijack(fresh, user(f"dj-user2-{kind}"))
        assert refused.status_code in (403, 503) and b"standin-unavailable" in refused.content
        assert not fresh.session.get("hijack_history")
        stop.set()
    assert views.RUNS == []
