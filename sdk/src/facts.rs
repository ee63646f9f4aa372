//! Requests as a policy reads them: `&str` views over a packed request.
//!
//! Views are built once per call from [`standin_wire`] types; every field is
//! resolved eagerly, so rule code reads plain fields. A span that points
//! outside the text (only a broken host could send one) reads as `""`.

use standin_wire as wire;

#[derive(Debug, Clone, Copy)]
struct Packed<'a> {
    text: &'a str,
    spans: &'a [u64],
}

impl<'a> Packed<'a> {
    fn str(self, span: u64) -> &'a str {
        let start = (span >> 32) as usize;
        let len = (span & 0xffff_ffff) as usize;
        start
            .checked_add(len)
            .and_then(|end| self.text.get(start..end))
            .unwrap_or("")
    }

    fn strs(self, strs: u64) -> Strs<'a> {
        let first = (strs >> 32) as usize;
        let count = (strs & 0xffff_ffff) as usize;
        let spans = first
            .checked_add(count)
            .and_then(|end| self.spans.get(first..end))
            .unwrap_or(&[]);
        Strs { text: self.text, spans }
    }

    fn opt(self, span: Option<u64>) -> Option<&'a str> {
        span.map(|s| self.str(s))
    }

    fn principal(self, p: &wire::Principal) -> Principal<'a> {
        Principal {
            id: self.str(p.id),
            tenant: self.str(p.tenant),
            roles: self.strs(p.roles),
            permissions: self.strs(p.permissions),
            groups: self.strs(p.groups),
            manages: self.strs(p.manages),
            domains: self.strs(p.domains),
            consents: self.strs(p.consents),
            attributes: Attributes(self.strs(p.attributes)),
            active: p.active,
            has_logged_in: p.has_logged_in,
        }
    }
}

/// A list of strings of a request.
#[derive(Debug, Clone, Copy)]
pub struct Strs<'a> {
    text: &'a str,
    spans: &'a [u64],
}

impl<'a> Strs<'a> {
    /// The strings, in request order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let packed = Packed {
            text: self.text,
            spans: &[],
        };
        self.spans.iter().map(move |&span| packed.str(span))
    }

    /// Whether `s` is one of the strings.
    pub fn contains(&self, s: &str) -> bool {
        self.iter().any(|item| item == s)
    }

    /// Whether any string is also in `other`.
    pub fn intersects(&self, other: &Strs<'_>) -> bool {
        self.iter().any(|item| other.contains(item))
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

/// A principal's free-form attributes.
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a>(Strs<'a>);

impl<'a> Attributes<'a> {
    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// `(key, value)` pairs in request order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let mut items = self.0.iter();
        core::iter::from_fn(move || Some((items.next()?, items.next()?)))
    }
}

/// A user on either side of an impersonation.
#[derive(Debug, Clone, Copy)]
pub struct Principal<'a> {
    pub id: &'a str,
    pub tenant: &'a str,
    pub roles: Strs<'a>,
    pub permissions: Strs<'a>,
    pub groups: Strs<'a>,
    pub manages: Strs<'a>,
    pub domains: Strs<'a>,
    pub consents: Strs<'a>,
    pub attributes: Attributes<'a>,
    pub active: bool,
    pub has_logged_in: bool,
}

/// The actor's own current impersonation session (E7).
#[derive(Debug, Clone, Copy)]
pub struct SessionRef<'a> {
    pub id: &'a str,
    pub target: &'a str,
}

/// May `actor` start impersonating `target`?
#[derive(Debug, Clone, Copy)]
pub struct StartRequest<'a> {
    pub tenant: &'a str,
    pub actor: Principal<'a>,
    pub target: Principal<'a>,
    pub reason: Option<&'a str>,
    pub ttl_seconds: Option<u64>,
    pub domain: Option<&'a str>,
    pub actor_session: Option<SessionRef<'a>>,
    pub consent_on_behalf: bool,
    /// Unix seconds.
    pub now: u64,
    /// What the start asks to be allowed to do, when it names it.
    pub scope: Option<ScopeRequest<'a>>,
}

/// The scope a start asks for: action patterns (`*` any run of
/// characters) and resources (none: any). A grant may narrow it
/// ([`Grant::scope`](crate::Grant::scope)); the host never lets a session
/// do more than its start asked for.
#[derive(Debug, Clone, Copy)]
pub struct ScopeRequest<'a> {
    pub actions: Strs<'a>,
    pub resources: Strs<'a>,
}

