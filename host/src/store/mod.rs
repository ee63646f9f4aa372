//! Where sessions, tenant policies, the audit trail and the outbox live.
//!
//! [`Store`] is small and synchronous, and knows nothing of policies: the
//! session logic ([`crate::session`]) decides, the store applies. Every
//! change that must be atomic (a session row, its audit events and its
//! outbox messages) is one [`Change`], applied in one transaction; a start
//! or a state change reads the rows it depends on inside that same
//! transaction (see [`Store::start`], [`Store::modify`]), so two callers,
//! in two threads or two processes, never both win.
//!
//! Actions' audit rows, the hot path, have their own entry,
//! [`Store::append_action`]: the store checks the session is still active
//! when it appends, and may batch appends from many callers into one
//! transaction ([`AuditMode`]).
//!
//! [`SqliteStore`] is the embedded default: one file, WAL fsync'd before any answer,
//! group commit of actions' audit rows.

mod outbox;
mod policies;
mod records;
#[cfg(feature = "sqlite")]
mod sqlite;

pub(crate) use crate::audit::hex;
pub use crate::audit::{AuditEvent, RequestFacts, Seal, action_request_json, events, is_action_request_json};
pub use crate::audit::{
    CHAIN_V1, CHAIN_V2, GENESIS_HASH, SessionDigests, chain_hash, chain_hash_v2, expected_hash, row_digest,
    row_digest_after, session_digest,
};
pub use crate::decision::PolicyRef;
pub use outbox::{Acked, NewMessage, Notifications, OutboxMessage, kinds};
pub use policies::{ArtifactKey, NewPolicy, StoredPolicy, settings_note};
pub use records::{Applied, Approval, AuditFilter, Change, EndReason, SessionRecord, SessionState, Trail};
#[cfg(feature = "sqlite")]
pub use sqlite::{BUSY_TIMEOUT, MIGRATIONS, SqliteStore};

use crate::keys::ApiKey;
use chrono::{DateTime, Utc};

/// Upper bounds, in seconds, of the latency buckets of [`AuditStats`].
pub const LATENCY_BUCKETS: [f64; 16] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// What the action audit writer has done since the store was opened.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct AuditStats {
    /// Calls queued and not yet taken by the writer.
    pub queued: usize,
    /// Group commits (one transaction each).
    pub commits: u64,
    /// Calls committed.
    pub rows: u64,
    /// Time spent in commits (append and commit; the log's fsync, when a
    /// sync thread does it, overlaps the next commit and is not counted).
    pub commit_seconds: f64,
    /// Commits per bucket of [`LATENCY_BUCKETS`] (not cumulative); commits
    /// slower than the last bound are only in `commits`.
    pub commit_buckets: [u64; LATENCY_BUCKETS.len()],
}

/// Told of session changes other processes committed ([`Store::watch_sessions`]):
/// `Some(id)` a session that changed, `None` when news may have been missed.
pub type SessionWatcher = Box<dyn Fn(Option<&str>) + Send + Sync>;

/// A backend's own error, kept as the source of a [`StoreError`] without
/// naming the backend's driver in this API.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why the store failed. No variant names a backend's driver: the error of
/// whichever database answered is the `source` of [`StoreError::Database`]
/// or [`StoreError::Open`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database or its driver failed; the driver's error is the source.
    #[error("database error: {0}")]
    Database(#[source] BoxError),
    #[error("cannot open database `{path}`: {source}")]
    Open { path: String, source: BoxError },
    #[error("database holds a malformed value in `{column}`: {message}")]
    Corrupt { column: &'static str, message: String },
    #[error("database schema version {found} is newer than this build understands ({known})")]
    TooNew { found: i64, known: i64 },
    #[error("no session `{0}`")]
    UnknownSession(String),
    #[error("audit writer: {0}")]
    Writer(String),
    #[error("cannot make `{path}` durable (fsync): {source}")]
    Sync { path: String, source: std::io::Error },
    #[error("tenant `{tenant}` has no policy version {version}")]
    UnknownVersion { tenant: String, version: u32 },
    #[error("tenant `{0}` has no earlier activation to roll back to")]
    NothingToRollBack(String),
    /// A read-only open ([`SqliteStore::open_read_only`]) found no file.
    #[error("no database at `{path}` (a command that only reads does not create one)")]
    Missing { path: String },
    #[error(
        "database `{path}` has schema version {found}, older than this build's ({known}); a read-only open does not migrate it"
    )]
    Outdated { path: String, found: i64, known: i64 },
    /// A write asked of a store opened read-only.
    #[error("the database was opened read-only: {0} cannot be written")]
    ReadOnly(&'static str),
    /// A [`Store`] implementation did not do what its trait promises.
    #[error("the store broke its contract: {0}")]
    Contract(&'static str),
}

/// When an action's audit rows are acknowledged (the durability of
/// `authorize`). Session changes (start, end, extend, revoke, expiry) are
/// always durable when their call returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditMode {
    /// `authorize` returns once its rows are committed (fsync'd), batched
    /// with those of concurrent calls (group commit).
    #[default]
    Durable,
    /// `authorize` returns once its rows are queued; they are committed in
    /// the background, in order, within about one commit's time. A crash
    /// loses the rows queued and not yet committed.
    Batched,
}

