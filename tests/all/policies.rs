//! Per-tenant policy versions: upload checks (each failure class keeps the
//! previous version serving), activation and rollback while serving,
//! sessions keeping their version, what-if replay. Compiled artifacts and
//! what the host trusts of the store: `artifacts.rs`.

use crate::common::*;
use crate::sessions::{req, service};
use serde_json::json;
use standin::harness::Suite;
use standin::policies::{ChangeKind, PolicyError, Upload, UploadStep};
use standin::store::StoreError;
use standin::{SessionError, Standin};
use standin_store_sqlite::OpenSqlite;
use standin_tests::{WRONG_WORLD, component};
use std::path::Path;

/// Uploads the built-in policy with `settings`, activated.
pub(crate) fn upload(s: &Standin, tenant: &str, settings: serde_json::Value) -> u32 {
    let settings = settings.to_string();
    let up = Upload {
        tenant,
        settings: &settings,
        activate: true,
        uploaded_by: Some("ops"),
        note: Some("test"),
        ..Upload::default()
    };
    s.policies().upload(&up, now()).expect("upload").stored.version
}

fn suite(expect_without_reason: &str) -> Suite {
    let text = json!({
        "name": "reasons", "tenant": "acme", "now": "2026-11-21T10:00:00Z",
        "principals": {"admin": actor(), "user": target()},
        "cases": [
            {"name": "a reason is given", "start": {"actor": "admin", "target": "user", "reason": "SUP-1"},
             "expect": {"decision": "allow"}},
            {"name": "no reason", "start": {"actor": "admin", "target": "user"},
             "expect": {"decision": expect_without_reason}}
        ]
    });
    Suite::parse(&text.to_string(), Path::new("reasons.json")).expect("suite parses")
}

/// The start of the base request with no reason: allowed under `{}`,
/// denied under `require_reason`.
pub(crate) fn no_reason_start(s: &Standin) -> (standin::Decision, u32) {
    let (decision, policy) = s.policies().evaluate_start(&req(json!({})), now()).expect("evaluate");
    (decision, policy.version)
}

