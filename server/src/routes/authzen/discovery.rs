//! AuthZEN 1.0 PDP metadata: every endpoint a tenant's PDP serves, its
//! capabilities, and the same as `signed_metadata`, a JWT the server's
//! Ed25519 token key signs (its public half at `/.well-known/jwks.json`),
//! so that a PEP which trusts that key can tell the metadata was not
//! swapped on the way (the standard's "PDP mix-up").

use crate::app::AppState;
use crate::error::ApiError;
use axum::http::{HeaderMap, header};
use serde::Serialize;
use serde_json::Value;

/// Capability URNs of what a tenant's PDP does beyond the core API. None
/// is registered with IANA yet; these are Standin's own, so a PEP can tell
/// a Standin PDP's questions apart.
pub(super) const CAPABILITIES: [&str; 3] = [
    "urn:standin:authzen:capability:impersonation-session",
    "urn:standin:authzen:capability:may-start",
    "urn:standin:authzen:capability:generic-questions",
];

/// The Access Request profile's capability (the profile's own URN).
pub(super) const ACCESS_REQUEST: &str = "urn:openid:authzen:capability:access-request";

/// The base URL of this server as the caller reached it.
pub(super) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.public_url {
        return url.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c)))
        .unwrap_or("localhost");
    let scheme = if state.tls { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// A tenant's Policy Decision Point metadata (AuthZEN 1.0 discovery).
#[derive(Serialize)]
pub(super) struct Metadata {
    policy_decision_point: String,
    access_evaluation_endpoint: String,
    access_evaluations_endpoint: String,
    search_subject_endpoint: String,
    search_resource_endpoint: String,
    search_action_endpoint: String,
    capabilities: Vec<&'static str>,
    /// The Obligations profile's types answers may carry (in its form,
    /// which a question asks for with `context.supported_obligations`).
    supported_obligations: Vec<&'static str>,
    /// Where a requestable denial is submitted (the Access Request
    /// profile; present with a token key, which binds denials).
    #[serde(skip_serializing_if = "Option::is_none")]
    access_request_endpoint: Option<String>,
    /// Where the key of `signed_metadata` is published (present with it).
    #[serde(skip_serializing_if = "Option::is_none")]
    jwks_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signed_metadata: Option<String>,
}

pub(super) fn metadata(state: &AppState, headers: &HeaderMap, tenant: &str) -> Result<Metadata, ApiError> {
    standin::request::check_id("tenant", tenant).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let base = base_url(state, headers);
    let endpoint = |path: &str| format!("{base}/v1/tenants/{tenant}/access/v1/{path}");
    let mut meta = Metadata {
        // RFC 8615: the well-known string was inserted before the tenant,
        // so the PDP identifier is the base URL and the tenant; the
        // default paths under it (`{pdp}/access/v1/...`) are served too.
        policy_decision_point: format!("{base}/{tenant}"),
        access_evaluation_endpoint: endpoint("evaluation"),
        access_evaluations_endpoint: endpoint("evaluations"),
        search_subject_endpoint: endpoint("search/subject"),
        search_resource_endpoint: endpoint("search/resource"),
        search_action_endpoint: endpoint("search/action"),
        capabilities: CAPABILITIES.to_vec(),
        supported_obligations: super::obligations::SUPPORTED.to_vec(),
        access_request_endpoint: None,
        jwks_uri: None,
        signed_metadata: None,
    };
    let access = state.sessions().access();
    if access.jwks().is_some() {
        meta.access_request_endpoint = Some(endpoint("requests"));
        meta.capabilities.push(ACCESS_REQUEST);
        let mut claims = serde_json::to_value(&meta).unwrap_or(Value::Null);
        if let Value::Object(claims) = &mut claims {
            claims.insert("iss".to_string(), Value::String(meta.policy_decision_point.clone()));
            claims.insert("sub".to_string(), Value::String(meta.policy_decision_point.clone()));
            claims.insert("iat".to_string(), Value::from(chrono::Utc::now().timestamp()));
        }
        meta.signed_metadata = access.sign_jwt("JWT", &claims);
        meta.jwks_uri = Some(format!("{base}/.well-known/jwks.json"));
    }
    Ok(meta)
}
