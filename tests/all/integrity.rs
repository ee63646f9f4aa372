//! Integrity (issue 25): one time per change (B1), a keyed chain and
//! tagged rows (B2), and the host's own caps on a session's life and on
//! nesting (S1, E7), through the library on a SQLite file (and, for B1 and
//! S1, on PostgreSQL too), with raw SQL playing the database writer.

use crate::common::*;
use crate::sessions::{at, req};
use chrono::{TimeDelta, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};
use standin::audit::{AuditEvent, CHAIN_V2, Seal};
use standin::model::SessionState;
use standin::store::{AuditFilter, StoreError};
use standin::{HostKey, SessionError, Standin};
use standin_store_sqlite::{OpenSqlite, SqliteStore};
use std::path::Path;
use std::sync::Arc;

pub(crate) fn key() -> HostKey {
    HostKey::from_bytes([7; 32])
}

/// Sessions on the SQLite file at `path`, as one process sees it: its own
/// store handle, a test clock, the built-in policy for tenants with none,
/// and the host key when `keyed`.
pub(crate) fn open(path: &Path, keyed: bool) -> Standin {
    let s = Standin::open(host().clone(), path)
        .expect("open db")
        .with_builtin_fallback(true)
        .with_test_clock(true);
    if keyed { s.with_host_key(key()) } else { s }
}

/// Sessions over another store handle on `path` (`SqliteStore::open` +
/// `Standin::new`), as a second process.
pub(crate) fn second(path: &Path, keyed: bool) -> Standin {
    let store = SqliteStore::open(path).expect("open sqlite");
    let s = Standin::new(host().clone(), Arc::new(store))
        .with_builtin_fallback(true)
        .with_test_clock(true);
    if keyed { s.with_host_key(key()) } else { s }
}

/// Every problem `audit verify` reports, every tenant.
pub(crate) fn problems(s: &Standin) -> Vec<String> {
    s.audit()
        .verify(None)
        .expect("verify")
        .into_iter()
        .flat_map(|c| {
            let mut all: Vec<String> = c.problems.iter().map(ToString::to_string).collect();
            if let Some(b) = c.broken
                && !c.problems.contains(&b)
            {
                all.push(b.to_string());
            }
            all
        })
        .collect()
}

#[track_caller]
pub(crate) fn assert_verifies(s: &Standin, what: &str) {
    let found = problems(s);
    assert!(found.is_empty(), "{what}: audit verify reports:\n{}", found.join("\n"));
}

#[track_caller]
pub(crate) fn assert_reported(s: &Standin, needles: &[&str]) {
    let found = problems(s);
    for needle in needles {
        assert!(
            found.iter().any(|p| p.contains(needle)),
            "audit verify does not report `{needle}`; it reports:\n{}",
            found.join("\n")
        );
    }
}

fn trail_of(s: &Standin, tenant: &str) -> Vec<AuditEvent> {
    s.audit()
        .query(&AuditFilter {
            tenant: Some(tenant.to_string()),
            ..AuditFilter::default()
        })
        .expect("audit")
}

fn actor_id(id: &str) -> Value {
    patch(actor(), json!({ "id": id }))
}

fn sql(path: &Path, sql: &str, params: impl rusqlite::Params) -> usize {
    let conn = rusqlite::Connection::open(path).expect("open sqlite");
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    conn.execute(sql, params).expect("the database writer's SQL")
}

/// Not an allow: an error, or a decision that is not `allow`.
fn refused<T: std::fmt::Debug>(r: &Result<T, SessionError>, allowed: impl Fn(&T) -> bool) -> bool {
    match r {
        Ok(v) => !allowed(v),
        Err(_) => true,
    }
}

// ---------------------------------------------------------------- B1

/// Starts, actions and ends for many actors from several threads over two
/// handles whose clocks are 30 s ahead and 30 s behind; every change is
/// then dated by the chain, and `audit verify` finds nothing. Answers the
/// number of ends refused because the ending handle's clock was before the
/// start (the start was lifted past it), each then retried at the start.
fn b1_concurrent_on(a: &Standin, b: &Standin, name: &str, mismatches: &mut Vec<String>) -> usize {
    let base = now();
    let handles: [(&Standin, i64); 2] = [(a, 30), (b, -30)];
    let before_start = std::sync::atomic::AtomicUsize::new(0);
    let told = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for t in 0..4usize {
            let (own, skew) = handles[t % 2];
            let (other, other_skew) = handles[(t + 1) % 2];
            let before_start = &before_start;
            let told = &told;
            scope.spawn(move || {
                for i in 0..12i64 {
                    let clock = |skew: i64| base + TimeDelta::seconds(skew + 3 * i);
                    let request = start_request(actor_id(&format!("a-{t}-{i}")), target(), json!({}));
                    let out = own.sessions().start(&request, None, clock(skew)).expect("start");
                    assert_allow(&out.decision);
                    let session = out.session.expect("a session");
                    told.lock().expect("lock").push(session.clone());
                    other
                        .sessions()
                        .authorize(
                            &session.id,
                            "course.view",
                            None,
                            clock(other_skew) + TimeDelta::seconds(1),
                        )
                        .expect("authorize");
                    own.sessions()
                        .authorize(&session.id, "course.view", None, clock(skew) + TimeDelta::seconds(1))
                        .expect("authorize");
                    let (ender, end_at) = if i % 2 == 0 {
                        (other, clock(other_skew) + TimeDelta::seconds(2))
                    } else {
                        (own, clock(skew) + TimeDelta::seconds(2))
                    };
                    match ender.sessions().end(&session.id, end_at) {
                        Ok(ended) => assert_eq!(ended.state, SessionState::Ended),
                        // Replicas a few seconds apart are one moment: an end
                        // from a clock behind the (lifted) start is not refused.
                        Err(e @ SessionError::BeforeStart { .. }) => {
                            before_start.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            panic!("{name}: an end from a clock {skew} s off was refused: {e}");
                        }
                        Err(e) => panic!("{name}: end: {e}"),
                    }
                }
            });
        }
    });
    assert_verifies(a, &format!("{name}: after concurrent starts and ends"));
    // Every trail runs forwards, and each row says its events' times.
    let events = trail_of(a, "acme");
    assert!(
        events.windows(2).all(|w| w[0].at <= w[1].at),
        "{name}: the trail runs backwards"
    );
    for s in a.store().sessions("acme", false).expect("sessions") {
        let mine: Vec<&AuditEvent> = events.iter().filter(|e| e.session.as_ref() == Some(&s.id)).collect();
        let started = mine
            .iter()
            .find(|e| e.event == "session.started")
            .expect("started event");
        let ended = mine.iter().find(|e| e.event == "session.ended").expect("ended event");
        assert_eq!(s.started_at, started.at, "{name}: {}", s.id);
        assert_eq!(s.ended_at, Some(ended.at), "{name}: {}", s.id);
        assert_eq!(
            s.expires_at - s.started_at,
            TimeDelta::seconds(3600),
            "{name}: the length is kept"
        );
    }
    // What each caller was told of its start is what was stored.
    let told = told.into_inner().expect("lock");
    let differ: Vec<String> = told
        .iter()
        .filter_map(|t| {
            let row = a.store().session(&t.id).expect("read").expect("row");
            (row.started_at != t.started_at || row.max_expires_at != t.max_expires_at)
                .then(|| format!("{}: told started_at {}, stored {}", t.id, t.started_at, row.started_at))
        })
        .collect();
    if !differ.is_empty() {
        mismatches.push(format!(
            "{name}: {} of {} starts answered a session other than the one stored, e.g. {}",
            differ.len(),
            told.len(),
            differ[0]
        ));
    }
    before_start.into_inner()
}

