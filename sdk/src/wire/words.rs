//! The words of a request as they cross the boundary: a fixed header of
//! the request's scalar facts, then the spans (see `wit/policy.wit`). A
//! `strs`' `first` counts from the first span, after the header.

use super::{ActionRequest, ApprovalRequest, Principal, Session, SessionRef, StartRequest};
use alloc::string::String;
use alloc::vec::Vec;

/// Words of a principal: id, tenant, roles, permissions, groups,
/// manages, domains, consents, attributes, flags (bit 0 active, bit 1
/// has-logged-in).
pub const PRINCIPAL: usize = 10;
/// Header of a start request: tenant, actor, target, reason, ttl,
/// domain, actor-session id, actor-session target, now, flags (bit 0
/// reason, 1 ttl, 2 domain, 3 actor-session present; 4 consent-on-behalf).
pub const START: usize = 1 + 2 * PRINCIPAL + 7;
/// Header of an action request: tenant, session id, actor, target,
/// started-at, expires-at, domain, reason, action, resource, now, flags
/// (bit 0 domain, 1 reason, 2 resource present; 3 read-only).
pub const ACTION: usize = 2 + 2 * PRINCIPAL + 8;
/// Header of an approval request: the start's header, then the approver.
pub const APPROVAL: usize = START + PRINCIPAL;
/// Words of one action of `evaluate-actions`: action (span), resource
/// (span), flags (bit 0 resource present).
pub const ACTION_ITEM: usize = 3;

/// The words of one action of `evaluate-actions`.
pub fn action_item(action: u64, resource: Option<u64>) -> [u64; ACTION_ITEM] {
    let mut flags = 0;
    let resource = opt(resource, 0, &mut flags);
    [action, resource, flags]
}

/// The actions of `evaluate-actions`' `actions`, as `(action, resource)`
/// spans; a trailing partial item is ignored.
pub fn read_action_items(words: &[u64]) -> impl ExactSizeIterator<Item = (u64, Option<u64>)> + '_ {
    words.chunks_exact(ACTION_ITEM).map(|w| (w[0], read_opt(w[1], 0, w[2])))
}

fn principal(p: &Principal) -> [u64; PRINCIPAL] {
    [
        p.id,
        p.tenant,
        p.roles,
        p.permissions,
        p.groups,
        p.manages,
        p.domains,
        p.consents,
        p.attributes,
        u64::from(p.active) | u64::from(p.has_logged_in) << 1,
    ]
}

fn read_principal(w: &[u64]) -> Principal {
    Principal {
        id: w[0],
        tenant: w[1],
        roles: w[2],
        permissions: w[3],
        groups: w[4],
        manages: w[5],
        domains: w[6],
        consents: w[7],
        attributes: w[8],
        active: w[9] & 1 != 0,
        has_logged_in: w[9] & 2 != 0,
    }
}

fn opt(value: Option<u64>, bit: u32, flags: &mut u64) -> u64 {
    *flags |= u64::from(value.is_some()) << bit;
    value.unwrap_or(0)
}

fn read_opt(value: u64, bit: u32, flags: u64) -> Option<u64> {
    (flags >> bit & 1 != 0).then_some(value)
}

fn join(header: &[u64], spans: &[u64]) -> Vec<u64> {
    let mut words = Vec::with_capacity(header.len() + spans.len());
    words.extend_from_slice(header);
    words.extend_from_slice(spans);
    words
}

/// Splits `words` into the header and the spans, without copying.
fn split<const N: usize>(words: &[u64]) -> Option<(&[u64; N], &[u64])> {
    let (header, spans) = words.split_first_chunk::<N>()?;
    Some((header, spans))
}

impl StartRequest {
    /// The text and words that cross the boundary.
    pub fn to_words(&self) -> Vec<u64> {
        join(&self.header(), &self.spans)
    }

    /// The header words, for a request packed in place (see
    /// [`Packer::over`](super::Packer::over)).
    pub fn header(&self) -> [u64; START] {
        let mut flags = u64::from(self.consent_on_behalf) << 4;
        let mut h = [0u64; START];
        h[0] = self.tenant;
        h[1..=PRINCIPAL].copy_from_slice(&principal(&self.actor));
        h[1 + PRINCIPAL..=2 * PRINCIPAL].copy_from_slice(&principal(&self.target));
        let rest = 1 + 2 * PRINCIPAL;
        h[rest] = opt(self.reason, 0, &mut flags);
        h[rest + 1] = opt(self.ttl_seconds, 1, &mut flags);
        h[rest + 2] = opt(self.domain, 2, &mut flags);
        if let Some(s) = &self.actor_session {
            (h[rest + 3], h[rest + 4]) = (s.id, s.target);
            flags |= 1 << 3;
        }
        h[rest + 5] = self.now;
        h[rest + 6] = flags;
        h
    }

