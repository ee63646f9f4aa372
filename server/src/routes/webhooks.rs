//! A tenant's webhook endpoints (`admin` keys only): add (the secret is
//! shown once), list, read, remove, rotate the secret, send a test
//! message, read the delivery log, replay dead letters.

use super::{ADMIN, Params, Query, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::{ApiError, codes};
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use standin::webhooks::schedule::Attempt;
use standin::webhooks::{DEFAULT_ROTATION_OVERLAP, Delivery, DeliveryStatus, Endpoint, NewEndpoint, WebhookError};

fn spec(
    method: Method,
    path: &'static str,
    operation: &'static str,
    summary: &'static str,
    body: Option<&'static str>,
    query: &'static [(&'static str, &'static str)],
    answers: Vec<super::Answer>,
) -> Spec {
    Spec {
        method,
        path,
        operation,
        summary,
        tag: "webhooks",
        slow: false,
        access: ADMIN,
        body,
        query,
        answers,
    }
}

pub(super) fn routes() -> Vec<Route> {
    const ONE: &str = "/v1/tenants/{t}/webhooks/{id}";
    vec![
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/webhooks",
                "addWebhook",
                "Add a webhook endpoint: it receives the tenant's audit events from now on, signed as Standard Webhooks say. \
                 The answer carries the secret, shown this once.",
                Some("WebhookNew"),
                &[],
                vec![json(201, "the endpoint and its secret", "WebhookWithSecret")],
            ),
            || post(add),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/tenants/{t}/webhooks",
                "listWebhooks",
                "The tenant's webhook endpoints, oldest first, with where each one's delivery stands.",
                None,
                &[],
                vec![json(200, "the endpoints", "WebhookList")],
            ),
            || get(list),
        ),
        Route::new(
            spec(
                Method::GET,
                ONE,
                "getWebhook",
                "One webhook endpoint.",
                None,
                &[],
                vec![json(200, "the endpoint", "Webhook")],
            ),
            || get(one),
        ),
        Route::new(
            spec(
                Method::DELETE,
                ONE,
                "removeWebhook",
                "Remove a webhook endpoint and its delivery log.",
                None,
                &[],
                vec![json(200, "the endpoint removed", "Webhook")],
            ),
            || axum::routing::delete(remove),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/webhooks/{id}/rotate",
                "rotateWebhookSecret",
                "A new secret for the endpoint (shown this once); the current one keeps signing beside it for \
                 `overlap_seconds` (default 86400), so receivers switch without refusing a message.",
                Some("WebhookRotate"),
                &[],
                vec![json(200, "the endpoint and its new secret", "WebhookWithSecret")],
            ),
            || post(rotate),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/webhooks/{id}/test",
                "testWebhook",
                "Send the endpoint a signed `webhook.test` message now and say what its receiver answered.",
                None,
                &[],
                vec![json(200, "what the receiver answered", "WebhookTest")],
            ),
            || post(test),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/tenants/{t}/webhooks/{id}/deliveries",
                "listWebhookDeliveries",
                "The endpoint's delivery log, newest first: events delivered, dead letters, replays under way.",
                None,
                &[
                    ("status", "only `delivered`, `dead` or `replaying`"),
                    ("limit", "at most this many (1-10000, default 100)"),
                ],
                vec![json(200, "the log", "WebhookDeliveries")],
            ),
            || get(deliveries),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/webhooks/{id}/replay",
                "replayWebhooks",
                "Deliver the endpoint's dead letters again (before new events, in order).",
                None,
                &[],
                vec![json(200, "how many dead letters were queued", "WebhookReplay")],
            ),
            || post(replay),
        ),
    ]
}

fn error(e: WebhookError) -> ApiError {
    match e {
        WebhookError::Endpoint(e) => ApiError::bad_request(e.to_string()),
        WebhookError::Unknown(id) => ApiError::not_found(format!("no webhook endpoint `{id}` of this tenant")),
        WebhookError::TooMany(_) => ApiError::new(StatusCode::CONFLICT, codes::CONFLICT, e.to_string()),
        WebhookError::Store(e) => e.into(),
        other => ApiError::internal(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, &other),
    }
}

