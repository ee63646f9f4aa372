//! A real server on a loopback port (`standin_server::serve_on`, the
//! connection handling of `standin serve`), in its own runtime thread,
//! over a fresh SQLite database; tests talk to it with `reqwest` like any
//! client, or with raw sockets.

use serde_json::{Value, json};
use standin::access::Scope;
use standin::{Host, HostKey, Standin};
use standin_server::Limits;
use standin_store_sqlite::OpenSqlite;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// The tenants every server starts with, each on the built-in policy.
pub const TENANTS: [&str; 2] = ["acme", "globex"];

#[derive(Debug)]
pub struct Server {
    pub base: String,
    pub addr: SocketAddr,
    pub sessions: Arc<Standin>,
    pub http: reqwest::Client,
    keys: Vec<(String, Scope, String)>,
    stop: Option<oneshot::Sender<()>>,
    /// Says when `serve_on` has returned.
    served: std::sync::mpsc::Receiver<()>,
    thread: Option<JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Self {
        Self::with_limits(Limits::default())
    }

    pub fn with_limits(limits: Limits) -> Self {
        Self::build(
            standin_server::Config {
                limits,
                ..standin_server::Config::default()
            },
            None,
        )
    }

    /// A server that signs tokens and SETs with a key of `seed`, its
    /// deliverer running with `webhooks`.
    pub fn with_tokens_and_webhooks(seed: u8, webhooks: standin_server::webhooks::WebhookSettings) -> Self {
        let keys = standin::access::TokenKeys::new(standin::audit::SigningKey::from_seed(&[seed; 32]), Vec::new());
        Self::build(
            standin_server::Config {
                webhooks,
                ..standin_server::Config::default()
            },
            Some(keys),
        )
    }

    /// A server whose deliverer runs with `webhooks`.
    pub fn with_webhooks(webhooks: standin_server::webhooks::WebhookSettings) -> Self {
        Self::build(
            standin_server::Config {
                webhooks,
                ..standin_server::Config::default()
            },
            None,
        )
    }

    /// A server that signs impersonation tokens with a key of `seed`.
    pub fn with_tokens(seed: u8) -> Self {
        let keys = standin::access::TokenKeys::new(standin::audit::SigningKey::from_seed(&[seed; 32]), Vec::new());
        Self::build(standin_server::Config::default(), Some(keys))
    }

    fn build(config: standin_server::Config, tokens: Option<standin::access::TokenKeys>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = HostKey::load_or_create(&dir.path().join("host.key")).unwrap();
        let mut sessions = Standin::open(Host::new().unwrap(), dir.path().join("standin.db"))
            .unwrap()
            .with_host_key(key);
        if let Some(tokens) = tokens {
            sessions = sessions.with_token_keys(tokens);
        }
        let now = chrono::Utc::now();
        let mut keys = Vec::new();
        for tenant in TENANTS {
            sessions.policies().set(tenant, None, "{}", now).unwrap();
            for scope in Scope::ALL {
                let made = sessions.access().create_key(tenant, scope, Some("tests"), now).unwrap();
                keys.push((tenant.to_string(), scope, made.key));
            }
        }
        let sessions = Arc::new(sessions);
        let served = sessions.clone();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let (served_tx, served_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let stop = async {
                    let _ = stopped.await;
                };
                standin_server::serve_on(
                    listener,
                    config,
                    served,
                    standin_server::telemetry::Telemetry::off(),
                    stop,
                    |_| {},
                )
                .await
                .unwrap();
                let _ = served_tx.send(());
            });
        });
        let addr = addr_rx.recv().unwrap();
        Self {
            base: format!("http://{addr}"),
            addr,
            sessions,
            http: reqwest::Client::new(),
            keys,
            stop: Some(stop),
            served: served_rx,
            thread: Some(thread),
            _dir: dir,
        }
    }

    /// Signals the shutdown and waits at most `bound` for the server to
    /// return from `serve_on`; whether it did. (When it did not, its thread
    /// is left behind.)
    pub fn stop_within(&mut self, bound: std::time::Duration) -> bool {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.served.recv_timeout(bound) {
            Ok(()) => {
                if let Some(t) = self.thread.take() {
                    let _ = t.join();
                }
                true
            }
            Err(_) => {
                self.thread.take();
                false
            }
        }
    }

    /// The value of the metric line that starts with `series ` (0 when absent).
    pub async fn metric(&self, series: &str) -> u64 {
        let text = self.text("/metrics", None).await;
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
            .map_or(0, |v| v.trim().parse().unwrap())
    }

    /// A key of `tenant` with `scope`.
    pub fn key(&self, tenant: &str, scope: Scope) -> &str {
        &self.keys.iter().find(|(t, s, _)| t == tenant && *s == scope).unwrap().2
    }

    /// The SQLite file the server's store is on.
    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.path().join("standin.db")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `method path` with `key` and a JSON body; the status and the JSON answer.
    pub async fn call(&self, method: &str, path: &str, key: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let method_name = method.clone();
        let mut request = self.http.request(method, self.url(path));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        crate::documented::check(method_name.as_str(), path, status, &value);
        (status, value)
    }

    /// `GET path` with `key` (or none): the body as text.
    pub async fn text(&self, path: &str, key: Option<&str>) -> String {
        let mut request = self.http.get(self.url(path));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send().await.unwrap().text().await.unwrap()
    }

    /// The `event` of each line of `tenant`'s audit export with `query`.
    pub async fn events(&self, tenant: &str, query: &str) -> Vec<String> {
        let key = self.key(tenant, Scope::Audit).to_string();
        let text = self
            .text(&format!("/v1/tenants/{tenant}/audit{query}"), Some(&key))
            .await;
        text.lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["event"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    /// With `acme`'s key of `scope`.
    pub async fn acme(&self, scope: Scope, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let key = self.key("acme", scope).to_string();
        self.call(method, &format!("/v1/tenants/acme{path}"), Some(&key), body)
            .await
    }

    /// `authorize` of `action` in acme's session `id`, with a decide key.
    pub async fn authorize(&self, id: &str, action: &str) -> (u16, Value) {
        let body = json!({ "action": action });
        self.acme(Scope::Decide, "POST", &format!("/sessions/{id}/authorize"), Some(body))
            .await
    }

    /// Starts a session of `u-1` as `target` in acme; its id.
    pub async fn session(&self, target: &str) -> String {
        let (status, body) = self
            .acme(Scope::Decide, "POST", "/sessions", Some(start_request("u-1", target)))
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A start request of acme that the built-in policy allows.
pub fn start_request(actor: &str, target: &str) -> Value {
    json!({
        "tenant": "acme",
        "reason": "ticket SUP-1",
        "actor": {"id": actor, "roles": ["super_admin"]},
        "target": {"id": target, "active": true, "has_logged_in": true},
    })
}

/// The codes of a decision's reasons.
pub fn codes(decision: &Value) -> Vec<String> {
    decision["reasons"]
        .as_array()
        .map(|r| r.iter().map(|r| r["code"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

/// acme with every start waiting for a security officer (approval
/// `always`, `approver_roles` `security_officer`, 600 s to answer).
pub fn four_eyes(server: &Server) {
    let settings = json!({
        "role_levels": {"super_admin": 100, "security_officer": 90},
        "approval": "always",
        "approver_roles": ["security_officer"],
        "approval_ttl_seconds": 600
    });
    server
        .sessions
        .policies()
        .set("acme", None, &settings.to_string(), chrono::Utc::now())
        .unwrap();
}
