//! Generic AuthZEN answers' audit rows ([`SessionStore::append_events`]):
//! rows of no session, chained with the actions' rows and committed in
//! the same group commits (SQLite's writer, PostgreSQL's per-tenant
//! groups), not in a transaction (and a flush) of their own.
//!
//! [`SessionStore::append_events`]: standin::store::SessionStore::append_events

use super::{each, sessions, start, trail};
use crate::common::now;
use serde_json::json;
use standin::authzen::Question;

const THREADS: usize = 4;
const EACH: usize = 25;

/// A3, G5: answers and actions asked side by side by four threads: every
/// answer and every action is in the trail once, the chain gapless and
/// intact, and the group commits' figures count every one of them.
#[test]
fn a3_g5_generic_answers_chain_with_actions_and_share_their_group_commit() {
    each(|name, store| {
        let s = sessions(&store);
        let session = start(&s, "acme", "a-1", "t-1");
        let before = store.audit_stats().map(|stats| stats.rows);
        std::thread::scope(|scope| {
            for t in 0..THREADS {
                let (s, id) = (&s, session.id.as_str());
                scope.spawn(move || {
                    for i in 0..EACH {
                        let question = Question {
                            subject: json!({"type": "user", "id": format!("u-{t}-{i}")}),
                            action: json!({"name": "read"}),
                            resource: json!({"type": "record", "id": "r-1"}),
                            context: json!({}),
                        };
                        let answer = s.tenant("acme").authzen().evaluate(&question, now());
                        assert!(
                            !answer.decision,
                            "{name}: the built-in policy answers no generic question"
                        );
                        let error = answer.error.as_ref().map(|(code, _)| code.as_str());
                        assert_eq!(
                            error,
                            Some("generic-questions-unsupported"),
                            "{name}: audited, not failed"
                        );
                        s.sessions()
                            .authorize(id, "course.view", None, now())
                            .expect("authorize");
                    }
                });
            }
        });
        let events = trail(&store, "acme");
        let count = |event: &str| events.iter().filter(|e| e.event == event).count();
        assert_eq!(count("authzen.denied"), THREADS * EACH, "{name}: every answer once");
        assert_eq!(count("action.allowed"), THREADS * EACH, "{name}: every action once");
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e.seq, i as u64 + 1, "{name}: the chain has a gap or a repeat");
        }
        let chain = standin::audit::verify_chain("acme", &events, None);
        assert!(chain.broken.is_none(), "{name}: {:?}", chain.broken);
        let rows = store.audit_stats().map(|stats| stats.rows).unwrap_or(0) - before.unwrap_or(0);
        assert_eq!(
            rows,
            (2 * THREADS * EACH) as u64,
            "{name}: the group commit took the answers' rows with the actions'"
        );
    });
}

/// G5: many questions at once (`TenantAuthzen::evaluate_many`, what the
/// server's batching threads call): answered in order, audited in their
/// order, in one commit.
#[test]
fn g5_many_generic_questions_at_once_are_audited_in_order_in_one_commit() {
    each(|name, store| {
        let s = sessions(&store);
        let questions: Vec<Question> = (0..10)
            .map(|i| Question {
                subject: json!({"type": "user", "id": format!("u-{i}")}),
                action: json!({"name": "read"}),
                resource: json!({"type": "record", "id": format!("r-{i}")}),
                context: json!({}),
            })
            .collect();
        let before = store.audit_stats().unwrap_or_default();
        let answers = s.tenant("acme").authzen().evaluate_many(&questions, now());
        assert_eq!(answers.len(), questions.len(), "{name}: one answer per question");
        assert!(answers.iter().all(|a| !a.decision), "{name}");
        let after = store.audit_stats().unwrap_or_default();
        assert_eq!(
            (after.commits - before.commits, after.rows - before.rows),
            (1, 10),
            "{name}: one commit for the ten rows"
        );
        let actors: Vec<String> = trail(&store, "acme").into_iter().map(|e| e.actor).collect();
        let expected: Vec<String> = (0..10).map(|i| format!("u-{i}")).collect();
        assert_eq!(actors, expected, "{name}: in the questions' order");
    });
}
