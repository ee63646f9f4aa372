//! The OpenID Shared Signals (SSF 1.0) transmitter of each tenant:
//! discovery, stream management (`admin`), status, verification, and poll
//! delivery (RFC 8936, `audit`: SETs are the trail's session events).
//! Push streams (RFC 8935) are delivered by the webhook deliverer; a
//! stream is an endpoint whose messages are SETs (`standin::webhooks::ssf`).

mod common;
mod delivery;

use super::{ADMIN, AUDIT, Access, Params, Query, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::ApiError;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use common::{error, issuer, save, signing, stream_of};
use delivery::{poll, verify};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json as j};
use standin::webhooks::Endpoint;
use standin::webhooks::ssf::{self, EVENTS_SUPPORTED, Status, Stream};

#[allow(clippy::too_many_arguments)]
fn spec(
    method: Method,
    path: &'static str,
    operation: &'static str,
    summary: &'static str,
    access: Access,
    body: Option<&'static str>,
    query: &'static [(&'static str, &'static str)],
    answers: Vec<super::Answer>,
) -> Spec {
    Spec {
        query,
        ..Spec::tagged("ssf", method, path, operation, summary, access, body, answers)
    }
}

const STREAM_ID: &[(&str, &str)] = &[("stream_id", "the stream; without it, every stream of the tenant")];
const THE_STREAM: &[(&str, &str)] = &[("stream_id", "the stream (required)")];
const STREAMS: &str = "/v1/tenants/{t}/ssf/streams";

pub(super) fn routes() -> Vec<Route> {
    let no_content = super::Answer {
        status: 204,
        description: "done",
        schema: None,
        media: None,
    };
    vec![
        Route::new(
            spec(
                Method::GET,
                "/.well-known/ssf-configuration/{t}",
                "ssfConfiguration",
                "The tenant's SSF transmitter metadata (issuer `{base}/{t}`); 404 when the server signs no SETs (no token key).",
                Access::Public,
                None,
                &[],
                vec![
                    json(200, "the transmitter metadata", "SsfConfiguration"),
                    json(404, "the server signs no SETs (no --token-key)", "Error"),
                ],
            ),
            || get(configuration),
        ),
        Route::new(
            spec(
                Method::POST,
                STREAMS,
                "createSsfStream",
                "Create a stream: push (`urn:ietf:rfc:8935`, to `delivery.endpoint_url`) or poll (`urn:ietf:rfc:8936`, \
                 the transmitter gives the URL). It receives CAEP session events from now on.",
                ADMIN,
                Some("SsfStreamRequest"),
                &[],
                vec![json(201, "the stream's configuration", "SsfStream")],
            ),
            || post(create),
        ),
        Route::new(
            spec(
                Method::GET,
                STREAMS,
                "getSsfStreams",
                "One stream's configuration (`stream_id`), or every stream of the tenant.",
                ADMIN,
                None,
                STREAM_ID,
                vec![json(200, "the stream, or a list of them", "SsfStreamOrList")],
            ),
            || get(read),
        ),
        Route::new(
            spec(
                Method::PATCH,
                STREAMS,
                "updateSsfStream",
                "Change a stream's `events_requested`, `aud` or push `delivery.authorization_header` (members given replace).",
                ADMIN,
                Some("SsfStreamRequest"),
                &[],
                vec![json(200, "the stream now", "SsfStream")],
            ),
            || axum::routing::patch(update),
        ),
        Route::new(
            spec(
                Method::PUT,
                STREAMS,
                "replaceSsfStream",
                "Replace a stream's `events_requested`, `aud` and push `delivery.authorization_header` (as PATCH does).",
                ADMIN,
                Some("SsfStreamRequest"),
                &[],
                vec![json(200, "the stream now", "SsfStream")],
            ),
            || axum::routing::put(update),
        ),
        Route::new(
            spec(
                Method::DELETE,
                STREAMS,
                "deleteSsfStream",
                "Delete a stream.",
                ADMIN,
                None,
                THE_STREAM,
                vec![no_content],
            ),
            || axum::routing::delete(remove),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/tenants/{t}/ssf/status",
                "getSsfStatus",
                "A stream's status: `enabled`, `paused` (events held) or `disabled` (events dropped).",
                ADMIN,
                None,
                THE_STREAM,
                vec![json(200, "the status", "SsfStatus")],
            ),
            || get(status),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/ssf/status",
                "setSsfStatus",
                "Enable, pause or disable a stream.",
                ADMIN,
                Some("SsfStatus"),
                &[],
                vec![json(200, "the status now", "SsfStatus")],
            ),
            || post(set_status),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/ssf/verify",
                "verifySsfStream",
                "Send the stream a verification SET (with `state`): pushed now, or in the next poll.",
                ADMIN,
                Some("SsfVerify"),
                &[],
                vec![no_content],
            ),
            || post(verify),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/ssf/poll/{id}",
                "pollSsfStream",
                "RFC 8936: acknowledge SETs (`ack`; a SET acknowledges those before it too) and take the next ones, \
                 waiting up to 5 s for one unless `returnImmediately`.",
                AUDIT,
                Some("SsfPoll"),
                &[],
                vec![json(200, "SETs by `jti`", "SsfPollAnswer")],
            ),
            || post(poll),
        ),
    ]
}

