//! The Shared Signals transmitter over real HTTP: discovery (SSF1); a push
//! stream gets `session-established` and `session-revoked` SETs whose
//! signatures verify against the published JWKS, with who ended the
//! session (SSF2); a poll stream hands out SETs until they are
//! acknowledged, holds them while paused, and carries verification SETs
//! (SSF3); streams are read, changed and deleted (SSF4). (A JOSE library of
//! another language verifies the same SETs in `scripts/suites/webhooks.sh`.)

use crate::support::Server;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use standin::access::Scope::{Admin, Audit, Decide};
use standin_server::webhooks::WebhookSettings;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ESTABLISHED: &str = "https://schemas.openid.net/secevent/caep/event-type/session-established";
const REVOKED: &str = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

fn server() -> Server {
    Server::with_tokens_and_webhooks(
        7,
        WebhookSettings {
            allow_private: true,
            poll_ms: 20,
            retry_first_ms: 50,
            ..WebhookSettings::default()
        },
    )
}

/// A push receiver: (content type, authorization, body, arrival) of each POST.
type Pushed = Arc<Mutex<Vec<(String, String, String, Instant)>>>;

async fn receiver() -> (Pushed, String) {
    let got: Pushed = Arc::default();
    let state = got.clone();
    let app = axum::Router::new().route(
        "/events",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let state = state.clone();
            async move {
                let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                state
                    .lock()
                    .unwrap()
                    .push((h("content-type"), h("authorization"), body, Instant::now()));
                axum::http::StatusCode::ACCEPTED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/events", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (got, url)
}

/// The claims of `set`, once its EdDSA signature verifies with a key of
/// the server's JWKS named by its `kid`.
async fn verified(server: &Server, set: &str) -> Value {
    let (_, jwks) = server.call("GET", "/.well-known/jwks.json", None, None).await;
    let parts: Vec<&str> = set.split('.').collect();
    assert_eq!(parts.len(), 3, "{set}");
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
    assert_eq!(
        (header["alg"].as_str(), header["typ"].as_str()),
        (Some("EdDSA"), Some("secevent+jwt"))
    );
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("the kid is published");
    let x: [u8; 32] = URL_SAFE_NO_PAD
        .decode(key["x"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let public = ed25519_dalek::VerifyingKey::from_bytes(&x).unwrap();
    let signature = ed25519_dalek::Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
    public
        .verify_strict(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .expect("the SET's signature verifies");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap()
}

#[tokio::test]
async fn ssf1_discovery_names_the_endpoints_and_the_jwks() {
    let server = server();
    let (status, meta) = server
        .call("GET", "/.well-known/ssf-configuration/acme", None, None)
        .await;
    assert_eq!(status, 200, "{meta}");
    assert_eq!(meta["spec_version"], "1_0");
    assert_eq!(meta["issuer"], format!("{}/acme", server.base));
    assert_eq!(meta["jwks_uri"], format!("{}/.well-known/jwks.json", server.base));
    assert_eq!(
        meta["delivery_methods_supported"],
        json!(["urn:ietf:rfc:8935", "urn:ietf:rfc:8936"])
    );
    assert_eq!(
        meta["configuration_endpoint"],
        format!("{}/v1/tenants/acme/ssf/streams", server.base)
    );
    // No token key, no SETs: no transmitter.
    let plain = Server::start();
    let (status, _) = plain
        .call("GET", "/.well-known/ssf-configuration/acme", None, None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn ssf2_a_push_stream_gets_signed_session_events_with_who_ended_them() {
    let server = server();
    let (pushed, url) = receiver().await;
    let (status, stream) = server
        .acme(
            Admin,
            "POST",
            "/ssf/streams",
            Some(json!({
                "delivery": {"method": "urn:ietf:rfc:8935", "endpoint_url": url, "authorization_header": "Bearer rx-1"},
                "events_requested": [ESTABLISHED, REVOKED], "aud": "https://idp.example",
            })),
        )
        .await;
    assert_eq!(status, 201, "{stream}");
    assert_eq!(stream["events_delivered"], json!([ESTABLISHED, REVOKED]));
    let id = server.session("u-42").await;
    server.authorize(&id, "course.view").await;
    let (status, _) = server
        .acme(
            Admin,
            "POST",
            &format!("/sessions/{id}/revoke"),
            Some(json!({"reason": "ticket closed"})),
        )
        .await;
    assert_eq!(status, 200);
    let revoked_at = Instant::now();
    let mut got = Vec::new();
    for _ in 0..400 {
        got = pushed.lock().unwrap().clone();
        if got.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(got.len(), 2, "the action is no CAEP event: {got:?}");
    eprintln!(
        "session-revoked arrived {} ms after the revoke",
        got[1].3.saturating_duration_since(revoked_at).as_millis()
    );
    for (content_type, auth, _, _) in &got {
        assert_eq!(
            (content_type.as_str(), auth.as_str()),
            ("application/secevent+jwt", "Bearer rx-1")
        );
    }
    let established = verified(&server, &got[0].2).await;
    let revoked = verified(&server, &got[1].2).await;
    assert_eq!(established["iss"], format!("{}/acme", server.base));
    assert_eq!(established["aud"], json!(["https://idp.example"]));
    assert_eq!(established["sub_id"]["user"]["id"], "u-42");
    assert_eq!(established["sub_id"]["session"]["id"], id.as_str());
    assert_eq!(established["events"][ESTABLISHED]["actor"]["id"], "u-1");
    let event = &revoked["events"][REVOKED];
    assert_eq!(event["initiating_entity"], "admin", "{revoked}");
    assert!(
        event["reason_admin"]["en"].as_str().unwrap().contains("ticket closed"),
        "{revoked}"
    );
    assert_ne!(established["jti"], revoked["jti"]);
}

#[tokio::test]
async fn ssf3_a_poll_stream_hands_out_sets_until_acknowledged() {
    let server = server();
    let (status, stream) = server
        .acme(
            Admin,
            "POST",
            "/ssf/streams",
            Some(json!({"delivery": {"method": "urn:ietf:rfc:8936"}})),
        )
        .await;
    assert_eq!(status, 201, "{stream}");
    let stream_id = stream["stream_id"].as_str().unwrap().to_string();
    let poll_url = stream["delivery"]["endpoint_url"].as_str().unwrap().to_string();
    assert_eq!(
        poll_url,
        format!("{}/v1/tenants/acme/ssf/poll/{stream_id}", server.base)
    );
    let poll_path = poll_url
        .trim_start_matches(&format!("{}/v1/tenants/acme", server.base))
        .to_string();
    let id = server.session("u-42").await;
    server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    let poll = |body: Value| {
        let (server, path) = (&server, poll_path.clone());
        async move {
            let (status, answer) = server.acme(Audit, "POST", &path, Some(body)).await;
            assert_eq!(status, 200, "{answer}");
            let mut jtis: Vec<String> = answer["sets"].as_object().unwrap().keys().cloned().collect();
            jtis.sort_by_key(|j| j.split('-').next().unwrap().parse::<u64>().unwrap());
            (jtis, answer)
        }
    };
    let (first, answer) = poll(json!({"returnImmediately": true})).await;
    assert_eq!(first.len(), 2, "{answer}");
    let ended = verified(&server, answer["sets"][&first[1]].as_str().unwrap()).await;
    assert_eq!(ended["events"][REVOKED]["initiating_entity"], "user", "{ended}");
    // Not acknowledged: handed out again, same ids.
    let (again, _) = poll(json!({"returnImmediately": true})).await;
    assert_eq!(again, first);
    let (rest, _) = poll(json!({"returnImmediately": true, "ack": [first[0]]})).await;
    assert_eq!(rest, first[1..]);
    let (none, _) = poll(json!({"returnImmediately": true, "ack": [first[1]]})).await;
    assert!(none.is_empty());
    // Paused: held; enabled again: handed out.
    let (status, paused) = server
        .acme(
            Admin,
            "POST",
            "/ssf/status",
            Some(json!({"stream_id": stream_id, "status": "paused", "reason": "maintenance"})),
        )
        .await;
    assert_eq!((status, paused["status"].as_str()), (200, Some("paused")), "{paused}");
    server.session("u-43").await;
    let (held, _) = poll(json!({"returnImmediately": true})).await;
    assert!(held.is_empty());
    server
        .acme(
            Admin,
            "POST",
            "/ssf/status",
            Some(json!({"stream_id": stream_id, "status": "enabled"})),
        )
        .await;
    let (released, _) = poll(json!({"returnImmediately": true})).await;
    assert_eq!(released.len(), 1);
    // A verification rides the next poll, with its state.
    let (status, _) = server
        .acme(
            Admin,
            "POST",
            "/ssf/verify",
            Some(json!({"stream_id": stream_id, "state": "xyz"})),
        )
        .await;
    assert_eq!(status, 204);
    let (with_verification, answer) = poll(json!({"returnImmediately": true, "ack": released})).await;
    assert_eq!(with_verification.len(), 1, "{answer}");
    let claims = verified(&server, answer["sets"][&with_verification[0]].as_str().unwrap()).await;
    assert_eq!(
        claims["events"]["https://schemas.openid.net/secevent/ssf/event-type/verification"]["state"],
        "xyz"
    );
}

#[tokio::test]
async fn ssf4_streams_are_read_changed_and_deleted_by_admins_only() {
    let server = server();
    let (_, url) = receiver().await;
    let (_, stream) = server
        .acme(
            Admin,
            "POST",
            "/ssf/streams",
            Some(json!({"delivery": {"method": "urn:ietf:rfc:8935", "endpoint_url": url}})),
        )
        .await;
    let id = stream["stream_id"].as_str().unwrap().to_string();
    let (status, list) = server.acme(Admin, "GET", "/ssf/streams", None).await;
    assert_eq!((status, list.as_array().map(Vec::len)), (200, Some(1)), "{list}");
    let (status, changed) = server
        .acme(
            Admin,
            "PATCH",
            "/ssf/streams",
            Some(json!({"stream_id": id, "events_requested": [REVOKED]})),
        )
        .await;
    assert_eq!(
        (status, &changed["events_delivered"]),
        (200, &json!([REVOKED])),
        "{changed}"
    );
    let (status, _) = server
        .acme(
            Admin,
            "POST",
            "/ssf/streams",
            Some(json!({"delivery": {"method": "urn:example:smoke-signals"}})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = server.acme(Decide, "GET", "/ssf/streams", None).await;
    assert_eq!(status, 403);
    let (status, _) = server
        .acme(Admin, "DELETE", &format!("/ssf/streams?stream_id={id}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = server
        .acme(Admin, "GET", &format!("/ssf/streams?stream_id={id}"), None)
        .await;
    assert_eq!(status, 404);
}
