//! A fresh instance per call (`reuse_instances: false`): instances start
//! from the component pre-initialized with the tenant's settings, and
//! answer exactly as a configured warm instance does, one call never
//! seeing another's state.

use crate::common::*;
use serde_json::{Value, json};
use standin::{Host, HostConfig, Policy};
use standin_store_sqlite::OpenSqlite;
use standin_tests::{MISCHIEF, component};

/// A host giving every call a fresh instance (`pooling_slots`: from the
/// pooling allocator).
pub fn fresh_host(pooling_slots: Option<u32>) -> Host {
    Host::with_config(HostConfig {
        reuse_instances: false,
        pooling_slots,
        ..HostConfig::default()
    })
    .expect("host starts")
}

fn settings() -> Value {
    json!({
        "impersonator_roles": ["super_admin", "hr_admin"],
        "role_levels": {"super_admin": 100, "hr_admin": 50, "manager": 60},
        "scoped_roles": ["hr_admin"],
        "required_consents": ["privacy-policy", "terms"],
        "require_reason": true,
        "forbidden_actions": ["course.delete", "billing.*"],
        "deliver_to_target": ["report.*"]
    })
}

/// Starts and actions whose answers depend on every part of the settings
/// above: an instance that skipped them (the built-in defaults) answers
/// differently.
fn scenarios(p: &Policy) -> Vec<standin::Decision> {
    let hr = patch(actor(), json!({"roles": ["hr_admin"], "manages": ["dept-sales"]}));
    let manager = patch(target(), json!({"roles": ["manager"]}));
    let no_terms = patch(target(), json!({"consents": ["privacy-policy"]}));
    let reason = json!({"reason": "SUP-1"});
    let mut out = vec![
        start(p, actor(), target(), reason.clone()),
        start(p, actor(), target(), json!({})),
        start(p, hr.clone(), target(), reason.clone()),
        start(p, hr, manager, reason.clone()),
        start(p, actor(), no_terms, reason),
    ];
    for a in [
        "course.delete",
        "billing.refund",
        "report.generate",
        "user.password.change",
        "course.view",
    ] {
        out.push(action(p, a, json!({})));
    }
    out
}

#[test]
fn e1_e3_e4_e5_e10_f1_f5_fresh_instances_start_configured_and_answer_as_warm_ones() {
    let warm = policy(settings());
    assert!(
        !warm.preinitialized(),
        "warm instances are configured, not pre-initialized"
    );
    let expected = scenarios(&warm);
    let defaults = scenarios(&policy(json!({})));
    assert_ne!(
        expected, defaults,
        "the scenarios must tell these settings from the defaults"
    );
    for slots in [None, Some(4)] {
        let host = fresh_host(slots);
        let fresh = host.load_default(&settings().to_string()).expect("loads");
        assert!(fresh.preinitialized(), "the built-in policy has the SDK's shape");
        for round in 0..3 {
            assert_eq!(scenarios(&fresh), expected, "round {round}, pooling {slots:?}");
        }
    }
}

/// Each call starts from the snapshot taken after `configure`: the
/// mischief policy counts its calls in its memory, and every call of a
/// fresh-instance host is its instance's first.
#[test]
fn t1_a_fresh_instance_sees_no_state_of_an_earlier_call() {
    let host = fresh_host(Some(4));
    let p = host.load(&component(MISCHIEF), "{}").expect("mischief loads");
    assert!(p.preinitialized());
    for _ in 0..3 {
        let d = start(&p, actor(), target(), json!({"reason": "fine"}));
        assert_allow(&d);
        assert_eq!(
            d.grant().map(|g| g.obligations.as_slice()),
            Some(&[std::borrow::Cow::Borrowed("calls:1")][..]),
            "{}",
            d.to_json()
        );
    }
}

/// What `peek` reads: the mischief's marked words (one in its memory
/// image, the last of its linear memory), in hex.
fn peek(p: &Policy, reason: &str) -> String {
    let d = start(p, actor(), target(), json!({ "reason": reason }));
    assert_deny(&d, &[reason]);
    d.reasons()[0].message.clone()
}

