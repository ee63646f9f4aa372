//! Tenants sharing instances (`standin:policy@0.7.0`, issue 32): every
//! tenant on the built-in policy is answered by a few instances, each with
//! its own settings; a custom component's instances never serve two
//! tenants.

use crate::common::*;
use serde_json::json;
use standin::{Host, HostConfig, SandboxLimits, StartRequest};
use standin_tests::{MISCHIEF, POLICY_0_6, component};
use std::time::Duration;

fn host_with(config: HostConfig) -> Host {
    Host::with_config(HostConfig {
        sandbox: SandboxLimits {
            deadline: Duration::from_secs(10),
            ..SandboxLimits::default()
        },
        ..config
    })
    .expect("host starts")
}

fn spy(tenant: &str) -> StartRequest {
    start_request(actor(), target(), json!({"tenant": tenant, "reason": "spy"}))
}

/// Two tenants' settings on one instance: each call answers by its own
/// tenant's, however the calls interleave.
#[test]
fn sh1_tenants_on_the_builtin_policy_share_one_instance_each_with_its_own_settings() {
    let host = host_with(HostConfig {
        shared_instances: 1,
        ..HostConfig::default()
    });
    let strict = host.load_default(r#"{"require_reason": true}"#).expect("load");
    let lax = host.load_default(r#"{"require_reason": false}"#).expect("load");
    assert!(strict.shares_instances() && lax.shares_instances());
    for _ in 0..3 {
        assert_deny(&start(&strict, actor(), target(), json!({})), &["reason-required"]);
        assert_allow(&start(&lax, actor(), target(), json!({})));
    }
    let stats = strict.shared_stats().expect("shared");
    assert_eq!((stats.instances, stats.prepared), (1, 2), "{stats:?}");
    // A hundred more tenants cost no instance.
    let more: Vec<_> = (0..100)
        .map(|i| {
            host.load_default(&json!({"default_ttl_seconds": 600 + i}).to_string())
                .expect("load")
        })
        .collect();
    for (i, p) in more.iter().enumerate() {
        let d = start(p, actor(), target(), json!({}));
        assert_eq!(ttl(&d), 600 + i as u64);
    }
    let stats = strict.shared_stats().expect("shared");
    assert_eq!((stats.instances, stats.prepared), (1, 102), "{stats:?}");
    assert_eq!(stats.instantiated, 1);
}

/// A hostile component that remembers every settings document it saw:
/// loaded by two tenants, each tenant's instance saw only its own.
#[test]
fn sh2_a_custom_component_in_two_tenants_keeps_instances_of_its_own() {
    let host = host_with(HostConfig::default());
    let mischief = component(MISCHIEF);
    let a = host.load(&mischief, r#"{"secret": "tenant-a"}"#).expect("load");
    let b = host.load(&mischief, r#"{"secret": "tenant-b"}"#).expect("load");
    assert!(!a.shares_instances() && a.shared_stats().is_none());
    for _ in 0..3 {
        let da = a.evaluate_start(&spy("a"), now());
        let db = b.evaluate_start(&spy("b"), now());
        assert_eq!(da.reasons()[0].message, r#"{"secret": "tenant-a"}"#);
        assert_eq!(db.reasons()[0].message, r#"{"secret": "tenant-b"}"#);
    }
}

/// What the default keeps from happening: the same component, named
/// trusted, does pass one tenant's settings to the other.
#[test]
fn sh2_a_component_named_shared_would_show_one_tenant_the_others_settings() {
    let mischief = component(MISCHIEF);
    let host = host_with(HostConfig {
        shared_digests: vec![standin::Digest::of(&mischief)],
        shared_instances: 1,
        ..HostConfig::default()
    });
    let a = host.load(&mischief, r#"{"secret": "tenant-a"}"#).expect("load");
    let b = host.load(&mischief, r#"{"secret": "tenant-b"}"#).expect("load");
    assert!(a.shares_instances());
    let db = b.evaluate_start(&spy("b"), now());
    assert!(db.reasons()[0].message.contains("tenant-a"), "{}", db.to_json());
}

/// Past the budget the least recently used settings are released and
/// prepared again when their tenant comes back: every answer stays its
/// own tenant's.
#[test]
fn sh3_prepared_settings_over_the_budget_are_released_and_prepared_again() {
    let host = host_with(HostConfig {
        shared_instances: 1,
        max_prepared_per_instance: 8,
        ..HostConfig::default()
    });
    let tenants: Vec<_> = (0..40)
        .map(|i| {
            host.load_default(&json!({"default_ttl_seconds": 900 + i}).to_string())
                .expect("load")
        })
        .collect();
    for round in 0..3 {
        for (i, p) in tenants.iter().enumerate() {
            let d = start(p, actor(), target(), json!({}));
            assert_eq!(ttl(&d), 900 + i as u64, "round {round}");
        }
    }
    let stats = tenants[0].shared_stats().expect("shared");
    assert!(stats.prepared <= 8, "{stats:?}");
    assert!(stats.releases >= 100, "{stats:?}");
    // Tenants gone are released first.
    drop(tenants);
    let last = host.load_default(r#"{"default_ttl_seconds": 777}"#).expect("load");
    assert_allow(&start(&last, actor(), target(), json!({})));
}

/// Tenants dropped (a policy replaced, a tenant unloaded) leave their
/// settings to be released by the next prepare on their slot, long before
/// the budget; the tenants still loaded keep theirs and their answers.
#[test]
fn sh7_the_settings_of_tenants_gone_are_released_by_the_next_prepare_not_at_the_budget() {
    let host = host_with(HostConfig {
        shared_instances: 1,
        ..HostConfig::default()
    });
    let mut tenants: Vec<_> = (0..50)
        .map(|i| {
            host.load_default(&json!({"default_ttl_seconds": 900 + i}).to_string())
                .expect("load")
        })
        .collect();
    let kept = tenants.split_off(40);
    let before = kept[0].shared_stats().expect("shared");
    assert_eq!((before.prepared, before.releases), (50, 0), "{before:?}");
    drop(tenants);
    // Nothing is released until the slot prepares again.
    assert_eq!(kept[0].shared_stats().expect("shared").prepared, 50);
    let last = host.load_default(r#"{"default_ttl_seconds": 777}"#).expect("load");
    let after = last.shared_stats().expect("shared");
    assert_eq!((after.prepared, after.releases), (11, 40), "{after:?}");
    // Handles are reused: the new tenant may hold one a tenant gone had.
    // Every tenant still loaded keeps its own settings.
    assert_eq!(ttl(&start(&last, actor(), target(), json!({}))), 777);
    for (i, p) in kept.iter().enumerate() {
        assert_eq!(ttl(&start(p, actor(), target(), json!({}))), 940 + i as u64);
    }
}

/// Thousands of tenants on one instance: the guest keeps their settings
/// in chunks of 1,024 slots (`sdk/src/guest.rs`), so these handles span
/// three chunks; tenants dropped free handles in the first chunks, and the
/// tenants loaded after them reuse those. Every tenant, asked in an order
/// that jumps between chunks, answers by its own settings.
#[test]
fn sh8_thousands_of_tenants_on_one_instance_each_answer_by_their_own_settings() {
    let host = host_with(HostConfig {
        shared_instances: 1,
        ..HostConfig::default()
    });
    let load = |ttl: u64| {
        host.load_default(&json!({"default_ttl_seconds": ttl}).to_string())
            .expect("load")
    };
    let mut tenants: Vec<_> = (0..2_500).map(|i| (600 + i, load(600 + i))).collect();
    // Every third tenant goes, from the first chunk to the third.
    let mut i = 0;
    tenants.retain(|_| {
        i += 1;
        i % 3 != 0
    });
    tenants.extend((0..900).map(|i| (5_000 + i, load(5_000 + i))));
    let stats = tenants[0].1.shared_stats().expect("shared");
    assert_eq!((stats.instances, stats.prepared), (1, tenants.len()), "{stats:?}");
    assert!(
        stats.releases >= 800,
        "the dropped tenants' handles were released: {stats:?}"
    );
    let n = tenants.len();
    for k in 0..n {
        let (ttl_seconds, policy) = &tenants[(k * 1_009) % n];
        assert_eq!(ttl(&start(policy, actor(), target(), json!({}))), *ttl_seconds);
    }
}

/// A shared instance that traps is dropped with everything prepared in
/// it; the other tenants' next calls get a new one, their settings
/// prepared again.
#[test]
fn sh4_a_trap_in_a_shared_instance_costs_the_other_tenants_nothing_but_a_new_instance() {
    let mischief = component(MISCHIEF);
    let host = host_with(HostConfig {
        shared_digests: vec![standin::Digest::of(&mischief)],
        shared_instances: 1,
        ..HostConfig::default()
    });
    let a = host.load(&mischief, "{}").expect("load");
    let b = host.load(&mischief, r#"{"who": "b"}"#).expect("load");
    let panic = start_request(actor(), target(), json!({"reason": "panic"}));
    assert_deny(&a.evaluate_start(&panic, now()), &["policy-error"]);
    let db = b.evaluate_start(&spy("b"), now());
    // A new instance: it saw b's settings alone.
    assert_eq!(db.reasons()[0].message, r#"{"who": "b"}"#);
    let stats = b.shared_stats().expect("shared");
    assert_eq!((stats.instances, stats.instantiated), (1, 2), "{stats:?}");
}

/// Settings the policy refuses are refused at load, on shared instances too.
#[test]
fn sh5_settings_refused_by_a_shared_component_are_refused_at_load() {
    let host = host_with(HostConfig::default());
    let e = host
        .load_default(r#"{"default_ttl_seconds": "long"}"#)
        .expect_err("refused");
    assert!(matches!(e, standin::LoadError::Settings(_)), "{e:?}");
    let ok = host.load_default("{}").expect("load");
    assert!(ok.shares_instances());
    assert_allow(&start(&ok, actor(), target(), json!({"reason": "x"})));
}

fn ttl(d: &standin::Decision) -> u64 {
    let lease = d.grant().and_then(|g| g.lease.as_ref());
    lease.expect("an allowed start").ttl_seconds()
}

/// A component built before prepared settings (0.6.0) cannot be shared:
/// named trusted or not, each tenant gets instances of its own, each
/// configured with its own settings.
#[test]
fn sh6_a_0_6_0_component_keeps_instances_per_tenant_even_when_named_shared() {
    let old = component(POLICY_0_6);
    let host = host_with(HostConfig {
        shared_digests: vec![standin::Digest::of(&old)],
        ..HostConfig::default()
    });
    let a = host.load(&old, r#"{"t": "a"}"#).expect("load");
    let b = host.load(&old, r#"{"t": "b"}"#).expect("load");
    assert!(!a.shares_instances() && !b.shares_instances());
    for (p, expected) in [(&a, r#"{"t": "a"}"#), (&b, r#"{"t": "b"}"#), (&a, r#"{"t": "a"}"#)] {
        let d = start(p, actor(), target(), json!({}));
        assert_eq!(d.grant().expect("allowed").obligations, [expected]);
    }
}
