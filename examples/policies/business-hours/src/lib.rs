//! An example of a tenant's own policy, written from scratch on the SDK.
//!
//! The tenant's rules, stranger than the built-in policy's settings allow:
//! - only holders of `users.impersonate` may start (E1), never on themselves
//!   or across tenants (E8);
//! - the reason must be a ticket id such as `SUP-1234` (E10, `reason-required`);
//! - only during the target's business hours, read from the target's
//!   attributes `business_hours` (`"09:00-17:00"`) and `utc_offset`
//!   (`"+02:00"`), Monday to Friday (`BH1`, `outside-business-hours`);
//! - never a target whose `vip` attribute is `"true"` (`VIP1`, `target-is-vip`);
//! - during a session, nothing that spends money or touches credentials (F1, F2).
//!
//! Build: `cargo build --target wasm32-wasip2 --release -p business-hours-policy`.
// `no_std` for the component (no WASI imports); `std` natively for tests.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use serde::Deserialize;
use standin_policy_sdk::{
    ActionDecision, ActionRequest, Grant, Pattern, Policy, Principal, Reasons, StartDecision, StartRequest,
};

/// The tenant's settings; every field has a default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Settings {
    /// Accepted ticket prefixes: a reason is a prefix followed by digits.
    ticket_prefixes: Vec<String>,
    /// Session length, in seconds.
    ttl_seconds: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            ticket_prefixes: vec!["SUP-".to_string(), "INC-".to_string()],
            ttl_seconds: 1800,
        }
    }
}

#[derive(Debug)]
pub struct BusinessHours {
    settings: Settings,
    forbidden: Vec<(Pattern, &'static str)>,
}

/// `"+02:00"` or `"-05:30"` as minutes east of UTC.
fn offset_minutes(offset: &str) -> Option<i64> {
    let (sign, rest) = match offset.as_bytes().first()? {
        b'+' => (1, &offset[1..]),
        b'-' => (-1, &offset[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    Some(sign * (h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?))
}

/// `"09:00"` as minutes after midnight.
fn clock(hhmm: &str) -> Option<i64> {
    let (h, m) = hhmm.split_once(':')?;
    let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// Whether `now` (Unix seconds) falls in the target's business hours.
/// `Err` says why the attributes cannot tell.
fn in_business_hours(target: &Principal<'_>, now: u64) -> Result<bool, String> {
    let hours = target
        .attributes
        .get("business_hours")
        .ok_or("`business_hours` is not set")?;
    let offset = target.attributes.get("utc_offset").unwrap_or("+00:00");
    let offset = offset_minutes(offset).ok_or_else(|| format!("`utc_offset` `{offset}` is not like `+02:00`"))?;
    let (open, close) = hours
        .split_once('-')
        .and_then(|(a, b)| Some((clock(a)?, clock(b)?)))
        .ok_or_else(|| format!("`business_hours` `{hours}` is not like `09:00-17:00`"))?;
    let local_minutes = now as i64 / 60 + offset;
    let minute_of_day = local_minutes.rem_euclid(24 * 60);
    // 1970-01-01 was a Thursday: day 0 is Thursday, days 2 and 3 the weekend.
    let weekday = local_minutes.div_euclid(24 * 60).rem_euclid(7);
    let weekend = weekday == 2 || weekday == 3;
    Ok(!weekend && open <= minute_of_day && minute_of_day < close)
}

fn is_ticket(prefixes: &[String], reason: &str) -> bool {
    prefixes.iter().any(|p| {
        reason
            .strip_prefix(p.as_str())
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

impl Policy for BusinessHours {
    const NAME: &'static str = "business-hours";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const RULES: &'static [&'static str] = &["E1", "E8", "E10", "BH1", "VIP1", "F1", "F2"];

    fn configure(settings: &str) -> Result<Self, Vec<String>> {
        let settings: Settings = serde_json::from_str(settings).map_err(|e| vec![format!("settings: {e}")])?;
        if settings.ticket_prefixes.iter().any(|p| p.is_empty()) {
            return Err(vec!["`ticket_prefixes`: a prefix is empty".to_string()]);
        }
        if settings.ttl_seconds == 0 || settings.ttl_seconds > 86_400 {
            return Err(vec!["`ttl_seconds`: must be 1 to 86400".to_string()]);
        }
        let forbidden = [("billing.*", "F1"), ("payment.*", "F1"), ("user.password.*", "F2")]
            .into_iter()
            .map(|(p, rule)| Pattern::new(p).map(|p| (p, rule)))
            .collect::<Result<_, _>>()
            .map_err(|e| vec![e])?;
        Ok(Self { settings, forbidden })
    }

    fn evaluate_start(&self, req: &StartRequest<'_>) -> StartDecision {
        let (actor, target) = (&req.actor, &req.target);
        let mut reasons = Reasons::new();
        if !actor.permissions.contains("users.impersonate") {
            reasons.push(
                "not-permitted",
                "E1",
                format!("`{}` lacks `users.impersonate`", actor.id),
            );
        }
        if actor.id == target.id {
            reasons.push("self-impersonation", "E8", "nobody impersonates themselves");
        }
        if actor.tenant != req.tenant || target.tenant != req.tenant {
            reasons.push(
                "cross-tenant",
                "E8",
                format!("both users must belong to `{}`", req.tenant),
            );
        }
        if !req
            .reason
            .is_some_and(|r| is_ticket(&self.settings.ticket_prefixes, r.trim()))
        {
            let prefixes = self.settings.ticket_prefixes.join(", ");
            reasons.push(
                "reason-required",
                "E10",
                format!("the reason must be a ticket id ({prefixes} and digits)"),
            );
        }
        match in_business_hours(target, req.now) {
            Ok(true) => {}
            Ok(false) => reasons.push(
                "outside-business-hours",
                "BH1",
                format!("it is outside the business hours of `{}`", target.id),
            ),
            Err(why) => reasons.push("outside-business-hours", "BH1", format!("`{}`: {why}", target.id)),
        }
        if target.attributes.get("vip") == Some("true") {
            reasons.push(
                "target-is-vip",
                "VIP1",
                format!("`{}` is a VIP and is never impersonated", target.id),
            );
        }
        match reasons.into_result() {
            Err(reasons) => StartDecision::Deny(reasons),
            Ok(()) => StartDecision::Allow(Grant {
                ttl_seconds: self.settings.ttl_seconds,
                max_ttl_seconds: self.settings.ttl_seconds,
                notify_target: true,
                read_only: false,
                obligations: Vec::new(),
                scope: None,
                idle_timeout_seconds: None,
            }),
        }
    }

    fn evaluate_action(&self, req: &ActionRequest<'_>) -> ActionDecision {
        match self.forbidden.iter().find(|(p, _)| p.matches(req.action)) {
            Some((_, rule)) => {
                ActionDecision::refuse("forbidden-action", rule, format!("`{}` is forbidden", req.action))
            }
            None => ActionDecision::Allow(Vec::new()),
        }
    }
}

#[cfg(target_arch = "wasm32")]
standin_policy_sdk::export_policy!(BusinessHours);
