//! OpenID AuthZEN Authorization API 1.0: discovery, evaluation,
//! evaluations and search, per tenant. Two questions are Standin's own:
//!
//! - in a session: subject `impersonation_session`, any action and
//!   resource: `authorize` (audited like it);
//! - may one start: subject and resource of type `user`, action
//!   `impersonate`: `check start` (nothing stored).
//!
//! Any other question is generic: the tenant's policy answers it
//! (`standin::authzen`, audited), or, when it cannot, it is a deny saying
//! why. Searches ask the policy too (`search.rs`).
//!
//! As the standard says, unknown fields are ignored, a missing required
//! field is `400` (a body that is not JSON too: certification test
//! c-2-4-3), and a deny is `200 {"decision": false}`. An evaluation that
//! cannot be answered (an unknown session, a subject type we do not know,
//! a malformed item of a batch: c-3-4-1) is a deny with `context.error`,
//! never a permit.
//!
//! A start that would wait for approval is, in the Access Request
//! profile's terms, a requestable denial; its submission and task are
//! `requests.rs`.
//!
//! The PDP identifier is `{base}/{t}`; the endpoints are served both under
//! `/v1/tenants/{t}/access/v1/...` (what the metadata names) and under the
//! identifier's default paths `/{t}/access/v1/...`, for a PEP that falls
//! back to those.

mod answer;
mod batch;
mod discovery;
mod obligations;
mod question;
mod requests;
mod search;

use super::{Access, DECIDE, Params, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::AuthzenJson;
use crate::error::ApiError;
use answer::{Evaluation, Reply, answer, authorized};
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use question::{Kind, classify, question};
use serde_json::{Map, Value};
use std::time::Instant;

/// An AuthZEN route's description (tag `authzen`, no query parameters):
/// every route of this module and its submodules is made with it.
fn spec(
    method: Method,
    path: &'static str,
    operation: &'static str,
    summary: &'static str,
    access: Access,
    body: Option<&'static str>,
    answers: Vec<super::Answer>,
) -> Spec {
    Spec::tagged("authzen", method, path, operation, summary, access, body, answers)
}

pub(super) fn routes() -> Vec<Route> {
    let evaluation = |path, operation, summary| {
        Route::new(
            spec(
                Method::POST,
                path,
                operation,
                summary,
                DECIDE,
                Some("AuthzenEvaluation"),
                vec![json(200, "the decision", "AuthzenDecision")],
            ),
            || post(evaluation),
        )
    };
    let evaluations = |path, operation, summary| {
        Route::new(
            spec(
                Method::POST,
                path,
                operation,
                summary,
                DECIDE,
                Some("AuthzenEvaluations"),
                vec![json(200, "one decision per evaluation run", "AuthzenDecisions")],
            ),
            || post(batch::evaluations),
        )
    };
    let mut routes = vec![
        Route::new(
            spec(
                Method::GET,
                "/.well-known/authzen-configuration/{t}",
                "authzenConfiguration",
                "AuthZEN Policy Decision Point metadata of a tenant.",
                Access::Public,
                None,
                vec![json(200, "the PDP metadata", "AuthzenMetadata")],
            ),
            || get(discovery),
        ),
        evaluation(
            "/v1/tenants/{t}/access/v1/evaluation",
            "authzenEvaluation",
            "AuthZEN Access Evaluation: one question.",
        ),
        evaluations(
            "/v1/tenants/{t}/access/v1/evaluations",
            "authzenEvaluations",
            "AuthZEN Access Evaluations: many questions, with defaults and a semantic.",
        ),
        evaluation(
            "/{t}/access/v1/evaluation",
            "authzenEvaluationAtPdp",
            "AuthZEN Access Evaluation at the default path under the PDP identifier `{base}/{t}`.",
        ),
        evaluations(
            "/{t}/access/v1/evaluations",
            "authzenEvaluationsAtPdp",
            "AuthZEN Access Evaluations at the default path under the PDP identifier `{base}/{t}`.",
        ),
    ];
    routes.extend(search::routes());
    routes.extend(requests::routes());
    routes
}

async fn discovery(State(state): State<AppState>, p: Params, headers: HeaderMap) -> Result<Response, ApiError> {
    Ok(axum::Json(discovery::metadata(&state, &headers, &p.tenant())?).into_response())
}

/// One evaluation, its defaults applied.
fn object(body: Value) -> Result<Map<String, Value>, ApiError> {
    match body {
        Value::Object(o) => Ok(o),
        _ => Err(ApiError::bad_request("the body must be a JSON object")),
    }
}

async fn evaluation(
    State(state): State<AppState>,
    p: Params,
    headers: HeaderMap,
    AuthzenJson(body): AuthzenJson<Value>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let pdp = pdp(&state, &headers, &tenant);
    Ok(axum::Json(asked(&state, tenant, &object(body)?, pdp).await?).into_response())
}

/// The PDP identifier of `tenant` as the caller reached this server.
pub(super) fn pdp(state: &AppState, headers: &HeaderMap, tenant: &str) -> String {
    format!("{}/{tenant}", discovery::base_url(state, headers))
}

/// The answer to a request that is one question, asked of the PDP `pdp`.
async fn asked(state: &AppState, tenant: String, body: &Map<String, Value>, pdp: String) -> Result<Reply, ApiError> {
    let q = question(body, &Map::new(), "")?;
    let objects = q.objects();
    let kind = classify(&tenant, &q);
    Ok(Reply {
        evaluation: single(state, tenant, kind, pdp).await?,
        objects,
    })
}

/// One question: a session one and a generic one through the batching
/// authorizer, the others on the blocking pool.
async fn single(state: &AppState, tenant: String, kind: Kind, pdp: String) -> Result<Evaluation, ApiError> {
    match kind {
        Kind::Action {
            session,
            action,
            resource,
        } => {
            let started = Instant::now();
            match state
                .authorizer
                .authorize(&tenant, session, action, resource, now())
                .await
            {
                // The server failed: an error, not an answer.
                Err(e) if e.status.is_server_error() => Err(e),
                result => Ok(authorized(result, &tenant, &state.metrics, started.elapsed())),
            }
        }
        Kind::Generic(question) => {
            let started = Instant::now();
            let answer = state.authorizer.ask(&tenant, *question, now()).await?;
            state
                .metrics
                .decision(&tenant, "generic", &answer.to_decision(), started.elapsed());
            Ok(Evaluation::Generic(answer))
        }
        Kind::TooLarge(message) => Err(ApiError::bad_request(message)),
        other => {
            let metrics = state.metrics.clone();
            state.run(move |s| Ok(answer(s, &tenant, other, &metrics, &pdp))).await
        }
    }
}
