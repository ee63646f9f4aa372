//! Re-evaluation over HTTP: `PUT .../principals/{id}` ends the sessions the
//! new facts no longer allow; `POST .../sessions/revoke` ends an actor's
//! sessions (E1, S5).

use crate::support::{Server, codes, start_request};
use serde_json::json;
use standin::access::Scope::{Admin, Decide};

#[tokio::test]
async fn e1_new_facts_end_the_sessions_they_no_longer_allow() {
    let server = Server::start();
    let id = server.session("u-42").await;
    let demoted = json!({"id": "u-1", "roles": ["employee"]});
    let (status, out) = server
        .acme(Decide, "PUT", "/principals/u-1", Some(demoted.clone()))
        .await;
    assert_eq!(status, 403, "new facts take the admin scope: {out}");
    let (status, out) = server.acme(Admin, "PUT", "/principals/u-1", Some(demoted)).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["ended"][0]["id"], id.as_str(), "{out}");
    assert_eq!(out["ended"][0]["end_reason"], "revoked");
    let (_, after) = server.authorize(&id, "course.view").await;
    assert_eq!(codes(&after), ["session-ended"], "{after}");
    let (status, _) = server
        .acme(Admin, "PUT", "/principals/u-2", Some(json!({"id": "u-3"})))
        .await;
    assert_eq!(status, 400, "the body names another principal than the path");
}

#[tokio::test]
async fn s5_an_actors_sessions_are_revoked_at_once() {
    let server = Server::start();
    let mine = server.session("u-42").await;
    let (status, theirs) = server
        .acme(Decide, "POST", "/sessions", Some(start_request("u-7", "u-43")))
        .await;
    assert_eq!(status, 201);
    let (status, out) = server
        .acme(
            Admin,
            "POST",
            "/sessions/revoke",
            Some(json!({"actor": "u-1", "reason": "offboarded"})),
        )
        .await;
    assert_eq!(status, 200, "{out}");
    let revoked = out["revoked"].as_array().unwrap();
    assert_eq!(revoked.len(), 1, "{out}");
    assert_eq!(revoked[0]["id"], mine.as_str());
    assert_eq!(revoked[0]["revoke_reason"], "offboarded");
    let (_, still) = server.authorize(theirs["id"].as_str().unwrap(), "course.view").await;
    assert_eq!(still["decision"], "allow", "another actor's session goes on");
}
