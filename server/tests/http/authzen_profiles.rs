//! AuthZEN profiles for what Standin already does (issue 31, part 5):
//! obligations as the Obligations profile's objects, negotiated per
//! question (`context.supported_obligations`), the plain strings staying
//! the answer for every other caller; `supported_obligations` in metadata.

use crate::support::Server;
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
