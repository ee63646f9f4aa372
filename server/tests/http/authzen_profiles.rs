//! AuthZEN profiles for what Standin already does (issue 31, part 5):
//! obligations as the Obligations profile's objects, negotiated per
//! question (`context.supported_obligations`), the plain strings staying
//! the answer for every other caller; `supported_obligations` in metadata.

use crate::support::{Server, four_eyes};
use serde_json::{Value, json};
use standin::access::Scope::Decide;

fn in_session(id: &str, action: &str, context: Value) -> Value {
    json!({
        "subject": {"type": "impersonation_session", "id": id},
        "action": {"name": action},
        "resource": {"type": "report", "id": "r-1"},
        "context": context,
    })
}

#[tokio::test]
async fn o1_deliver_to_target_is_a_notification_object_when_the_pep_asks_for_objects() {
    let server = Server::start();
    let id = server.session("u-42").await;
    let ask = json!({"supported_obligations": ["notification", "session_termination"]});
    let (status, answer) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluation",
            Some(in_session(&id, "report.generate", ask)),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["decision"], true);
    assert_eq!(
        answer["context"]["obligations"],
        json!([{
            "id": "obl-1", "type": "notification",
            "properties": {
                "to": "u-42", "topic": "deliver-to-target",
                "body": "send the result of this action to the impersonated user, not to the actor",
            },
        }])
    );
    // Without asking: the strings, as before.
    let (_, plain) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluation",
            Some(in_session(&id, "report.generate", json!({}))),
        )
        .await;
    assert_eq!(plain["context"]["obligations"], json!(["deliver-to-target"]));
}

#[tokio::test]
async fn o2_an_ended_session_asks_the_pep_for_session_termination() {
    let server = Server::start();
    let id = server.session("u-42").await;
    let (status, _) = server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    assert_eq!(status, 200);
    let ask = json!({"supported_obligations": ["session_termination"]});
    let body = json!({
        "subject": {"type": "impersonation_session", "id": id},
        "context": ask,
        "evaluations": [{"action": {"name": "course.view"}, "resource": {"type": "course", "id": "c-1"}}],
    });
    let (status, answer) = server.acme(Decide, "POST", "/access/v1/evaluations", Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    let item = &answer["evaluations"][0];
    assert_eq!(item["decision"], false);
    assert_eq!(
        item["context"]["obligations"],
        json!([{"id": "obl-1", "type": "session_termination", "properties": {"subject": id}}]),
        "{answer}"
    );
    // Without asking, no obligation on the deny.
    let (_, plain) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/evaluation",
            Some(in_session(&id, "course.view", json!({}))),
        )
        .await;
    assert_eq!(plain["context"]["obligations"], json!([]), "{plain}");
}

#[tokio::test]
async fn o3_the_metadata_names_the_supported_obligation_types() {
    let server = Server::start();
    let (_, meta) = server
        .call("GET", "/.well-known/authzen-configuration/acme", None, None)
        .await;
    assert_eq!(
        meta["supported_obligations"],
        json!(["notification", "session_termination", "custom"])
    );
}

fn start_question() -> Value {
    json!({
        "subject": {"type": "user", "id": "u-1", "properties": {"roles": ["super_admin"]}},
        "action": {"name": "impersonate"},
        "resource": {"type": "user", "id": "u-42", "properties": {"active": true, "has_logged_in": true}},
        "context": {"reason": "ticket SUP-9"},
    })
}

/// The path of an absolute URL the server wrote.
fn path_of(server: &Server, url: &str) -> String {
    url.strip_prefix(&server.url(""))
        .unwrap_or_else(|| panic!("{url} is not this server's"))
        .to_string()
}

/// The requestable denial of acme's start question, and the submission
/// that echoes it.
async fn denial(server: &Server) -> (Value, Value) {
    let (status, answer) = server
        .acme(Decide, "POST", "/access/v1/evaluation", Some(start_question()))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["decision"], false, "{answer}");
    let context = &answer["context"];
    assert_eq!(context["reason"], "approval_required", "{answer}");
    assert!(
        context["evaluation_id"].as_str().is_some_and(|e| e.starts_with("ev-")),
        "{answer}"
    );
    let request = &context["access_request"];
    let endpoint = request["endpoint"].as_str().expect("an endpoint");
    assert!(endpoint.ends_with("/acme/access/v1/requests"), "{endpoint}");
    let mut submission = start_question();
    submission["denial"] = json!({
        "binding_token": request["binding_token"],
        "expires_at": request["expires_at"],
    });
    (answer, submission)
}

