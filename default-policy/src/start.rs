//! May this actor start impersonating this target? (E1-E10, S1)
//!
//! Every rule is checked, whatever failed before it, so a refusal names all
//! of its reasons (E9).

use crate::principal::{has_any_role, level};
use crate::settings::Settings;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use standin_policy_sdk::message;
use standin_policy_sdk::{Grant, Reasons, StartDecision, StartRequest, Strs};

fn join(items: impl Iterator<Item = impl AsRef<str>>) -> String {
    let mut out = String::new();
    for item in items {
        if !out.is_empty() {
            out.push_str(", ");
        }
        out.push('`');
        out.push_str(item.as_ref());
        out.push('`');
    }
    out
}

fn missing<'a>(required: impl Iterator<Item = &'a str> + 'a, held: Strs<'a>) -> impl Iterator<Item = &'a str> + 'a {
    required.filter(move |r| !held.contains(r))
}

pub fn evaluate(s: &Settings, req: &StartRequest<'_>) -> StartDecision {
    let (actor, target) = (&req.actor, &req.target);
    let mut reasons = Reasons::new();
    let mut obligations = Vec::new();

    // E8: not yourself, not across tenants.
    if actor.id == target.id {
        reasons.push(
            "self-impersonation",
            "E8",
            message!("`", actor.id, "` cannot impersonate themselves"),
        );
    }
    crate::principal::cross_tenant(&mut reasons, req.tenant, actor, target);

    // E1: the impersonation role or permission.
    let permitted = has_any_role(actor, &s.impersonator_roles)
        || s.impersonate_permission
            .as_deref()
            .is_some_and(|p| actor.permissions.contains(p));
    if !permitted {
        let mut needs = join(s.impersonator_roles.iter());
        if let Some(p) = &s.impersonate_permission {
            if !needs.is_empty() {
                needs.push_str(" or ");
            }
            needs.push_str("permission `");
            needs.push_str(p);
            needs.push('`');
        }
        reasons.push(
            "not-permitted",
            "E1",
            message!("`", actor.id, "` holds none of ", needs),
        );
    }

    // E2: active targets only.
    if s.require_active && !target.active {
        reasons.push(
            "target-inactive",
            "E2",
            message!("`", target.id, "` is not an active user"),
        );
    }

    // E3: logged in once and consented (a permitted role may accept on the target's behalf).
    if s.require_logged_in && !target.has_logged_in {
        reasons.push(
            "target-never-logged-in",
            "E3",
            message!("`", target.id, "` has never logged in"),
        );
    }
    let mut lacking = missing(s.required_consents.iter().map(String::as_str), target.consents).peekable();
    if lacking.peek().is_some() {
        let lacking = join(lacking);
        let may_accept = has_any_role(actor, &s.consent_on_behalf_roles);
        if req.consent_on_behalf && may_accept {
            obligations.push("revert-consent".to_string());
        } else if req.consent_on_behalf {
            reasons.push(
                "target-consent-missing",
                "E3",
                message!(
                    "`",
                    target.id,
                    "` has not accepted ",
                    lacking,
                    ", and `",
                    actor.id,
                    "` may not accept on their behalf"
                ),
            );
        } else {
            reasons.push(
                "target-consent-missing",
                "E3",
                message!("`", target.id, "` has not accepted ", lacking),
            );
        }
    }

    // E4: never the same or a higher level.
    if !s.role_levels.is_empty() {
        let (a, t) = (level(s, actor), level(s, target));
        if t >= a {
            reasons.push(
                "target-level-not-lower",
                "E4",
                message!(
                    "`",
                    target.id,
                    "` is at level ",
                    t,
                    ", not below `",
                    actor.id,
                    "` at level ",
                    a
                ),
            );
        }
    }

    // E5: scoped roles reach only what they manage; domains when required.
    if has_any_role(actor, &s.scoped_roles) {
        let in_scope = actor.manages.contains(target.id) || target.groups.intersects(&actor.manages);
        if !in_scope {
            reasons.push(
                "target-out-of-scope",
                "E5",
                message!(
                    "`",
                    target.id,
                    "` is neither managed by `",
                    actor.id,
                    "` nor in a group they manage"
                ),
            );
        }
    }
    // Per-role domains: with `domain_scoped_roles`, only those roles pick one.
    let needs_domain =
        s.require_domain && (s.domain_scoped_roles.is_empty() || has_any_role(actor, &s.domain_scoped_roles));
    if needs_domain {
        match req.domain {
            None | Some("") => reasons.push("domain-required", "E5", "the request must name a domain"),
            Some(d) if !(actor.domains.contains(d) && target.domains.contains(d)) => reasons.push(
                "domain-not-shared",
                "E5",
                message!(
                    "domain `",
                    d,
                    "` is not held by both `",
                    actor.id,
                    "` and `",
                    target.id,
                    "`"
                ),
            ),
            Some(_) => {}
        }
    }

    // E6: never a target with access the actor lacks.
    if s.forbid_wider_access {
        let mut wider = missing(target.permissions.iter(), actor.permissions).peekable();
        if wider.peek().is_some() {
            reasons.push(
                "target-has-wider-access",
                "E6",
                message!("`", target.id, "` holds ", join(wider), " which `", actor.id, "` lacks"),
            );
        }
    }

    // E7: no impersonation from inside one.
    if let (Some(current), false) = (req.actor_session, s.allow_nested) {
        reasons.push(
            "nested-impersonation",
            "E7",
            message!(
                "`",
                actor.id,
                "` is already impersonating `",
                current.target,
                "` in session `",
                current.id,
                "`"
            ),
        );
    }

    // SC1: the scope asked for, within what the tenant grants.
    let scope = crate::scope::grant(s, req, &mut reasons);

    // E10: say why, when the tenant asks for it.
    if s.require_reason && req.reason.is_none_or(|r| r.trim().is_empty()) {
        reasons.push("reason-required", "E10", "a reason (e.g. a ticket id) is required");
    } else if let (Some(pattern), Some(reason)) = (&s.reason_pattern, req.reason)
        && !pattern.matches(reason)
    {
        reasons.push(
            "reason-pattern-mismatch",
            "E10",
            message!("the reason must match `", pattern.as_str(), "` (a ticket id)"),
        );
    }

    if let Err(reasons) = reasons.into_result() {
        return StartDecision::Deny(reasons);
    }
    // S1: requested or default, never past the maximum.
    let ttl = match req.ttl_seconds {
        Some(t) if t > 0 => t,
        _ => s.default_ttl_seconds,
    };
    // DT1: the start too (the platform's "log in as" must not count as the
    // target's login).
    if s.do_not_track {
        obligations.push("do-not-track".to_string());
    }
    let grant = Grant {
        ttl_seconds: ttl.min(s.max_ttl_seconds),
        max_ttl_seconds: s.max_ttl_seconds,
        notify_target: s.notify_target,
        // ST1: without a scope, a strict tenant's session only reads.
        read_only: s.read_only || (s.read_only_unless_scoped && req.scope.is_none()),
        obligations,
        scope,
        idle_timeout_seconds: s.idle_timeout_seconds,
    };
    match crate::approval::approvers(s, req) {
        Some(approvers) => StartDecision::Pending(grant, approvers),
        None => StartDecision::Allow(grant),
    }
}
