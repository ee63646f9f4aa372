//! Sessions: a [`Host`] for decisions and a [`Store`] for what was decided.
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
//! same actor, [`Sessions::sweep`] or the [`Sweeper`] thread) records it as
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
//! messages [`crate::outbox`], and [`crate::TenantSessions`] is one
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
pub use batch::{ActionCall, MAX_BATCH_CALLS};
pub use changes::{MAX_MESSAGE_BYTES, new_session_id};
pub use errors::{PolicyUnavailable, SessionError};
pub use reevaluate::Reevaluated;
pub use sweeper::{Sweeper, SweeperRole};

use crate::audit::{AuditEvent, TenantChain, VerifyOptions};
use crate::decision::Decision;
use crate::decision::PolicyRef;
use crate::model::{EndReason, SessionRecord, SessionState};
use crate::store::{AuditFilter, Store, StoreError};
use changes::secs;
use chrono::{DateTime, Utc};
use serde::Serialize;
use standin_engine::Host;
use standin_engine::Policy;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

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
        }
    }
}

/// The session as it is at `now`: when due, as its expiry will be recorded.
fn as_of(s: SessionRecord, now: DateTime<Utc>) -> SessionRecord {
    if s.is_due(now) {
        changes::ended(&s, changes::expiry_reason(&s), s.deadline(), None)
    } else {
        s
    }
}

/// Sessions of every tenant: decisions by a [`Host`], records in a [`Store`].
/// Safe to share between threads.
#[derive(Debug)]
pub struct Sessions {
    pub(crate) host: Host,
    pub(crate) store: Arc<dyn Store>,
    /// Loaded policies by tenant and version (a version never changes).
    pub(crate) loaded: RwLock<HashMap<(String, u32), (Policy, PolicyRef)>>,
    /// Active sessions as this process last wrote or read them (see `authorize`).
    pub(crate) active: Arc<authorize::ActiveCache>,
    /// Whether a tenant without a stored policy gets the built-in one
    /// (version 0) instead of `policy-unavailable` (T1).
    pub(crate) builtin_fallback: bool,
    /// Authenticates compiled artifacts in the store (see `policies`); without
    /// one, artifacts are neither trusted nor written.
    pub(crate) host_key: Option<crate::HostKey>,
    /// Wakes the sweeper when a start or an extension sets a deadline.
    pub(crate) wake: Arc<sweeper::Wake>,
    /// What the checkpointer (if one was started) did so far.
    pub(crate) checkpoints: crate::audit::checkpointer::Counts,
    /// Signs sessions' tokens (see `tokens`); none without a key.
    pub(crate) tokens: Option<Arc<crate::access::TokenKeys>>,
    /// What the store authenticates with and dates by (see
    /// [`crate::integrity`]); keyed once there is a host key.
    pub(crate) integrity: crate::integrity::Integrity,
    /// The deepest nesting of sessions the host allows, whatever a policy
    /// says (0: none).
    pub(crate) max_depth: u32,
}

/// How deep sessions may nest by default: a session started from a
/// session started from another (depth 2), no deeper.
pub const DEFAULT_MAX_DEPTH: u32 = 2;

impl Sessions {
    pub fn new(host: Host, store: Arc<dyn Store>) -> Self {
        Self {
            host,
            store,
            loaded: RwLock::new(HashMap::new()),
            active: Arc::default(),
            builtin_fallback: false,
            host_key: None,
            wake: Arc::default(),
            checkpoints: crate::audit::checkpointer::Counts::default(),
            tokens: None,
            integrity: crate::integrity::Integrity::default(),
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }

    /// Lets the caller date changes freely (the CLI's `--now`, tests):
    /// otherwise a change dated more than
    /// [`Integrity::max_ahead`](crate::integrity::Integrity::max_ahead)
    /// past the real clock is refused, so one far-future event cannot
    /// drag a tenant's trail with it.
    pub fn with_test_clock(mut self, on: bool) -> Self {
        self.integrity = self.integrity.clone().with_test_clock(on);
        self.store.set_integrity(self.integrity.clone());
        self
    }

    /// The deepest nesting the host allows (E7), whatever the policy
    /// allows: a start that would nest deeper is denied
    /// `nested-impersonation`.
    pub fn with_max_depth(mut self, depth: u32) -> Self {
        self.max_depth = depth;
        self
    }

    /// The keys the store authenticates with, when there is a host key.
    pub fn keyring(&self) -> Option<&crate::integrity::Keyring> {
        self.integrity.keyring()
    }

    /// Lets a tenant that never stored a policy run on the built-in one
    /// with its defaults (version 0). Off by default: such a tenant's starts
    /// are denied `policy-unavailable` (T1), so a misspelt tenant (`Acme`
    /// for `acme`) never escapes its tenant's rules.
    pub fn with_builtin_fallback(mut self, on: bool) -> Self {
        self.builtin_fallback = on;
        self
    }

    /// Trusts and writes compiled artifacts authenticated with `key`, a
    /// secret kept outside the store. Without a key every process compiles
    /// the components it loads (slower, never less safe).
    ///
    /// The key also authenticates what the store keeps (see
    /// [`crate::integrity`]): audit events are chained with it, and rows
    /// the host acts on carry its tags. Every replica of one database
    /// needs the same key.
    pub fn with_host_key(mut self, key: crate::HostKey) -> Self {
        self.integrity = self
            .integrity
            .clone()
            .with_keyring(Some(crate::integrity::Keyring::new(&key)));
        self.store.set_integrity(self.integrity.clone());
        self.host_key = Some(key);
        self
    }

    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    /// Session `id` as stored, or the error that names it unknown.
    pub(crate) fn stored(&self, id: &str) -> Result<SessionRecord, SessionError> {
        Ok(self
            .store
            .session(id)?
            .ok_or_else(|| StoreError::UnknownSession(id.to_string()))?)
    }

    /// The banner as [`Sessions::status`] would answer it, without writing
    /// (so on a read-only store too): a session past its deadline is shown
    /// ended, `expired`, at its deadline, exactly as its expiry will be
    /// recorded by the next call that touches it, [`Sessions::sweep`] or the
    /// sweeper. Nothing is lost by not recording it here: the expiry
    /// depends on the stored row alone (`ended_at` is the deadline, not the
    /// time it is noticed), and no later call can undo it.
    pub fn peek_status(&self, id: &str, now: DateTime<Utc>) -> Result<Banner, SessionError> {
        let now = secs(now);
        Ok(Banner::of(&as_of(self.stored(id)?, now), now))
    }

    /// A tenant's sessions, newest first, as [`Sessions::list`] would
    /// answer, without recording due expiries (see [`Sessions::peek_status`]).
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

    /// Audit events matching `filter`, by tenant and `seq`.
    pub fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, SessionError> {
        Ok(self.store.audit(filter)?)
    }

    /// Recomputes the hash chain of `tenant` (default: every tenant) and
    /// compares its sessions and policy versions with it; with checkpoints:
    /// [`Sessions::verify_with`].
    pub fn verify(&self, tenant: Option<&str>) -> Result<Vec<TenantChain>, SessionError> {
        self.verify_with(&VerifyOptions {
            tenant,
            ..VerifyOptions::default()
        })
    }
}
