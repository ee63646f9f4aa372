//! Sessions and `authorize`: the routes a platform calls on every "log in
//! as" and every action taken while impersonating.

use super::{ADMIN, Answer, BANNER_END, BANNER_READ, DECIDE, Params, Query, READ_SESSIONS, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::{BatchJson, Json};
use crate::error::ApiError;
use crate::replies::{
    AuthorizeResults, BatchItem, Decided, ErrorBody, Extended, Next, Requested, SessionList, Started,
};
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use standin::Verdict;
use standin::{ActionCall, Decision, StartRequest};
use std::time::Instant;

const E: &[(&str, &str)] = &[];
const SESSION: Answer = json(200, "the session", "Session");

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
        query: E,
        answers,
    };
    vec![
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/sessions",
                "startSession",
                "Start a session if the tenant's active policy allows it (audited either way).",
                DECIDE,
                Some("StartSession"),
                vec![
                    json(201, "the session started", "Session"),
                    json(
                        202,
                        "the session waits for approval (`state: pending`, `decision: pending`, `approvers`)",
                        "Session",
                    ),
                    json(403, "the deny, naming the policy version", "Decision"),
                ],
            ),
            || post(start),
        ),
        Route::new(
            Spec {
                query: &[
                    (
                        "active",
                        "`true`: only sessions not ended (active, or pending approval)",
                    ),
                    (
                        "limit",
                        "at most this many (1-10000); the answer then has `next`, the `after` of the next page, null at the end",
                    ),
                    ("after", "the sessions listed after this one (a page's `next`)"),
                ],
                ..spec(
                    Method::GET,
                    "/v1/tenants/{t}/sessions",
                    "listSessions",
                    "The tenant's sessions, newest first.",
                    READ_SESSIONS,
                    None,
                    vec![json(200, "the sessions", "SessionList")],
                )
            },
            || get(list),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/tenants/{t}/sessions/{id}",
                "getSession",
                "One session.",
                READ_SESSIONS,
                None,
                vec![SESSION],
            ),
            || get(session),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/tenants/{t}/sessions/{id}/banner",
                "getBanner",
                "The banner facts: who, as whom, time left, expiring soon.",
                BANNER_READ,
                None,
                vec![json(200, "the banner facts", "Banner")],
            ),
            || get(banner),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/sessions/{id}/end",
                "endSession",
                "End the session (the actor stops).",
                BANNER_END,
                None,
                vec![SESSION],
            ),
            || post(end),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/sessions/{id}/extend",
                "extendSession",
                "Ask the session's policy for more time: the session, or the deny.",
                DECIDE,
                Some("Extend"),
                vec![json(
                    200,
                    "the session extended, or the deny decision",
                    "SessionOrDecision",
                )],
            ),
            || post(extend),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/sessions/{id}/revoke",
                "revokeSession",
                "End someone's session, saying why.",
                ADMIN,
                Some("Revoke"),
                vec![SESSION],
            ),
            || post(revoke),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/sessions/{id}/authorize",
                "authorize",
                "May the actor do this inside the session? Audited; durable when answered.",
                DECIDE,
                Some("Authorize"),
                vec![json(200, "the decision", "Authorization")],
            ),
            || post(authorize),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/authorize",
                "authorizeBatch",
                "Many `authorize` calls at once, answered in order, with one wait for their audit rows.",
                DECIDE,
                Some("AuthorizeBatch"),
                vec![json(200, "one result per call", "AuthorizeResults")],
            ),
            || post(authorize_batch),
        ),
    ]
}

/// A body naming another tenant than the path is refused.
pub(super) fn same_tenant(named: &str, path: &str) -> Result<(), ApiError> {
    if named == path {
        Ok(())
    } else {
        Err(ApiError::tenant_mismatch(named, path))
    }
}

pub(super) fn with_policy<'a>(decision: &'a Decision, policy: &'a standin::decision::PolicyRef) -> Decided<'a> {
    Decided { decision, policy }
}

