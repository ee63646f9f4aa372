//! Requests and policies for the tests: a base actor and target that pass
//! every rule, patched per test with JSON.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use standin::{ActionRequest, Decision, Host, HostConfig, Policy, SandboxLimits, StartRequest};
use std::sync::OnceLock;
use std::time::Duration;

pub fn host_with_deadline(deadline: Duration) -> Host {
    let sandbox = SandboxLimits {
        deadline,
        ..SandboxLimits::default()
    };
    Host::with_config(HostConfig {
        sandbox,
        ..HostConfig::default()
    })
    .expect("host starts")
}

/// One host for the rule tests, so each component compiles once. Its
/// deadline is generous: the deadline is wall-clock, and a test thread on a
/// loaded 2-core machine can wait longer than 100 ms for a core.
pub fn host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| host_with_deadline(Duration::from_secs(10)))
}

/// The deadline of [`hostile_host`].
pub const HOSTILE_DEADLINE: Duration = Duration::from_millis(300);

/// A host for policies that loop: deadlines short enough to wait for.
pub fn hostile_host() -> &'static Host {
    static HOST: OnceLock<Host> = OnceLock::new();
    HOST.get_or_init(|| host_with_deadline(HOSTILE_DEADLINE))
}

pub fn now() -> DateTime<Utc> {
    "2026-11-21T10:00:00Z".parse().expect("time")
}

/// The default policy with `settings`.
pub fn policy(settings: Value) -> Policy {
    host().load_default(&settings.to_string()).expect("settings accepted")
}

/// `base` with the fields of `patch` replaced (one level deep).
pub fn patch(mut base: Value, patch: Value) -> Value {
    if let (Some(base), Some(patch)) = (base.as_object_mut(), patch.as_object()) {
        for (k, v) in patch {
            base.insert(k.clone(), v.clone());
        }
    }
    base
}

pub fn actor() -> Value {
    json!({"id": "u-1", "roles": ["super_admin"], "permissions": ["users.impersonate"],
           "active": true, "has_logged_in": true, "consents": ["privacy-policy"]})
}

pub fn target() -> Value {
    json!({"id": "u-42", "roles": ["employee"], "groups": ["dept-sales"], "permissions": ["course.view"],
           "active": true, "has_logged_in": true, "consents": ["privacy-policy", "terms"]})
}

/// A start request: `actor` and `target` as given, other fields from `extra`.
pub fn start_request(actor: Value, target: Value, extra: Value) -> StartRequest {
    let base = json!({"tenant": "acme", "actor": actor, "target": target, "now": "2026-11-21T10:00:00Z"});
    serde_json::from_value(patch(base, extra)).expect("valid start request")
}

pub fn start(policy: &Policy, actor: Value, target: Value, extra: Value) -> Decision {
    policy.evaluate_start(&start_request(actor, target, extra), now())
}

/// An action request in a session of the base actor and target.
pub fn action_request(action: &str, session: Value) -> ActionRequest {
    let base_session = json!({"id": "s-1", "actor": actor(), "target": target(),
        "started_at": "2026-11-21T10:00:00Z", "expires_at": "2026-11-21T11:00:00Z"});
    serde_json::from_value(json!({"tenant": "acme", "session": patch(base_session, session),
        "action": action, "now": "2026-11-21T10:05:00Z"}))
    .expect("valid action request")
}

pub fn action(policy: &Policy, action: &str, session: Value) -> Decision {
    policy.evaluate_action(&action_request(action, session), now())
}

/// The reason codes of a decision, sorted.
pub fn codes(decision: &Decision) -> Vec<&str> {
    let mut codes: Vec<&str> = decision.codes().collect();
    codes.sort_unstable();
    codes
}

/// The rule ids of a decision's reasons, sorted.
pub fn rules(decision: &Decision) -> Vec<&str> {
    let mut rules: Vec<&str> = decision.reasons().iter().map(|r| r.rule.as_ref()).collect();
    rules.sort_unstable();
    rules
}

#[track_caller]
pub fn assert_allow(decision: &Decision) {
    assert!(decision.is_allow(), "expected allow, got {}", decision.to_json());
}

#[track_caller]
pub fn assert_deny(decision: &Decision, expected: &[&str]) {
    assert!(
        !decision.is_allow(),
        "expected deny {expected:?}, got {}",
        decision.to_json()
    );
    let mut expected = expected.to_vec();
    expected.sort_unstable();
    assert_eq!(codes(decision), expected, "{}", decision.to_json());
    for reason in decision.reasons() {
        assert!(
            !reason.message.is_empty() && !reason.rule.is_empty(),
            "reason without rule or message: {reason:?}"
        );
    }
}

/// Uploads `component` for tenant `acme` with empty settings and activates it.
pub fn activate_component(s: &standin::Standin, component: &[u8]) {
    let up = standin::policies::Upload {
        tenant: "acme",
        component: Some(component),
        settings: "{}",
        activate: true,
        ..standin::policies::Upload::default()
    };
    s.policies().upload(&up, now()).expect("upload");
}
