//! The scope a start is granted (SC1): what it asked for, within what the
//! tenant lets any session do (`grantable_actions`), narrowed or refused
//! as `scope_beyond_grantable` says, never widened. The host holds the
//! session to it (SC2) whatever a policy answers later.

use crate::settings::{Beyond, Settings};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use standin_policy_sdk::{Pattern, Reasons, Scope, StartRequest, message};

/// The scope to grant `req`, or its reasons in `reasons`; `None` when the
/// start asked for none (and needs none).
pub fn grant(s: &Settings, req: &StartRequest<'_>, reasons: &mut Reasons) -> Option<Scope> {
    let Some(asked) = req.scope else {
        if s.require_scope {
            reasons.push(
                "scope-required",
                "SC1",
                "the start must ask for a scope: the actions the job needs",
            );
        }
        return None;
    };
    let mut actions: Vec<String> = Vec::new();
    let mut beyond: Vec<&str> = Vec::new();
    for wanted in asked.actions.iter() {
        let Ok(pattern) = Pattern::new(wanted) else {
            beyond.push(wanted);
            continue;
        };
        if s.grantable_actions.iter().any(|g| g.covers(&pattern)) {
            actions.push(wanted.to_string());
            continue;
        }
        beyond.push(wanted);
        // Narrowing: what is grantable inside what was asked.
        for inside in s.grantable_actions.iter().filter(|g| pattern.covers(g)) {
            if !actions.iter().any(|a| a == inside.as_str()) {
                actions.push(inside.as_str().to_string());
            }
        }
    }
    let refuse = !beyond.is_empty() && (s.scope_beyond_grantable == Beyond::Refuse || actions.is_empty());
    if refuse {
        let mut listed = String::new();
        for (i, b) in beyond.iter().enumerate() {
            if i > 0 {
                listed.push_str(", ");
            }
            listed.push('`');
            listed.push_str(b);
            listed.push('`');
        }
        reasons.push(
            "scope-not-grantable",
            "SC1",
            message!(
                "the scope asks for ",
                listed.as_str(),
                ", beyond what this tenant grants"
            ),
        );
        return None;
    }
    Some(Scope {
        actions,
        resources: asked.resources.iter().map(ToString::to_string).collect(),
    })
}
