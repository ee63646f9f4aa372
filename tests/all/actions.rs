//! Action rules (F1-F6, read-only sessions, S3, S7) through the default
//! policy component.

use crate::common::*;
use serde_json::json;

#[test]
fn s7_ordinary_actions_are_the_targets_to_take() {
    let d = action(&policy(json!({})), "course.complete", json!({}));
    assert_allow(&d);
    assert_eq!(d.grant().map(|g| g.obligations.as_slice()), Some(&[][..]));
    assert_eq!(
        d.lease().map(|l| l.ttl_seconds()),
        None,
        "an action allow carries obligations only"
    );
}

#[test]
fn f1_no_payments_purchases_or_subscriptions() {
    let p = policy(json!({}));
    for a in ["billing.purchase", "payment.card.add", "subscription.renew"] {
        let d = action(&p, a, json!({}));
        assert_deny(&d, &["forbidden-action"]);
        assert_eq!(rules(&d), ["F1"], "{a}");
    }
}

#[test]
fn f2_no_password_or_credential_change() {
    let p = policy(json!({}));
    for a in ["user.password.change", "user.credentials.reset"] {
        let d = action(&p, a, json!({}));
        assert_deny(&d, &["forbidden-action"]);
        assert_eq!(rules(&d), ["F2"], "{a}");
    }
}

#[test]
fn f3_no_esignature_steps() {
    let d = action(&policy(json!({})), "esign.sign", json!({}));
    assert_deny(&d, &["forbidden-action"]);
    assert_eq!(rules(&d), ["F3"]);
}

#[test]
fn f1_f2_f3_rule_follows_the_segments_of_the_action() {
    let p = policy(json!({"forbidden_actions": ["billing.*", "auth.*"]}));
    for (a, rule) in [
        ("billing.footprint", "F1"),
        ("auth.otp", "F3"),
        ("auth.password_reset", "F2"),
        ("auth.login", "F1"),
    ] {
        assert_eq!(rules(&action(&p, a, json!({}))), [rule], "{a}");
    }
}

#[test]
fn f1_tenant_sets_its_own_forbidden_list() {
    let p = policy(json!({"forbidden_actions": ["store.*"]}));
    assert_deny(&action(&p, "store.checkout", json!({})), &["forbidden-action"]);
    assert_allow(&action(&p, "billing.purchase", json!({})));
}

#[test]
fn f4_guides_and_notifications_are_left_for_the_target() {
    let p = policy(json!({}));
    for a in ["guide.dismiss", "notification.read"] {
        let d = action(&p, a, json!({}));
        assert_deny(&d, &["reserved-for-target"]);
        assert_eq!(rules(&d), ["F4"]);
    }
}

#[test]
fn f5_reports_go_to_the_target() {
    let d = action(&policy(json!({})), "report.generate", json!({}));
    assert_allow(&d);
    assert_eq!(
        d.grant().map(|g| g.obligations.as_slice()),
        Some(&[std::borrow::Cow::Borrowed("deliver-to-target")][..])
    );
}

#[test]
fn f6_layout_and_preferences_are_not_kept() {
    for a in ["preferences.update", "layout.columns.save"] {
        let d = action(&policy(json!({})), a, json!({}));
        assert_allow(&d);
        assert_eq!(
            d.grant().map(|g| g.obligations.as_slice()),
            Some(&[std::borrow::Cow::Borrowed("do-not-persist")][..]),
            "{a}"
        );
    }
}

#[test]
fn read_only_session_allows_only_read_actions() {
    let p = policy(json!({}));
    let ro = json!({"read_only": true});
    assert_allow(&action(&p, "course.view", ro.clone()));
    assert_allow(&action(&p, "users.list", ro.clone()));
    let d = action(&p, "course.complete", ro);
    assert_deny(&d, &["read-only-session"]);
    // A tenant-wide read-only setting applies to every session.
    assert_deny(
        &action(&policy(json!({"read_only": true})), "course.complete", json!({})),
        &["read-only-session"],
    );
}