/// The session an action happens in.
#[derive(Debug, Clone, Copy)]
pub struct Session<'a> {
    pub id: &'a str,
    pub actor: Principal<'a>,
    pub target: Principal<'a>,
    pub started_at: u64,
    pub expires_at: u64,
    pub domain: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub read_only: bool,
}

/// May the actor, inside `session`, do `action`?
#[derive(Debug, Clone, Copy)]
pub struct ActionRequest<'a> {
    pub tenant: &'a str,
    pub session: Session<'a>,
    pub action: &'a str,
    pub resource: Option<&'a str>,
    /// Unix seconds.
    pub now: u64,
}

impl<'a> StartRequest<'a> {
    /// The request as it crossed the boundary, read in place: the header
    /// of `words` resolved against `text` and the spans after it. `None`
    /// when `words` is shorter than the header.
    pub fn read(text: &'a str, words: &'a [u64]) -> Option<Self> {
        let (head, spans) = wire::StartRequest::read_header(words)?;
        Some(start_in(&head, Packed { text, spans }))
    }
}

/// May `approver` answer (approve or reject) the pending `start`?
#[derive(Debug, Clone, Copy)]
pub struct ApprovalRequest<'a> {
    /// The start as it stands at the answer: the principals' newest facts,
    /// the actor's current session, `now` the answer's time.
    pub start: StartRequest<'a>,
    pub approver: Principal<'a>,
}

impl<'a> ApprovalRequest<'a> {
    /// As [`StartRequest::read`].
    pub fn read(text: &'a str, words: &'a [u64]) -> Option<Self> {
        let (head, spans) = wire::ApprovalRequest::read_header(words)?;
        let p = Packed { text, spans };
        Some(Self {
            start: start_in(&head.start, p),
            approver: p.principal(&head.approver),
        })
    }
}

impl<'a> ApprovalRequest<'a> {
    /// A request the host packed, as `&str` views.
    #[inline]
    pub fn of(packed: &'a wire::ApprovalRequest) -> Self {
        let p = Packed {
            text: &packed.start.text,
            spans: &packed.start.spans,
        };
        ApprovalRequest {
            start: start_in(&packed.start, p),
            approver: p.principal(&packed.approver),
        }
    }
}

/// One action of several asked in one session at one time
/// ([`crate::Policy::evaluate_actions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action<'a> {
    pub name: &'a str,
    pub resource: Option<&'a str>,
}

impl<'a> ActionRequest<'a> {
    /// As [`StartRequest::read`].
    pub fn read(text: &'a str, words: &'a [u64]) -> Option<Self> {
        let (head, spans) = wire::ActionRequest::read_header(words)?;
        Some(action_in(&head, Packed { text, spans }))
    }

    /// An `evaluate-actions` request read in place: the session's request
    /// (its own action and resource as the words say; a caller reads
    /// `actions`) and each action resolved against `text`.
    pub fn read_many(text: &'a str, words: &'a [u64], actions: &[u64]) -> Option<(Self, alloc::vec::Vec<Action<'a>>)> {
        let request = Self::read(text, words)?;
        let p = Packed { text, spans: &[] };
        let actions = wire::words::read_action_items(actions)
            .map(|(name, resource)| Action {
                name: p.str(name),
                resource: resource.map(|r| p.str(r)),
            })
            .collect();
        Some((request, actions))
    }

    /// This request with `action` in place of its own.
    pub fn with(&self, action: &Action<'a>) -> Self {
        Self {
            action: action.name,
            resource: action.resource,
            ..*self
        }
    }
}

impl<'a> StartRequest<'a> {
    /// A request the host packed, as `&str` views.
    pub fn of(packed: &'a wire::StartRequest) -> Self {
        start_in(
            packed,
            Packed {
                text: &packed.text,
                spans: &packed.spans,
            },
        )
    }
}