async fn start(State(state): State<AppState>, p: Params, Json(mut body): Json<Value>) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    // `return_to` rides beside the start request, which is a closed form.
    let return_to = match body.as_object_mut().and_then(|o| o.remove("return_to")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(ApiError::bad_request("`return_to` must be a string")),
    };
    let request: StartRequest = serde_json::from_value(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not a start request: {e}")))?;
    same_tenant(&request.tenant, &tenant)?;
    let started = Instant::now();
    let t = tenant.clone();
    let outcome = state
        .run(move |s| Ok(s.tenant(&t).sessions().start(&request, return_to.as_deref(), now())?))
        .await?;
    state
        .metrics
        .decision(&tenant, "start", &outcome.decision, started.elapsed());
    Ok(match outcome.session {
        Some(session) if session.is_pending() => {
            let body = Requested {
                session: &session,
                decision: Verdict::Pending,
                approvers: outcome.decision.approvers(),
            };
            (StatusCode::ACCEPTED, axum::Json(body)).into_response()
        }
        Some(session) => {
            let token = state.sessions().access().token_for(&session, now());
            let body = Started {
                session: &session,
                token,
            };
            (StatusCode::CREATED, axum::Json(body)).into_response()
        }
        None => (
            StatusCode::FORBIDDEN,
            axum::Json(with_policy(&outcome.decision, &outcome.policy)),
        )
            .into_response(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    active: bool,
    limit: Option<usize>,
    after: Option<String>,
}

async fn list(State(state): State<AppState>, p: Params, Query(q): Query<ListQuery>) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let Some(limit) = super::page_limit(q.limit, q.after.is_some())? else {
        let sessions = state
            .run(move |s| Ok(s.tenant(&tenant).sessions().list(q.active, now())?))
            .await?;
        return Ok(axum::Json(SessionList {
            sessions,
            next: Next::Whole,
        })
        .into_response());
    };
    let sessions = state
        .run(move |s| {
            Ok(s.tenant(&tenant)
                .sessions()
                .page(q.active, q.after.as_deref(), limit, now())?)
        })
        .await?;
    let next = (sessions.len() == limit)
        .then(|| sessions.last().map(|s| s.id.clone()))
        .flatten();
    Ok(axum::Json(SessionList {
        sessions,
        next: Next::Page(next),
    })
    .into_response())
}

async fn session(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let session = state
        .run(move |s| Ok(s.tenant(&tenant).sessions().session(&id, now())?))
        .await?;
    Ok(axum::Json(session).into_response())
}

async fn banner(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let banner = state
        .run(move |s| Ok(s.tenant(&tenant).sessions().status(&id, now())?))
        .await?;
    Ok(axum::Json(banner).into_response())
}

async fn end(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let session = state
        .run(move |s| Ok(s.tenant(&tenant).sessions().end(&id, now())?))
        .await?;
    Ok(axum::Json(session).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Extend {
    ttl_seconds: u64,
}

async fn extend(State(state): State<AppState>, p: Params, Json(body): Json<Extend>) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let started = Instant::now();
    let t = tenant.clone();
    let outcome = state
        .run(move |s| Ok(s.tenant(&t).sessions().extend(&id, body.ttl_seconds, now())?))
        .await?;
    state
        .metrics
        .decision(&tenant, "extend", &outcome.decision, started.elapsed());
    if !outcome.decision.is_allow() {
        return Ok(axum::Json(outcome.decision).into_response());
    }
    Ok(axum::Json(Extended {
        session: &outcome.session,
        kept_expiry: outcome.kept_expiry,
    })
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Revoke {
    reason: String,
}

async fn revoke(State(state): State<AppState>, p: Params, Json(body): Json<Revoke>) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let session = state
        .run(move |s| Ok(s.tenant(&tenant).sessions().revoke(&id, &body.reason, now())?))
        .await?;
    Ok(axum::Json(session).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Authorize {
    action: String,
    #[serde(default)]
    resource: Option<String>,
}

async fn authorize(
    State(state): State<AppState>,
    p: Params,
    Json(body): Json<Authorize>,
) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let started = Instant::now();
    let answer = state
        .authorizer
        .authorize(&tenant, id, body.action, body.resource, now())
        .await?;
    state
        .metrics
        .decision(&tenant, "action", &answer.decision, started.elapsed());
    Ok(axum::Json(answer).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Call {
    session: String,
    action: String,
    #[serde(default)]
    resource: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Batch {
    calls: Vec<Call>,
}

async fn authorize_batch(
    State(state): State<AppState>,
    p: Params,
    BatchJson(body): BatchJson<Batch>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let started = Instant::now();
    let t = tenant.clone();
    let results = state
        .run(move |s| {
            let at = now();
            let calls: Vec<ActionCall<'_>> = body
                .calls
                .iter()
                .map(|c| ActionCall::new(&c.session, &c.action, c.resource.as_deref(), at))
                .collect();
            Ok(s.tenant(&t).sessions().authorize_batch(&calls)?)
        })
        .await?;
    let took = started.elapsed();
    let results = results
        .into_iter()
        .map(|r| match r {
            Ok(answer) => {
                state.metrics.decision(&tenant, "action", &answer.decision, took);
                BatchItem::Answer(answer)
            }
            Err(e) => {
                let e = ApiError::from(e);
                BatchItem::Error {
                    error: ErrorBody {
                        code: e.code,
                        message: e.message,
                        status: e.status.as_u16(),
                    },
                }
            }
        })
        .collect();
    Ok(axum::Json(AuthorizeResults { results }).into_response())
}
