//! Requests in the contract's JSON form, and their packing for the policy.
//!
//! Platforms send JSON; policies read packed spans (`wit/policy.wit`). The
//! host owns the translation, and with it the input caps: a request whose
//! text or lists exceed [`RequestLimits`] never reaches a policy, it is
//! denied `invalid-request`. The forms are closed: an unknown field is
//! refused, naming it, so a misspelt `requir_reason` or an injected field
//! never passes silently. Ids, action names and reasons are checked as
//! text (see [`check_text`]): no control characters, no surrounding
//! whitespace, capped lengths, so `u-1 ` is not a second name of `u-1` and
//! no id can forge a line of a report.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use standin_policy_sdk::wire::{self, Packer, words};
use std::collections::BTreeMap;

/// A user on either side of an impersonation (CONTRACT.md "Principal").
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
}

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
fn check_resource(resource: Option<&str>) -> Result<(), RequestError> {
    match resource {
        Some(r) if r.chars().any(char::is_control) => Err(RequestError::ControlCharacter("resource")),
        _ => Ok(()),
    }
}

impl Principal {
    /// Checks the principal's id and tenant (`side` is `actor`, `target`, ...).
    fn check(&self, id: &'static str, tenant: &'static str) -> Result<(), RequestError> {
        check_id(id, &self.id)?;
        check_opt(tenant, &self.tenant, MAX_ID_BYTES)
    }
}

fn unix(field: &'static str, t: DateTime<Utc>) -> Result<u64, RequestError> {
    u64::try_from(t.timestamp()).map_err(|_| RequestError::TimeBeforeEpoch(field))
}

fn non_empty(field: &'static str, s: &str) -> Result<(), RequestError> {
    if s.is_empty() {
        Err(RequestError::Empty(field))
    } else {
        Ok(())
    }
}

/// A request's text and words as they cross the boundary, in buffers kept
/// between calls (each pooled instance has its own), so that packing a
/// request allocates nothing once they have grown to size.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    pub text: String,
    pub words: Vec<u64>,
}

impl Buffers {
    /// Room for a typical request: 1 KiB of text, 96 words.
    fn with_capacity() -> Self {
        Self {
            text: String::with_capacity(1024),
            words: Vec::with_capacity(96),
        }
    }

    /// A packer over these buffers, `header` words reserved.
    fn packer(&mut self, header: usize) -> Packer {
        Packer::over(std::mem::take(&mut self.text), std::mem::take(&mut self.words), header)
    }
}

struct Pack<'l> {
    packer: Packer,
    limits: &'l RequestLimits,
}

impl Pack<'_> {
    fn new(limits: &RequestLimits, packer: Packer) -> Pack<'_> {
        Pack { packer, limits }
    }

    fn principal(&mut self, p: &Principal, tenant: &str) -> wire::Principal {
        let k = &mut self.packer;
        // Key, value, key, value: strings as they are, other values as JSON.
        let list = k.begin_list();
        for (key, value) in &p.attributes {
            k.push(key);
            match value.as_str() {
                Some(text) => k.push(text),
                None => k.push_display(value),
            }
        }
        let attributes = k.end_list(list);
        wire::Principal {
            id: k.str(&p.id),
            tenant: k.str(p.tenant.as_deref().unwrap_or(tenant)),
            roles: k.strs(p.roles.iter().map(String::as_str)),
            permissions: k.strs(p.permissions.iter().map(String::as_str)),
            groups: k.strs(p.groups.iter().map(String::as_str)),
            manages: k.strs(p.manages.iter().map(String::as_str)),
            domains: k.strs(p.domains.iter().map(String::as_str)),
            consents: k.strs(p.consents.iter().map(String::as_str)),
            attributes,
            active: p.active,
            has_logged_in: p.has_logged_in,
        }
    }

    fn opt(&mut self, s: &Option<String>) -> Option<u64> {
        s.as_deref().map(|s| self.packer.str(s))
    }

    /// Checks the caps, then hands back the packer's buffers.
    fn finish(self) -> Result<Packer, RequestError> {
        let (text, entries) = (self.packer.text_len(), self.packer.spans_len());
        if text > self.limits.max_text_bytes {
            return Err(RequestError::TextTooLarge {
                actual: text,
                max: self.limits.max_text_bytes,
            });
        }
        if entries > self.limits.max_list_entries {
            return Err(RequestError::TooManyEntries {
                actual: entries,
                max: self.limits.max_list_entries,
            });
        }
        Ok(self.packer)
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

    /// Checks the request and packs it for a policy, at `now` when the
    /// request names no time.
    pub fn pack(&self, limits: &RequestLimits, now: DateTime<Utc>) -> Result<wire::StartRequest, RequestError> {
        let mut p = Pack::new(limits, Packer::with_capacity(1024, 64));
        let head = self.pack_with(&mut p, now)?;
        let (text, spans) = p.finish()?.finish();
        Ok(wire::StartRequest { text, spans, ..head })
    }

    /// [`Self::pack`] straight into the words that cross the boundary.
    pub(crate) fn pack_into(
        &self,
        limits: &RequestLimits,
        now: DateTime<Utc>,
        buffers: &mut Buffers,
    ) -> Result<(), RequestError> {
        let mut p = Pack::new(limits, buffers.packer(words::START));
        let head = self.pack_with(&mut p, now)?;
        (buffers.text, buffers.words) = p.finish()?.into_parts();
        buffers.words[..words::START].copy_from_slice(&head.header());
        Ok(())
    }

    /// Checks the request and packs its strings into `p`; the header's
    /// facts come back with empty `text` and `spans`.
    fn pack_with(&self, p: &mut Pack<'_>, now: DateTime<Utc>) -> Result<wire::StartRequest, RequestError> {
        self.check()?;
        let now = unix("now", self.now.unwrap_or(now))?;
        let tenant = p.packer.str(&self.tenant);
        let actor = p.principal(&self.actor, &self.tenant);
        let target = p.principal(&self.target, &self.tenant);
        let reason = p.opt(&self.reason);
        let domain = p.opt(&self.domain);
        let actor_session = self.actor_session.as_ref().map(|s| wire::SessionRef {
            id: p.packer.str(&s.id),
            target: p.packer.str(&s.target),
        });
        Ok(wire::StartRequest {
            text: String::new(),
            spans: Vec::new(),
            tenant,
            actor,
            target,
            reason,
            ttl_seconds: self.ttl_seconds,
            domain,
            actor_session,
            consent_on_behalf: self.consent_on_behalf,
            now,
        })
    }
}