#[test]
fn e9_an_action_deny_names_every_failing_rule() {
    let d = action(&policy(json!({})), "billing.purchase", json!({"read_only": true}));
    assert_deny(&d, &["forbidden-action", "read-only-session"]);
    // Word for word, as `format!` wrote them (see `start::e9_...`).
    let mut messages: Vec<&str> = d.reasons().iter().map(|r| r.message.as_str()).collect();
    messages.sort_unstable();
    assert_eq!(
        messages,
        [
            "`billing.purchase` is never allowed while impersonating `u-42`",
            "`billing.purchase` is not a read action and the session is read-only",
        ]
    );
    let foreign = patch(target(), json!({"tenant": "globex"}));
    let d = action(&policy(json!({})), "guide.dismiss", json!({"target": foreign}));
    let messages: Vec<&str> = d.reasons().iter().map(|r| r.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "target `u-42` belongs to tenant `globex`, not `acme`",
            "`guide.dismiss` is left for `u-42` themselves",
        ]
    );
}

#[test]
fn s3_an_expired_session_allows_nothing() {
    let d = action(
        &policy(json!({})),
        "course.view",
        json!({"expires_at": "2026-11-21T10:05:00Z"}),
    );
    assert_deny(&d, &["session-expired"]);
    assert_eq!(rules(&d), ["S3"]);
}

#[test]
fn e8_an_action_across_tenants_is_denied() {
    let foreign = patch(target(), json!({"tenant": "globex"}));
    assert_deny(
        &action(&policy(json!({})), "course.view", json!({"target": foreign})),
        &["cross-tenant"],
    );
}

/// Actions asked through a session packed once (how sessions ask) get the
/// same answers as whole requests, whatever the instance's buffers held
/// before: a big request, a small one, a deny, an allow with obligations.
#[test]
fn f1_f4_s7_in_session_answers_equal_whole_requests() {
    let p = policy(json!({"read_only": false}));
    let roles: Vec<String> = (0..300).map(|i| format!("role-{i}")).collect();
    let big = action_request(
        "report.generate",
        json!({"actor": patch(actor(), json!({"roles": roles}))}),
    );
    let small = action_request(
        "course.complete",
        json!({"target": patch(target(), json!({"id": "t"}))}),
    );
    let packed_big = big.session.pack(&big.tenant, &Default::default()).expect("packs");
    let packed_small = small.session.pack(&small.tenant, &Default::default()).expect("packs");
    for a in [
        "report.generate",
        "billing.purchase",
        "guide.dismiss",
        "course.complete",
        "preferences.theme",
    ] {
        for (request, packed) in [(&big, &packed_big), (&small, &packed_small), (&big, &packed_big)] {
            let mut whole = request.clone();
            whole.action = a.to_string();
            whole.resource = Some("goals-q4".to_string());
            let expected = p.evaluate_action(&whole, now());
            let got = p.evaluate_action_in(packed, a, Some("goals-q4"), whole.now.expect("a time"));
            assert_eq!(got, expected, "{a}");
        }
    }
    assert_deny(
        &p.evaluate_action(&action_request("billing.purchase", json!({})), now()),
        &["forbidden-action"],
    );
}

/// The in-session path keeps the request caps: an empty action, or one
/// that takes the text past the cap, never reaches the policy.
#[test]
fn e9_in_session_requests_keep_the_caps() {
    let p = policy(json!({}));
    let request = action_request("course.complete", json!({}));
    let limits = standin::RequestLimits::default();
    let packed = request.session.pack(&request.tenant, &limits).expect("packs");
    let d = p.evaluate_action_in(&packed, "", None, now());
    assert_deny(&d, &["invalid-request"]);
    let huge = "x".repeat(limits.max_text_bytes);
    let d = p.evaluate_action_in(&packed, "course.complete", Some(&huge), now());
    assert_deny(&d, &["invalid-request"]);
    assert_allow(&p.evaluate_action_in(&packed, "course.complete", None, now()));
}
