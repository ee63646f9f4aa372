//! The Webhooks page against a real deliverer and a receiver on a loopback
//! port: an endpoint added through the form (its secret shown once, a bad
//! URL refused with the server's words), its failures and dead letters
//! seen, replayed and tested once the receiver is back, and removed (WH8).

use super::browser::Browser;
use super::signed_in;
use crate::support::Server;
use serde_json::json;
use standin::access::Scope::{Admin, Decide};
use standin_server::webhooks::WebhookSettings;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A delivery as the receiver got it.
#[derive(Debug, Clone)]
struct Got {
    id: String,
    timestamp: i64,
    signature: String,
    body: Vec<u8>,
}

/// A receiver on a loopback port that answers `status` (with no body) to
/// every delivery, and keeps what it got.
#[derive(Clone)]
struct Receiver {
    status: Arc<AtomicU16>,
    got: Arc<Mutex<Vec<Got>>>,
}

impl Receiver {
    async fn start(status: u16) -> (Self, String) {
        let receiver = Self {
            status: Arc::new(AtomicU16::new(status)),
            got: Arc::default(),
        };
        let state = receiver.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let state = state.clone();
                async move {
                    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                    state.got.lock().unwrap().push(Got {
                        id: h("webhook-id"),
                        timestamp: h("webhook-timestamp").parse().unwrap_or(0),
                        signature: h("webhook-signature"),
                        body: body.to_vec(),
                    });
                    axum::http::StatusCode::from_u16(state.status.load(Ordering::SeqCst)).unwrap()
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
}

#[tokio::test]
async fn wh8_the_webhooks_page_adds_an_endpoint_shows_its_secret_once_and_replays_its_dead_letters() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::with_webhooks(WebhookSettings {
        allow_private: true,
        horizon_seconds: 1,
        retry_first_ms: 50,
        poll_ms: 20,
        ..Default::default()
    });
    let (receiver, url) = Receiver::start(503).await;
    signed_in(&b, &server, Admin).await;
    b.click("nav button[data-page=webhooks]").await;
    b.until(
        "the page is loaded",
        "return document.getElementById('status').textContent === '0 endpoints'",
    )
    .await;

    // A URL the server refuses: its own words are shown, nothing is added.
    b.fill("#webhook-url", "http://hooks.example.com/standin").await;
    b.click("#webhook-add-form button[type=submit]").await;
    b.until(
        "the refusal is shown",
        "const r = document.getElementById('webhook-add-result'); \
         return r.className === 'bad' && r.textContent.includes('http:// only to a loopback host')",
    )
    .await;
    let (_, list) = server.acme(Admin, "GET", "/webhooks", None).await;
    assert_eq!(list["webhooks"], json!([]), "{list}");

    // Added: the secret is shown once, with the warning, and is not listed.
    b.fill("#webhook-url", &url).await;
    b.fill("#webhook-events", "session.*, action.denied").await;
    b.click("#webhook-add-form button[type=submit]").await;
    b.until(
        "the secret is shown",
        "return !document.getElementById('webhook-secret').hidden && \
         document.getElementById('webhook-secret-value').textContent.startsWith('whsec_')",
    )
    .await;
    let secret = b
        .run("return document.getElementById('webhook-secret-value').textContent")
        .await
        .as_str()
        .expect("the secret")
        .to_string();
    let box_text = b.text("#webhook-secret").await;
    assert!(box_text.contains("will not be shown again"), "{box_text}");
    let (_, list) = server.acme(Admin, "GET", "/webhooks", None).await;
    let endpoints = list["webhooks"].as_array().expect("webhooks");
    assert_eq!(endpoints.len(), 1, "{list}");
    let endpoint = endpoints[0]["id"].as_str().expect("id").to_string();
    assert_eq!(endpoints[0]["url"], url.as_str());
    assert_eq!(endpoints[0]["events"], json!(["session.*", "action.denied"]));
    assert!(!list.to_string().contains(&secret), "{list}");
    let row = format!("tr[data-webhook='{endpoint}']");
    let text = b.text(&row).await;
    assert!(
        text.contains(&url) && text.contains("session.*, action.denied") && text.contains("up to #"),
        "{text}"
    );
    b.click("#webhook-secret-done").await;
    assert_eq!(
        b.run(
            "return document.getElementById('webhook-secret').hidden && \
             document.getElementById('webhook-secret-value').textContent === ''"
        )
        .await,
        json!(true),
        "dismissed, the secret leaves the page"
    );

    // A session makes two events; the receiver fails them, and the page
    // says so while they are retried.
    let id = server.session("u-42").await;
    let (status, _) = server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    assert_eq!(status, 200);
    b.until(
        "the failures are shown",
        &format!(
            "document.getElementById('webhooks-refresh').click(); \
             const c = document.querySelector(\"{row} td.failing\"); \
             return !!c && c.textContent.includes('answered 503')"
        ),
    )
    .await;

    // Past the horizon (1 s each), both are dead letters, listed.
    let dead_path = format!("/webhooks/{endpoint}/deliveries?status=dead");
    let mut dead = Vec::new();
    for _ in 0..200 {
        dead = server.acme(Admin, "GET", &dead_path, None).await.1["deliveries"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if dead.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(dead.len(), 2, "{dead:?}");
    b.click(&format!("{row} td.actions button:nth-of-type(1)")).await;
    b.until(
        "two dead letters are listed",
        "const rows = [...document.querySelectorAll('#dead-rows tr')]; \
         return rows.length === 2 && rows.every(r => r.textContent.includes('HTTP 503'))",
    )
    .await;
    let listed = b.text("#dead-rows").await;
    assert!(
        listed.contains("session.started") && listed.contains("session.ended"),
        "{listed}"
    );
    for d in &dead {
        assert!(
            listed.contains(d["message_id"].as_str().expect("message id")),
            "{listed}"
        );
    }
    b.screenshot("console-webhooks").await;

    // The receiver is back: Replay says how many, and they arrive, signed
    // with the secret the page showed.
    let before = receiver.got().len();
    receiver.status.store(200, Ordering::SeqCst);
    b.click("#dead-replay").await;
    b.until(
        "the replay is counted",
        "return document.getElementById('status').textContent.startsWith('Replaying 2 dead letters')",
    )
    .await;
    b.until(
        "no dead letters are left",
        "return document.querySelectorAll('#dead-rows tr').length === 0 && \
         document.getElementById('dead-replay').disabled",
    )
    .await;
    let mut replayed = Vec::new();
    for _ in 0..200 {
        replayed = receiver.got()[before..].to_vec();
        if replayed.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut ids: Vec<&str> = replayed.iter().map(|g| g.id.as_str()).collect();
    let mut dead_ids: Vec<&str> = dead.iter().map(|d| d["message_id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    dead_ids.sort_unstable();
    assert_eq!(ids, dead_ids);
    for g in &replayed {
        let expected = standin::webhooks::sign::signature([secret.as_str()], &g.id, g.timestamp, &g.body);
        assert_eq!(g.signature, expected, "signed with the secret shown");
    }

    // Send test says what the receiver answered.
    b.click(&format!("{row} td.actions button:nth-of-type(2)")).await;
    b.until(
        "the test is delivered",
        "return document.getElementById('status').textContent.startsWith('Test message delivered') && \
         document.getElementById('status').textContent.includes('HTTP 200')",
    )
    .await;

    // Remove, after a confirmation.
    b.click(&format!("{row} td.actions button:nth-of-type(3)")).await;
    b.until("the dialog is open", "return document.getElementById('confirm').open")
        .await;
    b.click("#confirm-ok").await;
    b.until("the row is gone", &format!("return !document.querySelector(\"{row}\")"))
        .await;
    let (_, list) = server.acme(Admin, "GET", "/webhooks", None).await;
    assert_eq!(list["webhooks"], json!([]), "{list}");
    b.close().await;
}
