//! Re-evaluation: new facts about a principal, and an actor's sessions
//! revoked all at once (the library's `Sessions::update_principal` and
//! `Sessions::revoke_actor`).

use super::{ADMIN, Params, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::ApiError;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use serde::Deserialize;
use standin::request::Principal;

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Spec {
                method: Method::PUT,
                path: "/v1/tenants/{t}/principals/{id}",
                operation: "updatePrincipal",
                summary: "New facts about a user: every active session where it is the actor or the target is \
                          asked again; those no longer allowed end (revoked, with the codes), the others go on \
                          with the new facts.",
                tag: "sessions",
                slow: false,
                access: ADMIN,
                body: Some("Principal"),
                query: &[],
                answers: vec![json(200, "the sessions kept and those ended", "Reevaluated")],
            },
            || put(update),
        ),
        Route::new(
            Spec {
                method: Method::POST,
                path: "/v1/tenants/{t}/sessions/revoke",
                operation: "revokeActor",
                summary: "End every active session of an actor, saying why.",
                tag: "sessions",
                slow: false,
                access: ADMIN,
                body: Some("RevokeActor"),
                query: &[],
                answers: vec![json(200, "the sessions ended", "Revoked")],
            },
            || post(revoke_actor),
        ),
    ]
}

async fn update(
    State(state): State<AppState>,
    p: Params,
    Json(principal): Json<Principal>,
) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    if principal.id != id {
        return Err(ApiError::bad_request(format!(
            "the body is principal `{}`, the path `{id}`",
            principal.id
        )));
    }
    let out = state
        .run(move |s| Ok(s.sessions().update_principal(&tenant, &principal, now())?))
        .await?;
    Ok(axum::Json(out).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeActor {
    actor: String,
    reason: String,
}

async fn revoke_actor(
    State(state): State<AppState>,
    p: Params,
    Json(body): Json<RevokeActor>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let revoked = state
        .run(move |s| Ok(s.sessions().revoke_actor(&tenant, &body.actor, &body.reason, now())?))
        .await?;
    Ok(axum::Json(crate::replies::Revoked { revoked }).into_response())
}
