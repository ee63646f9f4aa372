//! Impersonation tokens over HTTP: the public keys (JWKS) every service of
//! the platform verifies tokens with, and introspection, which says whether
//! a token's session is still running (see `standin::token`).

use super::{Access, Params, READ_SESSIONS, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::{ApiError, codes};
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Spec {
                method: Method::GET,
                path: "/.well-known/jwks.json",
                operation: "jwks",
                summary: "The public keys of impersonation tokens (EdDSA, Ed25519), the signing key first; \
                          404 when the server signs no tokens.",
                tag: "tokens",
                slow: false,
                access: Access::Public,
                body: None,
                query: &[],
                answers: vec![json(200, "the JWKS", "Jwks"), json(404, "no token key", "Error")],
            },
            || get(jwks),
        ),
        Route::new(
            Spec {
                method: Method::POST,
                path: "/v1/tenants/{t}/tokens/introspect",
                operation: "introspectToken",
                summary: "Is this impersonation token active: signed here, for this tenant, and its session \
                          still running?",
                tag: "tokens",
                slow: false,
                access: READ_SESSIONS,
                body: Some("Introspect"),
                query: &[],
                answers: vec![json(
                    200,
                    "`active`, and whose token it is when active",
                    "Introspection",
                )],
            },
            || post(introspect),
        ),
    ]
}

async fn jwks(State(state): State<AppState>) -> Result<Response, ApiError> {
    match state.sessions().access().jwks() {
        Some(keys) => Ok(axum::Json(keys).into_response()),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            "this server signs no impersonation tokens (no `--token-key`)",
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Introspect {
    token: String,
}

async fn introspect(
    State(state): State<AppState>,
    p: Params,
    Json(body): Json<Introspect>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let answer = state
        .run(move |s| Ok(s.access().introspect(&tenant, &body.token, now())?))
        .await?;
    Ok(axum::Json(answer).into_response())
}