    /// The request from what crossed the boundary; `None` when `words`
    /// is shorter than the header.
    pub fn from_words(text: String, words: Vec<u64>) -> Option<Self> {
        let (head, spans) = Self::read_header(&words)?;
        Some(Self {
            text,
            spans: spans.to_vec(),
            ..head
        })
    }

    /// The header's facts (with empty `text` and `spans`, which cost no
    /// allocation) and the spans after it: how a policy reads a request
    /// in place. `None` when `words` is shorter than the header.
    pub fn read_header(words: &[u64]) -> Option<(Self, &[u64])> {
        let (h, spans) = split::<START>(words)?;
        let rest = 1 + 2 * PRINCIPAL;
        let flags = h[rest + 6];
        let head = Self {
            text: String::new(),
            spans: Vec::new(),
            tenant: h[0],
            actor: read_principal(&h[1..=PRINCIPAL]),
            target: read_principal(&h[1 + PRINCIPAL..=2 * PRINCIPAL]),
            reason: read_opt(h[rest], 0, flags),
            ttl_seconds: read_opt(h[rest + 1], 1, flags),
            domain: read_opt(h[rest + 2], 2, flags),
            actor_session: (flags & 1 << 3 != 0).then_some(SessionRef {
                id: h[rest + 3],
                target: h[rest + 4],
            }),
            consent_on_behalf: flags & 1 << 4 != 0,
            now: h[rest + 5],
        };
        Some((head, spans))
    }
}

impl ApprovalRequest {
    /// The text and words that cross the boundary.
    pub fn to_words(&self) -> Vec<u64> {
        join(&self.header(), &self.start.spans)
    }

    /// As [`StartRequest::header`].
    pub fn header(&self) -> [u64; APPROVAL] {
        let mut h = [0u64; APPROVAL];
        h[..START].copy_from_slice(&self.start.header());
        h[START..].copy_from_slice(&principal(&self.approver));
        h
    }

    /// As [`StartRequest::from_words`].
    pub fn from_words(text: String, words: Vec<u64>) -> Option<Self> {
        let (head, spans) = Self::read_header(&words)?;
        Some(Self {
            start: StartRequest {
                text,
                spans: spans.to_vec(),
                ..head.start
            },
            approver: head.approver,
        })
    }

    /// As [`StartRequest::read_header`].
    pub fn read_header(words: &[u64]) -> Option<(Self, &[u64])> {
        let (h, spans) = split::<APPROVAL>(words)?;
        let (start, _) = StartRequest::read_header(&h[..START])?;
        let head = Self {
            start,
            approver: read_principal(&h[START..]),
        };
        Some((head, spans))
    }
}

impl ActionRequest {
    /// The text and words that cross the boundary.
    pub fn to_words(&self) -> Vec<u64> {
        join(&self.header(), &self.spans)
    }

    /// As [`StartRequest::header`].
    pub fn header(&self) -> [u64; ACTION] {
        let s = &self.session;
        let mut flags = u64::from(s.read_only) << 3;
        let mut h = [0u64; ACTION];
        (h[0], h[1]) = (self.tenant, s.id);
        h[2..2 + PRINCIPAL].copy_from_slice(&principal(&s.actor));
        h[2 + PRINCIPAL..2 + 2 * PRINCIPAL].copy_from_slice(&principal(&s.target));
        let rest = 2 + 2 * PRINCIPAL;
        (h[rest], h[rest + 1]) = (s.started_at, s.expires_at);
        h[rest + 2] = opt(s.domain, 0, &mut flags);
        h[rest + 3] = opt(s.reason, 1, &mut flags);
        h[rest + 4] = self.action;
        h[rest + 5] = opt(self.resource, 2, &mut flags);
        h[rest + 6] = self.now;
        h[rest + 7] = flags;
        h
    }

    /// The request from what crossed the boundary; `None` when `words`
    /// is shorter than the header.
    pub fn from_words(text: String, words: Vec<u64>) -> Option<Self> {
        let (head, spans) = Self::read_header(&words)?;
        Some(Self {
            text,
            spans: spans.to_vec(),
            ..head
        })
    }