async fn configuration(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    standin::request::check_id("tenant", &tenant).map_err(|e| ApiError::bad_request(e.to_string()))?;
    signing(&state)?;
    let base = state.issuer_base();
    let api = format!("{base}/v1/tenants/{tenant}/ssf");
    Ok(axum::Json(j!({
        "spec_version": "1_0",
        "issuer": issuer(&state, &tenant),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "delivery_methods_supported": [ssf::PUSH, ssf::POLL],
        "configuration_endpoint": format!("{api}/streams"),
        "status_endpoint": format!("{api}/status"),
        "verification_endpoint": format!("{api}/verify"),
        "authorization_schemes": [{"spec_urn": "urn:ietf:rfc:6750"}],
        "default_subjects": "ALL",
        "events_supported": EVENTS_SUPPORTED,
    }))
    .into_response())
}

/// A stream's configuration as SSF 1.0 §8.1.1 writes it.
fn config(state: &AppState, e: &Endpoint) -> Value {
    let Some(stream) = &e.stream else { return Value::Null };
    let url = if stream.method == ssf::POLL {
        format!("{}/v1/tenants/{}/ssf/poll/{}", state.issuer_base(), e.tenant, e.id)
    } else {
        e.url.clone()
    };
    j!({
        "stream_id": e.id,
        "iss": issuer(state, &e.tenant),
        "aud": stream.aud,
        "events_supported": EVENTS_SUPPORTED,
        "events_requested": stream.events_requested,
        "events_delivered": stream.events_delivered(),
        "delivery": {"method": stream.method, "endpoint_url": url},
        "description": e.description,
        "min_verification_interval": 0,
    })
}

#[derive(Debug, Default, Deserialize)]
struct Delivery {
    method: Option<String>,
    endpoint_url: Option<String>,
    authorization_header: Option<String>,
}

/// What a receiver sends to create or change a stream (SSF's own members;
/// unknown ones are ignored, as SSF asks).
#[derive(Debug, Default, Deserialize)]
struct StreamRequest {
    stream_id: Option<String>,
    delivery: Option<Delivery>,
    events_requested: Option<Vec<String>>,
    description: Option<String>,
    aud: Option<Value>,
}

fn audience(aud: Option<Value>, tenant: &str) -> Result<Vec<String>, ApiError> {
    match aud {
        None => Ok(vec![tenant.to_string()]),
        Some(Value::String(s)) => Ok(vec![s]),
        Some(Value::Array(a)) => a
            .into_iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ApiError::bad_request("`aud` is a string or strings"))
            })
            .collect(),
        Some(_) => Err(ApiError::bad_request("`aud` is a string or strings")),
    }
}

