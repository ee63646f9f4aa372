//! The text rules every request meets before a policy sees it: ids,
//! action names and reasons hold no control characters and no surrounding
//! whitespace, and have caps (docs/contract.md, "Hardening rules").

use super::{ApprovalRequest, Principal, RequestError, SessionFacts, StartRequest};
use chrono::{DateTime, Utc};

/// Longest id (tenant, principal, session, domain) and action name, in bytes.
pub const MAX_ID_BYTES: usize = 256;
/// Longest reason, in bytes.
pub const MAX_REASON_BYTES: usize = 1024;

/// Checks one id, action name or reason: not empty, at most `max` bytes,
/// no control character (a newline would forge a row of a report, a NUL
/// cut a C string), no leading or trailing whitespace (`u-1 ` must not be
/// a second name of `u-1`).
pub fn check_text(field: &'static str, s: &str, max: usize) -> Result<(), RequestError> {
    non_empty(field, s)?;
    if s.len() > max {
        return Err(RequestError::FieldTooLong {
            field,
            actual: s.len(),
            max,
        });
    }
    if s.chars().any(char::is_control) {
        return Err(RequestError::ControlCharacter(field));
    }
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return Err(RequestError::SurroundingWhitespace(field));
    }
    Ok(())
}

/// An id or action name (see [`check_text`]).
pub fn check_id(field: &'static str, s: &str) -> Result<(), RequestError> {
    check_text(field, s, MAX_ID_BYTES)
}

fn check_opt(field: &'static str, s: &Option<String>, max: usize) -> Result<(), RequestError> {
    s.as_deref().map_or(Ok(()), |s| check_text(field, s, max))
}

/// A resource names anything the platform likes, but holds no control
/// character (it is shown in reports).
pub(super) fn check_resource(resource: Option<&str>) -> Result<(), RequestError> {
    match resource {
        Some(r) if r.chars().any(char::is_control) => Err(RequestError::ControlCharacter("resource")),
        _ => Ok(()),
    }
}

impl Principal {
    /// Checks the principal's id and tenant (`side` is `actor`, `target`, ...).
    pub(super) fn check(&self, id: &'static str, tenant: &'static str) -> Result<(), RequestError> {
        check_id(id, &self.id)?;
        check_opt(tenant, &self.tenant, MAX_ID_BYTES)
    }
}

pub(super) fn unix(field: &'static str, t: DateTime<Utc>) -> Result<u64, RequestError> {
    u64::try_from(t.timestamp()).map_err(|_| RequestError::TimeBeforeEpoch(field))
}

pub(super) fn non_empty(field: &'static str, s: &str) -> Result<(), RequestError> {
    if s.is_empty() {
        Err(RequestError::Empty(field))
    } else {
        Ok(())
    }
}

impl StartRequest {
    /// Checks the request's ids and texts (see [`check_text`]), before any
    /// policy sees it.
    pub fn check(&self) -> Result<(), RequestError> {
        check_id("tenant", &self.tenant)?;
        self.actor.check("actor.id", "actor.tenant")?;
        self.target.check("target.id", "target.tenant")?;
        check_opt("reason", &self.reason, MAX_REASON_BYTES)?;
        check_opt("domain", &self.domain, MAX_ID_BYTES)?;
        if let Some(s) = &self.actor_session {
            check_id("actor_session.id", &s.id)?;
            check_id("actor_session.target", &s.target)?;
        }
        Ok(())
    }
}

impl ApprovalRequest {
    /// As [`StartRequest::check`], and the approver's ids.
    pub fn check(&self) -> Result<(), RequestError> {
        self.start.check()?;
        self.approver.check("approver.id", "approver.tenant")
    }
}

impl SessionFacts {
    /// Checks the session's ids and texts (see [`check_text`]).
    pub fn check(&self) -> Result<(), RequestError> {
        check_id("session.id", &self.id)?;
        self.actor.check("session.actor.id", "session.actor.tenant")?;
        self.target.check("session.target.id", "session.target.tenant")?;
        check_opt("session.reason", &self.reason, MAX_REASON_BYTES)?;
        check_opt("session.domain", &self.domain, MAX_ID_BYTES)
    }
}