/// The audit rows of one action inside a session.
#[derive(Debug, Clone)]
pub struct ActionRecord {
    pub session: String,
    /// The call's time: the session must still be active at it.
    pub now: DateTime<Utc>,
    /// `action.allowed` / `action.denied`, and `policy.error` after a policy failure.
    pub audit: Vec<AuditEvent>,
}

/// What [`Store::append_action`] did.
#[derive(Debug, Clone)]
pub enum ActionAppended {
    /// Committed, durable: the rows as chained.
    Committed(Vec<AuditEvent>),
    /// Queued ([`AuditMode::Batched`]): committed later, as decided.
    Queued,
    /// Nothing written: when the rows were to be committed, the session was
    /// no longer active at the call's time (it ended, or reached its deadline).
    Inactive,
}

/// The storage of sessions, policies, audit and outbox.
///
/// # The contract every backend keeps
///
/// The session logic decides; the store applies, under these guarantees,
/// whichever processes share it (SQLite: one file; a server database: many
/// replicas). `tests/all/store_conformance.rs` checks them on every backend.
///
/// 1. **One chain per tenant, appended in order.** Every audit event of a
///    tenant gets the next `seq` (1, 2, ... with no gap and no repeat) and
///    is sealed onto the tenant's head (`prev_hash` = the previous event's
///    `hash`) inside the transaction that writes it. Two writers never
///    both append after the same head: appends of one tenant are
///    serialized (SQLite: the database write lock; a server database: a
///    lock on the tenant's chain head). An event's `at` is never before its
///    predecessor's.
/// 2. **One active session per (tenant, actor, depth).** [`Store::start`]
///    reads the actor's innermost active session and applies the start in
///    the same transaction, so two starts racing for one actor leave one
///    session; the other caller's `decide` sees the winner (or its start
///    fails, never both succeed).
/// 3. **An action's row is committed only while its session is active.**
///    [`Store::append_action`] checks, in the transaction that appends,
///    that the session is active and not past its deadline at the call's
///    `now`; otherwise it appends nothing and answers
///    [`ActionAppended::Inactive`]. An end, revoke or expiry and an action
///    racing it are decided by the order of their commits, and each caller
///    is told what the trail says.
/// 4. **A change is atomic.** A [`Change`] (a session row, its audit events,
///    its outbox messages) is applied whole or not at all; once a call
///    returns `Ok`, what it wrote is durable (except actions queued in
///    [`AuditMode::Batched`]).
/// 5. **Readers see committed state only**, and a read never blocks on an
///    in-flight write for longer than the store's busy timeout.
///
/// Backends answer [`StoreError`]; their driver's error rides as the
/// source of [`StoreError::Database`], so no backend's types leak into this
/// API.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Stores a component (once per digest) and a new version of the
    /// tenant's policy, active if `new.activate` (the previous version
    /// stays, inactive), with its `policy.uploaded` event
    /// ([`StoredPolicy::uploaded_event`]) in the same transaction.
    fn put_policy(&self, new: NewPolicy<'_>) -> Result<StoredPolicy, StoreError>;
    /// The tenant's active policy, if it ever stored one.
    fn active_policy(&self, tenant: &str) -> Result<Option<StoredPolicy>, StoreError>;
    /// Which version of the tenant's policy is active (the hot path of
    /// every start: no settings, no JSON).
    fn active_ref(&self, tenant: &str) -> Result<Option<PolicyRef>, StoreError>;
    /// One version of a tenant's policy.
    fn policy(&self, tenant: &str, version: u32) -> Result<Option<StoredPolicy>, StoreError>;
    /// Every version of a tenant's policy, oldest first.
    fn policies(&self, tenant: &str) -> Result<Vec<StoredPolicy>, StoreError>;
    /// The active version of every tenant that has one.
    fn active_policies(&self) -> Result<Vec<StoredPolicy>, StoreError>;
    /// Makes `version` the tenant's active policy (an activation pushed on
    /// its stack), in one transaction.
    fn activate(
        &self,
        tenant: &str,
        version: u32,
        by: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<StoredPolicy, StoreError>;
    /// Undoes the tenant's last activation: the version active before it
    /// becomes active again. [`StoreError::NothingToRollBack`] when there is none.
    fn rollback(&self, tenant: &str, by: Option<&str>, at: DateTime<Utc>) -> Result<StoredPolicy, StoreError>;
    /// A stored component's bytes.
    fn component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// A compiled artifact the host stored, if its checksum still matches.
    fn artifact(&self, key: &ArtifactKey) -> Result<Option<Vec<u8>>, StoreError>;
    /// Whether an artifact is stored for `key` (without reading it).
    fn has_artifact(&self, key: &ArtifactKey) -> Result<bool, StoreError>;
    /// Stores a compiled artifact of a stored component.
    fn put_artifact(&self, key: &ArtifactKey, bytes: &[u8], at: DateTime<Utc>) -> Result<(), StoreError>;

    fn notifications(&self, tenant: &str) -> Result<Notifications, StoreError>;
    fn set_notifications(&self, tenant: &str, notifications: &Notifications) -> Result<(), StoreError>;
    /// Origins (`https://host[:port]`) the tenant allows as `return_to`.
    fn return_origins(&self, tenant: &str) -> Result<Vec<String>, StoreError>;
    /// Replaces the tenant's allowed `return_to` origins.
    fn set_return_origins(&self, tenant: &str, origins: &[String]) -> Result<(), StoreError>;

    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// A tenant's sessions, newest first; with `active_only`, those not
    /// ended (active, or pending approval).
    fn sessions(&self, tenant: &str, active_only: bool) -> Result<Vec<SessionRecord>, StoreError>;
    /// One page of [`Store::sessions`], in its order: at most `limit`
    /// sessions listed after session `after` (from the first without it).
    /// An `after` that is no session of the tenant gives an empty page.
    fn sessions_page(
        &self,
        tenant: &str,
        active_only: bool,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SessionRecord>, StoreError>;
    /// The actor's innermost active session (possibly past its deadline),
    /// as [`Store::start`] would see it; read outside any write.
    fn current_session(&self, tenant: &str, actor: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// Ids of active or pending sessions whose deadline (a pending one's:
    /// its request's) is at or before `now`.
    fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError>;
    /// The earliest deadline of an active or pending session, if any (the
    /// sweeper sleeps until then).
    fn next_deadline(&self) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// In one write transaction: reads the actor's innermost active session,
    /// asks `decide`, applies what it returns.
    fn start(
        &self,
        tenant: &str,
        actor: &str,
        decide: &mut dyn FnMut(Option<&SessionRecord>) -> Change,
    ) -> Result<Applied, StoreError>;
    /// In one write transaction: reads session `id`, asks `decide`, applies
    /// what it returns.
    fn modify(&self, id: &str, decide: &mut dyn FnMut(&SessionRecord) -> Change) -> Result<Applied, StoreError>;
    /// Applies `change` in one transaction.
    fn record(&self, change: Change) -> Result<Applied, StoreError>;

    /// Appends an action's audit rows if, in the transaction that appends
    /// them, the session is still active at `record.now`. The default is
    /// one transaction per call, through [`Store::modify`]; a store may
    /// batch (see [`AuditMode`]).
    fn append_action(&self, record: ActionRecord) -> Result<ActionAppended, StoreError> {
        let now = record.now;
        let mut rows = Some(record.audit);
        let applied = self.modify(&record.session, &mut |s| {
            if s.is_active() && !s.is_due(now) {
                Change {
                    audit: rows.take().unwrap_or_default(),
                    ..Change::default()
                }
            } else {
                Change::default()
            }
        })?;
        Ok(if rows.is_none() {
            ActionAppended::Committed(applied.audit)
        } else {
            ActionAppended::Inactive
        })
    }

    /// [`Store::append_action`] for many calls, in order: one answer per
    /// record, in order, each checked and appended as `append_action`
    /// would. The records are taken from `records` as the store is ready
    /// for them, so a store may commit the first while the caller still
    /// makes the last (SQLite: see `writer`). The default appends them
    /// one by one.
    fn append_actions(
        &self,
        records: &mut dyn Iterator<Item = ActionRecord>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        records.map(|r| self.append_action(r)).collect()
    }

    /// Audit events matching `filter`, by tenant then `seq`.
    fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError>;
    /// Every tenant with audit events.
    fn audit_tenants(&self) -> Result<Vec<String>, StoreError>;
    /// Every tenant with audit events, sessions or policy versions.
    fn tenants(&self) -> Result<Vec<String>, StoreError> {
        self.audit_tenants()
    }
    /// A tenant's chain, sessions and policy versions, for `audit verify`
    /// to compare. A store should read them as of one commit (SQLite: one
    /// read transaction); this default does not.
    fn trail(&self, tenant: &str) -> Result<Trail, StoreError> {
        let filter = AuditFilter {
            tenant: Some(tenant.to_string()),
            ..AuditFilter::default()
        };
        let (sessions, policies) = (self.sessions(tenant, false)?, self.policies(tenant)?);
        Ok(Trail {
            events: self.audit(&filter)?,
            sessions,
            policies,
        })
    }

    /// Messages, oldest first; unacknowledged only unless `include_acked`.
    fn outbox(&self, tenant: Option<&str>, include_acked: bool) -> Result<Vec<OutboxMessage>, StoreError>;
    /// One page of [`Store::outbox`]: at most `limit` messages with ids
    /// above `after`, oldest first.
    fn outbox_page(
        &self,
        tenant: Option<&str>,
        include_acked: bool,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Marks `tenant`'s messages `ids` delivered (any tenant's when `None`),
    /// in one transaction, all or nothing: when some id is not one of
    /// `tenant`'s messages (unknown, or another tenant's), nothing is
    /// acknowledged and those ids are in [`Acked::unknown`].
    fn ack(&self, tenant: Option<&str>, ids: &[i64], at: DateTime<Utc>) -> Result<Acked, StoreError>;
    /// Claims up to `limit` of `tenant`'s (any tenant's when `None`)
    /// unacknowledged messages that no one holds a claim on at `now`,
    /// oldest first, and holds them until `until`: two consumers, in any
    /// processes, never get the same message while its claim holds
    /// (SQLite: the write lock; a server database: `FOR UPDATE SKIP
    /// LOCKED`, so consumers do not wait for each other). A message not
    /// acknowledged by `until` can be claimed again (at-least-once
    /// delivery). Claims do not change what [`Store::outbox`] lists.
    fn claim(
        &self,
        tenant: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Tells `f` of every session change (end, revoke, extension, expiry)
    /// any process commits, soon after it commits, until the store is
    /// dropped: `f(Some(id))`, or `f(None)` when some news may have been
    /// lost (forget everything). The host drops such sessions from its
    /// cache; the commit checks stay the rule, so a store with no such
    /// news (the default: it never calls `f`) is as safe, only slower to
    /// notice.
    fn watch_sessions(&self, f: SessionWatcher) -> Result<(), StoreError> {
        drop(f);
        Ok(())
    }

    /// Whether this process should run the expiry sweep now. A store that
    /// many processes share elects one sweeper at a time (PostgreSQL: a
    /// lock held by one connection, released when its process dies, then
    /// taken by another); the default, every process sweeps. Either way an
    /// expiry is decided in its commit, so it is recorded once.
    fn lead_sweeps(&self) -> Result<bool, StoreError> {
        Ok(true)
    }

    /// The action audit writer's figures (for metrics); `None` when the
    /// store has no such writer.
    fn audit_stats(&self) -> Option<AuditStats> {
        None
    }

    /// Stores an API key by the hash of its secret (see [`crate::keys`]).
    fn put_key(&self, key: &ApiKey, hash: &str) -> Result<(), StoreError>;
    /// The key whose secret hashes to `hash`, revoked or not.
    fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError>;
    /// A tenant's keys, oldest first, revoked ones included.
    fn keys(&self, tenant: &str) -> Result<Vec<ApiKey>, StoreError>;
    /// Marks a key revoked (once: a second revoke keeps the first time);
    /// `None` when there is no such key.
    fn revoke_key(&self, id: &str, at: DateTime<Utc>) -> Result<Option<ApiKey>, StoreError>;
}
