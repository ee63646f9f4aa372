//! The words of a request as they cross the boundary: a fixed header of
//! the request's scalar facts, then the spans (see `wit/policy.wit`). A
//! `strs`' `first` counts from the first span, after the header.

use super::{ActionRequest, ApprovalRequest, Principal, Scope, SessionRef, StartRequest};
use alloc::string::String;
use alloc::vec::Vec;

/// Words of a principal: id, tenant, roles, permissions, groups,
/// manages, domains, consents, attributes, flags (bit 0 active, bit 1
/// has-logged-in).
pub const PRINCIPAL: usize = 10;
/// Header of a start request: tenant, actor, target, reason, ttl,
/// domain, actor-session id, actor-session target, now, flags (bit 0
/// reason, 1 ttl, 2 domain, 3 actor-session present; 4 consent-on-behalf;
/// 5 scope, whose two words are the tail: [`START_TAIL`]).
pub const START: usize = 1 + 2 * PRINCIPAL + 7;
/// Words of a start's tail, after its spans: the scope's actions and
/// resources (strs), there when flag bit 5 is set.
pub const START_TAIL: usize = 2;
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
    let (mut action, mut resource) = (action, resource);
    write(|w| walk_action_item(w, &mut action, &mut resource), true)
}

/// The actions of `evaluate-actions`' `actions`, as `(action, resource)`
/// spans; a trailing partial item is ignored.
pub fn read_action_items(words: &[u64]) -> impl ExactSizeIterator<Item = (u64, Option<u64>)> + '_ {
    words.chunks_exact(ACTION_ITEM).map(|item| {
        let (mut action, mut resource) = (0, None);
        walk_action_item(&mut Reader::new(item, true), &mut action, &mut resource);
        (action, resource)
    })
}

/// One pass over a header's words, field by field in layout order: the
/// layout of each request is written once (its `walk`), and the same walk
/// writes a header ([`Writer`]) or reads one back ([`Reader`]).
///
/// Two steps are enough: a word, and a bit of the header's flags word,
/// which is the header's last word (so a writer has every bit by then, and
/// a reader takes it first).
///
/// Every step is `#[inline(always)]`: a policy reads a header on every
/// call, and inlined whole the walk is straight-line code with constant
/// offsets and no bounds checks past the first, like a hand-written
/// reader (measured with `cargo bench -p standin --bench instructions`).
trait Walk {
    /// The next word: written from `value`, or read into it.
    fn word(&mut self, value: &mut u64);
    /// Bit `bit` of the header's flags word: set from `value`, or read into it.
    fn flag(&mut self, value: &mut bool, bit: u32);

    /// An optional word: the word (0 when absent) and a flag saying it is there.
    #[inline(always)]
    fn opt(&mut self, value: &mut Option<u64>, bit: u32) {
        let (mut word, mut present) = (value.unwrap_or(0), value.is_some());
        self.word(&mut word);
        self.flag(&mut present, bit);
        *value = present.then_some(word);
    }

    /// A principal's words, its own flags word last (bit 0 active, bit 1
    /// has-logged-in).
    #[inline(always)]
    fn principal(&mut self, p: &mut Principal) {
        for word in [
            &mut p.id,
            &mut p.tenant,
            &mut p.roles,
            &mut p.permissions,
            &mut p.groups,
            &mut p.manages,
            &mut p.domains,
            &mut p.consents,
            &mut p.attributes,
        ] {
            self.word(word);
        }
        let mut bits = u64::from(p.active) | u64::from(p.has_logged_in) << 1;
        self.word(&mut bits);
        (p.active, p.has_logged_in) = (bits & 1 != 0, bits & 2 != 0);
    }
}

/// Writes a header: the words in order, then the flags word.
struct Writer<'a> {
    words: &'a mut [u64],
    at: usize,
    flags: u64,
}