#[tokio::test]
async fn ar1_a_pending_start_is_a_requestable_denial_whose_approval_a_reevaluation_presents() {
    let server = Server::with_tokens(7);
    four_eyes(&server);
    let (answer, submission) = denial(&server).await;
    let endpoint = path_of(
        &server,
        answer["context"]["access_request"]["endpoint"].as_str().unwrap(),
    );
    let key = server.key("acme", Decide).to_string();
    let (status, pending) = server
        .call("POST", &endpoint, Some(&key), Some(submission.clone()))
        .await;
    assert_eq!(status, 202, "{pending}");
    assert_eq!(pending["task"]["status"], "pending", "{pending}");
    assert!(pending.get("result").is_none(), "{pending}");
    let id = pending["task"]["id"].as_str().unwrap().to_string();
    // Submitted again while pending: the same task, not a second session.
    let (status, again) = server.call("POST", &endpoint, Some(&key), Some(submission)).await;
    assert_eq!(status, 202, "{again}");
    assert_eq!(again["task"]["id"], id.as_str());
    // Before approval, a re-evaluation with it is refused, with a fresh denial.
    let mut early = start_question();
    early["context"]["approval"] = json!({"id": id});
    let (_, refused) = server
        .acme(Decide, "POST", "/access/v1/evaluation", Some(early.clone()))
        .await;
    assert_eq!(refused["decision"], false, "{refused}");
    assert_eq!(refused["context"]["reason"], "approval_expired", "{refused}");
    assert_eq!(refused["context"]["next_action"], "request", "{refused}");
    // The approvers answer through the approvals API, as for any start.
    let officer = json!({"approver": {"id": "u-officer", "roles": ["security_officer"], "active": true}});
    let (status, approved) = server
        .acme(Decide, "POST", &format!("/sessions/{id}/approve"), Some(officer))
        .await;
    assert_eq!(status, 200, "{approved}");
    let status_endpoint = path_of(&server, pending["task"]["status_endpoint"].as_str().unwrap());
    let (status, task) = server.call("GET", &status_endpoint, Some(&key), None).await;
    assert_eq!(status, 200, "{task}");
    assert_eq!(task["task"]["status"], "approved", "{task}");
    assert_eq!(task["result"]["mode"], "reevaluate", "{task}");
    assert_eq!(task["result"]["approval"]["id"], id.as_str(), "{task}");
    // The re-evaluation presenting the approval is a permit, naming the session.
    let (status, permit) = server.acme(Decide, "POST", "/access/v1/evaluation", Some(early)).await;
    assert_eq!(status, 200, "{permit}");
    assert_eq!(permit["decision"], true, "{permit}");
    assert_eq!(permit["context"]["session"], id.as_str(), "{permit}");
    assert_eq!(permit["context"]["approval"]["id"], id.as_str(), "{permit}");
    // Another actor presenting it gets nothing from it.
    let mut other = start_question();
    other["subject"]["id"] = json!("u-2");
    other["context"]["approval"] = json!({"id": id});
    let (_, not_theirs) = server.acme(Decide, "POST", "/access/v1/evaluation", Some(other)).await;
    assert_eq!(not_theirs["decision"], false, "{not_theirs}");
    assert_eq!(not_theirs["context"]["reason"], "approval_unverifiable", "{not_theirs}");
}

#[tokio::test]
async fn ar2_a_submission_that_is_not_the_denied_question_is_refused() {
    let server = Server::with_tokens(7);
    four_eyes(&server);
    let (_, submission) = denial(&server).await;
    let key = server.key("acme", Decide).to_string();
    let endpoint = "/v1/tenants/acme/access/v1/requests";
    let invalid = "urn:openid:authzen:access-request:error:invalid_denial_binding";
    let mut wider = submission.clone();
    wider["resource"]["id"] = json!("u-43");
    let mut other_reason = submission.clone();
    other_reason["context"]["reason"] = json!("ticket SUP-10");
    let mut forged = submission.clone();
    let token = forged["denial"]["binding_token"].as_str().unwrap().to_string();
    forged["denial"]["binding_token"] = json!(format!("{}x", &token[..token.len() - 1]));
    let mut moved_expiry = submission.clone();
    moved_expiry["denial"]["expires_at"] = json!("2099-01-01T00:00:00Z");
    for (what, body) in [
        ("target", wider),
        ("reason", other_reason),
        ("signature", forged),
        ("expiry", moved_expiry),
    ] {
        let (status, problem) = server.call("POST", endpoint, Some(&key), Some(body)).await;
        assert_eq!(status, 400, "{what}: {problem}");
        assert_eq!(problem["type"], invalid, "{what}: {problem}");
    }
    // A binding of acme is no binding at another tenant.
    let other_key = server.key("globex", Decide).to_string();
    let (status, problem) = server
        .call(
            "POST",
            "/v1/tenants/globex/access/v1/requests",
            Some(&other_key),
            Some(submission),
        )
        .await;
    assert_eq!(status, 400, "{problem}");
    assert_eq!(problem["type"], invalid, "{problem}");
    // Nothing was started by any of them.
    assert!(server.events("acme", "").await.iter().all(|e| e != "session.requested"));
}

#[tokio::test]
async fn ar3_unknown_tasks_are_404_and_without_a_token_key_no_access_request_is_offered() {
    let server = Server::with_tokens(7);
    let key = server.key("acme", Decide).to_string();
    let (status, problem) = server
        .call("GET", "/acme/access/v1/requests/s-nope", Some(&key), None)
        .await;
    assert_eq!(status, 404, "{problem}");
    assert_eq!(problem["type"], "urn:openid:authzen:access-request:error:unknown_task");
    let (_, meta) = server
        .call("GET", "/.well-known/authzen-configuration/acme", None, None)
        .await;
    assert!(
        meta["access_request_endpoint"]
            .as_str()
            .is_some_and(|e| e.ends_with("/acme/access/v1/requests")),
        "{meta}"
    );
    assert!(
        meta["capabilities"]
            .as_array()
            .unwrap()
            .contains(&json!("urn:openid:authzen:capability:access-request"))
    );

    let unsigned = Server::start();
    four_eyes(&unsigned);
    let (_, answer) = unsigned
        .acme(Decide, "POST", "/access/v1/evaluation", Some(start_question()))
        .await;
    assert_eq!(answer["decision"], false, "{answer}");
    assert!(answer["context"].get("access_request").is_none(), "{answer}");
    let (_, meta) = unsigned
        .call("GET", "/.well-known/authzen-configuration/acme", None, None)
        .await;
    assert!(meta.get("access_request_endpoint").is_none(), "{meta}");
}