/// A revoke dated 10 minutes before the tenant's last event, and a start
/// dated an hour before the upload of the policy it runs under (and an
/// upload dated before the last start): each takes the chain's time, its
/// row with it, and `audit verify` finds nothing.
fn b1_back_dated_on(a: &Standin, b: &Standin, name: &str, mismatches: &mut Vec<String>) {
    let t = now() + TimeDelta::hours(2);
    let x = a
        .sessions()
        .start(&start_request(actor_id("u-rev"), target(), json!({})), None, t)
        .expect("start")
        .session
        .expect("session");
    b.sessions()
        .authorize(&x.id, "course.view", None, t + TimeDelta::minutes(20))
        .expect("authorize");
    let revoked = b
        .sessions()
        .revoke(&x.id, "security review", t + TimeDelta::minutes(10))
        .expect("a back-dated revoke");
    let last = trail_of(a, "acme").pop().expect("events");
    assert_eq!(last.event, "session.ended", "{name}");
    assert_eq!(
        last.at,
        t + TimeDelta::minutes(20),
        "{name}: the revoke takes the head's time"
    );
    let row = a.store().session(&x.id).expect("read").expect("row");
    assert_eq!(row.ended_at, Some(last.at), "{name}: the row says the recorded time");
    assert_verifies(a, &format!("{name}: after a back-dated revoke"));
    let told = mismatches;
    if revoked.ended_at != Some(last.at) {
        told.push(format!(
            "{name}: the revoke answered ended_at {:?}, stored {}",
            revoked.ended_at, last.at
        ));
    }

    // `policy set` at T, then a start dated T - 1 h.
    let t = now() + TimeDelta::hours(4);
    a.policies()
        .set("globex", None, &json!({"default_ttl_seconds": 1800}).to_string(), t)
        .expect("policy set");
    let early = b
        .sessions()
        .start(
            &start_request(actor_id("u-early"), target(), json!({"tenant": "globex"})),
            None,
            t - TimeDelta::hours(1),
        )
        .expect("start");
    assert_allow(&early.decision);
    let early = early.session.expect("session");
    let row = a.store().session(&early.id).expect("read").expect("row");
    assert_eq!(row.started_at, t, "{name}: the start takes the upload's time");
    assert_eq!(
        row.expires_at,
        t + TimeDelta::seconds(1800),
        "{name}: and keeps its length"
    );
    assert_verifies(a, &format!("{name}: after a start dated before the upload"));
    if (early.started_at, early.expires_at) != (row.started_at, row.expires_at) {
        told.push(format!(
            "{name}: the start answered started_at {} and expires_at {}, stored {} and {}",
            early.started_at, early.expires_at, row.started_at, row.expires_at
        ));
    }

    // An upload dated before the tenant's last event.
    b.policies()
        .set(
            "globex",
            None,
            &json!({"default_ttl_seconds": 900}).to_string(),
            t - TimeDelta::hours(3),
        )
        .expect("policy set");
    let v2 = a.policies().version("globex", 2).expect("version 2");
    assert_eq!(v2.created_at, t, "{name}: the version takes the chain's time");
    b.sessions().end(&early.id, t + TimeDelta::minutes(1)).expect("end");
    assert_verifies(a, &format!("{name}: after an upload dated before the head"));
}

/// B1 on two SQLite handles, unkeyed then keyed; answers what callers
/// were told that differs from what was stored.
fn b1_sqlite() -> Vec<String> {
    let mut told = Vec::new();
    for keyed in [false, true] {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("standin.db");
        let a = open(&path, keyed);
        let b = second(&path, keyed);
        let name = if keyed { "sqlite, keyed" } else { "sqlite" };
        let refused = b1_concurrent_on(&a, &b, name, &mut told);
        if refused > 0 {
            eprintln!(
                "note: {name}: {refused} ends were refused `BeforeStart` (the start was lifted past the ender's clock)"
            );
        }
        b1_back_dated_on(&a, &b, name, &mut told);
    }
    told
}

#[test]
fn b1_concurrent_start_end_verifies() {
    b1_sqlite();
}

