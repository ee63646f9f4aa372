//! Hostile policies: whatever a policy does wrong ends in a deny with the
//! right code, the instance that misbehaved is never used again, and the
//! next request is answered normally.

use crate::common::*;
use serde_json::json;
use standin::{Decision, Host, HostConfig, Policy};
use standin_tests::{MISCHIEF, component};

fn mischief() -> Policy {
    hostile_host().load(&component(MISCHIEF), "{}").expect("mischief loads")
}

fn start_with(p: &Policy, mischief: &str) -> Decision {
    start(p, actor(), target(), json!({"reason": mischief}))
}

#[track_caller]
fn assert_host_deny(d: &Decision, code: &str) {
    assert_deny(d, &[code]);
    assert_eq!(d.reasons()[0].rule, "host");
    assert!(
        !d.diagnostics().is_empty(),
        "a host deny carries diagnostics: {}",
        d.to_json()
    );
}

/// After the failure, the same policy answers normally from a fresh instance.
#[track_caller]
fn assert_recovers(p: &Policy) {
    let d = start_with(p, "fine");
    assert_allow(&d);
    assert_eq!(
        d.grant().map(|g| g.obligations.as_slice()),
        Some(&[std::borrow::Cow::Borrowed("calls:1")][..]),
        "a fresh instance: {}",
        d.to_json()
    );
}

#[test]
fn hostile_infinite_loop_is_a_timeout() {
    let p = mischief();
    let d = start_with(&p, "loop");
    assert_host_deny(&d, "policy-timeout");
    let deadline = format!("deadline of {} ms", HOSTILE_DEADLINE.as_millis());
    assert!(d.reasons()[0].message.contains(&deadline), "{}", d.to_json());
    assert_recovers(&p);
}

#[test]
fn hostile_memory_bomb_hits_the_cap() {
    let p = mischief();
    let d = action(&p, "oom", json!({}));
    assert_host_deny(&d, "policy-memory");
    assert!(
        d.reasons()[0].message.contains("above the cap of 67108864 bytes"),
        "names the cap: {}",
        d.to_json()
    );
    assert_recovers(&p);
}

#[test]
fn hostile_unbounded_recursion_is_a_policy_error() {
    let p = mischief();
    let d = start_with(&p, "recurse");
    assert_host_deny(&d, "policy-error");
    assert!(d.reasons()[0].message.contains("stack"), "{}", d.to_json());
    assert_recovers(&p);
}

#[test]
fn hostile_panic_is_a_policy_error() {
    let p = mischief();
    assert_host_deny(&action(&p, "panic", json!({})), "policy-error");
    assert_recovers(&p);
}

#[test]
fn hostile_oversized_response_is_a_policy_error() {
    let p = mischief();
    let d = start_with(&p, "huge");
    assert_host_deny(&d, "policy-error");
    assert!(d.reasons()[0].message.contains("above the caps"), "{}", d.to_json());
    assert!(d.to_json().len() < 4096, "the oversized answer is not passed on");
    assert_host_deny(&start_with(&p, "many"), "policy-error");
    assert_host_deny(&action(&p, "many-obligations", json!({})), "policy-error");
}

#[test]
fn hostile_deny_without_a_reason_still_denies() {
    let p = mischief();
    let d = start_with(&p, "silent");
    assert_host_deny(&d, "policy-error");
}

#[test]
fn s1_host_caps_any_grant_at_24_hours() {
    let d = start_with(&mischief(), "overgrant");
    assert_allow(&d);
    assert_eq!(
        (
            d.lease().map(|l| l.ttl_seconds()),
            d.lease().map(|l| l.max_ttl_seconds())
        ),
        (Some(86400), Some(86400)),
        "{}",
        d.to_json()
    );
    assert!(!d.diagnostics().is_empty());
}

#[test]
fn hostile_trapped_instance_is_never_reused() {
    let p = mischief();
    let first = start_with(&p, "fine");
    let second = start_with(&p, "fine");
    // A healthy instance is kept: its call count goes on.
    assert_eq!(
        first.grant().map(|g| g.obligations.as_slice()),
        Some(&[std::borrow::Cow::Borrowed("calls:1")][..])
    );
    assert_eq!(
        second.grant().map(|g| g.obligations.as_slice()),
        Some(&[std::borrow::Cow::Borrowed("calls:2")][..])
    );
    assert_host_deny(&start_with(&p, "panic"), "policy-error");
    assert_recovers(&p);
}

#[test]
fn hostile_policy_does_not_disturb_another_tenant() {
    // Both tenants on one host, one engine, one epoch ticker.
    let bad = mischief();
    let good = hostile_host().load_default("{}").expect("loads");
    std::thread::scope(|s| {
        let looping = s.spawn(|| (0..3).map(|_| start_with(&bad, "loop")).collect::<Vec<_>>());
        for _ in 0..50 {
            assert_allow(&start(&good, actor(), target(), json!({})));
        }
        for d in looping.join().expect("looping thread") {
            assert_host_deny(&d, "policy-timeout");
        }
    });
}

#[test]
fn invalid_request_over_the_caps_never_reaches_the_policy() {
    let p = policy(json!({}));
    let d = start(&p, actor(), target(), json!({"reason": "x".repeat(70_000)}));
    assert_host_deny(&d, "invalid-request");
    let roles: Vec<String> = (0..5000).map(|i| format!("r{i}")).collect();
    let d = start(&p, patch(actor(), json!({"roles": roles})), target(), json!({}));
    assert_host_deny(&d, "invalid-request");
    let d = start(&p, patch(actor(), json!({"id": ""})), target(), json!({}));
    assert_host_deny(&d, "invalid-request");
}

/// Requests up to the caps are answered, and so are larger ones on a host
/// with larger caps: the guest's call arena (128 KiB) takes a request's
/// buffers when they fit and its heap when they do not, and a call after a
/// large one is answered as before.
#[test]
fn e9_requests_at_and_past_the_call_arena_are_answered() {
    let p = policy(json!({"impersonator_roles": ["super_admin"]}));
    let near_cap: Vec<String> = (0..3000).map(|i| format!("role-{i:07}")).collect();
    assert_allow(&start(
        &p,
        patch(actor(), json!({"roles": ["super_admin"], "groups": near_cap})),
        target(),
        json!({}),
    ));
    let big = Host::with_config(HostConfig {
        requests: standin::RequestLimits {
            max_text_bytes: 1 << 20,
            max_list_entries: 1 << 16,
        },
        ..HostConfig::default()
    })
    .expect("host")
    .load_default(r#"{"impersonator_roles": ["super_admin"]}"#)
    .expect("loads");
    let many: Vec<String> = (0..40_000).map(|i| format!("group-{i:07}")).collect();
    let huge = patch(actor(), json!({"groups": many}));
    for _ in 0..3 {
        assert_allow(&start(&big, huge.clone(), target(), json!({})));
        assert_allow(&start(&big, actor(), target(), json!({})));
        let d = start(&big, actor(), target(), json!({"ttl_seconds": 100_000}));
        assert_allow(&d);
        assert_eq!(d.lease().map(|l| l.ttl_seconds()), Some(86_400));
    }
}
