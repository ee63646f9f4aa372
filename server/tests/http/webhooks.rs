//! Webhooks over real HTTP: a receiver on a loopback port, the server's
//! deliverer sending to it. Every event of a session arrives, in order,
//! signed (WH6); a receiver that fails gets the message again with the
//! same id, and nothing else twice (WH7); a receiver that stays down
//! leaves dead letters a replay delivers (WH8); private addresses are
//! refused unless the operator allows them, and redirects are not
//! followed (WH9); a rotation signs with both secrets (WH10); a slow, a
//! garbled, a huge or a TLS-less answer is a failure saying why (WH11). (The official Standard Webhooks libraries verify the
//! same deliveries in `scripts/suites/webhooks.sh`.)

use crate::support::{Server, start_request};
use axum::http::HeaderMap;
use serde_json::{Value, json};
use standin::access::Scope::{Admin, Audit, Decide};
use standin_server::webhooks::WebhookSettings;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a receiver got: headers and body, in arrival order.
#[derive(Debug, Clone)]
struct Got {
    id: String,
    timestamp: i64,
    signature: String,
    body: Vec<u8>,
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
    /// Statuses to answer first, then 200.
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start(script: &[u16]) -> (Self, String) {
        let receiver = Self::default();
        receiver.script.lock().unwrap().extend(script);
        let state = receiver.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let state = state.clone();
                async move {
                    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    state.got.lock().unwrap().push(Got {
                        id: h("webhook-id"),
                        timestamp: h("webhook-timestamp").parse().unwrap_or(0),
                        signature: h("webhook-signature"),
                        body: body.to_vec(),
                    });
                    let status = state.script.lock().unwrap().pop_front().unwrap_or(200);
                    let mut answer = axum::http::Response::new(axum::body::Body::from("ok"));
                    *answer.status_mut() = axum::http::StatusCode::from_u16(status).unwrap();
                    if status == 302 {
                        answer
                            .headers_mut()
                            .insert("location", "http://127.0.0.1:1/elsewhere".parse().unwrap());
                    }
                    answer
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, url)
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `done` holds of what arrived (at most 20 s).
    async fn until(&self, done: impl Fn(&[Got]) -> bool) -> Vec<Got> {
        for _ in 0..400 {
            let got = self.got();
            if done(&got) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the receiver never got what was expected: {:?}",
            self.got().iter().map(|g| &g.id).collect::<Vec<_>>()
        )
    }
}

fn fast() -> WebhookSettings {
    WebhookSettings {
        allow_private: true,
        retry_first_ms: 50,
        retry_max_seconds: 1,
        poll_ms: 20,
        timeout_ms: 2000,
        ..WebhookSettings::default()
    }
}

fn body(g: &Got) -> Value {
    serde_json::from_slice(&g.body).unwrap()
}

async fn add(server: &Server, url: &str, events: Value) -> (String, String) {
    let (status, endpoint) = server
        .acme(Admin, "POST", "/webhooks", Some(json!({"url": url, "events": events})))
        .await;
    assert_eq!(status, 201, "{endpoint}");
    (
        endpoint["id"].as_str().unwrap().to_string(),
        endpoint["secret"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn wh6_every_event_of_a_session_reaches_the_receiver_signed_in_order() {
    let server = Server::with_webhooks(fast());
    let (receiver, url) = Receiver::start(&[]).await;
    let (_, secret) = add(&server, &url, json!(["*"])).await;
    let id = server.session("u-42").await;
    server.authorize(&id, "course.view").await;
    server.authorize(&id, "billing.purchase").await;
    let (status, _) = server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    assert_eq!(status, 200);
    let got = receiver.until(|g| g.len() >= 4).await;
    let key = server.key("acme", Audit).to_string();
    let trail: Vec<Value> = server
        .text("/v1/tenants/acme/audit", Some(&key))
        .await
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<String> = got
        .iter()
        .map(|g| body(g)["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        ["session.started", "action.allowed", "action.denied", "session.ended"]
    );
    let mut last = 0;
    for g in &got {
        let b = body(g);
        let seq = b["data"]["seq"].as_u64().unwrap();
        assert!(seq > last, "out of order: {seq} after {last}");
        last = seq;
        // The event as the trail has it, with its chain hash as the id.
        let event = trail
            .iter()
            .find(|e| e["seq"].as_u64() == Some(seq))
            .expect("in the trail");
        assert_eq!(b["data"]["hash"], event["hash"]);
        assert_eq!(g.id, format!("msg_{}", event["hash"].as_str().unwrap()));
        assert!(b["data"].get("request").is_none(), "the policy's request is not pushed");
        assert_eq!((&b["event"], &b["session"]), (&b["type"], &Value::from(id.as_str())));
        let expected = standin::webhooks::sign::signature([secret.as_str()], &g.id, g.timestamp, &g.body);
        assert_eq!(g.signature, expected, "signature");
    }
    // The log says so, and a filter narrows what is sent.
    let (_, list) = server.acme(Admin, "GET", "/webhooks", None).await;
    let endpoint = &list["webhooks"][0];
    assert!(
        endpoint.get("secret").is_none() && endpoint.get("secrets").is_none(),
        "{endpoint}"
    );
    assert_eq!(endpoint["cursor"]["seq"].as_u64(), Some(last));
    let path = format!(
        "/webhooks/{}/deliveries?status=delivered",
        endpoint["id"].as_str().unwrap()
    );
    let (_, log) = server.acme(Admin, "GET", &path, None).await;
    assert_eq!(log["deliveries"].as_array().unwrap().len(), 4, "{log}");
}

#[tokio::test]
async fn wh6_an_endpoint_gets_only_the_events_it_asked_for() {
    let server = Server::with_webhooks(fast());
    let (receiver, url) = Receiver::start(&[]).await;
    add(&server, &url, json!(["action.denied", "session.ended"])).await;
    let id = server.session("u-42").await;
    server.authorize(&id, "course.view").await;
    server.authorize(&id, "billing.purchase").await;
    server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    let got = receiver.until(|g| g.len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let kinds: Vec<String> = receiver
        .got()
        .iter()
        .map(|g| body(g)["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["action.denied", "session.ended"], "{} arrived first", got.len());
}

#[tokio::test]
async fn wh7_a_receiver_failing_three_times_gets_each_event_once_more() {
    let server = Server::with_webhooks(fast());
    let (receiver, url) = Receiver::start(&[500, 503, 500]).await;
    add(&server, &url, json!(["*"])).await;
    let id = server.session("u-42").await;
    server.authorize(&id, "course.view").await;
    let got = receiver.until(|g| g.len() >= 5).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = if receiver.got().len() > got.len() {
        receiver.got()
    } else {
        got
    };
    let ids: Vec<&str> = got.iter().map(|g| g.id.as_str()).collect();
    // The first message four times (three failures, then delivered), the
    // second once: the same id each time, in order, nothing else repeated.
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert!(ids[..4].iter().all(|i| *i == ids[0]), "{ids:?}");
    assert_ne!(ids[4], ids[0]);
    assert_eq!(body(&got[0])["type"], "session.started");
    assert_eq!(body(&got[4])["type"], "action.allowed");
}

#[tokio::test]
async fn wh8_a_receiver_down_leaves_dead_letters_that_replay_delivers() {
    let server = Server::with_webhooks(WebhookSettings {
        horizon_seconds: 1,
        ..fast()
    });
    let (receiver, url) = Receiver::start(&[503; 400]).await;
    let (endpoint, _) = add(&server, &url, json!(["session.*"])).await;
    let id = server.session("u-42").await;
    server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    let dead_path = format!("/webhooks/{endpoint}/deliveries?status=dead");
    let mut dead = Value::Null;
    for _ in 0..200 {
        dead = server.acme(Admin, "GET", &dead_path, None).await.1;
        if dead["deliveries"].as_array().is_some_and(|d| d.len() == 2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let dead = dead["deliveries"].as_array().unwrap().clone();
    assert_eq!(dead.len(), 2, "{dead:?}");
    assert_eq!(dead[0]["response_status"], 503);
    let before = receiver.got().len();
    receiver.script.lock().unwrap().clear();
    let (status, replay) = server
        .acme(Admin, "POST", &format!("/webhooks/{endpoint}/replay"), None)
        .await;
    assert_eq!((status, replay["replaying"].as_u64()), (200, Some(2)), "{replay}");
    let got = receiver.until(|g| g.len() >= before + 2).await;
    let replayed: Vec<String> = got[before..].iter().map(|g| g.id.clone()).collect();
    let dead_ids: Vec<String> = dead
        .iter()
        .rev()
        .map(|d| d["message_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(replayed, dead_ids, "replayed in order with their ids");
    let (_, left) = server.acme(Admin, "GET", &dead_path, None).await;
    assert!(left["deliveries"].as_array().unwrap().is_empty(), "{left}");
}

#[tokio::test]
async fn wh9_private_addresses_are_refused_unless_allowed_and_redirects_are_not_followed() {
    let server = Server::with_webhooks(WebhookSettings {
        allow_private: false,
        ..fast()
    });
    let (receiver, url) = Receiver::start(&[]).await;
    let (endpoint, _) = add(&server, &url, json!(["*"])).await;
    let (status, tested) = server
        .acme(Admin, "POST", &format!("/webhooks/{endpoint}/test"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(tested["delivered"], false, "{tested}");
    assert!(tested["error"].as_str().unwrap().contains("allow_private"), "{tested}");
    server.session("u-42").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(receiver.got().is_empty(), "a private address was reached");

    let allowed = Server::with_webhooks(fast());
    let (redirecting, url) = Receiver::start(&[302]).await;
    let (endpoint, _) = add(&allowed, &url, json!(["*"])).await;
    let (_, tested) = allowed
        .acme(Admin, "POST", &format!("/webhooks/{endpoint}/test"), None)
        .await;
    assert_eq!(
        (tested["delivered"].as_bool(), tested["status"].as_u64()),
        (Some(false), Some(302)),
        "{tested}"
    );
    assert_eq!(redirecting.got().len(), 1, "the redirect was followed");
    let (_, tested) = allowed
        .acme(Admin, "POST", &format!("/webhooks/{endpoint}/test"), None)
        .await;
    assert_eq!(tested["delivered"], true, "{tested}");

    // What may be added at all.
    for (bad, why) in [
        ("http://example.com/hook", "loopback"),
        ("https://user:pw@example.com/", "password"),
        ("ftp://example.com/", "scheme"),
    ] {
        let (status, body) = allowed
            .acme(Admin, "POST", "/webhooks", Some(json!({"url": bad})))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(why),
            "{bad}: {body}"
        );
    }
    let (status, body) = allowed
        .acme(
            Admin,
            "POST",
            "/webhooks",
            Some(json!({"url": url, "events": ["session.strated"]})),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    // Only admin keys.
    let (status, _) = allowed.acme(Decide, "GET", "/webhooks", None).await;
    assert_eq!(status, 403);
    let _ = start_request;
}

#[tokio::test]
async fn wh10_a_rotation_signs_with_both_secrets_until_the_old_one_expires() {
    let server = Server::with_webhooks(fast());
    let (receiver, url) = Receiver::start(&[]).await;
    let (endpoint, old) = add(&server, &url, json!(["*"])).await;
    let (status, rotated) = server
        .acme(
            Admin,
            "POST",
            &format!("/webhooks/{endpoint}/rotate"),
            Some(json!({"overlap_seconds": 3600})),
        )
        .await;
    assert_eq!(status, 200, "{rotated}");
    let new = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    server
        .acme(Admin, "POST", &format!("/webhooks/{endpoint}/test"), None)
        .await;
    let got = receiver.until(|g| !g.is_empty()).await;
    let g = &got[0];
    let signatures: Vec<&str> = g.signature.split(' ').collect();
    for secret in [&new, &old] {
        let one = standin::webhooks::sign::signature([secret.as_str()], &g.id, g.timestamp, &g.body);
        assert!(
            signatures.contains(&one.as_str()),
            "{secret} does not sign: {}",
            g.signature
        );
    }
    // With no overlap, only the new one signs.
    server
        .acme(
            Admin,
            "POST",
            &format!("/webhooks/{endpoint}/rotate"),
            Some(json!({"overlap_seconds": 0})),
        )
        .await;
    server
        .acme(Admin, "POST", &format!("/webhooks/{endpoint}/test"), None)
        .await;
    let got = receiver.until(|g| g.len() >= 2).await;
    assert_eq!(got[1].signature.split(' ').count(), 1, "{}", got[1].signature);
}

/// A raw TCP receiver that answers every connection with `answer` after
/// `delay` (or nothing at all, when `answer` is empty, but holds it open).
async fn raw_receiver(answer: &'static [u8], delay: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                tokio::time::sleep(delay).await;
                if !answer.is_empty() {
                    let _ = socket.write_all(answer).await;
                }
                tokio::time::sleep(Duration::from_secs(5)).await;
            });
        }
    });
    format!("{addr}")
}

#[tokio::test]
async fn wh11_slow_garbage_huge_and_tls_failures_are_failures_with_their_reason() {
    let server = Server::with_webhooks(WebhookSettings {
        timeout_ms: 400,
        ..fast()
    });
    let huge: &'static [u8] = Box::leak(
        format!(
            "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 5000000\r\n\r\n{}",
            "x".repeat(5_000_000)
        )
        .into_bytes()
        .into_boxed_slice(),
    );
    let cases = [
        (
            "slow",
            format!("http://{}/hook", raw_receiver(b"", Duration::from_secs(3)).await),
            "no answer within 400 ms",
        ),
        (
            "garbage",
            format!(
                "http://{}/hook",
                raw_receiver(b"SSH-2.0-OpenSSH_9.6\r\n\r\n", Duration::ZERO).await
            ),
            "HTTP",
        ),
        (
            "huge",
            format!("http://{}/hook", raw_receiver(huge, Duration::ZERO).await),
            "over 1 KiB",
        ),
        (
            "tls to a plain listener",
            format!(
                "https://localhost:{}/hook",
                raw_receiver(b"HTTP/1.1 200 OK\r\n\r\n", Duration::ZERO)
                    .await
                    .rsplit(':')
                    .next()
                    .unwrap()
            ),
            "TLS",
        ),
    ];
    for (what, url, why) in cases {
        let (endpoint, _) = add(&server, &url, json!(["*"])).await;
        let (status, tested) = server
            .acme(Admin, "POST", &format!("/webhooks/{endpoint}/test"), None)
            .await;
        assert_eq!(status, 200, "{what}: {tested}");
        assert_eq!(tested["delivered"], false, "{what}: {tested}");
        assert!(tested["error"].as_str().unwrap_or("").contains(why), "{what}: {tested}");
        server
            .acme(Admin, "DELETE", &format!("/webhooks/{endpoint}"), None)
            .await;
    }
}

#[tokio::test]
async fn wh12_an_endpoint_that_asks_for_outbox_messages_gets_the_targets_messages_and_star_does_not() {
    let server = Server::with_webhooks(fast());
    let (outbox, url) = Receiver::start(&[]).await;
    add(&server, &url, json!(["outbox.*"])).await;
    let (audit, audit_url) = Receiver::start(&[]).await;
    add(&server, &audit_url, json!(["*"])).await;
    let id = server.session("u-42").await;
    server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    let got = outbox.until(|g| g.len() >= 2).await;
    audit.until(|g| g.len() >= 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let kinds: Vec<String> = outbox
        .got()
        .iter()
        .map(|g| body(g)["type"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["outbox.impersonation.started", "outbox.impersonation.ended"]);
    let (_, messages) = server.acme(Audit, "GET", "/outbox?all=true", None).await;
    let ids: Vec<String> = messages["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("msg_outbox_{}", m["id"]))
        .collect();
    assert_eq!(
        got.iter().map(|g| g.id.clone()).collect::<Vec<_>>(),
        ids,
        "one message per outbox message, its id"
    );
    let first = body(&got[0]);
    assert_eq!(
        (first["session"].as_str(), first["data"]["to"].as_str()),
        (Some(id.as_str()), Some("u-42"))
    );
    assert!(!first["data"]["text"].as_str().unwrap().is_empty());
    assert!(
        audit
            .got()
            .iter()
            .all(|g| !body(g)["type"].as_str().unwrap().starts_with("outbox.")),
        "`*` is the audit events only"
    );
}
