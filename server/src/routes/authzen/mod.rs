//! OpenID AuthZEN Authorization API 1.0: discovery, evaluation and
//! evaluations, per tenant. Two questions are understood:
//!
//! - in a session: subject `impersonation_session`, any action and
//!   resource: `authorize` (audited like it);
//! - may one start: subject and resource of type `user`, action
//!   `impersonate`: `check start` (nothing stored).
//!
//! As the standard says, unknown fields are ignored, a missing required
//! field is `400`, and a deny is `200 {"decision": false}`. An evaluation
//! that cannot be answered (an unknown session, a subject type we do not
//! know) is a deny with `context.error`, never a permit.

mod answer;
mod question;

use super::{Access, DECIDE, Params, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::{BatchJson, Json};
use crate::error::ApiError;
use answer::{Evaluation, answer, authorized, refusal};
use axum::extract::State;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use question::{Kind, classify, question};
use serde_json::{Map, Value};
use standin::{ActionCall, Standin};
use std::time::Instant;

pub(super) fn routes() -> Vec<Route> {
    let spec = |method, path, operation, summary, access, body, answers| Spec {
        method,
        path,
        operation,
        summary,
        tag: "authzen",
        slow: false,
        access,
        body,
        query: &[],
        answers,
    };
    vec![
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
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/access/v1/evaluation",
                "authzenEvaluation",
                "AuthZEN Access Evaluation: one question.",
                DECIDE,
                Some("AuthzenEvaluation"),
                vec![json(200, "the decision", "AuthzenDecision")],
            ),
            || post(evaluation),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/access/v1/evaluations",
                "authzenEvaluations",
                "AuthZEN Access Evaluations: many questions, with defaults and a semantic.",
                DECIDE,
                Some("AuthzenEvaluations"),
                vec![json(200, "one decision per evaluation run", "AuthzenDecisions")],
            ),
            || post(evaluations),
        ),
    ]
}

/// The base URL of this server as the caller reached it.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
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

async fn discovery(State(state): State<AppState>, p: Params, headers: HeaderMap) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    standin::request::check_id("tenant", &tenant).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let base = base_url(&state, &headers);
    Ok(axum::Json(Discovery {
        access_evaluation_endpoint: format!("{base}/v1/tenants/{tenant}/access/v1/evaluation"),
        access_evaluations_endpoint: format!("{base}/v1/tenants/{tenant}/access/v1/evaluations"),
        // RFC 8615: the well-known string was inserted before the tenant,
        // so the PDP identifier is the base URL and the tenant.
        policy_decision_point: format!("{base}/{tenant}"),
    })
    .into_response())
}

/// A tenant's Policy Decision Point metadata (AuthZEN 1.0 discovery).
#[derive(serde::Serialize)]
struct Discovery {
    access_evaluation_endpoint: String,
    access_evaluations_endpoint: String,
    policy_decision_point: String,
}

/// One evaluation, its defaults applied.
fn object(body: Value) -> Result<Map<String, Value>, ApiError> {
    match body {
        Value::Object(o) => Ok(o),
        _ => Err(ApiError::bad_request("the body must be a JSON object")),
    }
}

async fn evaluation(State(state): State<AppState>, p: Params, Json(body): Json<Value>) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let q = question(&object(body)?, &Map::new(), "")?;
    let kind = classify(&tenant, &q);
    Ok(axum::Json(single(&state, tenant, kind).await?).into_response())
}

/// One question: a session one through the batching authorizer, the
/// others on the blocking pool.
async fn single(state: &AppState, tenant: String, kind: Kind) -> Result<Evaluation, ApiError> {
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
        other => {
            let metrics = state.metrics.clone();
            state.run(move |s| Ok(answer(s, &tenant, other, &metrics))).await
        }
    }
}