/// What a start, a revoke or an end answers is the session as stored: a
/// change lifted to the chain's time says so to its caller too.
#[test]
fn b1_answers_say_the_stored_times() {
    let told = b1_sqlite();
    assert!(
        told.is_empty(),
        "callers were told other times than stored:\n{}",
        told.join("\n")
    );
}

#[test]
fn b1_far_future_refused_without_test_clock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let real = Standin::open(host().clone(), &path)
        .expect("open db")
        .with_builtin_fallback(true);
    let far = at("9999-01-01T00:00:00Z");
    let out = real.sessions().start(&req(json!({})), None, far);
    assert!(
        matches!(out, Err(SessionError::Store(StoreError::Clock { .. }))),
        "a start in year 9999: {out:?}"
    );
    let ahead = Utc::now() + TimeDelta::minutes(10);
    let out = real.sessions().start(&req(json!({})), None, ahead);
    assert!(
        matches!(out, Err(SessionError::Store(StoreError::Clock { .. }))),
        "a start 10 minutes ahead: {out:?}"
    );
    let upload = real.policies().set("acme", None, "{}", far);
    assert!(upload.is_err(), "an upload in year 9999: {upload:?}");
    // Nothing was written.
    assert!(trail_of(&real, "acme").is_empty(), "{:?}", trail_of(&real, "acme"));
    assert!(real.store().sessions("acme", false).expect("sessions").is_empty());
    assert!(real.store().policies("acme").expect("versions").is_empty());

    // Within the 5 minutes: accepted.
    let soon = Utc::now() + TimeDelta::minutes(1);
    let s = real
        .sessions()
        .start(&req(json!({})), None, soon)
        .expect("start")
        .session
        .expect("session");
    real.sessions().end(&s.id, soon).expect("end");
    assert_verifies(&real, "after a start a minute ahead");

    // With the test clock on, year 9999 is the caller's to choose.
    let test = open(&path, false);
    let s = test.sessions().start(&req(json!({})), None, far).expect("start");
    assert_allow(&s.decision);
    let s = s.session.expect("session");
    assert_eq!(s.started_at, far);
    test.sessions()
        .authorize(&s.id, "course.view", None, far)
        .expect("authorize");
    test.sessions().end(&s.id, far + TimeDelta::seconds(5)).expect("end");
    assert_verifies(&test, "after a start in year 9999 with a test clock");
}

// ---------------------------------------------------------------- B2

const SESSION_COLUMNS: &str = "tenant, actor, target, actor_principal, target_principal, reason, domain, read_only, \
    started_at, expires_at, max_expires_at, state, ended_at, end_reason, return_to, policy_version, policy_digest, \
    notify_target, obligations, revoke_reason, parent, depth, approval";

#[test]
fn b2_forged_session_row_refused_and_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let s = open(&path, true);
    let real = s
        .sessions()
        .start(&req(json!({"reason": "ticket SUP-1"})), None, now())
        .expect("start")
        .session
        .expect("session");
    assert_verifies(&s, "a keyed trail");

    // A copy of the row for another actor, its tag copied; another with no tag.
    let columns = SESSION_COLUMNS.replacen("actor,", "?3,", 1);
    for (id, actor, tag) in [("s-forged", "u-666", "tag"), ("s-untagged", "u-667", "NULL")] {
        let n = sql(
            &path,
            &format!(
                "INSERT INTO sessions (id, {SESSION_COLUMNS}, tag) SELECT ?1, {columns}, {tag} FROM sessions WHERE id = ?2"
            ),
            [id, real.id.as_str(), actor],
        );
        assert_eq!(n, 1);
    }
    for id in ["s-forged", "s-untagged"] {
        for (who, sessions) in [("this process", &s), ("another process", &second(&path, true))] {
            let r = sessions
                .sessions()
                .authorize(id, "course.view", None, now() + TimeDelta::minutes(1));
            assert!(
                refused(&r, |a| a.decision.is_allow()),
                "{who}: an action in forged session `{id}` was allowed: {r:?}"
            );
            let status = sessions.sessions().status(id, now() + TimeDelta::minutes(1));
            assert!(
                status.is_err(),
                "{who}: the banner of forged session `{id}`: {status:?}"
            );
        }
    }
    // The legitimate session still works.
    let ok = s
        .sessions()
        .authorize(&real.id, "course.view", None, now() + TimeDelta::minutes(1))
        .expect("authorize");
    assert_allow(&ok.decision);
    assert_reported(
        &s,
        &[
            "session `s-forged` is not authenticated by the host key",
            "session `s-untagged` is not authenticated by the host key",
            "session `s-forged` has a row but no `session.started` event",
        ],
    );

    // Rows the host wrote, edited: a read-only session made writable, and
    // a deadline raised by two days.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let s = open(&path, true);
    s.policies()
        .set("acme", None, &json!({"read_only": true}).to_string(), now())
        .expect("policy set");
    let ro = s
        .sessions()
        .start(&req(json!({})), None, now())
        .expect("start")
        .session
        .expect("session");
    assert!(ro.read_only);
    let writable = s
        .sessions()
        .authorize(&ro.id, "course.edit", None, now())
        .expect("authorize");
    assert!(
        !writable.decision.is_allow(),
        "read-only: {}",
        writable.decision.to_json()
    );
    let long = s
        .sessions()
        .start(&start_request(actor_id("u-2"), target(), json!({})), None, now())
        .expect("start")
        .session
        .expect("session");
    assert_verifies(&s, "before the edits");
    assert_eq!(
        sql(&path, "UPDATE sessions SET read_only = 0 WHERE id = ?1", [&ro.id]),
        1
    );
    assert_eq!(
        sql(
            &path,
            "UPDATE sessions SET expires_at = expires_at + 172800 WHERE id = ?1",
            [&long.id]
        ),
        1
    );
    let other = second(&path, true);
    for (who, sessions) in [("this process", &s), ("another process", &other)] {
        let r = sessions
            .sessions()
            .authorize(&ro.id, "course.edit", None, now() + TimeDelta::minutes(1));
        assert!(
            refused(&r, |a| a.decision.is_allow()),
            "{who}: a write in a read-only session made writable: {r:?}"
        );
        let r = sessions
            .sessions()
            .authorize(&long.id, "course.view", None, now() + TimeDelta::hours(2));
        assert!(
            refused(&r, |a| a.decision.is_allow()),
            "{who}: an action after the real deadline of a session whose deadline was raised: {r:?}"
        );
    }
    // Refused when read, by a process that did not write them.
    let fresh = second(&path, true);
    // (`course.view` is allowed in both; only the tag can refuse it.)
    let r = fresh
        .sessions()
        .authorize(&ro.id, "course.view", None, now() + TimeDelta::minutes(1));
    assert!(refused(&r, |a| a.decision.is_allow()), "an edited row was used: {r:?}");
    let r = fresh
        .sessions()
        .authorize(&long.id, "course.view", None, now() + TimeDelta::minutes(1));
    assert!(refused(&r, |a| a.decision.is_allow()), "an edited row was used: {r:?}");
    let r = fresh.sessions().extend(&long.id, 3600, now() + TimeDelta::minutes(1));
    assert!(
        refused(&r, |o| o.decision.is_allow()),
        "an edited row was extended: {r:?}"
    );
    assert_reported(
        &s,
        &[
            &format!("session `{}` is not authenticated by the host key", ro.id),
            &format!("session `{}` is not authenticated by the host key", long.id),
        ],
    );
}

