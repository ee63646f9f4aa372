//! Errors of the session layer: a failure (the store, bad input, a
//! version that cannot be loaded), never a deny. A deny is a
//! [`Decision`](crate::Decision) and is audited; an error is returned to the
//! caller and changes nothing.

use crate::store::StoreError;
use chrono::{DateTime, Utc};
use standin_engine::LoadError;

/// Why a session operation failed (as opposed to being denied).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("session `{id}` has already ended ({end_reason})")]
    Ended { id: String, end_reason: &'static str },
    #[error("`{0}` must not be empty")]
    Empty(&'static str),
    #[error("`ttl` must be at least 1 second")]
    ZeroTtl,
    #[error("the request names tenant `{0}`, not this one")]
    OtherTenant(String),
    #[error("invalid input: {0}")]
    Invalid(#[from] crate::request::RequestError),
    #[error("session `{id}` is waiting for approval")]
    Pending { id: String },
    #[error("session `{id}` is not waiting for approval (it is {state})")]
    NotPending { id: String, state: &'static str },
    /// The caller's deadline passed before the call's audit rows could be
    /// committed: nothing was recorded (see [`crate::deadline`]).
    #[error("the call in session `{id}` was not recorded: its deadline passed before its rows could be committed")]
    Late { id: String },
    #[error("the host's clock ({now}) is before the start of session `{id}` ({started_at})")]
    BeforeStart {
        id: String,
        now: DateTime<Utc>,
        started_at: DateTime<Utc>,
    },
    #[error(
        "`return_to` must be a path on the platform (`/...`) or a URL of an origin tenant `{tenant}` allowed, not `{url}`"
    )]
    ReturnTo { tenant: String, url: String },
    #[error("a batch of {calls} calls is over the limit of {max}")]
    BatchTooLarge { calls: usize, max: usize },
    #[error(transparent)]
    Key(#[from] crate::access::KeyError),
}

/// Why a stored version of a tenant's policy cannot be loaded: the source
/// of [`PolicyError::Unloadable`](crate::policies::PolicyError::Unloadable) (activation, replay), what
/// [`Registry::preload`](crate::policies::Registry::preload) lists, and the reason of
/// the `policy-unavailable` deny that answers in its place.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyUnavailable {
    /// The stored version names something that is not a sha256 digest.
    #[error("`{0}` is not a sha256 digest")]
    BadDigest(String),
    /// The store holds no component of that digest.
    #[error("component `{0}` is missing from the store")]
    MissingComponent(String),
    /// The store handed back bytes of another digest (an edited row).
    #[error("the stored component does not have its digest `{0}`")]
    WrongDigest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The component or its settings do not load.
    #[error(transparent)]
    Load(#[from] LoadError),
}