/// `WebhookWithSecret`: an endpoint and the secret shown once.
#[derive(Debug, Serialize)]
struct WithSecret {
    #[serde(flatten)]
    endpoint: Endpoint,
    secret: String,
}

#[derive(Debug, Serialize)]
struct List {
    webhooks: Vec<Endpoint>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct New {
    url: String,
    events: Option<Vec<String>>,
    description: Option<String>,
}

async fn add(State(state): State<AppState>, p: Params, Json(body): Json<New>) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let new = NewEndpoint {
        url: body.url,
        events: body.events.unwrap_or_else(|| vec!["*".into()]),
        description: body.description,
    };
    let (endpoint, secret) = state
        .run(move |s| s.webhooks().add(&tenant, new, now()).map_err(error))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(WithSecret { endpoint, secret })).into_response())
}

async fn list(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let webhooks = state.run(move |s| s.webhooks().list(&tenant).map_err(error)).await?;
    Ok(axum::Json(List { webhooks }).into_response())
}

async fn one(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let endpoint = state
        .run(move |s| s.webhooks().get(&tenant, &id).map_err(error))
        .await?;
    Ok(axum::Json(endpoint).into_response())
}

async fn remove(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let endpoint = state
        .run(move |s| s.webhooks().remove(&tenant, &id).map_err(error))
        .await?;
    Ok(axum::Json(endpoint).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rotate {
    overlap_seconds: Option<u32>,
}

async fn rotate(State(state): State<AppState>, p: Params, Json(body): Json<Rotate>) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let overlap = match body.overlap_seconds {
        Some(s @ 0..=604_800) => chrono::TimeDelta::seconds(i64::from(s)),
        Some(_) => return Err(ApiError::bad_request("`overlap_seconds` must be 0 to 604800")),
        None => DEFAULT_ROTATION_OVERLAP,
    };
    let (endpoint, secret) = state
        .run(move |s| s.webhooks().rotate(&tenant, &id, overlap, now()).map_err(error))
        .await?;
    Ok(axum::Json(WithSecret { endpoint, secret }).into_response())
}

/// `WebhookTest`: what the receiver made of the test message.
#[derive(Debug, Serialize)]
struct Tested {
    delivered: bool,
    message_id: String,
    status: Option<u16>,
    error: Option<String>,
}

async fn test(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let endpoint = state
        .run(move |s| s.webhooks().get(&tenant, &id).map_err(error))
        .await?;
    let (message, attempt) = crate::webhooks::send_test(&endpoint, &state.webhooks).await;
    let tested = match attempt {
        Attempt::Delivered { status } => Tested {
            delivered: true,
            message_id: message.id,
            status: Some(status),
            error: None,
        },
        Attempt::Failed { status, error } => Tested {
            delivered: false,
            message_id: message.id,
            status,
            error: Some(error),
        },
    };
    Ok(axum::Json(tested).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LogQuery {
    status: Option<String>,
    limit: Option<usize>,
}

#[derive(Debug, Serialize)]
struct Log {
    deliveries: Vec<Delivery>,
}

async fn deliveries(State(state): State<AppState>, p: Params, Query(q): Query<LogQuery>) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(
            DeliveryStatus::parse(s)
                .ok_or_else(|| ApiError::bad_request("`status` is `delivered`, `dead` or `replaying`"))?,
        ),
    };
    let limit = super::page_limit(q.limit, false)?.unwrap_or(100);
    let deliveries = state
        .run(move |s| s.webhooks().deliveries(&tenant, &id, status, limit).map_err(error))
        .await?;
    Ok(axum::Json(Log { deliveries }).into_response())
}

#[derive(Debug, Serialize)]
struct Replayed {
    replaying: usize,
}

async fn replay(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let replaying = state
        .run(move |s| s.webhooks().replay(&tenant, &id, now()).map_err(error))
        .await?;
    Ok(axum::Json(Replayed { replaying }).into_response())
}
