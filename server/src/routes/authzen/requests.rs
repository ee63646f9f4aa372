//! The AuthZEN Access Request and Approval profile's endpoints: submit a
//! requestable denial (`POST {pdp}/access/v1/requests`) and read its task
//! (`GET {pdp}/access/v1/requests/{id}`), both also under
//! `/v1/tenants/{t}/access/v1/...`. What they mean is the library's
//! (`standin::authzen::access_request`): a submission is a start, its task
//! the session. Errors are the profile's problem types, as
//! `application/problem+json` (RFC 9457).

use super::object;
use super::question::question;
use crate::app::AppState;
use crate::body::AuthzenJson;
use crate::error::ApiError;
use crate::routes::{Answer, DECIDE, Params, Route, json, now};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::{Map, Value};
use standin::authzen::access_request::{AccessRequestError, Submission, Task, TaskStatus, rfc3339};

const PROBLEM: &str = "application/problem+json";

fn problem_answer(status: u16, description: &'static str) -> Answer {
    Answer {
        status,
        description,
        schema: Some("AuthzenProblem"),
        media: Some(PROBLEM),
    }
}

pub(super) fn routes() -> Vec<Route> {
    let submit_spec = |path, operation, summary| {
        let answers = vec![
            json(202, "the request is waiting for its approvers: its task", "AuthzenTask"),
            json(
                201,
                "the policy now allows the start outright: the task, approved",
                "AuthzenTask",
            ),
            problem_answer(400, "`not_requestable` or `invalid_denial_binding`"),
            problem_answer(410, "`expired_denial`: the requestable denial expired"),
        ];
        super::spec(
            Method::POST,
            path,
            operation,
            summary,
            DECIDE,
            Some("AuthzenAccessRequest"),
            answers,
        )
    };
    let task_spec = |path, operation, summary| {
        let answers = vec![
            json(200, "the task, with its approval once approved", "AuthzenTask"),
            problem_answer(404, "`unknown_task`"),
        ];
        super::spec(Method::GET, path, operation, summary, DECIDE, None, answers)
    };
    vec![
        Route::new(
            submit_spec(
                "/v1/tenants/{t}/access/v1/requests",
                "authzenAccessRequest",
                "AuthZEN Access Request profile: submit a requestable denial of a start; the session starts waiting for its approvers.",
            ),
            || post(submit),
        ),
        Route::new(
            submit_spec(
                "/{t}/access/v1/requests",
                "authzenAccessRequestAtPdp",
                "AuthZEN Access Request profile: submit, at the default path under the PDP identifier.",
            ),
            || post(submit),
        ),
        Route::new(
            task_spec(
                "/v1/tenants/{t}/access/v1/requests/{id}",
                "authzenAccessRequestTask",
                "AuthZEN Access Request profile: an access request's task (its session, as the profile's status).",
            ),
            || get(task),
        ),
        Route::new(
            task_spec(
                "/{t}/access/v1/requests/{id}",
                "authzenAccessRequestTaskAtPdp",
                "AuthZEN Access Request profile: a task, at the default path under the PDP identifier.",
            ),
            || get(task),
        ),
    ]
}

/// A problem of the profile (RFC 9457).
#[derive(Serialize)]
struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    detail: String,
}

fn problem(status: StatusCode, error: &str, title: &'static str, detail: String) -> Response {
    let body = Problem {
        kind: format!("urn:openid:authzen:access-request:error:{error}"),
        title,
        status: status.as_u16(),
        detail,
    };
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM));
    response
}

