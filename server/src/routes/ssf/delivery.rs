//! Delivery the receiver drives: verification SETs (pushed at once, or
//! held for the next poll) and RFC 8936 poll with acknowledgements.

use super::common::{error, issuer, stream_of};
use crate::app::AppState;
use crate::body::Json;
use crate::error::{ApiError, codes};
use crate::routes::{Params, now};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json as j};
use standin::webhooks::ssf::{self, Status};
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

#[derive(Debug, Deserialize)]
pub(super) struct VerifyBody {
    stream_id: Option<String>,
    state: Option<String>,
}

/// Verification SETs of poll streams, until their next poll (this
/// process's memory: a verification is a liveness check, not an event).
fn pending_verifications() -> &'static Mutex<BTreeMap<String, (String, String)>> {
    static PENDING: OnceLock<Mutex<BTreeMap<String, (String, String)>>> = OnceLock::new();
    PENDING.get_or_init(Default::default)
}

pub(super) async fn verify(
    State(state): State<AppState>,
    p: Params,
    Json(body): Json<VerifyBody>,
) -> Result<Response, ApiError> {
    let (endpoint, stream) = stream_of(&state, &p.tenant(), body.stream_id).await?;
    let claims = ssf::verification(
        &endpoint.id,
        &stream.aud,
        &issuer(&state, &endpoint.tenant),
        body.state.as_deref(),
        now(),
    );
    let jti = claims["jti"].as_str().unwrap_or_default().to_string();
    let set =
        state.sessions().webhooks().sign_set(&claims).ok_or_else(|| {
            ApiError::not_found("this server signs no Security Event Tokens: start it with --token-key")
        })?;
    if stream.method == ssf::POLL {
        pending_verifications()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(endpoint.id.clone(), (jti, set));
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let sender = state.webhooks.sender();
    match sender
        .send(&endpoint.url, crate::webhooks::attempt::set_request(&stream, set))
        .await
    {
        standin::webhooks::schedule::Attempt::Delivered { .. } => Ok(StatusCode::NO_CONTENT.into_response()),
        standin::webhooks::schedule::Attempt::Failed { error, .. } => Err(ApiError::new(
            StatusCode::BAD_GATEWAY,
            codes::UNAVAILABLE,
            format!("the receiver did not take the verification: {error}"),
        )),
    }
}

/// RFC 8936's request (its member names).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PollBody {
    max_events: Option<usize>,
    return_immediately: Option<bool>,
    #[serde(default)]
    ack: Vec<String>,
    #[serde(default, rename = "setErrs")]
    set_errs: BTreeMap<String, Value>,
}

pub(super) async fn poll(
    State(state): State<AppState>,
    p: Params,
    Json(body): Json<PollBody>,
) -> Result<Response, ApiError> {
    let (tenant, id) = (p.tenant(), p.get("id"));
    let (endpoint, stream) = stream_of(&state, &tenant, Some(id.clone())).await?;
    if stream.method != ssf::POLL {
        return Err(ApiError::bad_request("this stream is pushed, not polled"));
    }
    // An error report acknowledges too: the SET will not be sent again.
    let through = body
        .ack
        .iter()
        .chain(body.set_errs.keys())
        .filter_map(|j| ssf::seq_of(j))
        .max();
    if let Some(seq) = through {
        let (t, i) = (tenant.clone(), id.clone());
        state.run(move |s| s.webhooks().ack(&t, &i, seq).map_err(error)).await?;
    }
    let max = body.max_events.unwrap_or(100).min(1000);
    let iss = issuer(&state, &tenant);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let mut sets = serde_json::Map::new();
        if let Some((jti, set)) = pending_verifications()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&endpoint.id)
        {
            sets.insert(jti, Value::String(set));
        }
        let (t, i) = (tenant.clone(), id.clone());
        let cursor = state
            .run(move |s| s.webhooks().get(&t, &i).map_err(error))
            .await?
            .cursor
            .seq;
        let t = tenant.clone();
        let events = state
            .run(move |s| Ok(s.webhooks().events_after(&t, cursor, max.max(1) * 4)?))
            .await?;
        let mut more = false;
        if stream.status == Status::Enabled {
            for e in &events {
                let Some(claims) = ssf::claims(e, &stream, &iss, now()) else {
                    continue;
                };
                if sets.len() >= max {
                    more = true;
                    break;
                }
                let jti = claims["jti"].as_str().unwrap_or_default().to_string();
                if let Some(set) = state.sessions().webhooks().sign_set(&claims) {
                    sets.insert(jti, Value::String(set));
                }
            }
        }
        if !sets.is_empty()
            || body.return_immediately.unwrap_or(false)
            || std::time::Instant::now() >= deadline
            || max == 0
        {
            return Ok(axum::Json(j!({"sets": sets, "moreAvailable": more})).into_response());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
