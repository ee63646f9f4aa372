//! Answers to a start that waits for approval: approve or reject, as a
//! named approver whom the session's policy judges (never the actor).

use super::{DECIDE, Params, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::ApiError;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Deserialize;
use serde_json::Value;
use standin::ApprovalOutcome;
use standin::request::Principal;
use std::time::Instant;

pub(super) fn routes() -> Vec<Route> {
    let spec = |path, operation, summary, body| Spec {
        method: Method::POST,
        path,
        operation,
        summary,
        tag: "sessions",
        slow: false,
        access: DECIDE,
        body: Some(body),
        query: &[],
        answers: vec![json(
            200,
            "the session (active once approved, ended `rejected`), or the refusal of the approver (the request keeps waiting)",
            "SessionOrDecision",
        )],
    };
    vec![
        Route::new(
            spec(
                "/v1/tenants/{t}/sessions/{id}/approve",
                "approveSession",
                "Approve a pending session as `approver`: active from now, for what the pending start granted.",
                "Approve",
            ),
            || post(approve),
        ),
        Route::new(
            spec(
                "/v1/tenants/{t}/sessions/{id}/reject",
                "rejectSession",
                "Reject a pending session as `approver`, saying why: it ends `rejected`.",
                "Reject",
            ),
            || post(reject),
        ),
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    approver: Principal,
    #[serde(default)]
    reason: Option<String>,
}

async fn approve(State(state): State<AppState>, p: Params, Json(body): Json<Answer>) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let started = Instant::now();
    let t = tenant.clone();
    let outcome = state
        .run(move |s| Ok(s.tenant(&t).sessions().approve(&id, &body.approver, now())?))
        .await?;
    answered(&state, &tenant, outcome, started)
}

async fn reject(State(state): State<AppState>, p: Params, Json(body): Json<Answer>) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let Some(reason) = body.reason else {
        return Err(ApiError::bad_request("a rejection needs a `reason`"));
    };
    let started = Instant::now();
    let t = tenant.clone();
    let outcome = state
        .run(move |s| Ok(s.tenant(&t).sessions().reject(&id, &body.approver, &reason, now())?))
        .await?;
    answered(&state, &tenant, outcome, started)
}

/// The session (with a token once approved, when the server signs them),
/// or the refusal.
fn answered(state: &AppState, tenant: &str, outcome: ApprovalOutcome, started: Instant) -> Result<Response, ApiError> {
    state
        .metrics
        .decision(tenant, "approval", &outcome.decision, started.elapsed());
    if !outcome.decision.is_allow() {
        return Ok(axum::Json(outcome.decision).into_response());
    }
    let mut body = serde_json::to_value(&outcome.session).unwrap_or(Value::Null);
    if let Some(token) = state.sessions().access().token_for(&outcome.session, now()) {
        body["token"] = token.into();
    }
    Ok(axum::Json(body).into_response())
}
