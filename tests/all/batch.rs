//! `authorize_batch`: many actions with one wait, answered and recorded as
//! the same calls one by one would be (A3, S2, S3, F1, T1).

use crate::common::*;
use crate::sessions::{assert_intact, assert_race_recorded_as_answered, open, service, started, trail};
use serde_json::json;
use standin::audit::AuditEvent;
use standin::sessions::MAX_BATCH_CALLS;
use standin::store::AuditFilter;
use standin::{ActionCall, Authorization, SessionError, Standin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// An answer without what differs between two databases (session ids,
/// named by their index in `ids`): the decision as JSON, or the error's kind.
fn outcome(r: &Result<Authorization, SessionError>, ids: &[String]) -> String {
    let name = |text: String| {
        ids.iter()
            .enumerate()
            .fold(text, |t, (i, id)| t.replace(id.as_str(), &format!("<session {i}>")))
    };
    match r {
        Ok(a) => name(format!(
            "{} in {} as {} for {}",
            a.decision.to_json(),
            a.session,
            a.acting_as,
            a.on_behalf_of
        )),
        Err(SessionError::Store(standin::store::StoreError::UnknownSession(_))) => "unknown session".into(),
        Err(e) => format!("error: {e}"),
    }
}

/// An audit row's event, action, resource and codes.
type Row = (String, Option<String>, Option<String>, Vec<String>);

/// The trail without session ids and hashes.
fn rows(s: &Standin) -> Vec<Row> {
    trail(s)
        .into_iter()
        .map(|e| (e.event, e.action, e.resource, e.codes))
        .collect()
}

/// Two sessions, the second ended (by another actor), on a fresh database.
fn two_sessions(s: &Standin) -> (String, String) {
    let open = started(s, json!({}));
    let other = patch(actor(), json!({"id": "u-2"}));
    let out = s
        .sessions()
        .start(&start_request(other, target(), json!({})), None, now())
        .expect("start");
    let ended = out.session.expect("session").id;
    s.sessions().end(&ended, now()).expect("end");
    (open.id, ended)
}

/// `(session index, action, resource)`: index 0 the open session, 1 the
/// ended one, 2 a session that does not exist.
const CALLS: [(usize, &str, &str); 7] = [
    (0, "course.view", "r-0"),
    (0, "billing.purchase", "r-1"),
    (2, "course.view", "r-2"),
    (1, "course.view", "r-3"),
    (0, "course.view", "r-4"),
    (1, "billing.purchase", "r-5"),
    (0, "user.password.reset", "r-6"),
];

fn calls<'a>(ids: &'a [String; 3]) -> Vec<ActionCall<'a>> {
    CALLS
        .iter()
        .map(|&(s, action, resource)| ActionCall::new(&ids[s], action, Some(resource), now()))
        .collect()
}

#[test]
fn a3_f1_f2_a_batch_answers_and_records_what_the_same_calls_one_by_one_do_in_order() {
    let (_d1, one) = service();
    let (o, e) = two_sessions(&one);
    let ids = [o, e, "s-missing".to_string()];
    let one_by_one: Vec<String> = calls(&ids)
        .iter()
        .map(|c| outcome(&one.sessions().authorize(c.session, c.action, c.resource, c.now), &ids))
        .collect();

    let (_d2, batch) = service();
    let (o, e) = two_sessions(&batch);
    let ids = [o, e, "s-missing".to_string()];
    let answers = batch.sessions().authorize_batch(&calls(&ids)).expect("batch");
    let batched: Vec<String> = answers.iter().map(|a| outcome(a, &ids)).collect();
    assert_eq!(batched, one_by_one);

    // What the calls were told, one by one: allow, F1 deny, unknown,
    // ended, allow, ended, F2 deny (`user.password.*`).
    assert_allow(&answers[0].as_ref().expect("answer").decision);
    assert_deny(&answers[1].as_ref().expect("answer").decision, &["forbidden-action"]);
    assert!(matches!(
        answers[2],
        Err(SessionError::Store(standin::store::StoreError::UnknownSession(_)))
    ));
    assert_deny(&answers[3].as_ref().expect("answer").decision, &["session-ended"]);
    assert_allow(&answers[4].as_ref().expect("answer").decision);
    assert_deny(&answers[5].as_ref().expect("answer").decision, &["session-ended"]);
    assert_deny(&answers[6].as_ref().expect("answer").decision, &["forbidden-action"]);

    // The same trail, the batch's rows in the batch's order.
    assert_eq!(rows(&batch), rows(&one));
    let resources: Vec<String> = trail(&batch).into_iter().filter_map(|e| e.resource).collect();
    assert_eq!(resources, ["r-0", "r-1", "r-3", "r-4", "r-5", "r-6"]);
    assert_intact(&batch);
}

#[test]
fn s2_batches_racing_an_end_never_record_an_allowed_action_after_it() {
    let (_d, s) = service();
    let session = started(&s, json!({}));
    let (allowed, denied) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let go = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (s, id, allowed, denied, go) = (&s, &session.id, &allowed, &denied, &go);
            scope.spawn(move || {
                while !go.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
                let resources: Vec<String> = (0..32).map(|i| format!("r-{t}-{i}")).collect();
                let calls: Vec<ActionCall<'_>> = resources
                    .iter()
                    .map(|r| ActionCall::new(id, "course.view", Some(r), now()))
                    .collect();
                loop {
                    let mut ended = false;
                    for answer in s.sessions().authorize_batch(&calls).expect("batch") {
                        let d = answer.expect("authorize").decision;
                        if d.is_allow() {
                            allowed.fetch_add(1, Ordering::Relaxed);
                        } else {
                            assert_deny(&d, &["session-ended"]);
                            denied.fetch_add(1, Ordering::Relaxed);
                            ended = true;
                        }
                    }
                    if ended {
                        break;
                    }
                }
            });
        }
        go.store(true, Ordering::Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(200));
        s.sessions().end(&session.id, now()).expect("end");
    });
    assert_race_recorded_as_answered(&s, allowed.into_inner(), denied.into_inner());
}