/// A session ended by one process and set back to `active` by a database
/// writer: a process that still has it in its cache of active sessions
/// must not allow actions in it.
#[test]
fn b2_ended_row_set_back_to_active_allows_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let a = open(&path, true);
    let b = second(&path, true);
    let x = a
        .sessions()
        .start(&req(json!({})), None, now())
        .expect("start")
        .session
        .expect("session");
    // Process b reads it (and caches it as active).
    assert_allow(
        &b.sessions()
            .authorize(&x.id, "course.view", None, now() + TimeDelta::seconds(1))
            .expect("authorize")
            .decision,
    );
    a.sessions()
        .revoke(&x.id, "security review", now() + TimeDelta::seconds(2))
        .expect("revoke");
    sql(
        &path,
        "UPDATE sessions SET state = 'active', ended_at = NULL, end_reason = NULL, revoke_reason = NULL WHERE id = ?1",
        [&x.id],
    );
    let r = b
        .sessions()
        .authorize(&x.id, "course.view", None, now() + TimeDelta::seconds(3));
    assert!(
        refused(&r, |a| a.decision.is_allow()),
        "an action in a revoked session set back to active by SQL was allowed: {r:?}"
    );
    assert_reported(
        &a,
        &[&format!("session `{}` is not authenticated by the host key", x.id)],
    );
}

#[test]
fn b2_forged_policy_version_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let s = open(&path, true);
    // Strict: a start needs a reason (E10).
    s.policies()
        .set("acme", None, &json!({"require_reason": true}).to_string(), now())
        .expect("policy set");
    let out = s.sessions().start(&req(json!({})), None, now()).expect("start");
    assert_deny(&out.decision, &["reason-required"]);
    assert_verifies(&s, "a keyed policy version");

    // Version 2, permissive, inserted and made active by SQL.
    let conn = rusqlite::Connection::open(&path).expect("sqlite");
    conn.execute_batch(
        "UPDATE policies SET active = 0 WHERE tenant = 'acme' AND version = 1;
         INSERT INTO policies (tenant, version, digest, settings, created_at, active, uploaded_by, note, describe, \
           activated_at, tag, active_tag)
           SELECT tenant, 2, digest, '{}', created_at + 1, 1, uploaded_by, note, describe, activated_at + 1, tag, \
           active_tag FROM policies WHERE tenant = 'acme' AND version = 1;
         INSERT INTO activations (tenant, version, at, kind) VALUES ('acme', 2, 0, 'activate');",
    )
    .expect("forge version 2");
    drop(conn);
    let at = now() + TimeDelta::minutes(1);
    for (who, sessions) in [("this process", &s), ("another process", &second(&path, true))] {
        let out = sessions.sessions().start(&req(json!({})), None, at);
        assert!(
            refused(&out, |o| o.decision.is_allow() || o.session.is_some()),
            "{who}: a start under a forged version was allowed: {out:?}"
        );
        if let Ok(o) = &out {
            assert_deny(&o.decision, &["policy-unavailable"]);
        }
    }
    assert_reported(
        &s,
        &[
            "policy version 2 is not authenticated by the host key",
            "policy version 2 has no `policy.uploaded` event",
        ],
    );

    // Version 1's settings edited in place (its active mark left alone).
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let s = open(&path, true);
    s.policies()
        .set("acme", None, &json!({"require_reason": true}).to_string(), now())
        .expect("policy set");
    sql(&path, "UPDATE policies SET settings = '{}' WHERE tenant = 'acme'", []);
    let out = second(&path, true).sessions().start(&req(json!({})), None, at);
    assert!(
        refused(&out, |o| o.decision.is_allow() || o.session.is_some()),
        "a start under edited settings was allowed: {out:?}"
    );
    assert_reported(&s, &["policy version 1 is not authenticated by the host key"]);
}

