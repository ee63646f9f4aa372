//! A tenant's activity at a glance (the console's overview): sessions and
//! decisions per day, denials by code, top actors and targets, sessions
//! now. Counted from a rollup each process keeps of the trail (see
//! `standin::audit::activity`), so a view reads only what was appended
//! since the last one.

use super::{AUDIT, Params, Query, Route, Spec, json, now};
use crate::app::AppState;
use crate::error::ApiError;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{NaiveDate, TimeDelta};
use serde::Deserialize;
use standin::audit::activity::ActivityError;

/// Days shown when `from` is not given.
const DEFAULT_DAYS: i64 = 30;

pub(super) fn routes() -> Vec<Route> {
    vec![Route::new(
        Spec {
            method: Method::GET,
            path: "/v1/tenants/{t}/stats",
            operation: "getStats",
            summary: "The tenant's activity: sessions started and decisions per day (UTC), denials by code, the top \
                      actors and targets by sessions started, and sessions active and pending now.",
            tag: "audit",
            slow: true,
            access: AUDIT,
            body: None,
            query: &[
                ("from", "first day, YYYY-MM-DD (default: 29 days before `to`)"),
                ("to", "last day, YYYY-MM-DD (default: today, UTC)"),
                ("bucket", "`day` (the only one)"),
            ],
            answers: vec![json(200, "the activity", "Stats")],
        },
        || get(stats),
    )]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatsQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    bucket: Option<String>,
}

async fn stats(State(state): State<AppState>, p: Params, Query(q): Query<StatsQuery>) -> Result<Response, ApiError> {
    if q.bucket.as_deref().is_some_and(|b| b != "day") {
        return Err(ApiError::bad_request("`bucket` must be `day`"));
    }
    let to = q.to.unwrap_or_else(|| now().date_naive());
    let from = q.from.unwrap_or(to - TimeDelta::days(DEFAULT_DAYS - 1));
    let tenant = p.tenant();
    let activity = state
        .run(move |s| match s.tenant(&tenant).audit().activity(from, to, now()) {
            Ok(a) => Ok(Ok(a)),
            Err(ActivityError::Window(w)) => Ok(Err(w)),
            Err(ActivityError::Session(e)) => Err(e.into()),
            Err(other) => Err(ApiError::bad_request(other.to_string())),
        })
        .await?
        .map_err(|w| ApiError::bad_request(w.to_string()))?;
    Ok(axum::Json(activity).into_response())
}

/// The answer's schema, for the OpenAPI document.
pub(crate) fn schemas() -> serde_json::Value {
    let count = serde_json::json!({
        "type": "object", "required": ["key", "count"],
        "properties": {"key": {"type": "string"}, "count": {"type": "integer"}},
    });
    let list = serde_json::json!({"type": "array", "items": count});
    serde_json::json!({
        "Stats": {
            "type": "object",
            "required": ["first_day", "last_day", "days", "denials", "top_actors", "top_targets", "active", "pending", "through_seq"],
            "properties": {
                "first_day": {"type": "string", "format": "date"},
                "last_day": {"type": "string", "format": "date"},
                "days": {"type": "array", "items": {
                    "type": "object",
                    "required": ["day", "sessions_started", "starts_denied", "actions_allowed", "actions_denied"],
                    "properties": {
                        "day": {"type": "string", "format": "date"},
                        "sessions_started": {"type": "integer"}, "starts_denied": {"type": "integer"},
                        "actions_allowed": {"type": "integer"}, "actions_denied": {"type": "integer"},
                    },
                }},
                "denials": list.clone(),
                "top_actors": list.clone(),
                "top_targets": list,
                "active": {"type": "integer"},
                "pending": {"type": "integer"},
                "through_seq": {"type": "integer", "description": "the last event of the chain counted"},
            },
        },
    })
}
