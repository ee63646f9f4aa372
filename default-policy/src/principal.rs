//! What the rules ask of one principal, shared by the start, approval and
//! action rules: its level, whether it holds a role, whether it belongs to
//! the request's tenant. A file of its own so that no rule file imports
//! another for a helper.

use crate::settings::Settings;
use alloc::string::String;
use standin_policy_sdk::message;
use standin_policy_sdk::{Principal, Reasons};

/// Does `principal` hold any of `roles`?
#[inline]
pub fn has_any_role(principal: &Principal<'_>, roles: &[String]) -> bool {
    principal.roles.iter().any(|r| roles.iter().any(|x| x == r))
}

/// A principal's level: its highest `role_levels` entry (unknown role: 0).
#[inline]
pub fn level(settings: &Settings, principal: &Principal<'_>) -> u32 {
    principal
        .roles
        .iter()
        .filter_map(|r| {
            settings
                .role_levels
                .iter()
                .find(|(role, _)| role == r)
                .map(|&(_, level)| level)
        })
        .max()
        .unwrap_or(0)
}

/// E8: both sides of an impersonation belong to the request's tenant.
pub fn cross_tenant(reasons: &mut Reasons, tenant: &str, actor: &Principal<'_>, target: &Principal<'_>) {
    for (who, p) in [("actor", actor), ("target", target)] {
        if p.tenant != tenant {
            let message = message!(
                who,
                " `",
                p.id,
                "` belongs to tenant `",
                p.tenant,
                "`, not `",
                tenant,
                "`"
            );
            reasons.push("cross-tenant", "E8", message);
        }
    }
}