fn refused(e: AccessRequestError) -> Result<Response, ApiError> {
    let detail = e.to_string();
    Ok(match e {
        AccessRequestError::NotRequestable(_) => problem(
            StatusCode::BAD_REQUEST,
            "not_requestable",
            "Access is not requestable",
            detail,
        ),
        AccessRequestError::InvalidBinding(_) => problem(
            StatusCode::BAD_REQUEST,
            "invalid_denial_binding",
            "The request is not bound to a denial",
            detail,
        ),
        AccessRequestError::ExpiredDenial(_) => {
            problem(StatusCode::GONE, "expired_denial", "The denial expired", detail)
        }
        AccessRequestError::UnknownTask(_) => problem(StatusCode::NOT_FOUND, "unknown_task", "Unknown task", detail),
        AccessRequestError::Session(e) => return Err(e.into()),
        _ => return Err(ApiError::bad_request(detail)),
    })
}

#[derive(Serialize)]
struct TaskBody {
    task: TaskHandle,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<ResultBody>,
}

#[derive(Serialize)]
struct TaskHandle {
    id: String,
    status: TaskStatus,
    status_endpoint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
}

#[derive(Serialize)]
struct ResultBody {
    mode: &'static str,
    approval: ApprovalBody,
}

#[derive(Serialize)]
struct ApprovalBody {
    id: String,
    approved_at: String,
    approved_until: String,
}

/// `task` as the profile writes it, its status endpoint under `pdp`.
fn written(task: Task, pdp: &str, status: StatusCode) -> Response {
    let status_endpoint = format!("{pdp}/access/v1/requests/{}", task.id);
    let location = HeaderValue::from_str(&status_endpoint).ok();
    let body = TaskBody {
        result: task.approval.map(|a| ResultBody {
            mode: "reevaluate",
            approval: ApprovalBody {
                id: a.id,
                approved_at: rfc3339(a.approved_at),
                approved_until: rfc3339(a.approved_until),
            },
        }),
        task: TaskHandle {
            id: task.id,
            status: task.status,
            status_endpoint,
            expires_at: task.expires_at.map(rfc3339),
        },
    };
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(location) = location.filter(|_| status != StatusCode::OK) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

fn text<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}

async fn submit(
    State(state): State<AppState>,
    p: Params,
    headers: HeaderMap,
    AuthzenJson(body): AuthzenJson<Value>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let pdp = super::pdp(&state, &headers, &tenant);
    let body = object(body)?;
    let q = question(&body, &Map::new(), "")?;
    let start = match q.start(&tenant) {
        Some(Ok(start)) => start,
        Some(Err(message)) => return refused(AccessRequestError::NotRequestable(message)),
        None => {
            return refused(AccessRequestError::NotRequestable(
                "only a start question (a `user` to `impersonate` a `user`) is requestable here".into(),
            ));
        }
    };
    let denial = match body.get("denial") {
        Some(Value::Object(d)) => d.clone(),
        _ => return refused(AccessRequestError::InvalidBinding("`denial` is required".into())),
    };
    let (Some(token), Some(expires_at)) = (text(&denial, "binding_token"), text(&denial, "expires_at")) else {
        return refused(AccessRequestError::InvalidBinding(
            "`denial.binding_token` and `denial.expires_at` are required (this PDP binds denials by value)".into(),
        ));
    };
    let (token, expires_at) = (token.to_string(), expires_at.to_string());
    let result = state
        .run(move |s| {
            let submission = Submission {
                start: &start.request,
                bound: start.bound,
                binding_token: &token,
                expires_at: &expires_at,
            };
            Ok(s.tenant(&tenant).authzen().request_access(&submission, now()))
        })
        .await?;
    match result {
        Ok(task) => {
            let status = if task.status == TaskStatus::Pending {
                StatusCode::ACCEPTED
            } else {
                StatusCode::CREATED
            };
            Ok(written(task, &pdp, status))
        }
        Err(e) => refused(e),
    }
}

async fn task(State(state): State<AppState>, p: Params, headers: HeaderMap) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let id = p.get("id");
    let pdp = super::pdp(&state, &headers, &tenant);
    let result = state
        .run(move |s| Ok(s.tenant(&tenant).authzen().task(&id, now())))
        .await?;
    match result {
        Ok(task) => Ok(written(task, &pdp, StatusCode::OK)),
        Err(e) => refused(e),
    }
}
