//! A small typed client of the API, for Rust platforms (and this crate's
//! tests): one tenant, one key.
//!
//! ```no_run
//! # async fn example() -> Result<(), standin_server::client::ClientError> {
//! use standin_server::client::{Client, Started};
//! let client = Client::new("http://127.0.0.1:8080", "acme", "stn_...");
//! let request = serde_json::from_str(r#"{"tenant": "acme", "reason": "ticket SUP-1",
//!     "actor": {"id": "u-1", "roles": ["support"]},
//!     "target": {"id": "u-42", "active": true, "has_logged_in": true}}"#)?;
//! if let Started::Session(session) = client.start(&request, Some("/admin")).await? {
//!     let answer = client.authorize(&session.id, "billing.purchase", None).await?;
//!     println!("{} as {}", answer.decision.is_allow(), answer.acting_as);
//!     client.end(&session.id).await?;
//! }
//! # Ok(()) }
//! ```

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use standin::{Decision, StartRequest};

/// Why a call failed (a deny is not a failure: it is an answer).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    #[error("cannot reach the server: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the server answered {status}: {code}: {message}")]
    Api { status: u16, code: String, message: String },
    #[error("the answer is not what the API says: {0}")]
    Decode(#[from] serde_json::Error),
}

/// A session as the API shows it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct Session {
    pub id: String,
    pub tenant: String,
    pub actor: String,
    pub target: String,
    pub state: String,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub end_reason: Option<String>,
    pub return_to: Option<String>,
    pub read_only: bool,
}

/// What a start came to.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Started {
    Session(Session),
    Denied(Decision),
}

/// The answer to an action in a session.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Authorized {
    #[serde(flatten)]
    pub decision: Decision,
    pub acting_as: String,
    pub on_behalf_of: String,
}

/// A client of one tenant.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    tenant: String,
    key: String,
}

impl Client {
    pub fn new(base: &str, tenant: &str, key: &str) -> Self {
        Self::with_http(reqwest::Client::new(), base, tenant, key)
    }

    /// With a `reqwest::Client` of the caller's (timeouts, pools, TLS roots).
    pub fn with_http(http: reqwest::Client, base: &str, tenant: &str, key: &str) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            tenant: tenant.to_string(),
            key: key.to_string(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1/tenants/{}{path}", self.base, self.tenant)
    }

    /// Sends and reads the answer: the status and the JSON body.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), ClientError> {
        let mut request = self.http.request(method, self.url(path)).bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let value: Value = serde_json::from_slice(&bytes)?;
        if let Some(error) = value.get("error").filter(|_| status >= 400) {
            return Err(ClientError::Api {
                status,
                code: error["code"].as_str().unwrap_or_default().to_string(),
                message: error["message"].as_str().unwrap_or_default().to_string(),
            });
        }
        Ok((status, value))
    }

    async fn typed<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, ClientError> {
        let (_, value) = self.call(method, path, body).await?;
        Ok(serde_json::from_value(value)?)
    }

    /// Asks whether `request` may start, storing nothing.
    pub async fn check_start(&self, request: &StartRequest) -> Result<Decision, ClientError> {
        self.typed(
            reqwest::Method::POST,
            "/check/start",
            Some(serde_json::to_value(request)?),
        )
        .await
    }

    /// Starts a session, or says why not.
    pub async fn start(&self, request: &StartRequest, return_to: Option<&str>) -> Result<Started, ClientError> {
        let mut body = serde_json::to_value(request)?;
        if let Some(url) = return_to {
            body["return_to"] = json!(url);
        }
        let (status, value) = self.call(reqwest::Method::POST, "/sessions", Some(body)).await?;
        Ok(match status {
            201 => Started::Session(serde_json::from_value(value)?),
            _ => Started::Denied(serde_json::from_value(value)?),
        })
    }

    /// May the actor do `action` in the session?
    pub async fn authorize(
        &self,
        session: &str,
        action: &str,
        resource: Option<&str>,
    ) -> Result<Authorized, ClientError> {
        let body = json!({"action": action, "resource": resource});
        self.typed(
            reqwest::Method::POST,
            &format!("/sessions/{session}/authorize"),
            Some(body),
        )
        .await
    }

    /// The banner facts, as JSON.
    pub async fn banner(&self, session: &str) -> Result<Value, ClientError> {
        self.typed(reqwest::Method::GET, &format!("/sessions/{session}/banner"), None)
            .await
    }

    /// Ends the session.
    pub async fn end(&self, session: &str) -> Result<Session, ClientError> {
        self.typed(reqwest::Method::POST, &format!("/sessions/{session}/end"), None)
            .await
    }

    /// An AuthZEN Access Evaluation of this tenant.
    pub async fn evaluation(&self, request: &Value) -> Result<Value, ClientError> {
        self.typed(reqwest::Method::POST, "/access/v1/evaluation", Some(request.clone()))
            .await
    }
}