impl Walk for Writer<'_> {
    #[inline(always)]
    fn word(&mut self, value: &mut u64) {
        self.words[self.at] = *value;
        self.at += 1;
    }

    #[inline(always)]
    fn flag(&mut self, value: &mut bool, bit: u32) {
        self.flags |= u64::from(*value) << bit;
    }
}

impl Writer<'_> {
    /// Writes the flags word, when the header has one; the words written.
    #[inline(always)]
    fn finish(mut self, has_flags: bool) -> usize {
        if has_flags {
            let mut flags = self.flags;
            self.word(&mut flags);
        }
        self.at
    }
}

/// Reads a header whose flags word, if any, is its last.
struct Reader<'a> {
    words: &'a [u64],
    at: usize,
    flags: u64,
}

impl<'a> Reader<'a> {
    #[inline(always)]
    fn new(words: &'a [u64], has_flags: bool) -> Self {
        let flags = if has_flags { words[words.len() - 1] } else { 0 };
        Self { words, at: 0, flags }
    }
}

impl Walk for Reader<'_> {
    #[inline(always)]
    fn word(&mut self, value: &mut u64) {
        *value = self.words[self.at];
        self.at += 1;
    }

    #[inline(always)]
    fn flag(&mut self, value: &mut bool, bit: u32) {
        *value = self.flags >> bit & 1 != 0;
    }
}

fn join(header: &[u64], spans: &[u64]) -> Vec<u64> {
    let mut words = Vec::with_capacity(header.len() + spans.len());
    words.extend_from_slice(header);
    words.extend_from_slice(spans);
    words
}

