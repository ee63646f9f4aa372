//! Concurrent single `authorize` calls share batches (`batcher.rs`); each
//! is still decided for its own session and tenant, and audited once.

use crate::support::{Server, start_request};
use serde_json::json;
use standin::access::Scope::Decide;

/// Globex's decide key and a session of it (u-1 as u-77).
async fn globex_session(server: &Server) -> (String, String) {
    let mut request = start_request("u-1", "u-77");
    request["tenant"] = json!("globex");
    let key = server.key("globex", Decide).to_string();
    let (status, session) = server
        .call("POST", "/v1/tenants/globex/sessions", Some(&key), Some(request))
        .await;
    assert_eq!(status, 201, "{session}");
    (key, session["id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn concurrent_authorizes_of_two_tenants_each_get_their_own_answer_a3_e8() {
    let server = Server::start();
    let acme = server.session("u-42").await;
    let (_, globex) = globex_session(&server).await;

    let calls = (0..60).map(|i| {
        let (tenant, session, target) = match i % 3 {
            0 => ("acme", acme.clone(), "u-42"),
            1 => ("globex", globex.clone(), "u-77"),
            // Globex's key on acme's session: unknown, whatever shares its batch.
            _ => ("globex", acme.clone(), ""),
        };
        let key = server.key(tenant, Decide).to_string();
        let action = if i % 2 == 0 { "course.view" } else { "billing.purchase" };
        let server = &server;
        async move {
            let path = format!("/v1/tenants/{tenant}/sessions/{session}/authorize");
            let body = json!({"action": action, "resource": format!("r-{i}")});
            (
                i,
                target,
                action,
                server.call("POST", &path, Some(&key), Some(body)).await,
            )
        }
    });
    let answers = futures_util::future::join_all(calls).await;
    for (i, target, action, (status, answer)) in answers {
        if target.is_empty() {
            assert_eq!(status, 404, "call {i} reached another tenant's session: {answer}");
            continue;
        }
        assert_eq!(status, 200, "call {i}: {answer}");
        assert_eq!(answer["acting_as"], target, "call {i}");
        let expected = if action == "course.view" { "allow" } else { "deny" };
        assert_eq!(answer["decision"], expected, "call {i}: {answer}");
    }
    // Each tenant's trail has its own calls, once each.
    for (tenant, session, count) in [("acme", &acme, 20), ("globex", &globex, 20)] {
        let events = server.events(tenant, &format!("?session={session}")).await;
        let actions = events.iter().filter(|e| e.starts_with("action.")).count();
        assert_eq!(actions, count, "{tenant}: {events:?}");
    }
}

/// The batch route takes the 4096 calls it promises: its body cap is sized
/// for them (`max_batch_body_bytes`), not the 256 KiB of other routes,
/// which about 2,500 such calls already pass.
#[tokio::test]
async fn a_batch_of_4096_calls_fits_its_body_cap_a3() {
    let server = Server::start();
    let session = server.session("u-42").await;
    let calls: Vec<_> = (0..4096)
        .map(|i| json!({"session": session, "action": "course.view", "resource": format!("course-{i:06}-of-the-catalogue")}))
        .collect();
    let body = json!({ "calls": calls });
    assert!(serde_json::to_vec(&body).unwrap().len() > 256 * 1024);
    let key = server.key("acme", Decide).to_string();
    let (status, answer) = server
        .call("POST", "/v1/tenants/acme/authorize", Some(&key), Some(body))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["results"].as_array().map(Vec::len), Some(4096), "{answer}");
}

/// G5: a batch of generic evaluations (`execute_all`) is answered in
/// order and its audit rows are committed together: one group commit for
/// the twenty rows, not one each.
#[tokio::test]
async fn a_batch_of_generic_evaluations_is_audited_in_one_commit_g5() {
    let server = Server::start();
    let evaluations: Vec<_> = (0..20)
        .map(|i| {
            json!({"subject": {"type": "user", "id": format!("u-{i}")}, "action": {"name": "read"},
            "resource": {"type": "record", "id": format!("r-{i}")}})
        })
        .collect();
    let commits = server.metric("standin_audit_commit_duration_seconds_count").await;
    let rows = server.metric("standin_audit_rows_total").await;
    let (status, answer) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluations",
            Some(json!({"evaluations": evaluations})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let answers = answer["evaluations"].as_array().expect("evaluations");
    assert_eq!(answers.len(), 20, "{answer}");
    assert!(answers.iter().all(|a| a["decision"] == false), "{answer}");
    assert_eq!(
        server.metric("standin_audit_commit_duration_seconds_count").await - commits,
        1,
        "one commit for the batch's rows"
    );
    assert_eq!(server.metric("standin_audit_rows_total").await - rows, 20);
    let events = server.events("acme", "?event=authzen.denied").await;
    assert_eq!(events.len(), 20, "{events:?}");
}

/// Generic questions and `authorize` calls wait on queues and threads of
/// their own (`batcher.rs`): while every question thread is busy with a
/// tenant whose policy runs each question to its 100 ms deadline, an
/// `authorize` of another tenant is answered before any of those questions.
/// On one queue it would wait for a thread, which frees only once a batch
/// of questions is answered.
#[tokio::test]
async fn questions_that_run_to_their_deadline_delay_no_authorize_call_a3() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = Server::start();
    let bytes = standin_tests::component(standin_tests::MISCHIEF);
    let upload = json!({
        "component_base64": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes),
        "activate": true,
    });
    let (status, body) = server
        .acme(standin::access::Scope::Admin, "POST", "/policies", Some(upload))
        .await;
    assert_eq!(status, 201, "{body}");
    let (globex_key, globex) = globex_session(&server).await;
    // One burst per question thread, 50 ms apart, each taken whole by one
    // thread: 30 questions of 100 ms, 3 s of work a thread.
    let answered = AtomicUsize::new(0);
    let threads = standin_server::batcher::threads();
    let (server, answered) = (&server, &answered);
    let questions = (0..threads).flat_map(|burst| {
        (0..30).map(move |i| async move {
            tokio::time::sleep(std::time::Duration::from_millis(50 * burst as u64)).await;
            let question = json!({"subject": {"type": "user", "id": format!("u-{i}")},
                "action": {"name": "loop"}, "resource": {"type": "record", "id": "r"}});
            let answer = server
                .acme(Decide, "POST", "/access/v1/evaluation", Some(question))
                .await;
            answered.fetch_add(1, Ordering::SeqCst);
            answer
        })
    });
    let call = async {
        tokio::time::sleep(std::time::Duration::from_millis(50 * threads as u64)).await;
        let path = format!("/v1/tenants/globex/sessions/{globex}/authorize");
        let answer = server
            .call("POST", &path, Some(&globex_key), Some(json!({"action": "course.view"})))
            .await;
        (answer, answered.load(Ordering::SeqCst))
    };
    let (questions, ((status, answer), answered_before)) =
        tokio::join!(futures_util::future::join_all(questions), call);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["decision"], "allow", "{answer}");
    assert_eq!(
        answered_before, 0,
        "the authorize call waited for questions to be answered"
    );
    for (status, answer) in questions {
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["decision"], false, "a question past its deadline: {answer}");
    }
}