#[test]
fn s2_a_batch_answers_each_call_its_own_when_a_session_ended_elsewhere_fails_the_commit_check() {
    let (d, a) = service();
    // A second `Standin` on the same file stands for another process.
    let b = open(d.path().join("standin.db"));
    let (live, _) = two_sessions(&a);
    let other = patch(actor(), json!({"id": "u-3"}));
    let out = a
        .sessions()
        .start(&start_request(other, target(), json!({})), None, now())
        .expect("start");
    let ended_elsewhere = out.session.expect("session").id;
    // `a` has it cached as active; `b` ends it.
    assert_allow(
        &a.sessions()
            .authorize(&ended_elsewhere, "course.view", None, now())
            .expect("authorize")
            .decision,
    );
    b.sessions().end(&ended_elsewhere, now()).expect("end");
    // 100 calls, more than one of the writer's chunks, alternating.
    let resources: Vec<String> = (0..100).map(|i| format!("r-{i}")).collect();
    let calls: Vec<ActionCall<'_>> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id = if i % 2 == 0 { &live } else { &ended_elsewhere };
            ActionCall::new(id, "course.view", Some(r), now())
        })
        .collect();
    let answers = a.sessions().authorize_batch(&calls).expect("batch");
    for (i, answer) in answers.iter().enumerate() {
        let d = &answer.as_ref().expect("answer").decision;
        if i % 2 == 0 {
            assert_allow(d);
        } else {
            assert_deny(d, &["session-ended"]);
        }
    }
    // The denied calls are recorded after the session's end, each once.
    let trail = trail(&a);
    let end = trail
        .iter()
        .position(|e| e.event == "session.ended" && e.session.as_deref() == Some(ended_elsewhere.as_str()))
        .expect("ended");
    let of = |e: &&AuditEvent| e.session.as_deref() == Some(ended_elsewhere.as_str());
    assert!(trail[end..].iter().filter(of).all(|e| e.event != "action.allowed"));
    let denied: Vec<&str> = trail[end..]
        .iter()
        .filter(of)
        .filter(|e| e.event == "action.denied")
        .filter_map(|e| e.resource.as_deref())
        .collect();
    let expected: Vec<&str> = resources.iter().skip(1).step_by(2).map(String::as_str).collect();
    assert_eq!(denied, expected);
    assert_intact(&a);
}

#[test]
fn s3_a_batch_records_a_due_sessions_expiry_before_its_deny() {
    let (_d, s) = service();
    let session = started(&s, json!({"ttl_seconds": 60}));
    let later = now() + chrono::TimeDelta::seconds(60);
    let calls = [
        ActionCall::new(&session.id, "course.view", Some("before"), now()),
        ActionCall::new(&session.id, "course.view", Some("at-deadline"), later),
    ];
    let answers = s.sessions().authorize_batch(&calls).expect("batch");
    assert_allow(&answers[0].as_ref().expect("answer").decision);
    assert_deny(&answers[1].as_ref().expect("answer").decision, &["session-expired"]);
    let events: Vec<String> = trail(&s).into_iter().map(|e| e.event).collect();
    assert_eq!(
        events,
        ["session.started", "action.allowed", "session.ended", "action.denied"]
    );
    assert_intact(&s);
}

#[test]
fn a3_a_batch_over_the_limit_is_refused_whole_and_records_nothing() {
    let (_d, s) = service();
    let session = started(&s, json!({}));
    let calls = vec![ActionCall::new(&session.id, "course.view", None, now()); MAX_BATCH_CALLS + 1];
    match s.sessions().authorize_batch(&calls) {
        Err(SessionError::BatchTooLarge { calls, max }) => {
            assert_eq!((calls, max), (MAX_BATCH_CALLS + 1, MAX_BATCH_CALLS));
        }
        other => panic!("expected BatchTooLarge, got {:?}", other.map(|v| v.len())),
    }
    assert_eq!(trail(&s).len(), 1, "only the start");
    // At the limit it is one batch, every row in order.
    let answers = s.sessions().authorize_batch(&calls[1..]).expect("batch");
    assert!(answers.iter().all(|a| a.as_ref().is_ok_and(|a| a.decision.is_allow())));
    let trail = trail(&s);
    assert_eq!(trail.len(), 1 + MAX_BATCH_CALLS);
    assert!(trail.iter().enumerate().all(|(i, e)| e.seq == i as u64 + 1));
    assert_intact(&s);
}

#[test]
fn t1_a_tenants_batch_answers_another_tenants_session_as_unknown() {
    let (_d, s) = service();
    let acme = started(&s, json!({}));
    let other = started(&s, json!({"tenant": "globex"}));
    let calls = [
        ActionCall::new(&acme.id, "course.view", Some("mine"), now()),
        ActionCall::new(&other.id, "course.view", Some("theirs"), now()),
    ];
    let answers = s.tenant("acme").sessions().authorize_batch(&calls).expect("batch");
    assert_allow(&answers[0].as_ref().expect("answer").decision);
    assert!(matches!(
        &answers[1],
        Err(SessionError::Store(standin::store::StoreError::UnknownSession(id))) if *id == other.id
    ));
    // Nothing was recorded in the other tenant's trail.
    let globex: Vec<String> = s
        .tenant("globex")
        .audit()
        .query(&AuditFilter::default())
        .expect("audit")
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(globex, ["session.started"]);
}
