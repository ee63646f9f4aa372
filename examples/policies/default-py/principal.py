"""What the rules ask of one principal, shared by the start, approval and
action rules (default-policy/src/principal.rs): its level, whether it
holds a role, whether it belongs to the request's tenant. A module of its
own so that no rule module imports another for a helper.
"""

from __future__ import annotations

from settings import Settings
from standin_policy import Principal, Reasons


def has_any_role(principal: Principal, roles: list[str]) -> bool:
    """Does ``principal`` hold any of ``roles``?"""
    return any(role in roles for role in principal.roles)


def level(settings: Settings, principal: Principal) -> int:
    """A principal's level: its highest ``role_levels`` entry (unknown role: 0)."""
    return max((settings.role_levels.get(role, 0) for role in principal.roles), default=0)


def cross_tenant(reasons: Reasons, tenant: str, actor: Principal, target: Principal) -> None:
    """E8: both sides of an impersonation belong to the request's tenant."""
    for who, p in (("actor", actor), ("target", target)):
        if p.tenant != tenant:
            reasons.push("cross-tenant", "E8", f"{who} `{p.id}` belongs to tenant `{p.tenant}`, not `{tenant}`")