/// The facts of a start's header, resolved in `p`.
fn start_in<'a>(s: &wire::StartRequest, p: Packed<'a>) -> StartRequest<'a> {
    StartRequest {
        tenant: p.str(s.tenant),
        actor: p.principal(&s.actor),
        target: p.principal(&s.target),
        reason: p.opt(s.reason),
        ttl_seconds: s.ttl_seconds,
        domain: p.opt(s.domain),
        actor_session: s.actor_session.map(|s| SessionRef {
            id: p.str(s.id),
            target: p.str(s.target),
        }),
        consent_on_behalf: s.consent_on_behalf,
        now: s.now,
        scope: s.scope.map(|scope| ScopeRequest {
            actions: p.strs(scope.actions),
            resources: p.strs(scope.resources),
        }),
    }
}

impl<'a> ActionRequest<'a> {
    /// A request the host packed, as `&str` views.
    #[inline]
    pub fn of(packed: &'a wire::ActionRequest) -> Self {
        action_in(
            packed,
            Packed {
                text: &packed.text,
                spans: &packed.spans,
            },
        )
    }
}

/// The facts of an action's header, resolved in `p`.
#[inline]
fn action_in<'a>(head: &wire::ActionRequest, p: Packed<'a>) -> ActionRequest<'a> {
    let s = &head.session;
    ActionRequest {
        tenant: p.str(head.tenant),
        session: Session {
            id: p.str(s.id),
            actor: p.principal(&s.actor),
            target: p.principal(&s.target),
            started_at: s.started_at,
            expires_at: s.expires_at,
            domain: p.opt(s.domain),
            reason: p.opt(s.reason),
            read_only: s.read_only,
        },
        action: p.str(head.action),
        resource: p.opt(head.resource),
        now: head.now,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use standin_wire::Packer;

    #[test]
    fn packed_lists_and_attributes_read_back() {
        let mut p = Packer::default();
        let id = p.str("u-1");
        let roles = p.strs(&["hr_admin", "power_user"]);
        let attrs = p.pairs([("title", "HR"), ("vip", "yes")]);
        let (text, spans) = p.finish();
        let packed = Packed {
            text: &text,
            spans: &spans,
        };
        assert_eq!(packed.str(id), "u-1");
        assert_eq!(
            packed.strs(roles).iter().collect::<Vec<_>>(),
            ["hr_admin", "power_user"]
        );
        let attributes = Attributes(packed.strs(attrs));
        assert_eq!(attributes.get("vip"), Some("yes"));
        assert_eq!(attributes.get("nope"), None);
    }

    #[test]
    fn requests_read_in_place_equal_their_unpacked_views() {
        let mut p = Packer::default();
        let principal = |p: &mut Packer, id: &str| wire::Principal {
            id: p.str(id),
            tenant: p.str("acme"),
            roles: p.strs(&["hr_admin", "power_user"]),
            attributes: p.pairs([("vip", "yes")]),
            active: true,
            ..wire::Principal::default()
        };
        let (actor, target) = (principal(&mut p, "u-1"), principal(&mut p, "u-2"));
        let (tenant, action) = (p.str("acme"), p.str("report.generate"));
        let (text, spans) = p.finish();
        let request = wire::ActionRequest {
            text: text.clone(),
            spans,
            tenant,
            session: wire::Session {
                actor,
                target,
                expires_at: 9,
                read_only: true,
                ..wire::Session::default()
            },
            action,
            resource: None,
            now: 7,
        };
        let words = request.to_words();
        let read = ActionRequest::read(&text, &words).expect("a whole header");
        let view = ActionRequest::of(&request);
        assert_eq!(read.action, "report.generate");
        assert_eq!(read.session.target.id, "u-2");
        assert_eq!(
            read.session.actor.roles.iter().collect::<Vec<_>>(),
            view.session.actor.roles.iter().collect::<Vec<_>>()
        );
        assert_eq!(read.session.actor.attributes.get("vip"), Some("yes"));
        assert_eq!(
            (read.now, read.session.expires_at, read.session.read_only),
            (7, 9, true)
        );
        assert!(ActionRequest::read(&text, &words[..3]).is_none());
        assert!(StartRequest::read(&text, &words[..3]).is_none());
    }

    #[test]
    fn out_of_range_spans_read_as_empty() {
        let packed = Packed {
            text: "abc",
            spans: &[(2 << 32) | 5],
        };
        assert_eq!(packed.str((2 << 32) | 5), "");
        assert_eq!(packed.str(u64::MAX), "");
        assert!(packed.strs((7 << 32) | 1).is_empty());
        assert_eq!(packed.strs(1).iter().collect::<Vec<_>>(), [""]);
    }
}
