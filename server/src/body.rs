//! JSON request bodies: `Content-Type: application/json` and no
//! `Content-Encoding` but `identity` (`415` otherwise), read under a cap
//! while they arrive (`413` past it: a body never grows past the cap in
//! memory, whatever `Content-Length` says), parsed into the route's type
//! (`400` naming the field otherwise). The AuthZEN routes answer a body
//! that is not JSON with `400`, as the AuthZEN certification requires
//! (test c-2-4-3), where the rest of the API says `415`.

use crate::app::AppState;
use crate::error::{ApiError, codes};
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

/// A JSON body of at most [`crate::Limits::max_body_bytes`].
#[derive(Debug)]
pub struct Json<T>(pub T);

/// A JSON body of at most [`crate::Limits::max_upload_bytes`] (policy uploads).
#[derive(Debug)]
pub struct UploadJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        read(request, state.limits.load().max_body_bytes).await.map(Json)
    }
}

/// A JSON body of at most [`crate::Limits::max_batch_body_bytes`]
/// (batches of up to 4096 calls).
#[derive(Debug)]
pub struct BatchJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for BatchJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        read(request, state.limits.load().max_batch_body_bytes)
            .await
            .map(BatchJson)
    }
}

/// An AuthZEN question: as [`Json`], but a `Content-Type` other than JSON
/// is a `400`, not a `415`.
#[derive(Debug)]
pub struct AuthzenJson<T>(pub T);

/// An AuthZEN batch: as [`BatchJson`] (4096 questions), and as
/// [`AuthzenJson`] for the `Content-Type`.
#[derive(Debug)]
pub struct AuthzenBatchJson<T>(pub T);

async fn authzen<T: DeserializeOwned>(request: Request, limit: usize) -> Result<T, ApiError> {
    if !is_json(&request) {
        return Err(ApiError::bad_request(
            "the body must be JSON (`Content-Type: application/json`)",
        ));
    }
    read(request, limit).await
}

impl<T: DeserializeOwned> FromRequest<AppState> for AuthzenJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        authzen(request, state.limits.load().max_body_bytes)
            .await
            .map(AuthzenJson)
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for AuthzenBatchJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        authzen(request, state.limits.load().max_batch_body_bytes)
            .await
            .map(AuthzenBatchJson)
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for UploadJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        read(request, state.limits.load().max_upload_bytes)
            .await
            .map(UploadJson)
    }
}

fn is_json(request: &Request) -> bool {
    let Some(value) = request.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else { return false };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        codes::BODY_TOO_LARGE,
        format!("the body is over the limit of {limit} bytes"),
    )
}

/// Whether the body is declared encoded (`Content-Encoding` other than
/// `identity`): bodies are not decoded, so such a body is refused rather
/// than read as if it were plain.
fn encoded(request: &Request) -> bool {
    request.headers().get_all(header::CONTENT_ENCODING).iter().any(|value| {
        value.to_str().map_or(true, |v| {
            v.split(',')
                .map(str::trim)
                .any(|coding| !coding.is_empty() && !coding.eq_ignore_ascii_case("identity"))
        })
    })
}

/// The body's bytes, at most `limit` of them.
pub(crate) async fn bytes(request: Request, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    if encoded(&request) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            "request bodies are not decoded: send the body without `Content-Encoding` (or with `identity`)",
        ));
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    axum::body::to_bytes(request.into_body(), limit).await.map_err(|e| {
        let over = std::error::Error::source(&e)
            .is_some_and(|s| s.downcast_ref::<http_body_util::LengthLimitError>().is_some());
        if over {
            too_large(limit)
        } else {
            ApiError::bad_request("the body could not be read")
        }
    })
}

async fn read<T: DeserializeOwned>(request: Request, limit: usize) -> Result<T, ApiError> {
    if !is_json(&request) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            codes::UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON (`Content-Type: application/json`)",
        ));
    }
    let body = bytes(request, limit).await?;
    serde_json::from_slice(&body).map_err(|e| ApiError::bad_request(format!("the body is not valid here: {e}")))
}