#[test]
fn b2_unkeyed_event_after_keyed_is_a_break() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let keyed = open(&path, true);
    let x = keyed
        .sessions()
        .start(&req(json!({})), None, now())
        .expect("start")
        .session
        .expect("session");
    keyed
        .sessions()
        .authorize(&x.id, "course.view", None, now())
        .expect("authorize");
    keyed.sessions().end(&x.id, now()).expect("end");
    assert_verifies(&keyed, "a keyed trail");
    let events = trail_of(&keyed, "acme").len();

    // A process without the key may not extend the keyed chain.
    let unkeyed = second(&path, false);
    let out = unkeyed
        .sessions()
        .start(&start_request(actor_id("u-2"), target(), json!({})), None, now());
    assert!(
        matches!(out, Err(SessionError::Store(StoreError::Unkeyed(_)))),
        "an unkeyed start after keyed events: {out:?}"
    );
    let upload = unkeyed.policies().set("acme", None, "{}", now());
    assert!(upload.is_err(), "an unkeyed upload after keyed events: {upload:?}");
    assert_eq!(trail_of(&keyed, "acme").len(), events, "nothing was appended");
    assert!(
        keyed
            .store()
            .sessions("acme", false)
            .expect("sessions")
            .iter()
            .all(|s| s.actor != "u-2"),
        "no row was written"
    );
    assert_verifies(&keyed, "after the refused unkeyed writes");

    // A row appended by hand, correctly chained in the unkeyed format.
    let last = trail_of(&keyed, "acme").pop().expect("events");
    let mut e = last.clone();
    e.seq = last.seq + 1;
    e.prev_hash = last.hash.clone();
    e.event = "action.allowed".to_string();
    e.action = Some("course.view".to_string());
    e.codes = Vec::new();
    e.end_reason = None;
    e.expires_at = None;
    e.obligations = None;
    e.note = None;
    e.request = None;
    e.seal = Seal {
        chain: CHAIN_V2,
        facts: None,
        digest: None,
    };
    let digest = standin::audit::row_digest(&e);
    e.hash = standin::audit::chain_hash_v2(&e.prev_hash, e.seq, &digest);
    sql(
        &path,
        "INSERT INTO audit (tenant, seq, at, event, session, actor, target, action, resource, reason, codes, \
         end_reason, policy_version, policy_digest, expires_at, obligations, note, request, prev_hash, hash, chain, \
         facts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, '[]', NULL, ?10, ?11, NULL, NULL, NULL, NULL, ?12, \
         ?13, 2, NULL)",
        rusqlite::params![
            e.tenant,
            e.seq as i64,
            e.at.timestamp(),
            e.event,
            e.session,
            e.actor,
            e.target,
            e.action,
            e.reason,
            e.policy.version,
            e.policy.digest,
            e.prev_hash,
            e.hash
        ],
    );
    // Read back, the row is the one hashed: an unkeyed verifier finds its
    // hash right...
    let back = trail_of(&keyed, "acme").pop().expect("events");
    assert_eq!(back.seq, e.seq);
    assert_eq!(
        standin::audit::chain_hash_v2(&back.prev_hash, back.seq, &standin::audit::row_digest(&back)),
        back.hash,
        "the hand-made row is chained correctly"
    );
    // ...and the keyed verify reports it.
    let chains = keyed.audit().verify(Some("acme")).expect("verify");
    let broken = chains[0].broken.clone().expect("broken");
    assert_eq!(broken.seq, e.seq, "{broken}");
    assert!(broken.problem.contains("without the host key"), "{broken}");
}

// ---------------------------------------------------------------- S1

/// Raises a session's `expires_at` and `max_expires_at` (by SQL) to
/// `started_at` + `seconds`; with a negative `seconds`, only
/// `max_expires_at`, to `started_at` - `seconds`.
type Raise<'a> = &'a dyn Fn(&str, i64);

/// Sessions started at T for 1 h, their deadline and ceiling raised to
/// T + 47 h by a database writer, are active until T + 24 h at most.
fn s1_raised_on(s: &Standin, fresh: &dyn Fn() -> Standin, raise: Raise<'_>, name: &str) {
    let t = now();
    let cap = t + TimeDelta::hours(24);
    let start = |who: &str| {
        s.sessions()
            .start(
                &start_request(actor_id(who), target(), json!({"ttl_seconds": 3600})),
                None,
                t,
            )
            .expect("start")
            .session
            .expect("session")
    };
    let (x, y, w) = (start("u-s1a"), start("u-s1b"), start("u-s1c"));
    assert_eq!(x.started_at, t, "{name}");
    raise(&x.id, 47 * 3600);
    raise(&y.id, 47 * 3600);
    raise(&w.id, -47 * 3600);
    // An extension stops at T + 24 h, whatever the ceiling says.
    let out = fresh()
        .sessions()
        .extend(&w.id, 86_400, t + TimeDelta::minutes(30))
        .expect("extend");
    assert_allow(&out.decision);
    assert_eq!(out.session.expires_at, cap, "{name}: extend stops at started_at + 24 h");
    let row = s.store().session(&w.id).expect("read").expect("row");
    assert_eq!(row.expires_at, cap, "{name}: the row");
    // The raised row is read (no cache): active past its 1 h...
    let ok = fresh()
        .sessions()
        .authorize(&x.id, "course.view", None, t + TimeDelta::hours(23))
        .expect("authorize");
    assert_allow(&ok.decision);
    // ...and never past T + 24 h.
    let late = fresh()
        .sessions()
        .authorize(&x.id, "course.view", None, cap + TimeDelta::seconds(1))
        .expect("authorize");
    assert_deny(&late.decision, &["session-expired"]);
    let row = s.store().session(&x.id).expect("read").expect("row");
    assert_eq!(row.state, SessionState::Ended, "{name}");
    assert_eq!(row.ended_at, Some(cap), "{name}: ended at its real deadline");
    let late = fresh()
        .sessions()
        .authorize(&w.id, "course.view", None, cap + TimeDelta::seconds(1))
        .expect("authorize");
    assert_deny(&late.decision, &["session-expired"]);
    // The banner says so before anything records it...
    let banner = fresh()
        .sessions()
        .peek_status(&y.id, t + TimeDelta::hours(25))
        .expect("status");
    assert_eq!(banner.state, SessionState::Ended, "{name}");
    assert!(
        !fresh()
            .sessions()
            .peek_list("acme", true, t + TimeDelta::hours(25))
            .expect("list")
            .iter()
            .any(|s| s.id == y.id),
        "{name}: listed active past its 24 h"
    );
    // ...and a sweep records it.
    let swept = fresh().sessions().sweep(t + TimeDelta::hours(25)).expect("sweep");
    let row = s.store().session(&y.id).expect("read").expect("row");
    assert!(
        swept.iter().any(|s| s.id == y.id) && row.state == SessionState::Ended,
        "{name}: a sweep at T+25h does not end a session whose expires_at was raised to T+47h (swept {:?}; the row is \
         {}, next deadline {:?})",
        swept.iter().map(|s| &s.id).collect::<Vec<_>>(),
        row.state.as_str(),
        s.store().next_deadline().ok().flatten()
    );
}

