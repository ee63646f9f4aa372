//! The route table: every route's method, path, scope and documentation in
//! one place. The router ([`crate::app::router`]), the key checks
//! ([`crate::auth`]) and the OpenAPI document ([`crate::openapi`]) are all
//! made from it, so a route cannot be served without being documented, or
//! documented with another scope than it checks.

mod approvals;
mod audit;
mod authzen;
mod checks;
mod edge;
mod oauth;
mod ops;
mod outbox;
mod policies;
mod principals;
mod sessions;
mod ssf;
mod stats;
mod tokens;
mod webhooks;

use crate::app::AppState;
use crate::error::ApiError;
use axum::extract::{FromRequestParts, Path};
use axum::http::Method;
use axum::http::request::Parts;
use axum::routing::MethodRouter;
use standin::access::Scope;
use std::collections::HashMap;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, metrics, the OpenAPI document, AuthZEN discovery).
    Public,
    /// A key of the path's tenant with one of these scopes (or `admin`).
    Key(&'static [Scope]),
    /// As [`Access::Key`], or the path session's own impersonation token
    /// while that session is active, from any origin (CORS, no cookies):
    /// the routes of the banner in a platform's pages, which holds nothing
    /// more than that token.
    KeyOrSessionToken(&'static [Scope]),
}

impl Access {
    /// The scopes a key needs; `None` for a public route.
    pub fn scopes(self) -> Option<&'static [Scope]> {
        match self {
            Self::Public => None,
            Self::Key(scopes) | Self::KeyOrSessionToken(scopes) => Some(scopes),
        }
    }
}

pub const DECIDE: Access = Access::Key(&[Scope::Decide]);
pub const AUDIT: Access = Access::Key(&[Scope::Audit]);
pub const ADMIN: Access = Access::Key(&[Scope::Admin]);
/// Reading sessions: the platform's deciding side and its auditors.
pub const READ_SESSIONS: Access = Access::Key(&[Scope::Decide, Scope::Audit]);
/// The banner's facts: [`READ_SESSIONS`], or the session's own token.
pub const BANNER_READ: Access = Access::KeyOrSessionToken(&[Scope::Decide, Scope::Audit]);
/// The banner's end button: [`DECIDE`], or the session's own token.
pub const BANNER_END: Access = Access::KeyOrSessionToken(&[Scope::Decide]);

/// One answer of a route, for the document.
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub status: u16,
    pub description: &'static str,
    /// A schema of `components.schemas`; `None`: no JSON body.
    pub schema: Option<&'static str>,
    /// The media type, when not JSON.
    pub media: Option<&'static str>,
}

pub const fn json(status: u16, description: &'static str, schema: &'static str) -> Answer {
    Answer {
        status,
        description,
        schema: Some(schema),
        media: None,
    }
}

/// A route as documented.
#[derive(Debug, Clone)]
pub struct Spec {
    pub method: Method,
    /// axum's path syntax, which is also OpenAPI's: `/v1/tenants/{t}/...`.
    pub path: &'static str,
    pub operation: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    /// Given the longer deadline ([`crate::Limits::slow_request_timeout`]):
    /// policy uploads (compiling), replays and audit streams and checks.
    pub slow: bool,
    pub access: Access,
    /// The body's schema, when the route takes one.
    pub body: Option<&'static str>,
    /// Query parameters: name and description.
    pub query: &'static [(&'static str, &'static str)],
    /// Answers besides the errors every route may give.
    pub answers: Vec<Answer>,
}

impl Spec {
    /// A route of `tag` with the usual deadline and no query parameters:
    /// what a module whose routes share a tag (authzen, edge, ssf) makes
    /// each of them from.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn tagged(
        tag: &'static str,
        method: Method,
        path: &'static str,
        operation: &'static str,
        summary: &'static str,
        access: Access,
        body: Option<&'static str>,
        answers: Vec<Answer>,
    ) -> Self {
        Self {
            method,
            path,
            operation,
            summary,
            tag,
            slow: false,
            access,
            body,
            query: &[],
            answers,
        }
    }
}

/// A route: its spec and its handler.
#[derive(Debug)]
pub struct Route {
    pub spec: Spec,
    make: fn() -> MethodRouter<AppState>,
}

impl Route {
    pub(crate) const fn new(spec: Spec, make: fn() -> MethodRouter<AppState>) -> Self {
        Self { spec, make }
    }

    /// The handler with the key check its access needs; a banner route
    /// also answers CORS preflights and carries CORS headers.
    pub(crate) fn handler(&self, state: &AppState) -> MethodRouter<AppState> {
        let router = (self.make)();
        let access = self.spec.access;
        if access == Access::Public {
            return router;
        }
        let checked = router.route_layer(axum::middleware::from_fn_with_state(
            (state.clone(), access),
            crate::auth::require,
        ));
        match access {
            Access::KeyOrSessionToken(_) => checked
                .options(|| async { axum::http::StatusCode::NO_CONTENT })
                .layer(axum::middleware::from_fn(crate::console::cors)),
            _ => checked,
        }
    }
}

/// The schemas the route modules keep beside their routes: the gateway's,
/// the token exchange's and the activity's.
pub(crate) fn route_schemas() -> serde_json::Value {
    let mut all = edge::schemas();
    for more in [oauth::schemas(), stats::schemas()] {
        if let (Some(all), serde_json::Value::Object(more)) = (all.as_object_mut(), more) {
            all.extend(more);
        }
    }
    all
}

/// Every route, in the order of the document.
pub fn table() -> Vec<Route> {
    let mut routes = ops::routes();
    routes.extend(checks::routes());
    routes.extend(sessions::routes());
    routes.extend(approvals::routes());
    routes.extend(principals::routes());
    routes.extend(tokens::routes());
    routes.extend(audit::routes());
    routes.extend(stats::routes());
    routes.extend(outbox::routes());
    routes.extend(webhooks::routes());
    routes.extend(ssf::routes());
    routes.extend(edge::routes());
    routes.extend(oauth::routes());
    routes.extend(policies::routes());
    routes.extend(authzen::routes());
    routes
}

/// The path's parameters by name.
#[derive(Debug)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// The tenant of a `/v1/tenants/{t}/...` path.
    pub fn tenant(&self) -> String {
        self.get("t")
    }

    pub fn get(&self, name: &str) -> String {
        self.0.get(name).cloned().unwrap_or_default()
    }
}

impl FromRequestParts<AppState> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Path(map)| Params(map))
            .map_err(|e| ApiError::bad_request(format!("bad path: {e}")))
    }
}

/// A query string parsed into `T` (unknown parameters refused when `T` says so).
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: serde::de::DeserializeOwned> FromRequestParts<AppState> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| Query(q.0))
            .map_err(|e| ApiError::bad_request(format!("bad query: {}", e.body_text())))
    }
}

/// The host's clock for a request.
/// The page size a list was asked for: `None` for the whole list (no
/// `limit` and no `after`); `limit` must be 1 to 10000 (`after` alone takes 1000).
pub(crate) fn page_limit(limit: Option<usize>, after: bool) -> Result<Option<usize>, ApiError> {
    match (limit, after) {
        (None, false) => Ok(None),
        (None, true) => Ok(Some(1000)),
        (Some(n @ 1..=10_000), _) => Ok(Some(n)),
        (Some(_), _) => Err(ApiError::new(
            axum::http::StatusCode::BAD_REQUEST,
            crate::error::codes::INVALID_REQUEST,
            "`limit` must be 1 to 10000".to_string(),
        )),
    }
}

pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}