#[test]
fn t1_every_upload_failure_names_its_step_and_keeps_the_previous_version() {
    let (_dir, s) = service();
    let v1 = upload(&s, "acme", json!({}));
    let core_module = b"\0asm\x01\0\0\0".to_vec();
    let mut truncated = standin::DEFAULT_POLICY.to_vec();
    truncated.truncate(truncated.len() / 2);
    /// Name, component, settings, suites, the step that must refuse.
    type Case = (&'static str, Vec<u8>, String, Vec<Suite>, UploadStep);
    let cases: Vec<Case> = vec![
        ("size", vec![0; 25 << 20], "{}".into(), vec![], UploadStep::Size),
        (
            "not wasm",
            b"hello".to_vec(),
            "{}".into(),
            vec![],
            UploadStep::Component,
        ),
        ("core module", core_module, "{}".into(), vec![], UploadStep::Component),
        ("truncated", truncated, "{}".into(), vec![], UploadStep::Compile),
        (
            "non-WASI import",
            crate::wasi::importing("acme:clock/now@1.0.0"),
            "{}".into(),
            vec![],
            UploadStep::Imports,
        ),
        (
            "wrong world",
            component(WRONG_WORLD),
            "{}".into(),
            vec![],
            UploadStep::World,
        ),
        (
            "bad settings",
            standin::DEFAULT_POLICY.to_vec(),
            r#"{"max_ttl_seconds": "long"}"#.into(),
            vec![],
            UploadStep::Settings,
        ),
        (
            "failing suite",
            standin::DEFAULT_POLICY.to_vec(),
            r#"{"require_reason": true}"#.into(),
            vec![suite("allow")],
            UploadStep::Suites,
        ),
    ];
    for (name, bytes, settings, suites, step) in cases {
        let up = Upload {
            tenant: "acme",
            component: Some(&bytes),
            settings: &settings,
            suites: &suites,
            activate: true,
            ..Upload::default()
        };
        let err = s.policies().upload(&up, now()).expect_err(name);
        assert_eq!(err.step(), Some(step), "{name}: {err}");
        assert!(err.to_string().contains(&format!("step `{step}`")), "{name}: {err}");
        assert_eq!(
            s.policies().versions("acme").expect("versions").len(),
            1,
            "{name} stored nothing"
        );
        let (decision, version) = no_reason_start(&s);
        assert_allow(&decision);
        assert_eq!(version, v1, "{name}: version 1 still serves");
    }
}

#[test]
fn t1_an_upload_that_passes_its_suites_is_stored_with_its_history() {
    let (_dir, s) = service();
    upload(&s, "acme", json!({}));
    let settings = r#"{"require_reason": true}"#;
    let suites = [suite("deny")];
    let up = Upload {
        tenant: "acme",
        settings,
        suites: &suites,
        uploaded_by: Some("dana"),
        note: Some("reasons required"),
        ..Upload::default()
    };
    let out = s.policies().upload(&up, now()).expect("upload");
    assert_eq!(out.suites[0].passed, 2);
    assert_eq!((out.stored.version, out.stored.active), (2, false));
    assert_eq!(out.stored.uploaded_by.as_deref(), Some("dana"));
    assert_eq!(out.stored.note.as_deref(), Some("reasons required"));
    assert_eq!(
        out.stored.policy.as_ref().map(|p| p.name.as_str()),
        Some("standin-default")
    );
    // Not activated: version 1 still answers.
    let (decision, version) = no_reason_start(&s);
    assert_allow(&decision);
    assert_eq!(version, 1);
}

#[test]
fn t1_activate_and_rollback_switch_the_serving_version() {
    let (_dir, s) = service();
    upload(&s, "acme", json!({}));
    upload(&s, "acme", json!({"require_reason": true}));
    upload(&s, "acme", json!({"default_ttl_seconds": 600}));
    assert_eq!(s.policies().active("acme").expect("active").map(|p| p.version), Some(3));
    let (decision, version) = no_reason_start(&s);
    assert_allow(&decision);
    assert_eq!((decision.lease().map(|l| l.ttl_seconds()), version), (Some(600), 3));

    s.policies().rollback("acme", Some("ops"), now()).expect("rollback");
    let (decision, version) = no_reason_start(&s);
    assert_deny(&decision, &["reason-required"]);
    assert_eq!(version, 2);

    s.policies().rollback("acme", None, now()).expect("second rollback");
    assert_eq!(no_reason_start(&s).1, 1);
    let err = s.policies().rollback("acme", None, now()).expect_err("nothing earlier");
    assert!(
        matches!(err, PolicyError::Store(StoreError::NothingToRollBack(_))),
        "{err}"
    );
    assert_eq!(no_reason_start(&s).1, 1, "a refused rollback changes nothing");

    s.policies().activate("acme", 3, Some("ops"), now()).expect("activate");
    assert_eq!(no_reason_start(&s).1, 3);
    // Activating the active version again pushes nothing: one rollback
    // still goes back to version 1.
    s.policies().activate("acme", 3, None, now()).expect("activate again");
    s.policies().rollback("acme", None, now()).expect("rollback");
    assert_eq!(no_reason_start(&s).1, 1);
    s.policies().activate("acme", 3, None, now()).expect("activate");
    let err = s
        .policies()
        .activate("acme", 9, None, now())
        .expect_err("unknown version");
    assert!(
        matches!(err, PolicyError::Store(StoreError::UnknownVersion { version: 9, .. })),
        "{err}"
    );
    assert_eq!(no_reason_start(&s).1, 3);
}

#[test]
fn t1_activation_is_atomic_while_other_threads_evaluate() {
    let (_dir, s) = service();
    upload(&s, "acme", json!({}));
    upload(&s, "acme", json!({"require_reason": true}));
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut seen = [0usize; 3];
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let (decision, version) = no_reason_start(&s);
                        // Every answer is the answer of the version it names.
                        match version {
                            1 => assert_allow(&decision),
                            2 => assert_deny(&decision, &["reason-required"]),
                            v => panic!("version {v} never existed"),
                        }
                        seen[version as usize] += 1;
                    }
                    seen
                })
            })
            .collect();
        for _ in 0..20 {
            s.policies().rollback("acme", None, now()).expect("rollback");
            s.policies().activate("acme", 2, None, now()).expect("activate");
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for w in workers {
            let seen = w.join().expect("worker");
            assert!(seen[1] + seen[2] > 0, "the worker answered");
        }
    });
}

#[test]
fn t1_sessions_and_audit_rows_keep_the_version_they_started_under() {
    let (_dir, s) = service();
    upload(&s, "acme", json!({}));
    let old = s
        .sessions()
        .start(&req(json!({})), None, now())
        .expect("start")
        .session
        .expect("session");
    upload(&s, "acme", json!({"forbidden_actions": ["reports.view"]}));
    let new_actor = patch(actor(), json!({"id": "u-9"}));
    let new = s
        .sessions()
        .start(&start_request(new_actor, target(), json!({})), None, now())
        .expect("start")
        .session
        .expect("session");
    assert_eq!((old.policy.version, new.policy.version), (1, 2));
    let a = s
        .sessions()
        .authorize(&old.id, "reports.view", None, now())
        .expect("authorize");
    assert_allow(&a.decision);
    assert_eq!(a.policy.version, 1);
    let b = s
        .sessions()
        .authorize(&new.id, "reports.view", None, now())
        .expect("authorize");
    assert_deny(&b.decision, &["forbidden-action"]);
    assert_eq!(b.policy, new.policy);
    let rows = s.audit().query(&Default::default()).expect("audit");
    for row in rows.iter().filter(|r| r.session.as_deref() == Some(&old.id)) {
        assert_eq!(row.policy.version, 1, "{}", row.event);
    }
}