fn sqlite_raise(path: &Path) -> impl Fn(&str, i64) + '_ {
    move |id, seconds| {
        let n = if seconds >= 0 {
            sql(
                path,
                "UPDATE sessions SET expires_at = started_at + ?2, max_expires_at = started_at + ?2 WHERE id = ?1",
                rusqlite::params![id, seconds],
            )
        } else {
            sql(
                path,
                "UPDATE sessions SET max_expires_at = started_at + ?2 WHERE id = ?1",
                rusqlite::params![id, -seconds],
            )
        };
        assert_eq!(n, 1, "raise {id}");
    }
}

#[test]
fn s1_raised_max_expires_at_cannot_outlive_24h() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let s = open(&path, false);
    s1_raised_on(&s, &|| second(&path, false), &sqlite_raise(&path), "sqlite");
}

/// An extension of a session whose `expires_at` a database writer raised
/// past `started_at` + 24 h: the extension must not record (in the row,
/// the answer or the chain) a deadline past `started_at` + 24 h.
#[test]
fn s1_extend_does_not_keep_a_raised_expires_at_past_24h() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let s = open(&path, false);
    let t = now();
    let z = s
        .sessions()
        .start(&req(json!({"ttl_seconds": 3600})), None, t)
        .expect("start")
        .session
        .expect("session");
    sqlite_raise(&path)(&z.id, 47 * 3600);
    let out = second(&path, false)
        .sessions()
        .extend(&z.id, 86_400, t + TimeDelta::hours(23))
        .expect("extend");
    assert_allow(&out.decision);
    let cap = t + TimeDelta::hours(24);
    let extended = trail_of(&s, "acme").pop().expect("events");
    assert_eq!(extended.event, "session.extended");
    let row = s.store().session(&z.id).expect("read").expect("row");
    assert!(
        out.session.expires_at <= cap && row.expires_at <= cap && extended.expires_at.is_some_and(|e| e <= cap),
        "extended at T+23h: answer says {}, row says {}, the chain's session.extended says {:?} (cap {cap}, kept_expiry \
         {})",
        out.session.expires_at,
        row.expires_at,
        extended.expires_at,
        out.kept_expiry
    );
    let banner = second(&path, false)
        .sessions()
        .status(&z.id, t + TimeDelta::hours(23))
        .expect("status");
    assert!(
        banner.remaining_seconds <= 3600,
        "the banner at T+23h promises {} s more",
        banner.remaining_seconds
    );
}

// ---------------------------------------------------------------- E7

#[test]
fn e7_nesting_capped_by_host() {
    for (max, label) in [(Some(1), "with_max_depth(1)"), (None, "the default (2)")] {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("standin.db");
        let mut s = open(&path, true);
        if let Some(max) = max {
            s = s.with_max_depth(max);
        }
        let max = max.unwrap_or(standin::DEFAULT_MAX_DEPTH);
        s.policies()
            .set("acme", None, &json!({"allow_nested": true}).to_string(), now())
            .expect("policy set");
        let mut parent: Option<String> = None;
        for depth in 0..=max {
            let out = s.sessions().start(&req(json!({})), None, now()).expect("start");
            assert_allow(&out.decision);
            let session = out.session.expect("session");
            assert_eq!(session.depth, depth, "{label}");
            assert_eq!(session.parent, parent, "{label}");
            parent = Some(session.id);
        }
        let out = s.sessions().start(&req(json!({})), None, now()).expect("start");
        assert_deny(&out.decision, &["nested-impersonation"]);
        assert!(
            out.decision.reasons().iter().all(|r| r.rule == "E7"),
            "{}",
            out.decision.to_json()
        );
        assert!(out.session.is_none());
        let last = trail_of(&s, "acme").pop().expect("events");
        assert_eq!(
            (last.event.as_str(), last.codes.clone()),
            ("session.denied", vec!["nested-impersonation".to_string()])
        );
        // Another process with the same cap says the same.
        let mut other = second(&path, true);
        if max == 1 {
            other = other.with_max_depth(1);
        }
        let out = other.sessions().start(&req(json!({})), None, now()).expect("start");
        assert_deny(&out.decision, &["nested-impersonation"]);
        // Ending the innermost frees one level.
        s.sessions()
            .end(parent.as_deref().expect("innermost"), now())
            .expect("end");
        let out = s.sessions().start(&req(json!({})), None, now()).expect("start");
        assert_allow(&out.decision);
        assert_eq!(out.session.expect("session").depth, max, "{label}");
        assert_verifies(&s, label);
    }
}

// ---------------------------------------------------------------- B1, random

#[derive(Debug, Clone)]
enum Op {
    Start { h: usize, actor: u8 },
    Authorize { h: usize, pick: u8, view: bool },
    Extend { h: usize, pick: u8, ttl: u32 },
    End { h: usize, pick: u8 },
    Revoke { h: usize, pick: u8 },
    Sweep { h: usize },
}

fn op() -> impl Strategy<Value = Op> {
    let h = 0..2usize;
    prop_oneof![
        3 => (h.clone(), 0..4u8).prop_map(|(h, actor)| Op::Start { h, actor }),
        3 => (h.clone(), any::<u8>(), any::<bool>()).prop_map(|(h, pick, view)| Op::Authorize { h, pick, view }),
        1 => (h.clone(), any::<u8>(), 60..7200u32).prop_map(|(h, pick, ttl)| Op::Extend { h, pick, ttl }),
        2 => (h.clone(), any::<u8>()).prop_map(|(h, pick)| Op::End { h, pick }),
        1 => (h.clone(), any::<u8>()).prop_map(|(h, pick)| Op::Revoke { h, pick }),
        1 => h.prop_map(|h| Op::Sweep { h }),
    ]
}

