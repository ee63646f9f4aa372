//! The audit trail of a tenant: query (streamed page by page) and verify.

use super::{AUDIT, Answer, Params, Query, Route, Spec, json};
use crate::app::AppState;
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use standin::audit::{Format, View, render};
use standin::store::AuditFilter;

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
                slow: true,
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
                slow: true,
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
    // Fused: a body layer (gzip) may poll again after the end, which an
    // unfold turns into a panic that cuts the response.
    let stream = futures_util::StreamExt::fuse(stream);
    Ok(([(header::CONTENT_TYPE, media)], Body::from_stream(stream)).into_response())
}

/// Where an export is: the filter with its cursor, and a page read ahead.
struct Pages {
    state: AppState,
    tenant: String,
    filter: AuditFilter,
    next: Option<Vec<standin::audit::AuditEvent>>,
    first: bool,
}

/// One page of the tenant's events after the filter's cursor, without
/// their requests (as the CLI without `--with-request`).
async fn page(
    state: &AppState,
    tenant: &str,
    filter: &AuditFilter,
) -> Result<Vec<standin::audit::AuditEvent>, ApiError> {
    let (tenant, filter) = (tenant.to_string(), filter.clone());
    let mut events = state
        .run(move |s| Ok(s.tenant(&tenant).audit().query(&filter)?))
        .await?;
    events.iter_mut().for_each(|e| e.request = None);
    Ok(events)
}

async fn verify(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let t = tenant.clone();
    let chains = state.run(move |s| Ok(s.tenant(&t).audit().verify()?)).await?;
    Ok(match chains.into_iter().find(|c| c.tenant == tenant) {
        Some(chain) => axum::Json(chain).into_response(),
        // A tenant with no events: an empty chain, intact.
        None => axum::Json(standin::audit::TenantChain::empty(&tenant)).into_response(),
    })
}
