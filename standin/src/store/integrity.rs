//! What the host trusts of what the database gives back, and what time a
//! change is written at.
//!
//! **Why keys.** A hash chain proves rows were not edited only to someone
//! who cannot recompute it: a database writer can append an event with a
//! valid hash, insert a session row that says `active`, or store a policy
//! version with permissive settings, and every unkeyed check agrees. So
//! once the host has its key (the host key file, kept outside the
//! database and shared by every replica as a secret), every write is
//! authenticated with keys derived from it ([`Keyring`]):
//!
//! - audit events are chained with an HMAC ([`crate::audit::CHAIN_V3`]);
//!   after a tenant's first keyed event, an unkeyed one is a break (no
//!   downgrade);
//! - each row the host grants access from carries a tag: session rows
//!   (state, times, principals, read-only, domain, parent, depth, ceiling:
//!   every column), policy versions (digest, settings, who and when), the
//!   active-version mark, API keys (tenant, scope, the secret's hash,
//!   times), each allowed `return_to` origin, and a tenant's notification
//!   settings. A row whose tag does not hold, or that has none, is refused
//!   when read ([`StoreError::Forged`]): a deny, never an allow (a key does
//!   not authenticate, an origin is not allowed); notification settings
//!   fall back to the defaults, which notify, since a forged row can only
//!   mean to silence the target. `audit verify` reports each such row.
//!
//! What a database writer can still do is named in SECURITY.md: delete
//! (denial of service), or put back a row exactly as the host once wrote
//! it (a replay: found by `audit verify`, bounded by the 24 h cap).
//!
//! **Why one time per change.** A tenant's trail never runs backwards, so
//! an event dated before the chain's head takes the head's time. Its row
//! must say the same time, or `audit verify` reports a disagreement no
//! one caused: [`Integrity::stamp`] lifts a whole change (its events, its
//! session row's start or end, its messages) to the head, keeping its
//! durations, under the chain lock, before anything is written. And a
//! single event far in the future would drag every later event with it, so
//! a time more than [`Integrity::max_ahead`] past the real clock is
//! refused unless a test clock is on (the CLI's `--now`).

use super::keyring::Keyring;
use crate::access::ApiKey;
use crate::audit::{AuditEvent, events};
use crate::model::{Notifications, SessionRecord};
use crate::policies::StoredPolicy;
use crate::store::{Change, StoreError};
use crate::webhooks::Endpoint;
use chrono::{DateTime, TimeDelta, Utc};

/// How far ahead of the real clock a change may be dated, by default.
pub const DEFAULT_MAX_AHEAD_SECONDS: i64 = 300;

fn forged_policy(tenant: &str, version: u32) -> StoreError {
    StoreError::Forged(format!("tenant `{tenant}`'s policy version {version}"))
}

/// What a store is told by the host it serves: the keys it authenticates
/// rows and events with (none: unkeyed, as before), and the clock rule.
#[derive(Debug, Clone)]
pub struct Integrity {
    keyring: Option<Keyring>,
    /// A test clock is on: any time is accepted (the CLI's `--now`).
    test_clock: bool,
    /// How far past the real clock a change may be dated.
    max_ahead: TimeDelta,
}

impl Default for Integrity {
    fn default() -> Self {
        Self {
            keyring: None,
            test_clock: false,
            max_ahead: TimeDelta::seconds(DEFAULT_MAX_AHEAD_SECONDS),
        }
    }
}

impl Integrity {
    pub fn with_keyring(mut self, keyring: Option<Keyring>) -> Self {
        self.keyring = keyring;
        self
    }

    /// Times are the caller's to choose (tests, `--now`): none is refused
    /// for being ahead of the real clock.
    pub fn with_test_clock(mut self, on: bool) -> Self {
        self.test_clock = on;
        self
    }

    pub fn keyring(&self) -> Option<&Keyring> {
        self.keyring.as_ref()
    }

    pub fn max_ahead(&self) -> TimeDelta {
        self.max_ahead
    }

    /// Session row `s`'s tag, to store with it (`None`: unkeyed).
    pub fn session_tag(&self, s: &SessionRecord) -> Option<String> {
        self.keyring.as_ref().map(|k| k.session_tag(s))
    }

    /// `s` as read with `tag`, if the tag holds (or the store is unkeyed).
    pub fn check_session(&self, s: SessionRecord, tag: Option<&str>) -> Result<SessionRecord, StoreError> {
        match &self.keyring {
            Some(k) if !k.session_holds(&s, tag) => Err(StoreError::Forged(format!("session `{}`", s.id))),
            _ => Ok(s),
        }
    }

    /// Policy version `p`'s tag, to store with it.
    pub fn policy_tag(&self, p: &StoredPolicy) -> Option<String> {
        self.keyring.as_ref().map(|k| k.policy_tag(p))
    }