/// A pooled slot's memory, reset in place for its next instance
/// (`pool_keep_resident_bytes`, where the kernel has `PAGEMAP_SCAN`) or
/// given back to the kernel, holds nothing an earlier call wrote: a word of
/// the memory image reads as the image has it and the last word of memory
/// as zero again. The same calls on a reused instance read what was
/// written, so the test can tell.
#[test]
fn t1_a_fresh_instance_sees_no_word_an_earlier_call_wrote_whether_its_slot_was_reset_in_place_or_not() {
    const POKED: &str = "5eed5eed5eed5eed";
    for keep in [1 << 20, 0] {
        let host = Host::with_config(HostConfig {
            reuse_instances: false,
            pooling_slots: Some(1),
            pool_keep_resident_bytes: keep,
            ..HostConfig::default()
        })
        .expect("host starts");
        if keep > 0 && !host.resets_pooled_memory_in_place() {
            eprintln!("this kernel has no PAGEMAP_SCAN: pooled memory is given back, not reset in place");
        }
        let p = host.load(&component(MISCHIEF), "{}").expect("mischief loads");
        let pristine = peek(&p, "peek");
        assert!(!pristine.contains(POKED), "{pristine}");
        for round in 0..3 {
            assert_eq!(
                peek(&p, "poke"),
                format!("{POKED},{POKED}"),
                "round {round}: poke writes"
            );
            assert_eq!(
                peek(&p, "peek"),
                pristine,
                "round {round}, keep {keep}: a fresh instance"
            );
        }
    }
    let warm = Host::new().expect("host starts");
    let p = warm.load(&component(MISCHIEF), "{}").expect("mischief loads");
    peek(&p, "poke");
    assert_eq!(
        peek(&p, "peek"),
        format!("{POKED},{POKED}"),
        "a reused instance keeps what was written"
    );
}

/// Pooled memory is reset in place by default where the kernel can say
/// which pages were written (Linux 6.7+), and never where the setting is 0
/// or pooling is off.
#[test]
fn pooled_memory_is_reset_in_place_by_default_where_the_kernel_has_pagemap_scan() {
    let pooled = fresh_host(Some(2));
    assert_eq!(
        pooled.resets_pooled_memory_in_place(),
        kernel_has_pagemap_scan(),
        "default pooled host"
    );
    assert!(!fresh_host(None).resets_pooled_memory_in_place(), "no pooling");
    let off = Host::with_config(HostConfig {
        pooling_slots: Some(2),
        pool_keep_resident_bytes: 0,
        ..HostConfig::default()
    })
    .expect("host starts");
    assert!(!off.resets_pooled_memory_in_place(), "the setting at 0");
}

/// Whether this kernel has `PAGEMAP_SCAN` (Linux 6.7): by its version, as
/// the test cannot ask wasmtime without asking the code under test.
fn kernel_has_pagemap_scan() -> bool {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut parts = release.trim().split(['.', '-']).map(|n| n.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (6, 7)
}

/// The sandbox holds for pre-initialized instances: a loop times out, a
/// memory bomb hits the cap (past the heap the snapshot holds), and the
/// next call is answered.
#[test]
fn hostile_pre_initialized_instances_keep_the_deadline_and_the_memory_cap() {
    let host = Host::with_config(HostConfig {
        reuse_instances: false,
        pooling_slots: Some(4),
        sandbox: standin::SandboxLimits {
            deadline: HOSTILE_DEADLINE,
            ..standin::SandboxLimits::default()
        },
        ..HostConfig::default()
    })
    .expect("host starts");
    let p = host.load(&component(MISCHIEF), "{}").expect("mischief loads");
    assert!(p.preinitialized());
    let d = start(&p, actor(), target(), json!({"reason": "loop"}));
    assert_deny(&d, &["policy-timeout"]);
    let d = action(&p, "oom", json!({}));
    assert_deny(&d, &["policy-memory"]);
    assert_allow(&start(&p, actor(), target(), json!({"reason": "fine"})));
}

/// Settings the policy refuses are a load error in this mode too.
#[test]
fn e9_refused_settings_still_refuse_the_load() {
    let err = fresh_host(None)
        .load_default(r#"{"max_ttl_seconds": 0}"#)
        .expect_err("refused");
    assert!(err.to_string().contains("max_ttl_seconds"), "{err}");
}

/// Standin on a fresh-instance host: the tenant's stored settings hold
/// for every call (the component pre-initialized with them).
#[test]
fn s2_f1_sessions_on_fresh_instances_keep_the_tenants_settings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = standin::Standin::open(fresh_host(Some(8)), dir.path().join("standin.db")).expect("open db");
    let settings = json!({"require_reason": true, "forbidden_actions": ["course.delete"]});
    s.policies()
        .set("acme", None, &settings.to_string(), now())
        .expect("policy set");
    let request = start_request(actor(), target(), json!({}));
    let refused = s.sessions().start(&request, None, now()).expect("answered");
    assert_deny(&refused.decision, &["reason-required"]);
    let request = start_request(actor(), target(), json!({"reason": "SUP-1"}));
    let session = s
        .sessions()
        .start(&request, None, now())
        .expect("answered")
        .session
        .expect("a session");
    let later = now() + chrono::TimeDelta::seconds(5);
    let denied = s
        .sessions()
        .authorize(&session.id, "course.delete", None, later)
        .expect("answered");
    assert_deny(&denied.decision, &["forbidden-action"]);
    let allowed = s
        .sessions()
        .authorize(&session.id, "billing.purchase", None, later)
        .expect("answered");
    assert_allow(&allowed.decision);
}