/// The answer to a batch: one evaluation per question asked (fewer when a
/// semantic stopped early), in order.
#[derive(serde::Serialize)]
struct Evaluations {
    evaluations: Vec<Evaluation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Semantic {
    ExecuteAll,
    DenyOnFirstDeny,
    PermitOnFirstPermit,
}

async fn evaluations(
    State(state): State<AppState>,
    p: Params,
    BatchJson(body): BatchJson<Value>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let body = object(body)?;
    let semantic = match body.get("options").and_then(|o| o.get("evaluations_semantic")) {
        None | Some(Value::Null) => Semantic::ExecuteAll,
        Some(Value::String(s)) if s == "execute_all" => Semantic::ExecuteAll,
        Some(Value::String(s)) if s == "deny_on_first_deny" => Semantic::DenyOnFirstDeny,
        Some(Value::String(s)) if s == "permit_on_first_permit" => Semantic::PermitOnFirstPermit,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "`options.evaluations_semantic` {other} is not `execute_all`, `deny_on_first_deny` or `permit_on_first_permit`"
            )));
        }
    };
    let items = match body.get("evaluations") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err(ApiError::bad_request("`evaluations` must be an array")),
    };
    if items.is_empty() {
        // Without evaluations, the request is a single evaluation.
        let q = question(&body, &Map::new(), "")?;
        let kind = classify(&tenant, &q);
        return Ok(axum::Json(single(&state, tenant, kind).await?).into_response());
    }
    if items.len() > standin::sessions::MAX_BATCH_CALLS {
        return Err(ApiError::bad_request(format!(
            "{} evaluations are over the limit of {}",
            items.len(),
            standin::sessions::MAX_BATCH_CALLS
        )));
    }
    let mut kinds = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Value::Object(item) = item else {
            return Err(ApiError::bad_request(format!("`evaluations[{i}]` must be an object")));
        };
        kinds.push(classify(
            &tenant,
            &question(item, &body, &format!("evaluations[{i}]."))?,
        ));
    }
    let metrics = state.metrics.clone();
    let answers = state
        .run(move |s| {
            Ok(match semantic {
                Semantic::ExecuteAll => execute_all(s, &tenant, kinds, &metrics),
                _ => {
                    let stop_on = semantic == Semantic::PermitOnFirstPermit;
                    let mut answers = Vec::new();
                    for kind in kinds {
                        let a = answer(s, &tenant, kind, &metrics);
                        let decided = a.permits();
                        answers.push(a);
                        if decided == stop_on {
                            break;
                        }
                    }
                    answers
                }
            })
        })
        .await?;
    Ok(axum::Json(Evaluations { evaluations: answers }).into_response())
}

/// Every question: the session ones through `authorize_batch` (one wait
/// for all their audit rows), the others one by one; answers in order.
fn execute_all(s: &Standin, tenant: &str, kinds: Vec<Kind>, metrics: &crate::metrics::Metrics) -> Vec<Evaluation> {
    let at = now();
    let started = Instant::now();
    let calls: Vec<(usize, ActionCall<'_>)> = kinds
        .iter()
        .enumerate()
        .filter_map(|(i, k)| match k {
            Kind::Action {
                session,
                action,
                resource,
            } => Some((i, ActionCall::new(session, action, resource.as_deref(), at))),
            _ => None,
        })
        .collect();
    let mut answers: Vec<Option<Evaluation>> = (0..kinds.len()).map(|_| None).collect();
    if !calls.is_empty() {
        let batch: Vec<ActionCall<'_>> = calls.iter().map(|(_, c)| *c).collect();
        let results = s.tenant(tenant).sessions().authorize_batch(&batch);
        let took = started.elapsed();
        match results {
            Ok(results) => {
                for ((i, _), result) in calls.iter().zip(results) {
                    answers[*i] = Some(authorized(result.map_err(ApiError::from), tenant, metrics, took));
                }
            }
            Err(e) => {
                let e = ApiError::from(e);
                for (i, _) in &calls {
                    answers[*i] = Some(refusal(e.status.as_u16(), &e.message));
                }
            }
        }
    }
    kinds
        .into_iter()
        .zip(answers)
        .map(|(kind, done)| match done {
            Some(a) => a,
            None => answer(s, tenant, kind, metrics),
        })
        .collect()
}
