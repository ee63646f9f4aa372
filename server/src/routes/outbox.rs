//! The outbox of a tenant (N1): messages listed, claimed by consumers and
//! acknowledged once delivered, and the notification switch and texts.

use super::{ADMIN, AUDIT, Params, Query, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::{ApiError, codes};
use crate::replies::{Acked, Claimed, Next, OutboxList};
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use standin::model::Notifications;

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Spec {
                method: Method::GET,
                path: "/v1/tenants/{t}/outbox",
                operation: "listOutbox",
                summary: "Messages to impersonated users not yet acknowledged (all with `all=true`).",
                tag: "outbox",
                slow: false,
                access: AUDIT,
                body: None,
                query: &[
                    ("all", "`true`: acknowledged messages too"),
                    (
                        "limit",
                        "at most this many (1-10000); the answer then has `next`, the `after` of the next page, null at the end",
                    ),
                    ("after", "the messages after this id (a page's `next`)"),
                ],
                answers: vec![json(200, "the messages", "OutboxList")],
            },
            || get(outbox),
        ),
        Route::new(
            Spec {
                method: Method::POST,
                path: "/v1/tenants/{t}/outbox/claim",
                operation: "claimOutbox",
                summary: "Claim messages to deliver: oldest unacknowledged ones no other consumer holds, \
                          held for this caller until `claimed_until` (then claimable again unless acknowledged).",
                tag: "outbox",
                slow: false,
                access: ADMIN,
                body: Some("Claim"),
                query: &[],
                answers: vec![json(
                    200,
                    "the messages claimed (none when all are held or delivered)",
                    "Claimed",
                )],
            },
            || post(claim),
        ),
        Route::new(
            Spec {
                method: Method::POST,
                path: "/v1/tenants/{t}/outbox/ack",
                operation: "ackOutbox",
                summary: "Acknowledge delivered messages: all of them, or none when one id is unknown.",
                tag: "outbox",
                slow: false,
                access: ADMIN,
                body: Some("Ack"),
                query: &[],
                answers: vec![json(200, "how many were newly acknowledged", "Acked")],
            },
            || post(ack),
        ),
        Route::new(
            Spec {
                method: Method::GET,
                path: "/v1/tenants/{t}/notifications",
                operation: "getNotifications",
                summary: "The tenant's notification switch and texts.",
                tag: "outbox",
                slow: false,
                access: ADMIN,
                body: None,
                query: &[],
                answers: vec![json(200, "the settings", "Notifications")],
            },
            || get(notifications),
        ),
        Route::new(
            Spec {
                method: Method::PUT,
                path: "/v1/tenants/{t}/notifications",
                operation: "setNotifications",
                summary: "Change the tenant's notification switch and texts (fields left out are kept).",
                tag: "outbox",
                slow: false,
                access: ADMIN,
                body: Some("NotificationsPatch"),
                query: &[],
                answers: vec![json(200, "the settings now", "Notifications")],
            },
            || axum::routing::put(set_notifications),
        ),
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutboxQuery {
    #[serde(default)]
    all: bool,
    limit: Option<usize>,
    after: Option<i64>,
}

async fn outbox(State(state): State<AppState>, p: Params, Query(q): Query<OutboxQuery>) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let Some(limit) = super::page_limit(q.limit, q.after.is_some())? else {
        let messages = state.run(move |s| Ok(s.tenant(&tenant).outbox().list(q.all)?)).await?;
        return Ok(axum::Json(OutboxList {
            messages,
            next: Next::Whole,
        })
        .into_response());
    };
    let messages = state
        .run(move |s| Ok(s.tenant(&tenant).outbox().page(q.all, q.after, limit)?))
        .await?;
    let next = (messages.len() == limit)
        .then(|| messages.last().map(|m| m.id))
        .flatten();
    Ok(axum::Json(OutboxList {
        messages,
        next: Next::Page(next),
    })
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Claim {
    #[serde(default = "Claim::limit")]
    limit: usize,
    #[serde(default = "Claim::lease")]
    lease_seconds: u64,
}

impl Claim {
    fn limit() -> usize {
        100
    }
    fn lease() -> u64 {
        60
    }
}

async fn claim(State(state): State<AppState>, p: Params, Json(body): Json<Claim>) -> Result<Response, ApiError> {
    if !(1..=10_000).contains(&body.limit) || !(1..=86_400).contains(&body.lease_seconds) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::INVALID_REQUEST,
            "`limit` must be 1 to 10000 and `lease_seconds` 1 to 86400".to_string(),
        ));
    }
    let tenant = p.tenant();
    let at = now();
    let lease = std::time::Duration::from_secs(body.lease_seconds);
    let claimed_until = at.timestamp() + i64::try_from(body.lease_seconds).unwrap_or(i64::MAX);
    let messages = state
        .run(move |s| Ok(s.outbox().claim(Some(&tenant), body.limit, lease, at)?))
        .await?;
    let claimed_until = DateTime::<Utc>::from_timestamp(claimed_until, 0);
    Ok(axum::Json(Claimed {
        messages,
        claimed_until,
    })
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ack {
    ids: Vec<i64>,
}

async fn ack(State(state): State<AppState>, p: Params, Json(body): Json<Ack>) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let acked = state
        .run(move |s| Ok(s.tenant(&tenant).outbox().ack(&body.ids, now())?))
        .await?;
    if !acked.unknown.is_empty() {
        let ids: Vec<String> = acked.unknown.iter().map(i64::to_string).collect();
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            format!("no message {} of this tenant; nothing was acknowledged", ids.join(", ")),
        ));
    }
    Ok(axum::Json(Acked { acked: acked.acked }).into_response())
}

async fn notifications(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let n = state.run(move |s| Ok(s.outbox().notifications(&tenant)?)).await?;
    Ok(axum::Json(n).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotificationsPatch {
    enabled: Option<bool>,
    started_template: Option<String>,
    ended_template: Option<String>,
}

async fn set_notifications(
    State(state): State<AppState>,
    p: Params,
    Json(patch): Json<NotificationsPatch>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let n = state
        .run(move |s| {
            let current = s.outbox().notifications(&tenant)?;
            let next = Notifications {
                enabled: patch.enabled.unwrap_or(current.enabled),
                started_template: patch.started_template.unwrap_or(current.started_template),
                ended_template: patch.ended_template.unwrap_or(current.ended_template),
            };
            s.outbox().set_notifications(&tenant, &next)?;
            Ok(next)
        })
        .await?;
    Ok(axum::Json(n).into_response())
}
