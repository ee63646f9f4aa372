"""May this actor start impersonating this target? (E1-E10, S1;
default-policy/src/start.rs)

Every rule is checked, whatever failed before it, so a refusal names all
of its reasons (E9).
"""

from __future__ import annotations

from approval import approvers
from principal import cross_tenant, has_any_role, level
from scope import grant
from settings import Settings, is_blank
from standin_policy import Allow, Grant, Pending, Reasons, StartDecision, StartRequest


def join(items: list[str]) -> str:
    """`a`, `b`: each item in backticks."""
    return ", ".join(f"`{item}`" for item in items)


def missing(required: list[str], held: list[str]) -> list[str]:
    """The items of ``required`` that ``held`` lacks."""
    return [r for r in required if r not in held]


def evaluate(s: Settings, req: StartRequest) -> StartDecision:
    actor, target = req.actor, req.target
    reasons = Reasons()
    obligations = []

    # E8: not yourself, not across tenants.
    if actor.id == target.id:
        reasons.push("self-impersonation", "E8", f"`{actor.id}` cannot impersonate themselves")
    cross_tenant(reasons, req.tenant, actor, target)

    # E1: the impersonation role or permission.
    permission = s.impersonate_permission
    if not (has_any_role(actor, s.impersonator_roles) or (permission is not None and permission in actor.permissions)):
        needs = join(s.impersonator_roles)
        if permission is not None:
            needs += f"{' or ' if needs else ''}permission `{permission}`"
        reasons.push("not-permitted", "E1", f"`{actor.id}` holds none of {needs}")

    # E2: active targets only.
    if s.require_active and not target.active:
        reasons.push("target-inactive", "E2", f"`{target.id}` is not an active user")

    # E3: logged in once and consented (a permitted role may accept on the target's behalf).
    if s.require_logged_in and not target.has_logged_in:
        reasons.push("target-never-logged-in", "E3", f"`{target.id}` has never logged in")
    lacking = missing(s.required_consents, target.consents)
    if lacking:
        listed = join(lacking)
        if req.consent_on_behalf and has_any_role(actor, s.consent_on_behalf_roles):
            obligations.append("revert-consent")
        elif req.consent_on_behalf:
            reasons.push(
                "target-consent-missing",
                "E3",
                f"`{target.id}` has not accepted {listed}, and `{actor.id}` may not accept on their behalf",
            )
        else:
            reasons.push("target-consent-missing", "E3", f"`{target.id}` has not accepted {listed}")

    # E4: never the same or a higher level.
    if s.role_levels:
        a, t = level(s, actor), level(s, target)
        if t >= a:
            reasons.push(
                "target-level-not-lower", "E4", f"`{target.id}` is at level {t}, not below `{actor.id}` at level {a}"
            )

    # E5: scoped roles reach only what they manage; domains when required.
    if has_any_role(actor, s.scoped_roles):
        manages = actor.manages
        if target.id not in manages and not any(g in manages for g in target.groups):
            reasons.push(
                "target-out-of-scope",
                "E5",
                f"`{target.id}` is neither managed by `{actor.id}` nor in a group they manage",
            )
    # Per-role domains: with `domain_scoped_roles`, only those roles pick one.
    if s.require_domain and (not s.domain_scoped_roles or has_any_role(actor, s.domain_scoped_roles)):
        d = req.domain
        if not d:
            reasons.push("domain-required", "E5", "the request must name a domain")
        elif not (d in actor.domains and d in target.domains):
            reasons.push("domain-not-shared", "E5", f"domain `{d}` is not held by both `{actor.id}` and `{target.id}`")

    # E6: never a target with access the actor lacks.
    if s.forbid_wider_access:
        wider = missing(target.permissions, actor.permissions)
        if wider:
            reasons.push("target-has-wider-access", "E6", f"`{target.id}` holds {join(wider)} which `{actor.id}` lacks")

    # E7: no impersonation from inside one.
    current = req.actor_session
    if current is not None and not s.allow_nested:
        reasons.push(
            "nested-impersonation",
            "E7",
            f"`{actor.id}` is already impersonating `{current.target}` in session `{current.id}`",
        )

    # SC1: the scope asked for, within what the tenant grants.
    scope = grant(s, req, reasons)

    # E10: say why, when the tenant asks for it.
    if s.require_reason and (req.reason is None or is_blank(req.reason)):
        reasons.push("reason-required", "E10", "a reason (e.g. a ticket id) is required")
    elif s.reason_pattern is not None and req.reason is not None and not s.reason_pattern.matches(req.reason):
        reasons.push("reason-pattern-mismatch", "E10", f"the reason must match `{s.reason_pattern.text}` (a ticket id)")

    denied = reasons.deny()
    if denied is not None:
        return denied
    # S1: requested or default, never past the maximum.
    ttl = req.ttl_seconds if req.ttl_seconds else s.default_ttl_seconds
    # DT1: the start too (the platform's "log in as" must not count as the target's login).
    if s.do_not_track:
        obligations.append("do-not-track")
    granted = Grant(
        ttl_seconds=min(ttl, s.max_ttl_seconds),
        max_ttl_seconds=s.max_ttl_seconds,
        notify_target=s.notify_target,
        # ST1: without a scope, a strict tenant's session only reads.
        read_only=s.read_only or (s.read_only_unless_scoped and req.scope is None),
        obligations=obligations,
        scope=scope,
        idle_timeout_seconds=s.idle_timeout_seconds,
    )
    who = approvers(s, req)
    return Allow(granted) if who is None else Pending(granted, who)