    /// `p` as read with `tag`, if the tag holds (or the store is unkeyed).
    pub fn check_policy(&self, p: StoredPolicy, tag: Option<&str>) -> Result<StoredPolicy, StoreError> {
        match &self.keyring {
            Some(k) if !k.policy_holds(&p, tag) => Err(forged_policy(&p.tenant, p.version)),
            _ => Ok(p),
        }
    }

    /// The tag of the mark that makes a version active at `at`.
    pub fn active_tag(&self, tenant: &str, version: u32, digest: &str, at: DateTime<Utc>) -> Option<String> {
        self.keyring.as_ref().map(|k| k.active_tag(tenant, version, digest, at))
    }

    /// Whether the active mark read (`at`, `tag`) holds for that version.
    pub fn check_active(
        &self,
        tenant: &str,
        version: u32,
        digest: &str,
        at: Option<DateTime<Utc>>,
        tag: Option<&str>,
    ) -> Result<(), StoreError> {
        match &self.keyring {
            Some(k) if !at.is_some_and(|at| k.active_holds(tenant, version, digest, at, tag)) => {
                Err(StoreError::Forged(format!(
                    "the active mark of tenant `{tenant}`'s policy version {version}"
                )))
            }
            _ => Ok(()),
        }
    }

    /// API key row `key` (whose secret hashes to `hash`)'s tag, to store
    /// with it.
    pub fn key_tag(&self, key: &ApiKey, hash: &str) -> Option<String> {
        self.keyring.as_ref().map(|k| k.key_tag(key, hash))
    }

    /// `key` as read with `hash` and `tag`, if the tag holds (or the store
    /// is unkeyed): a key row a database writer inserted or edited (an
    /// `admin` key, a revoke undone) authenticates nothing.
    pub fn check_key(&self, key: ApiKey, hash: &str, tag: Option<&str>) -> Result<ApiKey, StoreError> {
        match &self.keyring {
            Some(k) if !k.key_holds(&key, hash, tag) => Err(StoreError::Forged(format!("API key `{}`", key.id))),
            _ => Ok(key),
        }
    }

    /// The tag of `tenant`'s document row of `kind`, to store with it.
    pub(crate) fn document_tag(&self, kind: super::documents::Document, tenant: &str, text: &str) -> Option<String> {
        self.keyring
            .as_ref()
            .map(|k| k.document_tag(kind.domain(), tenant, text))
    }

    /// Whether `tenant`'s document row of `kind`, read with `tag`, holds
    /// (or the store is unkeyed): a route table a database writer wrote or
    /// edited (an action remapped to one the policy allows) routes nothing,
    /// and an issuer it added (its own keys) verifies no token.
    pub(crate) fn check_document(
        &self,
        kind: super::documents::Document,
        tenant: &str,
        text: &str,
        tag: Option<&str>,
    ) -> Result<(), StoreError> {
        match &self.keyring {
            Some(k) if !k.document_holds(kind.domain(), tenant, text, tag) => {
                Err(StoreError::Forged(format!("{} of tenant `{tenant}`", kind.what())))
            }
            _ => Ok(()),
        }
    }

    /// A webhook endpoint row's tag, to store with it.
    pub(crate) fn endpoint_tag(&self, e: &Endpoint) -> Option<String> {
        self.keyring.as_ref().map(|k| k.endpoint_tag(e))
    }

    /// `e` as read with `tag`, if the tag holds (or the store is unkeyed):
    /// an endpoint a database writer inserted or pointed elsewhere
    /// receives nothing.
    pub(crate) fn check_endpoint(&self, e: Endpoint, tag: Option<&str>) -> Result<Endpoint, StoreError> {
        match &self.keyring {
            Some(k) if !k.endpoint_holds(&e, tag) => Err(StoreError::Forged(format!("webhook endpoint `{}`", e.id))),
            _ => Ok(e),
        }
    }

    /// The tag of the row allowing `origin` as `tenant`'s `return_to`.
    pub fn origin_tag(&self, tenant: &str, origin: &str) -> Option<String> {
        self.keyring.as_ref().map(|k| k.origin_tag(tenant, origin))
    }

    /// Whether the row allowing `origin` for `tenant`, read with `tag`,
    /// holds (or the store is unkeyed). A store skips an origin whose row
    /// does not hold: it is not allowed.
    pub fn check_origin(&self, tenant: &str, origin: &str, tag: Option<&str>) -> Result<(), StoreError> {
        match &self.keyring {
            Some(k) if !k.origin_holds(tenant, origin, tag) => Err(StoreError::Forged(format!(
                "the `return_to` origin `{origin}` of tenant `{tenant}`"
            ))),
            _ => Ok(()),
        }
    }

