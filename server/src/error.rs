//! Errors as the API answers them: `{"error": {"code", "message"}}` with a
//! 4xx or 5xx status. A caller's mistake is named (which field, which
//! session); a failure of ours is not described (the log has it, under the
//! request id), so no path, SQL or policy internals leave the process.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use standin::SessionError;
use standin::policies::PolicyError;
use standin::store::StoreError;

/// Stable error codes (the `code` of an error body).
pub mod codes {
    pub const INVALID_REQUEST: &str = "invalid-request";
    pub const TENANT_MISMATCH: &str = "tenant-mismatch";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "unsupported-media-type";
    pub const BODY_TOO_LARGE: &str = "body-too-large";
    pub const UNAUTHENTICATED: &str = "unauthenticated";
    pub const FORBIDDEN: &str = "forbidden";
    pub const NOT_FOUND: &str = "not-found";
    pub const METHOD_NOT_ALLOWED: &str = "method-not-allowed";
    pub const SESSION_ENDED: &str = "session-ended";
    pub const CONFLICT: &str = "conflict";
    pub const UPLOAD_REFUSED: &str = "upload-refused";
    pub const UNAVAILABLE: &str = "unavailable";
    pub const DEADLINE_EXCEEDED: &str = "deadline-exceeded";
    pub const OVERLOADED: &str = "overloaded";
    pub const INTERNAL: &str = "internal";
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// More members of the `error` object (`step` of an upload refusal).
    pub extra: Option<(&'static str, Value)>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            extra: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::INVALID_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, message)
    }

    pub fn tenant_mismatch(named: &str, path: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            codes::TENANT_MISMATCH,
            format!("the body names tenant `{named}`, the path `{path}`"),
        )
    }

    /// A failure of ours: logged in full, answered without detail.
    pub fn internal(status: StatusCode, code: &'static str, detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, code, "request failed");
        let message = match status {
            StatusCode::SERVICE_UNAVAILABLE => "the store is not answering; try again",
            _ => "internal error; the server log has the details under this request's id",
        };
        Self::new(status, code, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some((key, value)) = self.extra {
            error[key] = value;
        }
        (self.status, axum::Json(json!({ "error": error }))).into_response()
    }
}

impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> Self {
        use SessionError as E;
        match e {
            E::Store(store) => store.into(),
            E::Ended { .. } => Self::new(StatusCode::CONFLICT, codes::SESSION_ENDED, e.to_string()),
            E::Late { .. } => Self::new(StatusCode::SERVICE_UNAVAILABLE, codes::DEADLINE_EXCEEDED, e.to_string()),
            E::BeforeStart { .. } | E::Pending { .. } | E::NotPending { .. } => {
                Self::new(StatusCode::CONFLICT, codes::CONFLICT, e.to_string())
            }
            E::Empty(_)
            | E::ZeroTtl
            | E::Invalid(_)
            | E::ReturnTo { .. }
            | E::BatchTooLarge { .. }
            | E::Key(standin::access::KeyError::UnknownScope(_)) => Self::bad_request(e.to_string()),
            E::OtherTenant(_) => Self::new(StatusCode::BAD_REQUEST, codes::TENANT_MISMATCH, e.to_string()),
            E::Key(standin::access::KeyError::UnknownKey(_)) => Self::not_found(e.to_string()),
            other => Self::internal(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, &other),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnknownSession(_) | StoreError::UnknownVersion { .. } => Self::not_found(e.to_string()),
            StoreError::NothingToRollBack(_) => Self::new(StatusCode::CONFLICT, codes::CONFLICT, e.to_string()),
            other => Self::internal(StatusCode::SERVICE_UNAVAILABLE, codes::UNAVAILABLE, &other),
        }
    }
}

impl From<PolicyError> for ApiError {
    fn from(e: PolicyError) -> Self {
        match e {
            PolicyError::Refused { step, .. } => Self {
                extra: Some(("step", Value::String(step.to_string()))),
                ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, codes::UPLOAD_REFUSED, e.to_string())
            },
            PolicyError::EmptyTenant | PolicyError::InvalidTenant(_) => Self::bad_request(e.to_string()),
            PolicyError::Store(store) => store.into(),
            other => Self::internal(StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, &other),
        }
    }
}