async fn create(
    State(state): State<AppState>,
    p: Params,
    Json(body): Json<StreamRequest>,
) -> Result<Response, ApiError> {
    signing(&state)?;
    let tenant = p.tenant();
    let delivery = body.delivery.unwrap_or_default();
    let method = delivery.method.unwrap_or_else(|| ssf::PUSH.to_string());
    let mut stream = Stream::new(
        &method,
        audience(body.aud, &tenant)?,
        body.events_requested.unwrap_or_default(),
    )
    .map_err(ApiError::bad_request)?;
    stream.authorization_header = delivery.authorization_header;
    let (url, description) = (delivery.endpoint_url, body.description);
    let endpoint = state
        .run(move |s| {
            s.webhooks()
                .add_stream(&tenant, stream, url, description, now())
                .map_err(error)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(config(&state, &endpoint))).into_response())
}

#[derive(Debug, Deserialize)]
struct StreamQuery {
    stream_id: Option<String>,
}

async fn read(State(state): State<AppState>, p: Params, Query(q): Query<StreamQuery>) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let endpoints = state.run(move |s| s.webhooks().list(&tenant).map_err(error)).await?;
    let streams: Vec<&Endpoint> = endpoints.iter().filter(|e| e.stream.is_some()).collect();
    Ok(match q.stream_id {
        Some(id) => match streams.iter().find(|e| e.id == id) {
            Some(e) => axum::Json(config(&state, e)).into_response(),
            None => return Err(ApiError::not_found(format!("no stream `{id}` of this tenant"))),
        },
        None => axum::Json(streams.iter().map(|e| config(&state, e)).collect::<Vec<_>>()).into_response(),
    })
}

async fn update(
    State(state): State<AppState>,
    p: Params,
    Json(body): Json<StreamRequest>,
) -> Result<Response, ApiError> {
    let (endpoint, mut stream) = stream_of(&state, &p.tenant(), body.stream_id).await?;
    if let Some(events) = body.events_requested {
        let mut fresh = Stream::new(&stream.method, stream.aud.clone(), events).map_err(ApiError::bad_request)?;
        fresh.status = stream.status;
        fresh.status_reason = stream.status_reason.clone();
        fresh.authorization_header = stream.authorization_header.clone();
        stream = fresh;
    }
    if let Some(auth) = body.delivery.and_then(|d| d.authorization_header) {
        stream.authorization_header = Some(auth);
    }
    if let Some(aud) = body.aud {
        stream.aud = audience(Some(aud), &endpoint.tenant)?;
    }
    let saved = save(&state, &endpoint, stream).await?;
    Ok(axum::Json(config(&state, &saved)).into_response())
}

async fn remove(State(state): State<AppState>, p: Params, Query(q): Query<StreamQuery>) -> Result<Response, ApiError> {
    let (endpoint, _) = stream_of(&state, &p.tenant(), q.stream_id).await?;
    state
        .run(move |s| s.webhooks().remove(&endpoint.tenant, &endpoint.id).map_err(error))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `SsfStatus`.
#[derive(Debug, Serialize, Deserialize)]
struct StatusBody {
    stream_id: Option<String>,
    status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

async fn status(State(state): State<AppState>, p: Params, Query(q): Query<StreamQuery>) -> Result<Response, ApiError> {
    let (endpoint, stream) = stream_of(&state, &p.tenant(), q.stream_id).await?;
    Ok(axum::Json(StatusBody {
        stream_id: Some(endpoint.id),
        status: Some(stream.status),
        reason: stream.status_reason,
    })
    .into_response())
}

async fn set_status(
    State(state): State<AppState>,
    p: Params,
    Json(body): Json<StatusBody>,
) -> Result<Response, ApiError> {
    let (endpoint, mut stream) = stream_of(&state, &p.tenant(), body.stream_id).await?;
    stream.status = body
        .status
        .ok_or_else(|| ApiError::bad_request("`status`: enabled, paused or disabled"))?;
    stream.status_reason = body.reason;
    let saved = save(&state, &endpoint, stream).await?;
    let stream = saved.stream.unwrap_or_else(|| unreachable!("a stream stays a stream"));
    Ok(axum::Json(StatusBody {
        stream_id: Some(saved.id),
        status: Some(stream.status),
        reason: stream.status_reason,
    })
    .into_response())
}
