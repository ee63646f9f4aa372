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

use super::{Access, DECIDE, Params, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::ApiError;
use axum::extract::State;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use standin::{ActionCall, Authorization, Decision, Principal, Sessions, StartRequest};
use std::time::Instant;

pub(super) fn routes() -> Vec<Route> {
    let spec = |method, path, operation, summary, access, body, answers| Spec {
        method,
        path,
        operation,
        summary,
        tag: "authzen",
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
    Ok(axum::Json(json!({
        // RFC 8615: the well-known string was inserted before the tenant,
        // so the PDP identifier is the base URL and the tenant.
        "policy_decision_point": format!("{base}/{tenant}"),
        "access_evaluation_endpoint": format!("{base}/v1/tenants/{tenant}/access/v1/evaluation"),
        "access_evaluations_endpoint": format!("{base}/v1/tenants/{tenant}/access/v1/evaluations"),
    }))
    .into_response())
}

/// One evaluation, its defaults applied.
#[derive(Debug)]
struct Question {
    subject: Map<String, Value>,
    action: Map<String, Value>,
    resource: Map<String, Value>,
    context: Map<String, Value>,
}

/// `key` of `item`, else of `defaults`; an object, or a `400`.
fn member(
    item: &Map<String, Value>,
    defaults: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Map<String, Value>, ApiError> {
    match item.get(key).or_else(|| defaults.get(key)) {
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(_) => Err(ApiError::bad_request(format!("`{at}{key}` must be an object"))),
        None => Err(ApiError::bad_request(format!("`{at}{key}` is required"))),
    }
}

fn question(item: &Map<String, Value>, defaults: &Map<String, Value>, at: &str) -> Result<Question, ApiError> {
    let q = Question {
        subject: member(item, defaults, "subject", at)?,
        action: member(item, defaults, "action", at)?,
        resource: member(item, defaults, "resource", at)?,
        context: match item.get("context").or_else(|| defaults.get("context")) {
            Some(Value::Object(o)) => o.clone(),
            None | Some(Value::Null) => Map::new(),
            Some(_) => return Err(ApiError::bad_request(format!("`{at}context` must be an object"))),
        },
    };
    for (what, object, fields) in [
        ("subject", &q.subject, &["type", "id"][..]),
        ("resource", &q.resource, &["type", "id"][..]),
        ("action", &q.action, &["name"][..]),
    ] {
        for field in fields {
            if !object.get(*field).is_some_and(Value::is_string) {
                return Err(ApiError::bad_request(format!(
                    "`{at}{what}.{field}` is required (a string)"
                )));
            }
        }
    }
    Ok(q)
}

fn text<'a>(o: &'a Map<String, Value>, key: &str) -> &'a str {
    o.get(key).and_then(Value::as_str).unwrap_or("")
}

/// What a question is.
enum Kind {
    /// `authorize` in session `id`.
    Action {
        session: String,
        action: String,
        resource: Option<String>,
    },
    /// `check start`.
    Start(Box<StartRequest>),
    /// Not a question Standin answers: a deny saying why.
    Unanswerable(String),
}

/// A principal from an AuthZEN entity: its `properties` (unknown ones
/// ignored, as the standard says), its `id` the entity's.
fn principal(entity: &Map<String, Value>) -> Result<Principal, String> {
    const KNOWN: [&str; 11] = [
        "tenant",
        "roles",
        "permissions",
        "groups",
        "manages",
        "domains",
        "active",
        "has_logged_in",
        "consents",
        "attributes",
        "id",
    ];
    let mut props: Map<String, Value> = match entity.get("properties") {
        Some(Value::Object(o)) => o
            .iter()
            .filter(|(k, _)| KNOWN.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err("`properties` must be an object".to_string()),
    };
    props.insert("id".to_string(), Value::String(text(entity, "id").to_string()));
    serde_json::from_value(Value::Object(props)).map_err(|e| format!("`properties` is not a principal: {e}"))
}

fn classify(tenant: &str, q: &Question) -> Kind {
    match (
        text(&q.subject, "type"),
        text(&q.action, "name"),
        text(&q.resource, "type"),
    ) {
        ("impersonation_session", action, _) => Kind::Action {
            session: text(&q.subject, "id").to_string(),
            action: action.to_string(),
            resource: Some(text(&q.resource, "id").to_string()).filter(|r| !r.is_empty()),
        },
        ("user", "impersonate", "user") => {
            let start = (|| {
                let ctx = &q.context;
                let mut request = json!({
                    "tenant": tenant,
                    "actor": principal(&q.subject)?,
                    "target": principal(&q.resource)?,
                });
                for key in ["reason", "ttl_seconds", "domain", "consent_on_behalf"] {
                    if let Some(v) = ctx.get(key).filter(|v| !v.is_null()) {
                        request[key] = v.clone();
                    }
                }
                serde_json::from_value::<StartRequest>(request).map_err(|e| format!("not a start question: {e}"))
            })();
            match start {
                Ok(request) => Kind::Start(Box::new(request)),
                Err(message) => Kind::Unanswerable(message),
            }
        }
        (subject, action, resource) => Kind::Unanswerable(format!(
            "no question of subject `{subject}`, action `{action}` and resource `{resource}`: ask with subject `impersonation_session`, or subject and resource `user` and action `impersonate`"
        )),
    }
}

fn from_authorization(a: &Authorization) -> Value {
    json!({
        "decision": a.decision.is_allow(),
        "context": {
            "reasons": a.decision.reasons,
            "obligations": a.decision.obligations.clone().unwrap_or_default(),
            "acting_as": a.acting_as,
            "on_behalf_of": a.on_behalf_of,
            "session": a.session,
            "policy": a.policy,
        }
    })
}

fn from_start(d: &Decision, policy: &standin::store::PolicyRef) -> Value {
    let mut context = json!({ "reasons": d.reasons, "policy": policy });
    if d.is_allow() {
        context["grant"] = json!({
            "ttl_seconds": d.ttl_seconds,
            "max_ttl_seconds": d.max_ttl_seconds,
            "notify_target": d.notify_target,
            "read_only": d.read_only,
            "obligations": d.obligations,
        });
    }
    json!({ "decision": d.is_allow(), "context": context })
}

fn refusal(status: u16, message: &str) -> Value {
    json!({ "decision": false, "context": { "error": { "status": status, "message": message } } })
}

/// Answers one question (on the blocking pool's thread).
fn answer(s: &Sessions, tenant: &str, kind: Kind, metrics: &crate::metrics::Metrics) -> Value {
    let started = Instant::now();
    match kind {
        Kind::Action {
            session,
            action,
            resource,
        } => {
            match s
                .tenant(tenant)
                .authorize(&session, &action, resource.as_deref(), now())
            {
                Ok(a) => {
                    metrics.decision(tenant, "action", &a.decision, started.elapsed());
                    from_authorization(&a)
                }
                Err(e) => {
                    let e = ApiError::from(e);
                    refusal(e.status.as_u16(), &e.message)
                }
            }
        }
        Kind::Start(request) => match s.evaluate_start(&request, now()) {
            Ok((d, policy)) => {
                metrics.decision(tenant, "check-start", &d, started.elapsed());
                from_start(&d, &policy)
            }
            Err(e) => {
                let e = ApiError::from(e);
                refusal(e.status.as_u16(), &e.message)
            }
        },
        Kind::Unanswerable(message) => refusal(400, &message),
    }
}

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
async fn single(state: &AppState, tenant: String, kind: Kind) -> Result<Value, ApiError> {
    match kind {
        Kind::Action {
            session,
            action,
            resource,
        } => {
            let started = Instant::now();
            Ok(
                match state
                    .authorizer
                    .authorize(&tenant, session, action, resource, now())
                    .await
                {
                    Ok(a) => {
                        state
                            .metrics
                            .decision(&tenant, "action", &a.decision, started.elapsed());
                        from_authorization(&a)
                    }
                    // The server failed: an error, not an answer.
                    Err(e) if e.status.is_server_error() => return Err(e),
                    Err(e) => refusal(e.status.as_u16(), &e.message),
                },
            )
        }
        other => {
            let metrics = state.metrics.clone();
            state.run(move |s| Ok(answer(s, &tenant, other, &metrics))).await
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Semantic {
    ExecuteAll,
    DenyOnFirstDeny,
    PermitOnFirstPermit,
}

async fn evaluations(State(state): State<AppState>, p: Params, Json(body): Json<Value>) -> Result<Response, ApiError> {
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
    if items.len() > standin::session::MAX_BATCH_CALLS {
        return Err(ApiError::bad_request(format!(
            "{} evaluations are over the limit of {}",
            items.len(),
            standin::session::MAX_BATCH_CALLS
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
                        let decided = a["decision"].as_bool() == Some(true);
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
    Ok(axum::Json(json!({ "evaluations": answers })).into_response())
}

/// Every question: the session ones through `authorize_batch` (one wait
/// for all their audit rows), the others one by one; answers in order.
fn execute_all(s: &Sessions, tenant: &str, kinds: Vec<Kind>, metrics: &crate::metrics::Metrics) -> Vec<Value> {
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
    let mut answers: Vec<Option<Value>> = (0..kinds.len()).map(|_| None).collect();
    if !calls.is_empty() {
        let batch: Vec<ActionCall<'_>> = calls.iter().map(|(_, c)| *c).collect();
        let results = s.tenant(tenant).authorize_batch(&batch);
        let took = started.elapsed();
        match results {
            Ok(results) => {
                for ((i, _), result) in calls.iter().zip(results) {
                    answers[*i] = Some(match result {
                        Ok(a) => {
                            metrics.decision(tenant, "action", &a.decision, took);
                            from_authorization(&a)
                        }
                        Err(e) => {
                            let e = ApiError::from(e);
                            refusal(e.status.as_u16(), &e.message)
                        }
                    });
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
