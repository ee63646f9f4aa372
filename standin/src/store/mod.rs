//! Where sessions, tenant policies, the audit trail and the outbox live.
//!
//! [`Store`] is small and synchronous, and knows nothing of policies: the
//! session logic ([`crate::sessions`]) decides, the store applies. Every
//! change that must be atomic (a session row, its audit events and its
//! outbox messages) is one [`Change`], applied in one transaction; a start
//! or a state change reads the rows it depends on inside that same
//! transaction (see [`SessionStore::start`], [`SessionStore::modify`]), so two callers,
//! in two threads or two processes, never both win.
//!
//! Actions' audit rows, the hot path, have their own entry,
//! [`SessionStore::append_action`]: the store checks the session is still active
//! when it appends, and may batch appends from many callers into one
//! transaction ([`AuditMode`]).
//!
//! The backends are crates of their own, so this library builds no
//! database driver: `standin-store-sqlite` (the embedded default: one file,
//! WAL fsync'd before any answer, group commit of actions' audit rows) and
//! `standin-store-postgres` (many replicas on one database).

mod backend;
mod change;
pub mod copy;
pub mod documents;
mod integrity;
mod keyring;
pub mod webhooks;

pub use backend::{AuditStore, KeyStore, OutboxStore, PolicyStore, SessionStore, Store, TenantStore, WebhookStore};
pub use change::{Applied, AuditFilter, Change, Trail};
pub use integrity::{DEFAULT_MAX_AHEAD_SECONDS, Integrity};
pub use keyring::Keyring;

use crate::access::ApiKey;
use crate::audit::AuditEvent;
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

/// Told of session changes other processes committed ([`SessionStore::watch_sessions`]):
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
    /// A read-only open (`SqliteStore::open_read_only`) found no file.
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
    /// A row the host would act on does not carry the tag the host's key
    /// makes for it: written by someone without the key (a database
    /// writer), or edited since (see [`crate::store::Integrity`]). Never an allow.
    #[error("{0} is not authenticated by the host key: written or edited outside Standin")]
    Forged(String),
    /// A change dated further past the real clock than the store accepts
    /// (see [`crate::store::Integrity::max_ahead`]).
    #[error(
        "a change dated {at} is ahead of the real clock ({real}) by more than the store accepts (a test clock is off)"
    )]
    Clock { at: DateTime<Utc>, real: DateTime<Utc> },
    /// The tenant's chain is keyed and this store has no key: it may not
    /// append unkeyed events after keyed ones (no downgrade).
    #[error("tenant `{0}`'s audit chain is keyed; this process has no host key to extend it")]
    Unkeyed(String),
}

/// When an action's audit rows are acknowledged (the durability of
/// `authorize`). Session changes (start, end, extend, revoke, expiry) are
/// always durable when their call returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditMode {
    /// `authorize` returns once its rows are committed (fsync'd), batched
    /// with those of concurrent calls (group commit). So does a generic
    /// AuthZEN answer's row ([`SessionStore::append_events`]).
    #[default]
    Durable,
    /// `authorize` returns once its rows are queued; they are committed in
    /// the background, in order, within about one commit's time. A crash
    /// loses the rows queued and not yet committed. A store that groups
    /// generic answers' rows with the actions' (SQLite) queues them too.
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
    /// When its caller stops waiting (see [`crate::deadline`]): past it the
    /// store writes nothing for this call and answers
    /// [`ActionAppended::Late`], so the trail never records a decision its
    /// caller was told timed out.
    pub answer_by: Option<std::time::Instant>,
}

impl ActionRecord {
    /// Rows of no session ([`SessionStore::append_events`]) in the shape a
    /// store's group commit queues: no session (a store must not check
    /// one), dated by the first row, no deadline. `None` for no rows.
    pub fn of_no_session(audit: Vec<AuditEvent>) -> Option<Self> {
        let now = audit.first()?.at;
        Some(Self {
            session: String::new(),
            now,
            audit,
            answer_by: None,
        })
    }

    /// [`SessionStore::append_events`] through a store's group commit:
    /// each answer's rows become a record of no session
    /// ([`ActionRecord::of_no_session`]) handed to `append`, which answers
    /// every record it takes, in order, without a session check; an answer
    /// with no rows is committed with none.
    pub fn append_no_session(
        rows: &mut dyn Iterator<Item = Vec<AuditEvent>>,
        append: impl FnOnce(&mut dyn Iterator<Item = ActionRecord>) -> Vec<Result<ActionAppended, StoreError>>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        let mut empty = Vec::new();
        let mut records = rows.enumerate().filter_map(|(i, audit)| {
            let record = Self::of_no_session(audit);
            if record.is_none() {
                empty.push(i);
            }
            record
        });
        let mut answers = append(&mut records);
        drop(records);
        for i in empty {
            answers.insert(i.min(answers.len()), Ok(ActionAppended::Committed(Vec::new())));
        }
        answers
    }
}

/// What [`SessionStore::append_action`] did.
#[derive(Debug, Clone)]
pub enum ActionAppended {
    /// Committed, durable: the rows as chained.
    Committed(Vec<AuditEvent>),
    /// Queued ([`AuditMode::Batched`]): committed later, as decided.
    Queued,
    /// Nothing written: when the rows were to be committed, the session was
    /// no longer active at the call's time (it ended, or reached its deadline).
    Inactive,
    /// Nothing written: when the rows were to be committed, the caller's
    /// deadline ([`ActionRecord::answer_by`]) had passed.
    Late,
}
