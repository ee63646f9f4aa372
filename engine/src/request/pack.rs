//! Packing requests for the policy: the contract's JSON forms into the
//! text and words of `wit/policy.wit`, through buffers kept between calls,
//! with the caps of [`RequestLimits`] checked as they are packed.

use super::check::{check_action, check_id, check_resource, unix};
use super::{ActionRequest, ApprovalRequest, Principal, RequestError, RequestLimits, SessionFacts, StartRequest};
use chrono::{DateTime, Utc};
use standin_wire::{self as wire, Packer, words};

/// A request's text and words as they cross the boundary, in buffers kept
/// between calls (each pooled instance has its own), so that packing a
/// request allocates nothing once they have grown to size.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    pub text: String,
    pub words: Vec<u64>,
    /// `evaluate-actions`' actions, 3 words each (empty otherwise).
    pub actions: Vec<u64>,
}

impl Buffers {
    /// Room for a typical request: 1 KiB of text, 96 words.
    fn with_capacity() -> Self {
        Self {
            text: String::with_capacity(1024),
            words: Vec::with_capacity(96),
            actions: Vec::new(),
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
            match value {
                serde_json::Value::String(text) => k.push(text),
                // As JSON writes them, without the formatting machinery:
                // flags and counts are most attributes that are not text.
                serde_json::Value::Bool(b) => k.push(if *b { "true" } else { "false" }),
                serde_json::Value::Number(n) if let Some((negative, magnitude)) = integer(n) => {
                    k.push_integer(negative, magnitude);
                }
                _ => k.push_display(value),
            }
        }
        let attributes = k.end_list(list);
        wire::Principal {
            id: k.str(&p.id),
            tenant: k.str(p.tenant.as_deref().unwrap_or(tenant)),
            roles: k.strs(&p.roles),
            permissions: k.strs(&p.permissions),
            groups: k.strs(&p.groups),
            manages: k.strs(&p.manages),
            domains: k.strs(&p.domains),
            consents: k.strs(&p.consents),
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

/// An integer JSON number as its sign and magnitude (as JSON writes it);
/// `None` for a number with a fraction or an exponent.
fn integer(n: &serde_json::Number) -> Option<(bool, u64)> {
    match (n.as_i64(), n.as_u64()) {
        (Some(i), _) => Some((i < 0, i.unsigned_abs())),
        (None, Some(u)) => Some((false, u)),
        (None, None) => None,
    }
}

impl StartRequest {
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
        buffers.words.extend(head.tail().into_iter().flatten());
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
        let scope = self.scope.as_ref().map(|s| wire::Scope {
            actions: p.packer.strs(&s.actions),
            resources: p.packer.strs(&s.resources),
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
            scope,
        })
    }
}

impl ApprovalRequest {
    /// Checks the request and packs it straight into the words that cross
    /// the boundary: the start's header, the approver's, then the spans.
    pub(crate) fn pack_into(
        &self,
        limits: &RequestLimits,
        now: DateTime<Utc>,
        buffers: &mut Buffers,
    ) -> Result<(), RequestError> {
        self.approver.check("approver.id", "approver.tenant")?;
        let mut p = Pack::new(limits, buffers.packer(words::APPROVAL));
        let start = self.start.pack_with(&mut p, now)?;
        let approver = p.principal(&self.approver, &self.start.tenant);
        (buffers.text, buffers.words) = p.finish()?.into_parts();
        let head = wire::ApprovalRequest { start, approver };
        buffers.words[..words::APPROVAL].copy_from_slice(&head.header());
        buffers.words.extend(head.start.tail().into_iter().flatten());
        Ok(())
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
        self.check_session(now)?;
        append_action(head, &self.action, self.resource.as_deref(), now, limits, buffers)
    }
}

impl SessionFacts {
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

    /// Whether `action` may be asked in this session, as
    /// [`Self::pack_action`] checks it: the text it adds when it may.
    pub(crate) fn check_action(&self, action: &str, resource: Option<&str>) -> Result<usize, RequestError> {
        check_action(action)?;
        check_resource(resource)?;
        let added = action.len() + resource.map_or(0, str::len);
        let text = self.text.len() + added;
        if text > self.limits.max_text_bytes {
            return Err(RequestError::TextTooLarge {
                actual: text,
                max: self.limits.max_text_bytes,
            });
        }
        Ok(added)
    }

    /// The text this session's requests start with.
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The `evaluate-actions` request for `actions` (each passed
    /// [`Self::check_action`]) in `buffers`: the session's header without
    /// an action of its own, each action's strings after the session's.
    pub(crate) fn pack_actions(
        &self,
        actions: &[(&str, Option<&str>)],
        now: DateTime<Utc>,
        buffers: &mut Buffers,
    ) -> Result<(), RequestError> {
        let mut head = self.head.clone();
        head.now = unix("now", now)?;
        buffers.text.clone_from(&self.text);
        buffers.words.clone_from(&self.words);
        buffers.words[..words::ACTION].copy_from_slice(&head.header());
        buffers.actions.clear();
        for (action, resource) in actions {
            let action = push(&mut buffers.text, action);
            let resource = resource.map(|r| push(&mut buffers.text, r));
            buffers.actions.extend_from_slice(&words::action_item(action, resource));
        }
        Ok(())
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
    check_action(action)?;
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

#[cfg(test)]
mod tests {
    use super::integer;
    use standin_wire::Packer;

    #[test]
    fn integers_are_written_as_json_writes_them() {
        let numbers = [0i64, 7, -7, 10, 1234567, -9_223_372_036_854_775_808, i64::MAX];
        let mut p = Packer::default();
        let list = p.begin_list();
        for n in numbers {
            let (negative, magnitude) = integer(&n.into()).expect("an integer");
            p.push_integer(negative, magnitude);
        }
        let (negative, magnitude) = integer(&u64::MAX.into()).expect("an integer");
        p.push_integer(negative, magnitude);
        assert_eq!(p.end_list(list), 8);
        assert_eq!(integer(&serde_json::Number::from_f64(1.5).expect("a number")), None);
        let (text, spans) = p.finish();
        let written: Vec<&str> = spans
            .iter()
            .map(|s| &text[(s >> 32) as usize..][..(s & 0xffff_ffff) as usize])
            .collect();
        let expected: Vec<String> = numbers.iter().map(|n| serde_json::json!(n).to_string()).collect();
        assert_eq!(
            written[..7],
            expected.iter().map(String::as_str).collect::<Vec<_>>()[..]
        );
        assert_eq!(written[7], u64::MAX.to_string());
    }
}
