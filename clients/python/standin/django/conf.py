"""The ``STANDIN`` setting, read once per call so that tests can override it.

    STANDIN = {
        "URL": "http://127.0.0.1:8080",      # where Django reaches Standin
        "PUBLIC_URL": None,                  # where browsers do (banner.js); default URL
        "TENANT": "acme",
        "API_KEY": "stn_...",                # a `decide` key of the tenant
        "PRINCIPAL": "myapp.standin.principal",  # user -> standin.Principal
        "ACTIONS": {"billing-purchase": "billing.purchase"},  # URL name or view path -> action
        "DEFAULT_ACTION": "view.{url_name}", # for views not in ACTIONS
        "EXEMPT": ["hijack:release"],        # URL names never asked (release must work)
        "RETURN_TO": "/",                    # where the banner's Stop goes
        "TTL_SECONDS": None,
        "TIMEOUT": 2.0,                      # seconds; past it, fail closed
    }
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .. import Client, Principal


def default_principal(user: Any) -> Principal:
    """The facts Django itself knows: superusers are `super_admin`, groups are roles."""
    roles = ["super_admin"] if user.is_superuser else []
    roles += sorted(group.name for group in user.groups.all())
    return Principal(
        id=str(user.pk),
        roles=roles,
        active=bool(user.is_active),
        has_logged_in=user.last_login is not None,
    )


@dataclass(frozen=True)
class StandinSettings:
    url: str
    tenant: str
    api_key: str
    public_url: str
    principal: Callable[[Any], Principal]
    actions: dict[str, str] = field(default_factory=dict)
    default_action: str = "view.{url_name}"
    exempt: tuple[str, ...] = ("hijack:release",)
    return_to: str = "/"
    ttl_seconds: int | None = None
    timeout: float = 2.0

    def client(self) -> Client:
        """One pooled client per (URL, tenant, key, timeout); never retries (fail fast, fail closed)."""
        key = (self.url, self.tenant, self.api_key, self.timeout)
        if key not in _CLIENTS:
            _CLIENTS[key] = Client(self.url, self.tenant, self.api_key, timeout=self.timeout, retries=0)
        return _CLIENTS[key]


_CLIENTS: dict[tuple[str, str, str, float], Client] = {}


def load() -> StandinSettings:
    raw: dict[str, Any] = dict(getattr(settings, "STANDIN", {}))
    principal = raw.get("PRINCIPAL", default_principal)
    if isinstance(principal, str):
        principal = import_string(principal)
    url = str(raw["URL"]).rstrip("/")
    return StandinSettings(
        url=url,
        tenant=str(raw["TENANT"]),
        api_key=str(raw["API_KEY"]),
        public_url=str(raw.get("PUBLIC_URL") or url).rstrip("/"),
        principal=principal,
        actions=dict(raw.get("ACTIONS", {})),
        default_action=str(raw.get("DEFAULT_ACTION", "view.{url_name}")),
        exempt=tuple(raw.get("EXEMPT", ("hijack:release",))),
        return_to=str(raw.get("RETURN_TO", "/")),
        ttl_seconds=raw.get("TTL_SECONDS"),
        timeout=float(raw.get("TIMEOUT", 2.0)),
    )