impl ActionRequest {
    /// Checks the request and packs it for a policy, at `now` when the
    /// request names no time.
    pub fn pack(&self, limits: &RequestLimits, now: DateTime<Utc>) -> Result<wire::ActionRequest, RequestError> {
        let mut buffers = Buffers::with_capacity();
        let head = self.pack_with(limits, now, &mut buffers)?;
        let (text, mut spans) = (buffers.text, buffers.words);
        spans.drain(..words::ACTION);
        Ok(wire::ActionRequest { text, spans, ..head })
    }

    /// [`Self::pack`] straight into the words that cross the boundary.
    pub(crate) fn pack_into(
        &self,
        limits: &RequestLimits,
        now: DateTime<Utc>,
        buffers: &mut Buffers,
    ) -> Result<(), RequestError> {
        self.pack_with(limits, now, buffers).map(drop)
    }

    fn pack_with(
        &self,
        limits: &RequestLimits,
        now: DateTime<Utc>,
        buffers: &mut Buffers,
    ) -> Result<wire::ActionRequest, RequestError> {
        let mut p = Pack::new(limits, buffers.packer(words::ACTION));
        let head = self.session.pack_with(&mut p, &self.tenant)?;
        (buffers.text, buffers.words) = p.finish()?.into_parts();
        let now = self.now.unwrap_or(now);
        append_action(head, &self.action, self.resource.as_deref(), now, limits, buffers)
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

    /// Packs the session once for every action in it (see [`PackedSession`]).
    pub fn pack(&self, tenant: &str, limits: &RequestLimits) -> Result<PackedSession, RequestError> {
        let mut p = Pack::new(limits, Buffers::with_capacity().packer(words::ACTION));
        let head = self.pack_with(&mut p, tenant)?;
        let (text, words) = p.finish()?.into_parts();
        Ok(PackedSession {
            text,
            words,
            head,
            limits: *limits,
        })
    }

    /// Packs the session's strings into `p`; the header's session facts come
    /// back, the action's still empty.
    fn pack_with(&self, p: &mut Pack<'_>, tenant: &str) -> Result<wire::ActionRequest, RequestError> {
        check_id("tenant", tenant)?;
        self.check()?;
        let started_at = unix("session.started_at", self.started_at)?;
        let expires_at = unix("session.expires_at", self.expires_at)?;
        let tenant_span = p.packer.str(tenant);
        let session = wire::Session {
            id: p.packer.str(&self.id),
            actor: p.principal(&self.actor, tenant),
            target: p.principal(&self.target, tenant),
            started_at,
            expires_at,
            domain: p.opt(&self.domain),
            reason: p.opt(&self.reason),
            read_only: self.read_only,
        };
        Ok(wire::ActionRequest {
            tenant: tenant_span,
            session,
            ..wire::ActionRequest::default()
        })
    }
}

/// A session's facts packed once, for every action in it.
///
/// Both principals (every role, permission, group and attribute) are most
/// of a request, and they do not change during a session: an action then
/// costs a copy of the packed session and its own two strings, not a new
/// packing of everything (see `Policy::evaluate_action_in`).
#[derive(Debug, Clone)]
pub struct PackedSession {
    text: String,
    /// The header, with the session's facts filled in, then the spans.
    words: Vec<u64>,
    head: wire::ActionRequest,
    limits: RequestLimits,
}

impl PackedSession {
    /// The request for `action` in this session, in `buffers`.
    pub(crate) fn pack_action(
        &self,
        action: &str,
        resource: Option<&str>,
        now: DateTime<Utc>,
        buffers: &mut Buffers,
    ) -> Result<(), RequestError> {
        buffers.text.clone_from(&self.text);
        buffers.words.clone_from(&self.words);
        append_action(self.head.clone(), action, resource, now, &self.limits, buffers).map(drop)
    }
}

/// Adds the action's own facts to a packed session in `buffers`.
fn append_action(
    mut head: wire::ActionRequest,
    action: &str,
    resource: Option<&str>,
    now: DateTime<Utc>,
    limits: &RequestLimits,
    buffers: &mut Buffers,
) -> Result<wire::ActionRequest, RequestError> {
    check_id("action", action)?;
    check_resource(resource)?;
    head.now = unix("now", now)?;
    let text = buffers.text.len() + action.len() + resource.map_or(0, str::len);
    if text > limits.max_text_bytes {
        return Err(RequestError::TextTooLarge {
            actual: text,
            max: limits.max_text_bytes,
        });
    }
    let text = &mut buffers.text;
    head.action = push(text, action);
    head.resource = resource.map(|r| push(text, r));
    buffers.words[..words::ACTION].copy_from_slice(&head.header());
    Ok(head)
}

/// Appends `s` to a request's text and returns its span.
fn push(text: &mut String, s: &str) -> u64 {
    let span = wire::span(text.len(), s.len());
    text.push_str(s);
    span
}