/// `head`'s header: its walk, written.
#[inline(always)]
fn write<const N: usize>(mut head: impl FnMut(&mut Writer<'_>), has_flags: bool) -> [u64; N] {
    let mut h = [0u64; N];
    let mut w = Writer {
        words: &mut h,
        at: 0,
        flags: 0,
    };
    head(&mut w);
    // Written outside the assertion: the flags word is part of the header
    // in every build, not only where debug assertions run.
    let written = w.finish(has_flags);
    debug_assert_eq!(written, N, "a header's walk covers its words");
    h
}

/// Splits `words` into the header and the spans, without copying.
fn split<const N: usize>(words: &[u64]) -> Option<(&[u64; N], &[u64])> {
    let (header, spans) = words.split_first_chunk::<N>()?;
    Some((header, spans))
}

/// The start's layout (see [`START`]).
#[inline(always)]
fn walk_start(w: &mut impl Walk, r: &mut StartRequest) {
    w.word(&mut r.tenant);
    w.principal(&mut r.actor);
    w.principal(&mut r.target);
    w.opt(&mut r.reason, 0);
    w.opt(&mut r.ttl_seconds, 1);
    w.opt(&mut r.domain, 2);
    let (mut id, mut target) = r.actor_session.map_or((0, 0), |s| (s.id, s.target));
    let mut present = r.actor_session.is_some();
    w.word(&mut id);
    w.word(&mut target);
    w.flag(&mut present, 3);
    r.actor_session = present.then_some(SessionRef { id, target });
    w.flag(&mut r.consent_on_behalf, 4);
    // The scope's words are the tail (`StartRequest::tail`); the header
    // says only that it is there.
    let mut scoped = r.scope.is_some();
    w.flag(&mut scoped, 5);
    r.scope = scoped.then(|| r.scope.unwrap_or_default());
    w.word(&mut r.now);
}

/// Splits off a start's tail when its header says there is one: the
/// spans, and the scope read from the tail. A tail that is not there
/// (fewer words than it needs) reads as no scope.
fn split_tail(scoped: bool, rest: &[u64]) -> (&[u64], Option<Scope>) {
    match rest.split_last_chunk::<START_TAIL>() {
        Some((spans, &[actions, resources])) if scoped => (spans, Some(Scope { actions, resources })),
        _ => (rest, None),
    }
}

/// One action's layout (see [`ACTION_ITEM`]).
#[inline(always)]
fn walk_action_item(w: &mut impl Walk, action: &mut u64, resource: &mut Option<u64>) {
    w.word(action);
    w.opt(resource, 0);
}

/// The action's layout (see [`ACTION`]).
#[inline(always)]
fn walk_action(w: &mut impl Walk, r: &mut ActionRequest) {
    w.word(&mut r.tenant);
    let s = &mut r.session;
    w.word(&mut s.id);
    w.principal(&mut s.actor);
    w.principal(&mut s.target);
    w.word(&mut s.started_at);
    w.word(&mut s.expires_at);
    w.opt(&mut s.domain, 0);
    w.opt(&mut s.reason, 1);
    w.flag(&mut s.read_only, 3);
    w.word(&mut r.action);
    w.opt(&mut r.resource, 2);
    w.word(&mut r.now);
}

impl StartRequest {
    /// The text and words that cross the boundary.
    pub fn to_words(&self) -> Vec<u64> {
        let mut words = join(&self.header(), &self.spans);
        words.extend(self.tail().into_iter().flatten());
        words
    }

    /// The words after the spans: the scope's, when it asks for one.
    pub fn tail(&self) -> Option<[u64; START_TAIL]> {
        self.scope.map(|s| [s.actions, s.resources])
    }

    /// The header words, for a request packed in place (see
    /// [`Packer::over`](super::Packer::over)).
    pub fn header(&self) -> [u64; START] {
        // The scalar facts only: no allocation.
        let mut head = Self {
            text: String::new(),
            spans: Vec::new(),
            ..*self
        };
        write(|w| walk_start(w, &mut head), true)
    }

    /// The header's facts (with empty `text` and `spans`, which cost no
    /// allocation) and the spans after it: how a policy reads a request
    /// in place. `None` when `words` is shorter than the header.
    pub fn read_header(words: &[u64]) -> Option<(Self, &[u64])> {
        let (h, rest) = split::<START>(words)?;
        let mut head = Self::default();
        walk_start(&mut Reader::new(h, true), &mut head);
        let (spans, scope) = split_tail(head.scope.is_some(), rest);
        head.scope = scope;
        Some((head, spans))
    }
}

impl ApprovalRequest {
    /// The text and words that cross the boundary.
    pub fn to_words(&self) -> Vec<u64> {
        let mut words = join(&self.header(), &self.start.spans);
        words.extend(self.start.tail().into_iter().flatten());
        words
    }

    /// As [`StartRequest::header`]: the start's header, then the approver.
    pub fn header(&self) -> [u64; APPROVAL] {
        let mut h = [0u64; APPROVAL];
        h[..START].copy_from_slice(&self.start.header());
        let mut approver = self.approver;
        let approver: [u64; PRINCIPAL] = write(|w| w.principal(&mut approver), false);
        h[START..].copy_from_slice(&approver);
        h
    }

    /// As [`StartRequest::read_header`].
    pub fn read_header(words: &[u64]) -> Option<(Self, &[u64])> {
        let (h, rest) = split::<APPROVAL>(words)?;
        let mut start = StartRequest::default();
        walk_start(&mut Reader::new(&h[..START], true), &mut start);
        let (spans, scope) = split_tail(start.scope.is_some(), rest);
        start.scope = scope;
        let mut head = Self {
            start,
            approver: Principal::default(),
        };
        Reader::new(&h[START..], false).principal(&mut head.approver);
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
        let mut head = Self {
            text: String::new(),
            spans: Vec::new(),
            ..*self
        };
        write(|w| walk_action(w, &mut head), true)
    }

    /// As [`StartRequest::read_header`].
    pub fn read_header(words: &[u64]) -> Option<(Self, &[u64])> {
        let (h, spans) = split::<ACTION>(words)?;
        let mut head = Self::default();
        walk_action(&mut Reader::new(h, true), &mut head);
        Some((head, spans))
    }
}

#[cfg(test)]
mod tests;
