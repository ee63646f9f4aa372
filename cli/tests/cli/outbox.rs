//! `outbox ack [--tenant T] ID...` (hardening issue, item 5): with
//! `--tenant`, a tenant acknowledges only its own messages, and ids that are not its messages
//! are named (exit 1), all or nothing: a list with an unknown id acks none.

use crate::audit_output::start_request;
use crate::sessions::{json, standin};
use serde_json::Value;
use std::path::Path;

const T0: &str = "2026-11-21T10:00:00Z";

/// Starts a session for `tenant` (its `impersonation.started` message goes
/// to the outbox); returns the message's id.
fn message_of(db: &Path, dir: &Path, tenant: &str) -> i64 {
    let out = standin(db, T0, &["policy", "set", "--tenant", tenant]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mut request = start_request("ticket SUP-1");
    request["tenant"] = tenant.into();
    let file = dir.join(format!("{tenant}.json"));
    std::fs::write(&file, request.to_string()).expect("write");
    let out = standin(db, T0, &["session", "start", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = standin(db, T0, &["outbox", "list", "--tenant", tenant]);
    json(&out)["id"].as_i64().expect("message id")
}

fn pending(db: &Path, tenant: &str) -> Vec<i64> {
    let out = standin(db, T0, &["outbox", "list", "--tenant", tenant]);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("json")["id"]
                .as_i64()
                .expect("id")
        })
        .collect()
}

#[test]
fn outbox_ack_of_another_tenants_message_acks_nothing_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let acme = message_of(&db, dir.path(), "acme");
    let globex = message_of(&db, dir.path(), "globex");
    let (a, g) = (acme.to_string(), globex.to_string());

    // globex cannot acknowledge acme's message, nor one that does not exist.
    let out = standin(&db, T0, &["outbox", "ack", "--tenant", "globex", &a]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not messages of tenant `globex`: ") && err.contains(&a),
        "{err}"
    );
    assert_eq!(pending(&db, "acme"), [acme]);

    // All or nothing: with an unknown id in the list, its own message stays too.
    let out = standin(&db, T0, &["outbox", "ack", "--tenant", "globex", &g, &a, "999"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!(": {a}, 999;")), "{err}");
    assert_eq!(
        (pending(&db, "acme"), pending(&db, "globex")),
        (vec![acme], vec![globex])
    );

    // Its own: acknowledged; again: known, nothing new.
    let out = standin(&db, T0, &["outbox", "ack", "--tenant", "globex", &g]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(json(&out)["acked"], 1);
    let out = standin(&db, T0, &["outbox", "ack", "--tenant", "globex", &g]);
    assert_eq!((out.status.code(), json(&out)["acked"].as_u64()), (Some(0), Some(0)));
    assert_eq!((pending(&db, "acme"), pending(&db, "globex")), (vec![acme], vec![]));
}

#[test]
fn outbox_ack_without_a_tenant_is_the_operators_form_and_still_names_unknown_ids() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let acme = message_of(&db, dir.path(), "acme");
    let globex = message_of(&db, dir.path(), "globex");
    let out = standin(&db, T0, &["outbox", "ack", &acme.to_string(), "999"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not messages of any tenant: 999"),
        "{out:?}"
    );
    assert_eq!(pending(&db, "acme"), [acme], "all or nothing");
    let out = standin(&db, T0, &["outbox", "ack", &acme.to_string(), &globex.to_string()]);
    assert_eq!(
        (out.status.code(), json(&out)["acked"].as_u64()),
        (Some(0), Some(2)),
        "{out:?}"
    );
}