    /// As [`StartRequest::read_header`].
    pub fn read_header(words: &[u64]) -> Option<(Self, &[u64])> {
        let (h, spans) = split::<ACTION>(words)?;
        let rest = 2 + 2 * PRINCIPAL;
        let flags = h[rest + 7];
        let head = Self {
            text: String::new(),
            spans: Vec::new(),
            tenant: h[0],
            session: Session {
                id: h[1],
                actor: read_principal(&h[2..2 + PRINCIPAL]),
                target: read_principal(&h[2 + PRINCIPAL..2 + 2 * PRINCIPAL]),
                started_at: h[rest],
                expires_at: h[rest + 1],
                domain: read_opt(h[rest + 2], 0, flags),
                reason: read_opt(h[rest + 3], 1, flags),
                read_only: flags & 1 << 3 != 0,
            },
            action: h[rest + 4],
            resource: read_opt(h[rest + 5], 2, flags),
            now: h[rest + 6],
        };
        Some((head, spans))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ActionRequest, Packer, Principal, Session, SessionRef, StartRequest};

    fn principal(p: &mut Packer, id: &str, active: bool) -> Principal {
        Principal {
            id: p.str(id),
            tenant: p.str("acme"),
            roles: p.strs(["a", "b"]),
            permissions: p.strs(["x"]),
            attributes: p.pairs([("k", "v")]),
            active,
            has_logged_in: !active,
            ..Principal::default()
        }
    }

    #[test]
    fn start_requests_cross_the_boundary_unchanged() {
        let mut p = Packer::default();
        let (actor, target) = (principal(&mut p, "u-1", true), principal(&mut p, "u-2", false));
        let (tenant, reason, sid, st) = (p.str("acme"), p.str("why"), p.str("s-1"), p.str("u-3"));
        let (text, spans) = p.finish();
        for (session, ttl, consent) in [
            (None, None, false),
            (Some(SessionRef { id: sid, target: st }), Some(60), true),
        ] {
            let r = StartRequest {
                text: text.clone(),
                spans: spans.clone(),
                tenant,
                actor,
                target,
                reason: ttl.map(|_| reason),
                ttl_seconds: ttl,
                domain: None,
                actor_session: session,
                consent_on_behalf: consent,
                now: 1_800_000_000,
            };
            assert_eq!(StartRequest::from_words(text.clone(), r.to_words()), Some(r));
        }
        assert_eq!(StartRequest::from_words(text, alloc::vec![0; 3]), None);
    }

    #[test]
    fn packing_in_place_gives_the_same_words() {
        let pack = |p: &mut Packer| {
            let actor = principal(p, "u-1", true);
            let target = principal(p, "u-2", false);
            (p.str("acme"), actor, target)
        };
        let mut apart = Packer::default();
        let (tenant, actor, target) = pack(&mut apart);
        let (text, spans) = apart.finish();
        let r = StartRequest {
            text,
            spans,
            tenant,
            actor,
            target,
            now: 5,
            ..StartRequest::default()
        };
        // Buffers with leftovers of an earlier request, as reused ones have.
        let mut over = Packer::over("stale".into(), alloc::vec![9; 40], super::START);
        let (tenant, actor, target) = pack(&mut over);
        assert_eq!(over.spans_len(), r.spans.len());
        let (text, mut words) = over.into_parts();
        let head = StartRequest {
            tenant,
            actor,
            target,
            now: 5,
            ..StartRequest::default()
        };
        words[..super::START].copy_from_slice(&head.header());
        assert_eq!((text, words), (r.text.clone(), r.to_words()));
    }

    #[test]
    fn action_requests_cross_the_boundary_unchanged() {
        let mut p = Packer::default();
        let (actor, target) = (principal(&mut p, "u-1", true), principal(&mut p, "u-2", true));
        let (tenant, id, action, domain) = (p.str("acme"), p.str("s-1"), p.str("billing.purchase"), p.str("d"));
        let (text, spans) = p.finish();
        for (resource, read_only) in [(None, false), (Some(action), true)] {
            let r = ActionRequest {
                text: text.clone(),
                spans: spans.clone(),
                tenant,
                session: Session {
                    id,
                    actor,
                    target,
                    started_at: 1,
                    expires_at: 2,
                    domain: resource.map(|_| domain),
                    reason: None,
                    read_only,
                },
                action,
                resource,
                now: 3,
            };
            assert_eq!(ActionRequest::from_words(text.clone(), r.to_words()), Some(r));
        }
    }
}
