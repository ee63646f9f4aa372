//! Sessions: a [`Host`](crate::Host) for decisions and a [`Store`](crate::Store) for what was decided.
//!
//! [`Sessions`] starts impersonation sessions with the tenant's active
//! policy (filling `actor_session` from the store, E7), keeps them to their
//! deadline (S1, S3), answers the banner (S4), guards each action with the
//! policy version the session started under (S7, F1-F6), and writes every
//! event to the tenant's hash-chained audit trail (A1-A3) and the messages
//! for the target to the outbox (N1), in the same transaction as the
//! session change they describe.
//!
//! Times are whole seconds: `now` is truncated. A session is active while
//! `now < expires_at`; at its deadline it is expired, and the first thing
//! that touches it (status, authorize, end, extend, revoke, a start by the
//! same actor, [`Sessions::sweep`](crate::sessions::Sessions::sweep) or the [`Sweeper`] thread) records it as
//! ended with `end_reason` `expired` and `ended_at` = the deadline.
//!
//! Standin only ever ends impersonation sessions: nothing here touches the
//! target's own login sessions (S5); the platform keeps those.
//!
//! Nesting (E7): the host tells the policy about the actor's current
//! session; when the policy still allows the start (`allow_nested`), the new
//! session records its `parent` and runs one `depth` deeper. One active
//! session per actor and depth is enforced by the store, whatever a policy
//! says.
//!
//! The code: this file has the types and the read-only views; `start` a
//! start (E1-E10, S6); `approval` the answers to a start that waits for
//! approval (AP1); `lifecycle` end, extend, revoke, expiry; `reevaluate`
//! new facts about a principal and revoking an actor's sessions;
//! `authorize` the per-action guard (the hot path, with its cache of
//! active sessions); `batch` the same guard for many calls with one wait;
//! `changes` the audit events and messages each change writes; `sweeper`
//! the background expiry thread. Policies are resolved in
//! [`crate::policies`], the trail is checked and signed in
//! [`crate::audit`], keys, tokens and origins are [`crate::access`], the
//! messages [`crate::outbox`], and [`crate::Tenant`] is one
//! tenant's window on all of it.

mod approval;
mod authorize;
mod batch;
pub(crate) mod changes;
mod errors;
mod lifecycle;
mod reevaluate;
mod start;
mod sweeper;

pub use approval::ApprovalOutcome;
pub(crate) use authorize::ActiveCache;
pub use batch::{ActionCall, MAX_BATCH_CALLS};
pub use changes::{MAX_MESSAGE_BYTES, new_session_id};
pub use errors::{PolicyUnavailable, SessionError};
pub use reevaluate::Reevaluated;
pub(crate) use sweeper::Wake;
pub use sweeper::{Sweeper, SweeperRole};

use crate::Standin;
use crate::decision::Decision;
use crate::decision::PolicyRef;
use crate::model::{EndReason, SessionRecord, SessionState};
use changes::secs;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Reason codes the session layer adds to the contract's.
pub mod session_codes {
    /// The session reached its deadline (S3).
    pub const SESSION_EXPIRED: &str = "session-expired";
    /// The session was ended or revoked (S2).
    pub const SESSION_ENDED: &str = "session-ended";
    /// The session waits for approval: nothing may be done in it yet (AP1).
    pub const SESSION_PENDING: &str = "session-pending";
}

/// The banner shows the last this many seconds as expiring soon (S3, S4).
pub const EXPIRING_SOON_SECONDS: i64 = 300;

/// What a start came to: a session, or the deny.
#[derive(Debug, Clone)]
pub struct StartOutcome {
    pub decision: Decision,
    pub session: Option<SessionRecord>,
    /// The policy version that decided.
    pub policy: PolicyRef,
}

/// What an extension came to: the decision, and the session as it is now.
#[derive(Debug, Clone)]
pub struct ExtendOutcome {
    pub decision: Decision,
    pub session: SessionRecord,
    /// The extension was allowed but would have ended the session sooner
    /// than it already ends: an extension never shortens a session, so its
    /// expiry was kept (the audit event says so too).
    pub kept_expiry: bool,
}

/// The answer to an action inside a session.
#[derive(Debug, Clone, Serialize)]
pub struct Authorization {
    #[serde(flatten)]
    pub decision: Decision,
    /// The target: whose rights the action runs with.
    pub acting_as: String,
    /// The actor: who really does it.
    pub on_behalf_of: String,
    pub session: String,
    /// The policy version that decided: the one the session started under.
    pub policy: PolicyRef,
}