    /// `tenant`'s notification settings row's tag, to store with it.
    pub fn notifications_tag(&self, tenant: &str, n: &Notifications) -> Option<String> {
        self.keyring.as_ref().map(|k| k.notifications_tag(tenant, n))
    }

    /// `n` as read for `tenant` with `tag`, if the tag holds (or the
    /// store is unkeyed).
    pub fn check_notifications(
        &self,
        tenant: &str,
        n: Notifications,
        tag: Option<&str>,
    ) -> Result<Notifications, StoreError> {
        match &self.keyring {
            Some(k) if !k.notifications_hold(tenant, &n, tag) => Err(StoreError::Forged(format!(
                "the notification settings of tenant `{tenant}`"
            ))),
            _ => Ok(n),
        }
    }

    /// The notification settings in force for `tenant`, given the row read
    /// (`None`: no row): the row if its tag holds, else the defaults.
    /// Failing closed here means notifying: a row the host key does not
    /// authenticate can only be meant to silence the target (or change
    /// what it is told), so it is ignored, not obeyed, and `audit verify`
    /// reports it.
    pub fn notifications_in_force(&self, tenant: &str, row: Option<(Notifications, Option<String>)>) -> Notifications {
        match row {
            Some((n, tag)) => self.check_notifications(tenant, n, tag.as_deref()).unwrap_or_default(),
            None => Notifications::default(),
        }
    }

    /// Refuses `at` when it is more than [`Self::max_ahead`] past the real
    /// clock and no test clock is on.
    fn check_time(&self, at: DateTime<Utc>) -> Result<(), StoreError> {
        if self.test_clock {
            return Ok(());
        }
        let real = Utc::now();
        if at > real + self.max_ahead {
            return Err(StoreError::Clock { at, real });
        }
        Ok(())
    }

    /// The time a change dated `at` is written at, after a head at
    /// `head_at`: the later of the two, checked against the real clock.
    pub fn lift_time(&self, at: DateTime<Utc>, head_at: Option<DateTime<Utc>>) -> Result<DateTime<Utc>, StoreError> {
        let at = head_at.map_or(at, |h| at.max(h));
        self.check_time(at)?;
        Ok(at)
    }

    /// Lifts `change` to the chain's head: each event dated before the
    /// time of the event before it (the head's, for the first) takes that
    /// time, and so do the session row's start or end and the messages it
    /// wrote; a start or approval keeps its length (its deadline and
    /// ceiling move by as much). Every time is then checked against the
    /// real clock (`check_time`, below). Called by every backend under
    /// the chain lock, before it writes the change.
    pub fn stamp(&self, change: &mut Change, head_at: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        let mut floor = head_at;
        for i in 0..change.audit.len() {
            if let Some(f) = floor
                && change.audit[i].at < f
            {
                let from = change.audit[i].at;
                lift_event(change, i, from, f);
            }
            let at = change.audit[i].at;
            self.check_time(at)?;
            floor = Some(floor.map_or(at, |f| f.max(at)));
        }
        Ok(())
    }
}

/// Moves event `i` of `change` from `from` to `to`, and what of its row and
/// messages says `from`.
fn lift_event(change: &mut Change, i: usize, from: DateTime<Utc>, to: DateTime<Utc>) {
    let delta = to - from;
    let e: &mut AuditEvent = &mut change.audit[i];
    e.at = to;
    e.seal.digest = None;
    let starts = matches!(
        e.event.as_str(),
        events::SESSION_STARTED | events::SESSION_REQUESTED | events::SESSION_APPROVED
    );
    if starts && let Some(x) = e.expires_at {
        e.expires_at = Some(x + delta);
    }
    let session = e.session.clone();
    let event = e.event.clone();
    for row in [change.insert.as_mut(), change.update.as_mut()].into_iter().flatten() {
        if Some(&row.id) != session.as_ref() {
            continue;
        }
        match event.as_str() {
            events::SESSION_STARTED | events::SESSION_REQUESTED | events::SESSION_APPROVED => {
                if row.started_at == from {
                    row.started_at = to;
                    row.expires_at += delta;
                    row.max_expires_at += delta;
                }
                if let Some(a) = row.approval.as_mut() {
                    if a.requested_at == from && event != events::SESSION_APPROVED {
                        a.requested_at = to;
                    }
                    if a.approved_at == Some(from) {
                        a.approved_at = Some(to);
                    }
                }
            }
            events::SESSION_ENDED if row.ended_at == Some(from) => row.ended_at = Some(to),
            _ => {}
        }
    }
    for m in &mut change.outbox {
        if m.created_at == from && Some(&m.session) == session.as_ref() {
            m.created_at = to;
        }
    }
}
