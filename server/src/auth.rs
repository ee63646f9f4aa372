//! Bearer keys and scopes: every route of a tenant checks, before reading
//! the body, that the request carries a live key (`401` otherwise), that
//! the key is the path tenant's and that its scope covers the route (`403`
//! otherwise). A request with more than one `Authorization` header is
//! `400`: no guess at which one counts. The key then rides in the request's extensions ([`Caller`]),
//! so handlers can record who uploaded or activated a policy. A session's
//! banner facts and its end also take that session's impersonation token
//! (the banner in the platform's pages holds nothing more).
//!
//! Keys are looked up by the sha256 of the secret. A key found is cached
//! for [`KEY_CACHE_TTL`], so the hot path reads no row per call; a key
//! revoked (by `standin key revoke`, from any process) stops working within
//! that time. Unknown secrets are never cached: a flood of made-up keys
//! cannot push real ones out. A key whose row the host key does not
//! authenticate (`standin::store::Integrity`: inserted or edited in the database)
//! is answered `401` like an unknown one.

use crate::app::AppState;
use crate::error::{ApiError, codes};
use crate::routes::Access;
use axum::RequestExt as _;
use axum::extract::{RawPathParams, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use opentelemetry::KeyValue;
use standin::SessionError;
use standin::access::{ApiKey, Scope, key_hash};
use standin::store::StoreError;
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, Instant};

/// How long a key found stays trusted without asking the store again.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(1);

/// At most this many keys are cached; when full, the cache starts over.
const MAX_CACHED_KEYS: usize = 10_000;

/// The key a request was made with.
#[derive(Debug, Clone)]
pub struct Caller(pub ApiKey);

impl Caller {
    /// How the caller is named in the audit trail and policy history.
    pub fn name(&self) -> String {
        match &self.0.name {
            Some(name) => format!("key:{} ({name})", self.0.id),
            None => format!("key:{}", self.0.id),
        }
    }
}

/// Live keys found lately, by the hash of their secret.
#[derive(Debug, Default)]
pub struct KeyCache {
    keys: RwLock<HashMap<String, (ApiKey, Instant)>>,
}

impl KeyCache {
    fn get(&self, hash: &str) -> Option<ApiKey> {
        let keys = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        keys.get(hash)
            .filter(|(_, at)| at.elapsed() < KEY_CACHE_TTL)
            .map(|(k, _)| k.clone())
    }

    fn put(&self, hash: String, key: ApiKey) {
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        if keys.len() >= MAX_CACHED_KEYS {
            keys.clear();
        }
        keys.insert(hash, (key, Instant::now()));
    }
}

/// The secret of the request's `Authorization` header: `Bearer KEY`, or
/// HTTP Basic with the key as the password (OAuth's `client_secret_basic`,
/// which token-exchange clients send; the user part is not read).
/// Several `Authorization` headers are refused, whatever they hold: which
/// one counts would be a guess (RFC 6750: `400 invalid_request`).
fn bearer(request: &Request) -> Result<Option<String>, ApiError> {
    let mut values = request.headers().get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::bad_request("more than one `Authorization` header; send one"));
    }
    let Some((scheme, token)) = value.to_str().ok().and_then(|v| v.split_once(' ')) else {
        return Ok(None);
    };
    if scheme.eq_ignore_ascii_case("basic") {
        use base64::Engine as _;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(token.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        return Ok(decoded.and_then(|d| d.split_once(':').map(|(_, password)| password.to_string())));
    }
    Ok(scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string()))
}

fn unauthenticated(message: &str) -> Response {
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, codes::UNAUTHENTICATED, message).into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// The live key of `secret`, from the cache or the store.
async fn authenticate(state: &AppState, secret: &str) -> Result<Option<ApiKey>, ApiError> {
    let hash = key_hash(secret);
    if let Some(key) = state.keys.get(&hash) {
        return Ok(Some(key));
    }
    let owned = secret.to_string();
    let found = state
        .run(move |sessions| match sessions.access().authenticate(&owned) {
            // A key row the host key does not authenticate (inserted or
            // edited by a database writer) is no key: `401`, as an unknown
            // one, never cached; the log says which row.
            Err(SessionError::Store(StoreError::Forged(row))) => {
                tracing::warn!(%row, "a bearer key's row is not authenticated by the host key; refused");
                Ok(None)
            }
            other => other.map_err(ApiError::from),
        })
        .await?;
    if let Some(key) = &found {
        state.keys.put(hash, key.clone());
    }
    Ok(found)
}

/// Whether `token` is an impersonation token of the path's session (and
/// tenant) while that session is active: what the banner holds.
async fn session_token(state: &AppState, request: &mut Request, token: String) -> Result<bool, ApiError> {
    let params = request
        .extract_parts::<RawPathParams>()
        .await
        .map_err(|_| ApiError::bad_request("no session in the path"))?;
    let param = |name: &str| params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
    let (Some(tenant), Some(id)) = (param("t"), param("id")) else {
        return Ok(false);
    };
    let seen = state
        .run(move |s| Ok(s.access().introspect(&tenant, &token, chrono::Utc::now())?))
        .await?;
    Ok(seen.active && seen.sid.as_deref() == Some(id.as_str()))
}

/// The middleware of a route of `access`: a key with one of its scopes (an
/// admin key always does); a session's banner and end
/// ([`Access::KeyOrSessionToken`]) also take that session's impersonation
/// token.
pub(crate) async fn require(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    let needed = access.scopes().unwrap_or_default();
    let secret = match bearer(&request) {
        Ok(Some(secret)) => secret,
        Ok(None) => return unauthenticated("this route needs `Authorization: Bearer KEY`"),
        Err(e) => return e.into_response(),
    };
    if matches!(access, Access::KeyOrSessionToken(_)) && secret.split('.').count() == 3 {
        let token = secret.to_string();
        return match session_token(&state, &mut request, token).await {
            Ok(true) => next.run(request).await,
            Ok(false) => unauthenticated("the token is not this session's, or the session is over"),
            Err(e) => e.into_response(),
        };
    }
    let checking = Instant::now();
    let key = authenticate(&state, &secret).await;
    if let Some(trace) = crate::telemetry::sampled() {
        let outcome = match &key {
            Ok(Some(_)) => "known",
            Ok(None) => "unknown",
            Err(_) => "error",
        };
        trace.child(
            "auth.key",
            checking,
            Instant::now(),
            vec![KeyValue::new("standin.auth.key", outcome)],
        );
    }
    let key = match key {
        Ok(Some(key)) => key,
        Ok(None) => return unauthenticated("unknown or revoked key"),
        Err(e) => return e.into_response(),
    };
    let tenant = match request.extract_parts::<RawPathParams>().await {
        Ok(params) => params.iter().find(|(name, _)| *name == "t").map(|(_, v)| v.to_string()),
        Err(_) => None,
    };
    if tenant.as_deref().is_some_and(|t| t != key.tenant) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            "this key does not reach that tenant",
        )
        .into_response();
    }
    if !needed.iter().any(|scope| key.scope.grants(*scope)) {
        let mut names: Vec<&str> = needed.iter().map(|s| s.as_str()).collect();
        if !needed.contains(&Scope::Admin) {
            names.push("admin");
        }
        return ApiError::new(
            StatusCode::FORBIDDEN,
            codes::FORBIDDEN,
            format!(
                "this route needs a key of scope `{}`; this key has `{}`",
                names.join("` or `"),
                key.scope
            ),
        )
        .into_response();
    }
    request.extensions_mut().insert(Caller(key));
    next.run(request).await
}
