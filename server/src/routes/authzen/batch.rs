//! AuthZEN Access Evaluations: many questions in one request, the
//! request's own `subject`, `action`, `resource` and `context` as defaults,
//! run under one of three semantics. A malformed item is that item's deny
//! with `context.error` (certification test c-3-4-1), so the answers keep
//! the request's cardinality and order; only a request malformed as a
//! whole (its options, `evaluations` not an array, defaults that are not
//! objects) is a `400`.

use super::answer::{Evaluation, Reply, answer, authorized, refusal};
use super::question::{Kind, classify, question};
use super::{asked, object};
use crate::app::AppState;
use crate::body::AuthzenBatchJson;
use crate::error::ApiError;
use crate::routes::{Params, now};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use standin::{ActionCall, Standin};
use std::time::Instant;

/// The answer to a batch: one evaluation per question asked (fewer when a
/// semantic stopped early), in order.
#[derive(serde::Serialize)]
struct Evaluations {
    evaluations: Vec<Reply>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Semantic {
    ExecuteAll,
    DenyOnFirstDeny,
    PermitOnFirstPermit,
}

fn semantic(body: &Map<String, Value>) -> Result<Semantic, ApiError> {
    match body.get("options").and_then(|o| o.get("evaluations_semantic")) {
        None | Some(Value::Null) => Ok(Semantic::ExecuteAll),
        Some(Value::String(s)) if s == "execute_all" => Ok(Semantic::ExecuteAll),
        Some(Value::String(s)) if s == "deny_on_first_deny" => Ok(Semantic::DenyOnFirstDeny),
        Some(Value::String(s)) if s == "permit_on_first_permit" => Ok(Semantic::PermitOnFirstPermit),
        Some(other) => Err(ApiError::bad_request(format!(
            "`options.evaluations_semantic` {other} is not `execute_all`, `deny_on_first_deny` or `permit_on_first_permit`"
        ))),
    }
}

/// Defaults that are there must be objects: a request whose defaults are
/// malformed is malformed as a whole.
fn check_defaults(body: &Map<String, Value>) -> Result<(), ApiError> {
    for key in ["subject", "action", "resource", "context"] {
        match body.get(key) {
            None | Some(Value::Null | Value::Object(_)) => {}
            Some(_) => return Err(ApiError::bad_request(format!("`{key}` must be an object"))),
        }
    }
    Ok(())
}

/// Each item's question, or, for a malformed item, the deny saying why;
/// and whether it asks for the Obligations profile's form.
fn kinds(tenant: &str, body: &Map<String, Value>, items: &[Value]) -> Vec<(Kind, bool)> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("evaluations[{i}].");
            let Value::Object(item) = item else {
                return (
                    Kind::Unanswerable(format!("`evaluations[{i}]` must be an object")),
                    false,
                );
            };
            match question(item, body, &at) {
                Ok(q) => (classify(tenant, &q), q.objects()),
                Err(e) => (Kind::Unanswerable(e.message), false),
            }
        })
        .collect()
}

pub(super) async fn evaluations(
    State(state): State<AppState>,
    p: Params,
    headers: axum::http::HeaderMap,
    AuthzenBatchJson(body): AuthzenBatchJson<Value>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let pdp = super::pdp(&state, &headers, &tenant);
    let body = object(body)?;
    let semantic = semantic(&body)?;
    check_defaults(&body)?;
    let items = match body.get("evaluations") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err(ApiError::bad_request("`evaluations` must be an array")),
    };
    if items.is_empty() {
        // Without evaluations, the request is a single evaluation.
        return Ok(axum::Json(asked(&state, tenant, &body, pdp).await?).into_response());
    }
    if items.len() > standin::sessions::MAX_BATCH_CALLS {
        return Err(ApiError::bad_request(format!(
            "{} evaluations are over the limit of {}",
            items.len(),
            standin::sessions::MAX_BATCH_CALLS
        )));
    }
    let (kinds, objects): (Vec<Kind>, Vec<bool>) = kinds(&tenant, &body, &items).into_iter().unzip();
    let metrics = state.metrics.clone();
    let answers = state
        .run(move |s| {
            Ok(match semantic {
                Semantic::ExecuteAll => execute_all(s, &tenant, kinds, &metrics, &pdp),
                _ => {
                    let stop_on = semantic == Semantic::PermitOnFirstPermit;
                    let mut answers = Vec::new();
                    for kind in kinds {
                        let a = answer(s, &tenant, kind, &metrics, &pdp);
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
    let evaluations = answers
        .into_iter()
        .zip(objects)
        .map(|(evaluation, objects)| Reply { evaluation, objects })
        .collect();
    Ok(axum::Json(Evaluations { evaluations }).into_response())
}

/// Every question: the session ones through `authorize_batch` and the
/// generic ones through `evaluate_many` (one wait each for all their
/// audit rows), the others one by one; answers in order.
fn execute_all(
    s: &Standin,
    tenant: &str,
    kinds: Vec<Kind>,
    metrics: &crate::metrics::Metrics,
    pdp: &str,
) -> Vec<Evaluation> {
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
    let mut kinds: Vec<Option<Kind>> = kinds.into_iter().map(Some).collect();
    let (at_generic, questions): (Vec<usize>, Vec<standin::authzen::Question>) = kinds
        .iter_mut()
        .enumerate()
        .filter_map(|(i, k)| match k.take_if(|k| matches!(k, Kind::Generic(_))) {
            Some(Kind::Generic(question)) => Some((i, *question)),
            _ => None,
        })
        .unzip();
    if !questions.is_empty() {
        let started = Instant::now();
        let generic = s.tenant(tenant).authzen().evaluate_many(&questions, at);
        let took = started.elapsed();
        for (i, a) in at_generic.into_iter().zip(generic) {
            metrics.decision(tenant, "generic", &a.to_decision(), took);
            answers[i] = Some(Evaluation::Generic(a));
        }
    }
    kinds
        .into_iter()
        .zip(answers)
        .map(|(kind, done)| match (done, kind) {
            (Some(a), _) => a,
            (None, Some(kind)) => answer(s, tenant, kind, metrics, pdp),
            (None, None) => refusal(500, "a question of the batch was not answered"),
        })
        .collect()
}
