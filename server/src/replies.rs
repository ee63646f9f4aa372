//! The bodies the API answers with that are more than one library type,
//! typed: a handler cannot misspell a member or forget one, and each type
//! is checked against the OpenAPI schema of the same name
//! (`tests/http/openapi.rs`), so the document and the answers cannot drift
//! apart. A body that is one library type (a session, a decision, a
//! message) is that type.

use serde::Serialize;
use standin::decision::{Approvers, Decision, PolicyRef, Verdict};
use standin::model::SessionRecord;

/// `Health`: `/healthz` (with the process's uptime) and `/readyz`.
#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uptime_seconds: Option<u64>,
}

/// `Session`, as a start answers it: the session and, when the tenant has
/// token keys, its impersonation token.
#[derive(Debug, Serialize)]
pub struct Started<'a> {
    #[serde(flatten)]
    pub session: &'a SessionRecord,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// `Session`, as a start that waits for approval answers it (202): the
/// pending session, `decision: pending` and who may approve.
#[derive(Debug, Serialize)]
pub struct Requested<'a> {
    #[serde(flatten)]
    pub session: &'a SessionRecord,
    pub decision: Verdict,
    pub approvers: Option<&'a Approvers>,
}

/// `Decision`, with the policy version that decided.
#[derive(Debug, Serialize)]
pub struct Decided<'a> {
    #[serde(flatten)]
    pub decision: &'a Decision,
    pub policy: &'a PolicyRef,
}

/// `Session`, as an extension answers it: `kept_expiry` when the grant
/// would have shortened it.
#[derive(Debug, Serialize)]
pub struct Extended<'a> {
    #[serde(flatten)]
    pub session: &'a SessionRecord,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub kept_expiry: bool,
}

/// Where the next page starts: absent for a whole list, `null` at the end
/// of a paged one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next<T> {
    /// Not paged: no member.
    Whole,
    /// Paged: the `after` of the next page, `None` at the end.
    Page(Option<T>),
}

impl<T> Next<T> {
    fn is_whole(&self) -> bool {
        matches!(self, Self::Whole)
    }
}

impl<T: Serialize> Serialize for Next<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Whole | Self::Page(None) => s.serialize_none(),
            Self::Page(Some(after)) => after.serialize(s),
        }
    }
}

/// `SessionList`.
#[derive(Debug, Serialize)]
pub struct SessionList<S> {
    pub sessions: Vec<S>,
    #[serde(skip_serializing_if = "Next::is_whole")]
    pub next: Next<String>,
}

/// `OutboxList`.
#[derive(Debug, Serialize)]
pub struct OutboxList<M> {
    pub messages: Vec<M>,
    #[serde(skip_serializing_if = "Next::is_whole")]
    pub next: Next<i64>,
}

/// `Claimed`.
#[derive(Debug, Serialize)]
pub struct Claimed<M> {
    pub messages: Vec<M>,
    pub claimed_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// `Acked`.
#[derive(Debug, Serialize)]
pub struct Acked {
    pub acked: usize,
}

/// `Revoked`.
#[derive(Debug, Serialize)]
pub struct Revoked<S> {
    pub revoked: Vec<S>,
}

/// `PolicyVersions`.
#[derive(Debug, Serialize)]
pub struct PolicyVersions<V> {
    pub versions: Vec<V>,
}

/// `AuthorizeResults`: one answer or error per call, in order.
#[derive(Debug, Serialize)]
pub struct AuthorizeResults<A> {
    pub results: Vec<BatchItem<A>>,
}

/// One call of a batch: its `Authorization`, or its `Error`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum BatchItem<A> {
    Answer(A),
    Error { error: ErrorBody },
}

/// `Error`'s `error` member, as a batch item carries it (with the status
/// the call alone would have answered).
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
    pub status: u16,
}