/// An answer, not a failure: what a caller may be told for a session that
/// ended, or that started (by the chain's time) after its clock.
fn expected_error(e: &SessionError) -> bool {
    matches!(e, SessionError::Ended { .. } | SessionError::BeforeStart { .. })
}

/// Runs `ops` on two handles of one store, each with its clock `skews`
/// off, then checks the trail verifies and runs forwards.
fn interleave(handles: &[Standin; 2], skews: (i64, i64), ops: Vec<(Op, i64)>) -> Result<(), TestCaseError> {
    let skew = [skews.0, skews.1];
    let mut elapsed = 0i64;
    let mut started: Vec<String> = Vec::new();
    for (op, dt) in ops {
        elapsed += dt;
        let clock = |h: usize| now() + TimeDelta::seconds(elapsed + skew[h]);
        let pick = |p: u8| (!started.is_empty()).then(|| started[usize::from(p) % started.len()].clone());
        let result: Result<(), SessionError> = match &op {
            Op::Start { h, actor } => handles[*h]
                .sessions()
                .start(
                    &start_request(actor_id(&format!("u-p{actor}")), target(), json!({})),
                    None,
                    clock(*h),
                )
                .map(|o| started.extend(o.session.map(|s| s.id))),
            Op::Authorize { h, pick: p, view } => match pick(*p) {
                Some(id) => handles[*h]
                    .sessions()
                    .authorize(
                        &id,
                        if *view { "course.view" } else { "billing.purchase" },
                        None,
                        clock(*h),
                    )
                    .map(drop),
                None => Ok(()),
            },
            Op::Extend { h, pick: p, ttl } => match pick(*p) {
                Some(id) => handles[*h].sessions().extend(&id, u64::from(*ttl), clock(*h)).map(drop),
                None => Ok(()),
            },
            Op::End { h, pick: p } => match pick(*p) {
                Some(id) => handles[*h].sessions().end(&id, clock(*h)).map(drop),
                None => Ok(()),
            },
            Op::Revoke { h, pick: p } => match pick(*p) {
                Some(id) => handles[*h].sessions().revoke(&id, "random revoke", clock(*h)).map(drop),
                None => Ok(()),
            },
            Op::Sweep { h } => handles[*h].sessions().sweep(clock(*h)).map(drop),
        };
        if let Err(e) = &result {
            prop_assert!(expected_error(e), "{op:?} at +{elapsed}s: {e}");
        }
    }
    let found = problems(&handles[0]);
    prop_assert!(found.is_empty(), "audit verify reports:\n{}", found.join("\n"));
    let events = trail_of(&handles[1], "acme");
    prop_assert!(
        events.windows(2).all(|w| w[0].at <= w[1].at),
        "the trail runs backwards"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(16),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn b1_random_interleavings_verify(
        skews in (-60i64..=60, -60i64..=60),
        keyed in any::<bool>(),
        ops in prop::collection::vec((op(), 0..900i64), 1..30),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("standin.db");
        interleave(&[open(&path, keyed), second(&path, keyed)], skews, ops)?;
    }
}

/// The same on two replicas of one PostgreSQL database (one server for
/// every case, a database each).
#[test]
fn b1_random_interleavings_verify_on_two_postgres_replicas() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let config = ProptestConfig {
        cases: 6,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let cases = (
        (-60i64..=60, -60i64..=60),
        any::<bool>(),
        prop::collection::vec((op(), 0..900i64), 1..30),
    );
    let n = std::cell::Cell::new(0);
    proptest::test_runner::TestRunner::new(config)
        .run(&cases, |(skews, keyed, ops)| {
            n.set(n.get() + 1);
            let url = pg.create_database(&format!("interleave_{}", n.get()));
            interleave(&[pg_sessions(&url, keyed), pg_sessions(&url, keyed)], skews, ops)
        })
        .expect("every interleaving verifies");
}

// ---------------------------------------------------------------- PostgreSQL

/// Two handles on one PostgreSQL database (two `PostgresStore::connect`),
/// as two processes, when a server can be started.
pub(crate) fn pg_sessions(url: &str, keyed: bool) -> Standin {
    let store = standin_store_postgres::PostgresStore::connect(url).expect("connect to postgres");
    let s = Standin::new(host().clone(), Arc::new(store))
        .with_builtin_fallback(true)
        .with_test_clock(true);
    if keyed { s.with_host_key(key()) } else { s }
}

#[test]
fn b1_concurrent_start_end_verifies_postgres() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    for (db, keyed) in [("b1", false), ("b1_keyed", true)] {
        let url = pg.create_database(db);
        let a = pg_sessions(&url, keyed);
        let b = pg_sessions(&url, keyed);
        let name = format!("postgres{}", if keyed { ", keyed" } else { "" });
        let mut told = Vec::new();
        let refused = b1_concurrent_on(&a, &b, &name, &mut told);
        if refused > 0 {
            eprintln!("note: {name}: {refused} ends were refused `BeforeStart`");
        }
        b1_back_dated_on(&a, &b, &name, &mut told);
        for t in told {
            eprintln!("note: {t}");
        }
    }
}

#[test]
fn s1_raised_max_expires_at_cannot_outlive_24h_postgres() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let url = pg.create_database("s1");
    let s = pg_sessions(&url, false);
    let raise = |id: &str, seconds: i64| {
        let set = if seconds >= 0 {
            format!("expires_at = started_at + {seconds}, max_expires_at = started_at + {seconds}")
        } else {
            format!("max_expires_at = started_at + {}", -seconds)
        };
        // Ids are `s-` and hex digits: safe in the SQL text.
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        pg.sql("s1", &format!("UPDATE sessions SET {set} WHERE id = '{id}'"));
    };
    s1_raised_on(&s, &|| pg_sessions(&url, false), &raise, "postgres");
}

