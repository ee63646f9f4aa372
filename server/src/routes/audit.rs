//! The audit trail (query, verify), the outbox and the notification
//! settings of a tenant.

use super::{ADMIN, AUDIT, Answer, Params, Query, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::{ApiError, codes};
use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use standin::audit::{Format, View, render};
use standin::store::{AuditFilter, Notifications};

/// Events read from the store and rendered per page of a streamed export.
const PAGE_EVENTS: usize = 1024;

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            Spec {
                method: Method::GET,
                path: "/v1/tenants/{t}/audit",
                operation: "queryAudit",
                summary: "The tenant's audit events, oldest first, streamed as JSON lines or CSV.",
                tag: "audit",
                access: AUDIT,
                body: None,
                query: &[
                    ("actor", "only events of this actor"),
                    ("target", "only events of this target"),
                    ("event", "only events of this kind (`action.denied`, ...)"),
                    ("session", "only events of this session"),
                    ("since", "RFC 3339: only events at or after"),
                    ("until", "RFC 3339: only events before"),
                    (
                        "view",
                        "`impersonator` or `impersonated`: who each event is shown under",
                    ),
                    ("format", "`jsonl` (default) or `csv`"),
                ],
                answers: vec![Answer {
                    status: 200,
                    description: "one event per line",
                    schema: Some("AuditEvent"),
                    media: Some("application/x-ndjson"),
                }],
            },
            || get(query),
        ),
        Route::new(
            Spec {
                method: Method::GET,
                path: "/v1/tenants/{t}/audit/verify",
                operation: "verifyAudit",
                summary: "Verify the tenant's hash chain, and the sessions and policy versions against it.",
                tag: "audit",
                access: AUDIT,
                body: None,
                query: &[],
                answers: vec![json(
                    200,
                    "the chain's state; `broken` is null when intact",
                    "Verification",
                )],
            },
            || get(verify),
        ),
        Route::new(
            Spec {
                method: Method::GET,
                path: "/v1/tenants/{t}/outbox",
                operation: "listOutbox",
                summary: "Messages to impersonated users not yet acknowledged (all with `all=true`).",
                tag: "outbox",
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
struct AuditQuery {
    actor: Option<String>,
    target: Option<String>,
    event: Option<String>,
    session: Option<String>,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
    view: Option<ViewArg>,
    format: Option<FormatArg>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ViewArg {
    Impersonator,
    Impersonated,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum FormatArg {
    Jsonl,
    Csv,
}

async fn query(State(state): State<AppState>, p: Params, Query(q): Query<AuditQuery>) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let filter = AuditFilter {
        tenant: Some(tenant.clone()),
        actor: q.actor,
        target: q.target,
        event: q.event,
        session: q.session,
        since: q.since,
        until: q.until,
        after_seq: None,
        limit: Some(PAGE_EVENTS),
    };
    let view = q.view.map(|v| match v {
        ViewArg::Impersonator => View::Impersonator,
        ViewArg::Impersonated => View::Impersonated,
    });
    let (format, media) = match q.format.unwrap_or(FormatArg::Jsonl) {
        FormatArg::Jsonl => (Format::Jsonl, "application/x-ndjson"),
        FormatArg::Csv => (Format::Csv, "text/csv; charset=utf-8"),
    };
    // The first page is read before answering, so a failing store is an
    // error status, not a cut-off body.
    let first = page(&state, &tenant, &filter).await?;
    let pages = Pages {
        state,
        tenant,
        filter,
        next: Some(first),
        first: true,
    };
    // Each page is read from the store and rendered as the client takes
    // the previous one: a trail of any length streams in bounded memory.
    let stream = futures_util::stream::unfold(pages, move |mut pages| async move {
        let events = match pages.next.take() {
            Some(events) => events,
            None => match page(&pages.state, &pages.tenant, &pages.filter).await {
                Ok(events) => events,
                Err(e) => {
                    // Past the status line: end the body early; the log has why.
                    tracing::error!(code = e.code, message = %e.message, "audit export cut short");
                    return None;
                }
            },
        };
        let last = events.len() < PAGE_EVENTS;
        if events.is_empty() && !pages.first {
            return None;
        }
        pages.filter.after_seq = events.last().map(|e| e.seq).or(pages.filter.after_seq);
        let mut text = render(&events, format, view);
        if !pages.first && matches!(format, Format::Csv) {
            // One header row, at the top.
            text = text
                .split_once('\n')
                .map(|(_, rest)| rest.to_string())
                .unwrap_or_default();
        }
        pages.first = false;
        if last {
            pages.next = Some(Vec::new());
        }
        Some((Ok::<_, std::convert::Infallible>(text), pages))
    });
    Ok(([(header::CONTENT_TYPE, media)], Body::from_stream(stream)).into_response())
}

/// Where an export is: the filter with its cursor, and a page read ahead.
struct Pages {
    state: AppState,
    tenant: String,
    filter: AuditFilter,
    next: Option<Vec<standin::store::AuditEvent>>,
    first: bool,
}

/// One page of the tenant's events after the filter's cursor, without
/// their requests (as the CLI without `--with-request`).
async fn page(
    state: &AppState,
    tenant: &str,
    filter: &AuditFilter,
) -> Result<Vec<standin::store::AuditEvent>, ApiError> {
    let (tenant, filter) = (tenant.to_string(), filter.clone());
    let mut events = state.run(move |s| Ok(s.tenant(&tenant).audit(&filter)?)).await?;
    events.iter_mut().for_each(|e| e.request = None);
    Ok(events)
}

async fn verify(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let t = tenant.clone();
    let chains = state.run(move |s| Ok(s.tenant(&t).verify()?)).await?;
    Ok(match chains.into_iter().find(|c| c.tenant == tenant) {
        Some(chain) => axum::Json(chain).into_response(),
        None => axum::Json(json!({
            "tenant": tenant,
            "events": 0,
            "head": standin::store::GENESIS_HASH,
            "broken": null,
        }))
        .into_response(),
    })
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
        let messages = state.run(move |s| Ok(s.tenant(&tenant).outbox(q.all)?)).await?;
        return Ok(axum::Json(json!({ "messages": messages })).into_response());
    };
    let messages = state
        .run(move |s| Ok(s.tenant(&tenant).outbox_page(q.all, q.after, limit)?))
        .await?;
    let next = (messages.len() == limit)
        .then(|| messages.last().map(|m| m.id))
        .flatten();
    Ok(axum::Json(json!({ "messages": messages, "next": next })).into_response())
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
        .run(move |s| Ok(s.claim(Some(&tenant), body.limit, lease, at)?))
        .await?;
    let claimed_until = DateTime::<Utc>::from_timestamp(claimed_until, 0);
    Ok(axum::Json(json!({ "messages": messages, "claimed_until": claimed_until })).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ack {
    ids: Vec<i64>,
}

async fn ack(State(state): State<AppState>, p: Params, Json(body): Json<Ack>) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let acked = state.run(move |s| Ok(s.tenant(&tenant).ack(&body.ids, now())?)).await?;
    if !acked.unknown.is_empty() {
        let ids: Vec<String> = acked.unknown.iter().map(i64::to_string).collect();
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            codes::NOT_FOUND,
            format!("no message {} of this tenant; nothing was acknowledged", ids.join(", ")),
        ));
    }
    Ok(axum::Json(json!({ "acked": acked.acked })).into_response())
}

async fn notifications(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let n = state.run(move |s| Ok(s.notifications(&tenant)?)).await?;
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
            let current = s.notifications(&tenant)?;
            let next = Notifications {
                enabled: patch.enabled.unwrap_or(current.enabled),
                started_template: patch.started_template.unwrap_or(current.started_template),
                ended_template: patch.ended_template.unwrap_or(current.ended_template),
            };
            s.set_notifications(&tenant, &next)?;
            Ok(next)
        })
        .await?;
    Ok(axum::Json(n).into_response())
}
