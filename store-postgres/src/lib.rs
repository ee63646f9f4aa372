//! [`PostgresStore`]: Standin's [`Store`](standin::Store) on PostgreSQL, so that many
//! replicas share sessions, policy versions and one audit chain per tenant.
//!
//! How it keeps the trait's contract when several processes write at once:
//!
//! 1. **One chain per tenant, in order**: every append locks the tenant's
//!    row of `chain_heads` (`SELECT ... FOR UPDATE`) in its transaction,
//!    seals the event on that head and moves it; `PRIMARY KEY (tenant,
//!    seq)` refuses a gap's twin.
//! 2. **One active session per (tenant, actor, depth)**: a start takes a
//!    transaction-scoped advisory lock on (tenant, actor) before it reads
//!    the actor's current session, so racing starts see each other; the
//!    partial unique index `sessions_one_active` is the last word.
//! 3. **An action only while its session is active**: an append reads the
//!    session row `FOR SHARE` in its transaction and appends nothing when
//!    it has ended or is past its deadline; an end on another replica
//!    (which takes the row `FOR UPDATE`) waits for that lock, or commits
//!    first and is seen.
//! 4. Actions' rows are group-committed: the calls of every caller that
//!    arrive while a commit is written go together in the next
//!    transaction, in one statement (see `group` and `actions`).
//! 5. Every change is one transaction; a commit is durable when it returns
//!    (`synchronous_commit` as the server has it, `on` by default), except
//!    a group commit of actions, which releases the chain head before its
//!    WAL flush and is answered after it (`native::durable`).
//!
//! Beyond the trait's contract, for replicas: outbox claims skip rows
//! another consumer is claiming (`FOR UPDATE SKIP LOCKED`, in `tenants`);
//! one replica sweeps at a time (`leader`); every session change sends a
//! `NOTIFY` other replicas use to empty their caches (`watch`); and
//! An empty database is filled from another store's export
//! ([`standin::store::copy::Import`], in `copy`).
//! Connections come from a small pool (`pool`).

mod audit;
mod codec;
mod copy;
mod group;
mod keys;
mod native;
mod outbox;
mod policies;
mod schema;
mod sessions;
mod tenants;
mod trail;
mod webhooks;

use postgres::{Client, Transaction};
use standin::store::{Applied, AuditStats, Change, Integrity, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// Calls per transaction of actions' rows (`group`): bounds one
/// statement's size and one commit's wait.
pub(crate) const MAX_BATCH: usize = 2048;

/// A driver error as the store's.
pub(crate) fn db(e: postgres::Error) -> StoreError {
    StoreError::Database(Box::new(Driver(e)))
}

/// The driver's error, shown with what the server said: its own `Display`
/// is only "db error", the server's message being its source.
#[derive(Debug)]
struct Driver(postgres::Error);

impl std::fmt::Display for Driver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_db_error() {
            Some(server) => write!(f, "{server} (SQLSTATE {})", server.code().code()),
            None => self.0.fmt(f),
        }
    }
}

impl std::error::Error for Driver {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// The store on one PostgreSQL database.
pub struct PostgresStore {
    url: String,
    idle: Mutex<Vec<Client>>,
    /// Idle connections kept for group commits (`native::prepared`).
    writers: Mutex<Vec<native::prepared::Writer>>,
    /// The connection that asks for (and, while this store leads, holds)
    /// the sweeper's lock, and whether it holds it.
    sweeper: Mutex<Option<(Client, bool)>>,
    /// Stops the listener of [`SessionStore::watch_sessions`] when the store goes.
    watching: Arc<AtomicBool>,
    /// Group commits of actions so far (for metrics).
    stats: Mutex<AuditStats>,
    /// Appends waiting for the next group commit, per tenant (see `group`).
    groups: group::Groups,
    /// What rows and events are sealed and checked by (`standin::store::Integrity`).
    integrity: RwLock<Arc<Integrity>>,
    /// Whether group commits flush after releasing the chain head (see
    /// `native::durable`).
    late_flush: bool,
    /// Whether the role can ask for a flush: reads of audit rows then
    /// settle before they return (whatever this replica's [`Flush`]: another
    /// may flush after its commits).
    can_flush: bool,
}

/// When a group commit of actions waits for its WAL flush (`standin
/// --database-flush`). Give every replica the same.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Flush {
    /// After its commit has released the tenant's chain head, in a second
    /// commit of one round trip: a slow flush (a network disk, a
    /// synchronous standby) no longer holds every replica's appends to that
    /// tenant, at the price of that second commit (measured on 2 cores
    /// shared with PostgreSQL, two replicas' single calls: twice as many
    /// with a 4 ms flush, 20 % more with 2 ms, -12 % to +10 % with the
    /// disk's own 1 ms; BENCHMARKS.md). Where the role may not ask for a
    /// flush, as [`Flush::InCommit`].
    #[default]
    AfterCommit,
    /// In its commit, under the head's lock, as every other commit: less
    /// work for the server where a flush is quick.
    InCommit,
}

impl std::str::FromStr for Flush {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "after-commit" => Ok(Self::AfterCommit),
            "in-commit" => Ok(Self::InCommit),
            _ => Err(format!("`{s}`: expected `after-commit` or `in-commit`")),
        }
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.watching.store(true, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: only the fact of it.
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and migrates the
    /// schema to this build's; group commits flush as [`Flush`]'s default.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, Flush::default())
    }

    /// [`Self::connect`], with group commits flushing as `flush` says.
    pub fn connect_with(url: &str, flush: Flush) -> Result<Self, StoreError> {
        let mut store = Self {
            url: url.to_string(),
            idle: Mutex::new(Vec::new()),
            writers: Mutex::new(Vec::new()),
            sweeper: Mutex::new(None),
            watching: Arc::default(),
            stats: Mutex::default(),
            groups: group::Groups::default(),
            integrity: RwLock::default(),
            late_flush: false,
            can_flush: false,
        };
        let mut client = store.open()?;
        schema::migrate(&mut client)?;
        store.can_flush = native::durable::probe(&mut client);
        store.late_flush = store.can_flush && flush == Flush::AfterCommit;
        store.give_back(client);
        Ok(store)
    }
}

/// Applies a change in `tx`: the session row (update first, it may end the
/// session that blocks the insert), the audit events, the outbox.
impl PostgresStore {
    /// What rows and events are sealed and checked by.
    pub(crate) fn integrity(&self) -> Arc<Integrity> {
        self.integrity.read().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

fn apply(tx: &mut Transaction<'_>, mut change: Change, integrity: Arc<Integrity>) -> Result<Applied, StoreError> {
    let mut appender = audit::Appender::new(integrity.clone());
    // One time for the rows and their events: the chain's (see
    // `Integrity::stamp`), taken under the tenant's head lock.
    if let Some(tenant) = change.audit.first().map(|e| e.tenant.clone()) {
        let head = appender.head(tx, &tenant)?;
        integrity.stamp(&mut change, head.at)?;
    }
    if let Some(s) = &change.update {
        sessions::update(tx, s, &integrity)?;
        // Other replicas drop it from their caches when this commits.
        tx.execute("SELECT pg_notify($1, $2)", &[&native::watch::CHANNEL, &s.id])
            .map_err(db)?;
    }
    if let Some(s) = &change.insert {
        sessions::insert(tx, s, &integrity)?;
    }
    let mut applied = Applied {
        session: change.insert.clone().or_else(|| change.update.clone()),
        audit: appender.append_all(tx, change.audit)?,
        ..Applied::default()
    };
    for m in change.outbox {
        applied.outbox.push(outbox::push(tx, m)?);
    }
    Ok(applied)
}