/// PostgreSQL keeps each tenant's chain head beside the events
/// (`chain_heads`): events cut off the tail, with the head left as it was,
/// are found by `audit verify` even without a checkpoint.
#[test]
fn a1_postgres_verify_finds_a_tail_cut_under_a_stale_head() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let url = pg.create_database("a1_tail");
    let s = pg_sessions(&url, true);
    let t = now();
    let x = s
        .sessions()
        .start(&req(json!({})), None, t)
        .expect("start")
        .session
        .expect("session");
    for i in 1..=3 {
        s.sessions()
            .authorize(&x.id, "course.view", None, t + TimeDelta::seconds(i))
            .expect("authorize");
    }
    assert_verifies(&s, "before the cut");
    let last = trail_of(&s, "acme").last().expect("events").seq;
    pg.sql(
        "a1_tail",
        &format!("DELETE FROM audit WHERE tenant = 'acme' AND seq > {}", last - 2),
    );
    assert_reported(&s, &["recorded head is event", "cut off the tail"]);
}

/// A call whose caller's deadline passed before its rows were committed
/// (a server answered `503 deadline-exceeded`) records nothing: the trail
/// never holds an allow its caller never got.
fn late_call_on(s: &Standin, name: &str) {
    let t = now();
    let x = s
        .sessions()
        .start(&req(json!({})), None, t)
        .expect("start")
        .session
        .expect("session");
    let before = trail_of(s, "acme").len();
    let past = std::time::Instant::now() - std::time::Duration::from_millis(1);
    let late = standin::deadline::within(past, || {
        s.sessions()
            .authorize(&x.id, "course.view", None, t + TimeDelta::seconds(1))
    });
    assert!(matches!(late, Err(SessionError::Late { .. })), "{name}: {late:?}");
    assert_eq!(trail_of(s, "acme").len(), before, "{name}: a late call was recorded");
    // With time left, the same call is recorded.
    let future = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let on_time = standin::deadline::within(future, || {
        s.sessions()
            .authorize(&x.id, "course.view", None, t + TimeDelta::seconds(2))
    })
    .expect("authorize");
    assert_allow(&on_time.decision);
    assert_eq!(trail_of(s, "acme").len(), before + 1, "{name}");
    assert_verifies(s, name);
}

#[test]
fn a3_a_call_past_its_callers_deadline_is_not_recorded() {
    let dir = tempfile::tempdir().expect("temp dir");
    late_call_on(&open(&dir.path().join("standin.db"), true), "sqlite");
    if let Some(pg) = standin_tests::postgres::PgServer::start() {
        late_call_on(&pg_sessions(&pg.create_database("late"), true), "postgres");
    }
}

/// A resource over the request cap is refused (`invalid-request`) and its
/// row keeps 1 KiB of it with its size and digest, not 64 KiB.
#[test]
fn a2_an_oversized_resource_is_refused_and_stored_clipped_to_1_kib() {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = open(&dir.path().join("standin.db"), true);
    let t = now();
    let x = s
        .sessions()
        .start(&req(json!({})), None, t)
        .expect("start")
        .session
        .expect("session");
    let huge = "r".repeat(100 * 1024);
    let d = s
        .sessions()
        .authorize(&x.id, "course.view", Some(&huge), t + TimeDelta::seconds(1))
        .expect("authorize");
    assert_deny(&d.decision, &["invalid-request"]);
    let row = trail_of(&s, "acme").pop().expect("row");
    let kept = row.resource.expect("resource");
    assert!(kept.len() <= 1200, "{} bytes kept", kept.len());
    assert!(kept.contains("102400 bytes") && kept.contains("sha256:"), "{kept}");
    assert_verifies(&s, "after an oversized resource");
}

/// The forged session row, the raised deadline and the forged policy
/// version, on PostgreSQL: refused by another replica's hot path and
/// reported by `audit verify`.
#[test]
fn b2_forged_session_row_and_policy_version_refused_on_postgres() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let url = pg.create_database("b2");
    let s = pg_sessions(&url, true);
    s.policies()
        .set("acme", None, &json!({"require_reason": true}).to_string(), now())
        .expect("policy set");
    let real = s
        .sessions()
        .start(&req(json!({"reason": "ticket SUP-1"})), None, now())
        .expect("start")
        .session
        .expect("session");
    assert_verifies(&s, "postgres: a keyed trail");
    // The deadline raised by two days, read by a replica that never saw it.
    pg.sql(
        "b2",
        &format!(
            "UPDATE sessions SET expires_at = expires_at + 172800 WHERE id = '{}'",
            real.id
        ),
    );
    let r = pg_sessions(&url, true)
        .sessions()
        .authorize(&real.id, "course.view", None, now() + TimeDelta::minutes(1));
    assert!(
        refused(&r, |a| a.decision.is_allow()),
        "postgres: an action in an edited session row was allowed: {r:?}"
    );
    // A permissive version 2, inserted and made active.
    pg.sql(
        "b2",
        "UPDATE policies SET active = FALSE WHERE tenant = 'acme' AND version = 1",
    );
    pg.sql(
        "b2",
        "INSERT INTO policies (tenant, version, digest, settings, created_at, active, uploaded_by, note, describe, \
         activated_at, tag, active_tag) SELECT tenant, 2, digest, '{}', created_at + 1, TRUE, uploaded_by, note, \
         describe, activated_at + 1, tag, active_tag FROM policies WHERE tenant = 'acme' AND version = 1",
    );
    let out = pg_sessions(&url, true)
        .sessions()
        .start(&req(json!({})), None, now() + TimeDelta::minutes(2));
    assert!(
        refused(&out, |o| o.decision.is_allow() || o.session.is_some()),
        "postgres: a start under a forged version was allowed: {out:?}"
    );
    assert_reported(
        &s,
        &[
            &format!("session `{}` is not authenticated by the host key", real.id),
            "policy version 2 is not authenticated by the host key",
        ],
    );
}