#[test]
fn t1_replay_reports_every_decision_a_candidate_would_change() {
    let (_dir, s) = service();
    upload(&s, "acme", json!({}));
    // Recorded under version 1: an allowed start without a reason, an
    // allowed report, a denied purchase.
    let session = s
        .sessions()
        .start(&req(json!({})), None, now())
        .expect("start")
        .session
        .expect("session");
    s.sessions()
        .authorize(&session.id, "reports.view", None, now())
        .expect("authorize");
    s.sessions()
        .authorize(&session.id, "billing.purchase", None, now())
        .expect("authorize");
    s.sessions().end(&session.id, now()).expect("end");
    // Candidate 2 requires a reason and forbids reports; candidate 3 allows purchases.
    let up = |settings: serde_json::Value| {
        let settings = settings.to_string();
        s.policies()
            .upload(
                &Upload {
                    tenant: "acme",
                    settings: &settings,
                    ..Upload::default()
                },
                now(),
            )
            .expect("upload")
            .stored
            .version
    };
    let strict = up(json!({"require_reason": true, "forbidden_actions": ["billing.*", "reports.view"]}));
    let lax = up(json!({"forbidden_actions": []}));

    let same = s.policies().replay("acme", 1, None).expect("replay");
    assert_eq!((same.replayed, same.changed), (3, 0));

    let r = s.policies().replay("acme", strict, None).expect("replay");
    assert_eq!((r.replayed, r.unchanged, r.changed, r.allow_to_deny), (3, 1, 2, 2));
    let kinds: Vec<(&str, ChangeKind)> = r.changes.iter().map(|c| (c.event.as_str(), c.change)).collect();
    assert_eq!(
        kinds,
        [
            ("session.started", ChangeKind::AllowToDeny),
            ("action.allowed", ChangeKind::AllowToDeny)
        ]
    );
    assert_eq!(r.changes[0].after.codes, ["reason-required"]);
    assert_eq!(r.changes[0].before_policy.version, 1);

    let r = s.policies().replay("acme", lax, None).expect("replay");
    assert_eq!((r.changed, r.deny_to_allow), (1, 1));
    assert_eq!(r.changes[0].action.as_deref(), Some("billing.purchase"));

    let later = now() + chrono::TimeDelta::hours(1);
    assert_eq!(
        s.policies()
            .replay("acme", strict, Some(later))
            .expect("replay")
            .replayed,
        0
    );
    assert!(
        s.policies().replay("acme", 42, None).is_err(),
        "an unknown candidate is an error"
    );
}

#[test]
fn t1_a_tenant_without_a_policy_gets_no_sessions_unless_the_fallback_is_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let s = Standin::open(host().clone(), &db).expect("open");
    upload(&s, "acme", json!({"require_reason": true}));
    // `Acme` and `acme ` are not `acme`, and have no policy of their own.
    for tenant in ["Acme", "globex"] {
        let request = req(json!({"tenant": tenant, "reason": "SUP-1"}));
        let out = s.sessions().start(&request, None, now()).expect("answered");
        assert!(out.session.is_none(), "{tenant}");
        assert_deny(&out.decision, &["policy-unavailable"]);
        assert_eq!(out.policy.version, 0);
    }
    // Nor is it a tenant id: refused before anything is recorded.
    let request = req(json!({"tenant": "acme ", "reason": "SUP-1"}));
    let err = s.sessions().start(&request, None, now()).expect_err("not a tenant id");
    assert!(matches!(err, SessionError::Invalid(_)), "{err}");
    let denied = s
        .audit()
        .query(&standin::store::AuditFilter {
            tenant: Some("globex".to_string()),
            ..Default::default()
        })
        .expect("audit");
    let events: Vec<&str> = denied.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["session.denied", "policy.error"], "the refusal is audited");
    assert_eq!(denied[0].codes, ["policy-unavailable"]);

    let s = s.with_builtin_fallback(true);
    let request = req(json!({"tenant": "globex"}));
    assert!(
        s.sessions()
            .start(&request, None, now())
            .expect("answered")
            .session
            .is_some()
    );
}

#[test]
fn t1_an_unloadable_version_cannot_be_activated() {
    let (_dir, s) = service();
    upload(&s, "acme", json!({}));
    let err = s.policies().activate("acme", 2, None, now()).expect_err("no version 2");
    assert!(
        matches!(err, PolicyError::Store(StoreError::UnknownVersion { .. })),
        "{err}"
    );
    let refused = s
        .policies()
        .upload(
            &Upload {
                tenant: "",
                settings: "{}",
                ..Upload::default()
            },
            now(),
        )
        .expect_err("empty tenant");
    assert!(matches!(refused, PolicyError::EmptyTenant));
}
