//! What the SSF routes share: errors, the issuer, whether SETs can be
//! signed, and the stream a request names.

use crate::app::AppState;
use crate::error::{ApiError, codes};
use axum::http::StatusCode;
use standin::webhooks::ssf::Stream;
use standin::webhooks::{Endpoint, WebhookError};

pub(super) fn error(e: WebhookError) -> ApiError {
    match e {
        WebhookError::Endpoint(e) => ApiError::bad_request(e.to_string()),
        WebhookError::Unknown(id) => ApiError::not_found(format!("no stream `{id}` of this tenant")),
        WebhookError::TooMany(_) => ApiError::new(StatusCode::CONFLICT, codes::CONFLICT, e.to_string()),
        WebhookError::Store(e) => e.into(),
        other => ApiError::internal(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, &other),
    }
}

pub(super) fn issuer(state: &AppState, tenant: &str) -> String {
    format!("{}/{tenant}", state.issuer_base())
}

pub(super) fn signing(state: &AppState) -> Result<(), ApiError> {
    match state.sessions().access().jwks() {
        Some(_) => Ok(()),
        None => Err(ApiError::not_found(
            "this server signs no Security Event Tokens: start it with --token-key",
        )),
    }
}

/// The stream a request names (in its body or query), as stored.
pub(super) async fn stream_of(
    state: &AppState,
    tenant: &str,
    id: Option<String>,
) -> Result<(Endpoint, Stream), ApiError> {
    let id = id.ok_or_else(|| ApiError::bad_request("name the stream: `stream_id`"))?;
    let (tenant, wanted) = (tenant.to_string(), id.clone());
    let endpoint = state
        .run(move |s| s.webhooks().get(&tenant, &wanted).map_err(error))
        .await?;
    match endpoint.stream.clone() {
        Some(stream) => Ok((endpoint, stream)),
        None => Err(ApiError::not_found(format!("no stream `{id}` of this tenant"))),
    }
}

pub(super) async fn save(state: &AppState, e: &Endpoint, stream: Stream) -> Result<Endpoint, ApiError> {
    let (tenant, id) = (e.tenant.clone(), e.id.clone());
    state
        .run(move |s| s.webhooks().set_stream(&tenant, &id, stream).map_err(error))
        .await
}
