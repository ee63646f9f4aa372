//! AuthZEN Search: which subjects, resources or actions a question would
//! allow. The searched-for entity may lack its `id` (that is what is
//! searched; one given is ignored, c-4-2-3 and c-4-3-3), every input entity
//! must be whole (`400` otherwise, c-4-7). The answer is
//! `{"results": [...]}`, every match in one page (`page` in a request is
//! accepted and ignored, c-4-5-4); a type nobody knows is an empty list,
//! not an error (c-4-6). Only a policy that answers searches finds
//! anything: the others, and any failure of the policy, find nothing.

use super::object;
use crate::app::AppState;
use crate::body::AuthzenJson;
use crate::error::ApiError;
use crate::routes::{DECIDE, Params, Route, json};
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Map, Value};
use standin::authzen::{Search, SearchKind};

pub(super) fn routes() -> Vec<Route> {
    let route = |path, operation, summary, make: fn() -> axum::routing::MethodRouter<AppState>| {
        Route::new(
            super::spec(
                Method::POST,
                path,
                operation,
                summary,
                DECIDE,
                Some("AuthzenSearch"),
                vec![json(200, "what the question would allow", "AuthzenSearchResults")],
            ),
            make,
        )
    };
    vec![
        route(
            "/v1/tenants/{t}/access/v1/search/subject",
            "authzenSearchSubject",
            "AuthZEN Subject Search: the subjects of a type that may do the action on the resource.",
            || post(subject),
        ),
        route(
            "/v1/tenants/{t}/access/v1/search/resource",
            "authzenSearchResource",
            "AuthZEN Resource Search: the resources of a type the subject may do the action on.",
            || post(resource),
        ),
        route(
            "/v1/tenants/{t}/access/v1/search/action",
            "authzenSearchAction",
            "AuthZEN Action Search: the actions the subject may do on the resource.",
            || post(action),
        ),
        route(
            "/{t}/access/v1/search/subject",
            "authzenSearchSubjectAtPdp",
            "AuthZEN Subject Search at the default path under the PDP identifier `{base}/{t}`.",
            || post(subject),
        ),
        route(
            "/{t}/access/v1/search/resource",
            "authzenSearchResourceAtPdp",
            "AuthZEN Resource Search at the default path under the PDP identifier `{base}/{t}`.",
            || post(resource),
        ),
        route(
            "/{t}/access/v1/search/action",
            "authzenSearchActionAtPdp",
            "AuthZEN Action Search at the default path under the PDP identifier `{base}/{t}`.",
            || post(action),
        ),
    ]
}

async fn subject(state: State<AppState>, p: Params, body: AuthzenJson<Value>) -> Result<Response, ApiError> {
    search(state, p, body, SearchKind::Subject).await
}

async fn resource(state: State<AppState>, p: Params, body: AuthzenJson<Value>) -> Result<Response, ApiError> {
    search(state, p, body, SearchKind::Resource).await
}

async fn action(state: State<AppState>, p: Params, body: AuthzenJson<Value>) -> Result<Response, ApiError> {
    search(state, p, body, SearchKind::Action).await
}

/// `body[key]`, an object with these string members, or a `400`.
fn entity(body: &Map<String, Value>, key: &str, fields: &[&str]) -> Result<Map<String, Value>, ApiError> {
    let o = match body.get(key) {
        Some(Value::Object(o)) => o.clone(),
        Some(_) => return Err(ApiError::bad_request(format!("`{key}` must be an object"))),
        None => return Err(ApiError::bad_request(format!("`{key}` is required"))),
    };
    for field in fields {
        if !o.get(*field).is_some_and(Value::is_string) {
            return Err(ApiError::bad_request(format!("`{key}.{field}` is required (a string)")));
        }
    }
    match o.get("properties") {
        None | Some(Value::Null | Value::Object(_)) => Ok(o),
        Some(_) => Err(ApiError::bad_request(format!("`{key}.properties` must be an object"))),
    }
}

/// The search a request asks for, its input entities checked whole.
pub(super) fn parse(body: &Map<String, Value>, kind: SearchKind) -> Result<Search, ApiError> {
    let whole: &[&str] = &["type", "id"];
    let typed: &[&str] = &["type"];
    let (subject, resource) = match kind {
        SearchKind::Subject => (typed, whole),
        SearchKind::Resource => (whole, typed),
        SearchKind::Action => (whole, whole),
    };
    let mut subject = entity(body, "subject", subject)?;
    let mut resource = entity(body, "resource", resource)?;
    // The searched-for entity's id is ignored, as the standard says.
    match kind {
        SearchKind::Subject => drop(subject.remove("id")),
        SearchKind::Resource => drop(resource.remove("id")),
        SearchKind::Action => {}
    }
    let action = match kind {
        SearchKind::Action => Map::new(),
        _ => entity(body, "action", &["name"])?,
    };
    let context = match body.get("context") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(o)) => o.clone(),
        Some(_) => return Err(ApiError::bad_request("`context` must be an object")),
    };
    let search = Search {
        kind,
        subject: Value::Object(subject),
        action: Value::Object(action),
        resource: Value::Object(resource),
        context: Value::Object(context),
    };
    let bytes = standin::authzen::question_bytes(&standin::authzen::Question {
        subject: search.subject.clone(),
        action: search.action.clone(),
        resource: search.resource.clone(),
        context: search.context.clone(),
    });
    let cap = standin::authzen::MAX_QUESTION_BYTES;
    if bytes > cap {
        return Err(ApiError::bad_request(format!(
            "the search's properties and context are {bytes} bytes, over the cap of {cap} bytes"
        )));
    }
    Ok(search)
}

async fn search(
    State(state): State<AppState>,
    p: Params,
    AuthzenJson(body): AuthzenJson<Value>,
    kind: SearchKind,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let search = parse(&object(body)?, kind)?;
    let results = state
        .run(move |s| Ok(s.tenant(&tenant).authzen().search(&search, super::now())))
        .await?;
    Ok(axum::Json(serde_json::json!({ "results": results })).into_response())
}