/// The banner facts (S4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Banner {
    pub id: String,
    pub tenant: String,
    pub actor: String,
    pub target: String,
    pub state: SessionState,
    pub expires_at: DateTime<Utc>,
    pub remaining_seconds: i64,
    pub expiring_soon: bool,
    pub end_reason: Option<EndReason>,
    pub return_to: Option<String>,
    pub read_only: bool,
    /// What the session may do (SC1), when it is scoped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<standin_engine::Scope>,
    /// Its idle timeout (IT1), when it has one: `expires_at` is then the
    /// earlier of its expiry and its idle deadline, and `expiring_soon`
    /// warns in the last minute of either.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout_seconds: Option<u64>,
}

impl Banner {
    pub fn of(s: &SessionRecord, now: DateTime<Utc>) -> Self {
        let remaining = if s.is_active() {
            (s.deadline() - now).num_seconds().max(0)
        } else {
            0
        };
        Self {
            id: s.id.clone(),
            tenant: s.tenant.clone(),
            actor: s.actor.clone(),
            target: s.target.clone(),
            state: s.state,
            expires_at: s.deadline(),
            remaining_seconds: remaining,
            expiring_soon: s.is_active() && remaining > 0 && remaining <= EXPIRING_SOON_SECONDS,
            end_reason: s.end_reason,
            return_to: s.return_to.clone(),
            read_only: s.read_only,
            scope: s.scope.clone(),
            idle_timeout_seconds: s.idle_timeout_seconds,
        }
    }
}

/// The session as it is at `now`: when due, as its expiry will be recorded.
fn as_of(s: SessionRecord, now: DateTime<Utc>) -> SessionRecord {
    if s.is_due(now) {
        s.ended(s.expiry_reason(), s.deadline(), None)
    } else {
        s
    }
}

/// The sessions of every tenant: start, approve, end, extend, revoke,
/// status and lists, and the per-action guard; from [`Standin::sessions`].
#[derive(Debug, Clone, Copy)]
pub struct Sessions<'a>(pub(crate) &'a Standin);

impl std::ops::Deref for Sessions<'_> {
    type Target = Standin;

    fn deref(&self) -> &Standin {
        self.0
    }
}

impl Sessions<'_> {
    /// The banner as [`Sessions::status`](crate::sessions::Sessions::status) would answer it, without writing
    /// (so on a read-only store too): a session past its deadline is shown
    /// ended, `expired`, at its deadline, exactly as its expiry will be
    /// recorded by the next call that touches it, [`Sessions::sweep`](crate::sessions::Sessions::sweep) or the
    /// sweeper. Nothing is lost by not recording it here: the expiry
    /// depends on the stored row alone (`ended_at` is the deadline, not the
    /// time it is noticed), and no later call can undo it.
    pub fn peek_status(&self, id: &str, now: DateTime<Utc>) -> Result<Banner, SessionError> {
        let now = secs(now);
        Ok(Banner::of(&as_of(self.stored(id)?, now), now))
    }

    /// A tenant's sessions, newest first, as [`Sessions::list`](crate::sessions::Sessions::list) would
    /// answer, without recording due expiries (see [`Sessions::peek_status`](crate::sessions::Sessions::peek_status)).
    pub fn peek_list(
        &self,
        tenant: &str,
        active_only: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionRecord>, SessionError> {
        let now = secs(now);
        Ok(self
            .store
            .sessions(tenant, active_only)?
            .into_iter()
            .map(|s| as_of(s, now))
            .filter(|s| !active_only || s.is_open())
            .collect())
    }

    /// One page of [`Self::peek_list`]: at most `limit` sessions listed
    /// after session `after` (a page may hold fewer than `limit` when
    /// `active_only` drops sessions past their deadline; the next page
    /// starts after the last session read, see the second value).
    pub fn peek_page(
        &self,
        tenant: &str,
        active_only: bool,
        after: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<(Vec<SessionRecord>, Option<String>), SessionError> {
        let now = secs(now);
        let page = self.store.sessions_page(tenant, active_only, after, limit)?;
        let next = (page.len() == limit)
            .then(|| page.last().map(|s| s.id.clone()))
            .flatten();
        let page = page
            .into_iter()
            .map(|s| as_of(s, now))
            .filter(|s| !active_only || s.is_open())
            .collect();
        Ok((page, next))
    }
}
