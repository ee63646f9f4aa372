//! Checks: may this start, or this action, happen? The tenant's active
//! policy answers; nothing is stored (`standin check` over HTTP).

use super::sessions::{same_tenant, with_policy};
use super::{Answer, DECIDE, Params, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::ApiError;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use standin::{ActionRequest, StartRequest};
use std::time::Instant;

const DECISION: Answer = json(200, "the decision", "Decision");

pub(super) fn routes() -> Vec<Route> {
    let spec = |method, path, operation, summary, access, body, answers| Spec {
        method,
        path,
        operation,
        summary,
        tag: "sessions",
        slow: false,
        access,
        body,
        query: &[],
        answers,
    };
    vec![
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/check/start",
                "checkStart",
                "May the actor start impersonating the target? Asks the tenant's active policy; stores nothing.",
                DECIDE,
                Some("StartRequest"),
                vec![DECISION],
            ),
            || post(check_start),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/check/action",
                "checkAction",
                "May the actor do this in the session described? Asks the tenant's active policy; stores nothing.",
                DECIDE,
                Some("ActionRequest"),
                vec![DECISION],
            ),
            || post(check_action),
        ),
    ]
}

async fn check_start(
    State(state): State<AppState>,
    p: Params,
    Json(request): Json<StartRequest>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    same_tenant(&request.tenant, &tenant)?;
    let started = Instant::now();
    let (decision, policy) = state
        .run(move |s| Ok(s.policies().evaluate_start(&request, now())?))
        .await?;
    state
        .metrics
        .decision(&tenant, "check-start", &decision, started.elapsed());
    Ok(axum::Json(with_policy(&decision, &policy)).into_response())
}

async fn check_action(
    State(state): State<AppState>,
    p: Params,
    Json(request): Json<ActionRequest>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    same_tenant(&request.tenant, &tenant)?;
    let started = Instant::now();
    let (decision, policy) = state
        .run(move |s| Ok(s.policies().evaluate_action(&request, now())?))
        .await?;
    state
        .metrics
        .decision(&tenant, "check-action", &decision, started.elapsed());
    Ok(axum::Json(with_policy(&decision, &policy)).into_response())
}
