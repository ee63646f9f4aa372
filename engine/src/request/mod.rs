//! Requests in the contract's JSON form, and their packing for the policy.
//!
//! Platforms send JSON; policies read packed spans (`wit/policy.wit`). The
//! host owns the translation, and with it the input caps: a request whose
//! text or lists exceed [`RequestLimits`] never reaches a policy, it is
//! denied `invalid-request`. The forms are closed: an unknown field is
//! refused, naming it, so a misspelt `requir_reason` or an injected field
//! never passes silently. Ids, action names and reasons are checked as
//! text (see [`check_text`]): no control, format or invisible characters,
//! no surrounding whitespace, capped lengths, so `u-1 ` and `u-1\u{200b}`
//! are not second names of `u-1` and no id can forge a line of a report;
//! ids and action names hold no compatibility forms ([`check_id`]: `ｕ-1`
//! is refused), action names no uppercase letters ([`check_action`]). A
//! stateless action request's session must be one the host could have
//! started (begun, at most 24 hours, not of a user with themselves).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A user on either side of an impersonation (docs/contract.md "Principal").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Principal {
    pub id: String,
    /// Omitted: the request's tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub permissions: Vec<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub manages: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub has_logged_in: bool,
    #[serde(default)]
    pub consents: Vec<String>,
    /// Non-string values reach the policy as their JSON text.
    #[serde(default)]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// The actor's own current impersonation session (E7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionRef {
    pub id: String,
    pub target: String,
}

/// May `actor` start impersonating `target`?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartRequest {
    pub tenant: String,
    pub actor: Principal,
    pub target: Principal,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub ttl_seconds: Option<u64>,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub actor_session: Option<SessionRef>,
    #[serde(default)]
    pub consent_on_behalf: bool,
    /// Omitted: the host's clock.
    #[serde(default)]
    pub now: Option<DateTime<Utc>>,
    /// What the session is to be allowed to do (SC1); omitted: whatever
    /// the policy allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<crate::Scope>,
}

/// The session an action happens in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionFacts {
    pub id: String,
    pub actor: Principal,
    pub target: Principal,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub read_only: bool,
}

/// May the actor, inside `session`, do `action`?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    pub tenant: String,
    pub session: SessionFacts,
    pub action: String,
    #[serde(default)]
    pub resource: Option<String>,
    /// Omitted: the host's clock.
    #[serde(default)]
    pub now: Option<DateTime<Utc>>,
}

/// May `approver` answer (approve or reject) the pending `start`? The start
/// as it stands at the answer: the principals' newest facts, the actor's
/// current session, `now` the answer's time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequest {
    pub start: StartRequest,
    pub approver: Principal,
}

/// Caps on what one request may carry into a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// Bytes of all strings of a request together.
    pub max_text_bytes: usize,
    /// Entries of all lists of a request together (each attribute counts twice).
    pub max_list_entries: usize,
}

impl Default for RequestLimits {
    fn default() -> Self {
        Self {
            max_text_bytes: 64 * 1024,
            max_list_entries: 4096,
        }
    }
}

/// Why a request is malformed (`invalid-request`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    #[error("request is not valid JSON for this form: {0}")]
    Json(String),
    #[error("`{0}` must not be empty")]
    Empty(&'static str),
    #[error("request text is {actual} bytes, above the cap of {max}")]
    TextTooLarge { actual: usize, max: usize },
    #[error("request lists hold {actual} entries, above the cap of {max}")]
    TooManyEntries { actual: usize, max: usize },
    #[error("`{0}` is before 1970")]
    TimeBeforeEpoch(&'static str),
    #[error("`{field}` is {actual} bytes, above the cap of {max}")]
    FieldTooLong {
        field: &'static str,
        actual: usize,
        max: usize,
    },
    #[error("`{0}` holds a control character")]
    ControlCharacter(&'static str),
    #[error("`{0}` starts or ends with whitespace")]
    SurroundingWhitespace(&'static str),
    #[error("`{field}` holds U+{code:04X}, a format or invisible character")]
    InvisibleCharacter { field: &'static str, code: u32 },
    #[error("`{field}` holds U+{code:04X}, a compatibility form of another character (NFKC changes it)")]
    CompatibilityCharacter { field: &'static str, code: u32 },
    #[error("`{field}` holds the uppercase letter `{letter}`: action names are lowercase")]
    Uppercase { field: &'static str, letter: char },
    #[error("`session.started_at` is after `now`: the session has not begun")]
    SessionNotBegun,
    #[error("`session.expires_at` is before `session.started_at`")]
    SessionEndsBeforeStart,
    #[error("the session lasts {seconds} s, above the {max} s (24 hours) no session outlives (S1)")]
    SessionTooLong { seconds: u64, max: u64 },
    #[error("the session's actor and target are the same user (E8)")]
    SessionOfSelf,
    /// A malformed scope (SC3), naming the field.
    #[error("{0}")]
    Scope(String),
}

mod check;
mod pack;
mod unicode;

pub use check::{MAX_ID_BYTES, MAX_REASON_BYTES, check_action, check_id, check_text, is_invisible};
pub(crate) use pack::Buffers;
pub use pack::PackedSession;
