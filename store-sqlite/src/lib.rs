//! Standin's embedded store: the [`Store`](standin::Store) on one SQLite
//! file, what `standin` runs on when nothing else is configured. A crate of
//! its own so the library builds no database driver, and so this backend,
//! like PostgreSQL's, reaches the session logic only through the `Store`
//! trait and passes the same conformance suite (`tests/all/store_conformance`).
//! `Standin::open(host, path)` comes with [`OpenSqlite`].
//!
//! - WAL: a transaction that returned is on disk (the WAL fsync'd after
//!   its commit), so a process killed right after a call returned has lost
//!   nothing of it. The write connection commits with `synchronous=NORMAL`
//!   and the store fsyncs the log itself before answering (`sync`), so
//!   the audit writer's next batch runs while the previous one is flushed;
//!   without a log file (in memory) commits are `synchronous=FULL`.
//! - One write connection (`Db`, behind a mutex, with the audit chain
//!   heads it caches) and, for a file, one read connection: in WAL, reads
//!   (sessions, policies, audit queries) do not wait for a commit's fsync.
//!   A third connection copies the log into the database file on its own
//!   thread (`native::wal`), so no commit waits for a checkpoint.
//! - Writes are `BEGIN IMMEDIATE`: the write lock is taken before the rows
//!   a decision depends on are read, so threads (the mutex) and processes
//!   (`busy_timeout`) are serialized. Session lifecycle changes run on the
//!   caller's thread; actions' audit rows go through the group-commit
//!   `group`, which takes the same lock, so the chain has one order.
//! - Schema migrations: `schema`.
//! - One active session per actor and nesting depth: a partial unique index
//!   on `sessions(tenant, actor, depth) WHERE state = 'active'`. A session
//!   started from inside another (only when the policy allows nesting) has
//!   depth parent + 1, so a policy that refuses nesting and the index agree,
//!   and a policy that allows it still cannot get two sessions at one depth.

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
#[cfg(test)]
mod tests;
mod trail;
mod webhooks;

pub use schema::{BUSY_TIMEOUT, MIGRATIONS};

/// SQLite's error as the store's: its `source`, so no rusqlite type
/// reaches the `Store` API (`.map_err(db)` on every rusqlite call).
fn db(e: rusqlite::Error) -> StoreError {
    StoreError::Database(Box::new(e))
}

use audit::Heads;
use chrono::{DateTime, Utc};
use native::sync::Log;
use native::wal::Checkpointer;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use standin::store::{Applied, AuditMode, Change, Integrity, StoreError};
use standin::{Host, SessionError, Standin};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};

/// The write connection and what it caches about the chain.
#[derive(Debug)]
struct Db {
    conn: Connection,
    heads: Heads,
    /// Deadlines of sessions read by the audit writer (`None`: not active),
    /// for its check that a session is still active. Only session changes
    /// move them: dropped by every [`Db::write`] and whenever `heads` is.
    deadlines: Deadlines,
    /// `PRAGMA data_version` at the end of this connection's last write:
    /// when it moved, another process wrote and `heads` is stale.
    data_version: i64,
    /// Checkpoints the log after commits (`None`: in memory, no log).
    checkpointer: Option<Checkpointer>,
    /// The log this connection commits to without fsync (`synchronous =
    /// NORMAL`); `None` when commits fsync by themselves (see `sync`).
    log: Option<Arc<Log>>,
}

/// Session deadlines by id, as read in an earlier transaction.
type Deadlines = HashMap<String, Option<DateTime<Utc>>>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Db {
    /// Runs `f` in one `BEGIN IMMEDIATE` transaction and commits; on any
    /// error rolls back and forgets what it caches.
    fn transaction<R>(
        &mut self,
        f: impl FnOnce(&Connection, &mut Heads, &mut Deadlines) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let version: i64 = tx
            .prepare_cached("PRAGMA data_version")
            .map_err(db)?
            .query_row([], |r| r.get(0))
            .map_err(db)?;
        if version != self.data_version {
            self.heads.clear();
            self.deadlines.clear();
            self.data_version = version;
        }
        let result = f(&tx, &mut self.heads, &mut self.deadlines).and_then(|r| {
            tx.commit().map_err(db)?;
            Ok(r)
        });
        match &result {
            Ok(_) => {
                if let Some(c) = &self.checkpointer {
                    c.committed();
                }
            }
            Err(_) => {
                self.heads.clear();
                self.deadlines.clear();
            }
        }
        result
    }

    /// A session or configuration change, in one transaction, durable when
    /// this returns: it may end or extend sessions, so the cached
    /// deadlines go. A failed fsync after the commit is an error, although
    /// the change is committed: whether it survives a crash is unknown.
    fn write<R>(&mut self, f: impl FnOnce(&Connection, &mut Heads) -> Result<R, StoreError>) -> Result<R, StoreError> {
        self.deadlines.clear();
        let result = self.transaction(|conn, heads, _| f(conn, heads))?;
        if let Some(log) = &self.log {
            log.sync()?;
        }
        Ok(result)
    }
}

/// The embedded store: one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    db: Arc<Mutex<Db>>,
    /// What reads are checked by (writes use the copy in `Db::heads`).
    integrity: RwLock<Arc<Integrity>>,
    /// Reads; `None` for an in-memory database, which reads through `db`.
    reader: Option<Mutex<Connection>>,
    writer: group::Writer,
    /// Opened with [`SqliteStore::open_read_only`]: every write is refused.
    read_only: bool,
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
    // `journal_mode` answers with the mode; in-memory databases stay `memory`.
    let _mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(db)?;
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .map_err(db)?;
    Ok(())
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` and brings its schema up
    /// to date; actions' audit rows are durable when `authorize` returns.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, AuditMode::Durable)
    }

    /// [`Self::open`], choosing when actions' audit rows are acknowledged.
    pub fn open_with(path: impl AsRef<Path>, mode: AuditMode) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let open = || {
            Connection::open(path).map_err(|source| StoreError::Open {
                path: path.display().to_string(),
                source: Box::new(source),
            })
        };
        let mut conn = open()?;
        configure(&conn)?;
        schema::migrate(&mut conn)?;
        // Checkpoints run on their own connection and thread (see `native::wal`).
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0").map_err(db)?;
        let reader = open()?;
        configure(&reader)?;
        let checkpoints = open()?;
        configure(&checkpoints)?;
        let checkpointer = Checkpointer::spawn(checkpoints)
            .map_err(|e| StoreError::Writer(format!("cannot start the checkpoint thread: {e}")))?;
        // Commits without fsync, the log fsync'd before any answer (see `sync`).
        let wal = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
            .map_err(db)?
            == "wal";
        let log = match conn.path().map(Path::new).filter(|_| wal).and_then(Log::open) {
            Some(log) => {
                conn.execute_batch("PRAGMA synchronous = NORMAL").map_err(db)?;
                Some(Arc::new(log))
            }
            None => None,
        };
        Self::assemble(conn, Some(reader), Some(checkpointer), log, mode)
    }

    /// Opens the existing database at `path` read-only
    /// (`SQLITE_OPEN_READ_ONLY`, and `PRAGMA query_only`): nothing is
    /// created, migrated or written, so a file the process may only read
    /// (mode 0444, a copy kept for audit) can be queried and verified.
    ///
    /// A missing file is [`StoreError::Missing`] (never an empty database
    /// made in its place); a schema other than this build's is
    /// [`StoreError::TooNew`] or [`StoreError::Outdated`] (any read-write
    /// open migrates it). Every write is refused with
    /// [`StoreError::ReadOnly`]. `path` is a file path, not a `file:` URI.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let name = || path.display().to_string();
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::Missing { path: name() }),
            _ => {}
        }
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|source| StoreError::Open {
                    path: name(),
                    source: Box::new(source),
                })?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        conn.execute_batch("PRAGMA query_only = ON").map_err(db)?;
        let known = MIGRATIONS.len() as i64;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db)?;
        if found > known {
            return Err(StoreError::TooNew { found, known });
        }
        if found < known {
            return Err(StoreError::Outdated {
                path: name(),
                found,
                known,
            });
        }
        // Reads go through `db`'s connection; the audit writer thread is
        // idle (appends are refused before they reach it).
        let mut store = Self::assemble(conn, None, None, None, AuditMode::Durable)?;
        store.read_only = true;
        Ok(store)
    }

    /// Whether this store was opened read-only ([`Self::open_read_only`]).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// [`StoreError::ReadOnly`] naming `what`, when this store is read-only.
    fn writable(&self, what: &'static str) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly(what));
        }
        Ok(())
    }

    /// A private in-memory database (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        let mut conn = Connection::open_in_memory().map_err(db)?;
        configure(&conn)?;
        schema::migrate(&mut conn)?;
        Self::assemble(conn, None, None, None, AuditMode::Durable)
    }

    fn assemble(
        conn: Connection,
        reader: Option<Connection>,
        checkpointer: Option<Checkpointer>,
        log: Option<Arc<Log>>,
        mode: AuditMode,
    ) -> Result<Self, StoreError> {
        let data_version = conn.query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(db)?;
        let db = Arc::new(Mutex::new(Db {
            conn,
            heads: Heads::default(),
            deadlines: Deadlines::new(),
            data_version,
            checkpointer,
            log: log.clone(),
        }));
        Ok(Self {
            writer: group::Writer::spawn(db.clone(), mode, log.clone())?,
            db,
            integrity: RwLock::default(),
            reader: reader.map(Mutex::new),
            read_only: false,
        })
    }

    /// When actions' audit rows are acknowledged.
    pub fn audit_mode(&self) -> AuditMode {
        self.writer.mode()
    }

    /// What reads are checked by.
    fn integrity(&self) -> Arc<Integrity> {
        self.integrity.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn set_integrity(&self, integrity: Integrity) {
        let integrity = Arc::new(integrity);
        *self.integrity.write().unwrap_or_else(PoisonError::into_inner) = integrity.clone();
        lock(&self.db).heads.integrity = integrity;
    }

    fn read<R>(&self, f: impl FnOnce(&Connection) -> Result<R, StoreError>) -> Result<R, StoreError> {
        match &self.reader {
            Some(r) => f(&lock(r)),
            None => f(&lock(&self.db).conn),
        }
    }

    /// A session or configuration change. In batched mode the actions
    /// queued before it are committed first, so the chain keeps call order.
    /// Refused by a read-only store.
    fn write<R>(&self, f: impl FnOnce(&Connection, &mut Heads) -> Result<R, StoreError>) -> Result<R, StoreError> {
        self.writable("a change")?;
        if self.writer.mode() == AuditMode::Batched {
            self.writer.flush();
        }
        lock(&self.db).write(f)
    }
}

fn apply(conn: &Connection, heads: &mut Heads, mut change: Change) -> Result<Applied, StoreError> {
    let integrity = heads.integrity.clone();
    let mut appender = audit::Appender::new(conn)?;
    // One time for the rows and their events: the chain's (see
    // `Integrity::stamp`), taken under the write lock.
    if let Some(tenant) = change.audit.first().map(|e| e.tenant.clone()) {
        let head = appender.head(heads, &tenant)?;
        integrity.stamp(&mut change, head.at)?;
    }
    // The update first: it may end the session that blocks the insert.
    if let Some(s) = &change.update {
        sessions::update(conn, s, &integrity)?;
    }
    if let Some(s) = &change.insert {
        sessions::insert(conn, s, &integrity)?;
    }
    let mut applied = Applied {
        session: change.insert.clone().or_else(|| change.update.clone()),
        ..Applied::default()
    };
    if !change.audit.is_empty() {
        for e in change.audit {
            applied.audit.push(appender.append(heads, e)?);
        }
    }
    for m in change.outbox {
        applied.outbox.push(outbox::push(conn, m)?);
    }
    Ok(applied)
}

/// Opens [`Standin`] on a SQLite file (`use standin_store_sqlite::OpenSqlite;`).
pub trait OpenSqlite: Sized {
    /// Sessions on the SQLite file at `path` (created when missing).
    fn open(host: Host, path: impl AsRef<Path>) -> Result<Self, SessionError>;

    /// Sessions on the existing SQLite file at `path`, read-only
    /// ([`SqliteStore::open_read_only`]): nothing is created or written;
    /// every call that would write fails with
    /// [`StoreError::ReadOnly`]. For a
    /// banner or a list on such a store, see [`Sessions::peek_status`](standin::sessions::Sessions::peek_status) and
    /// [`Sessions::peek_list`](standin::sessions::Sessions::peek_list).
    fn open_read_only(host: Host, path: impl AsRef<Path>) -> Result<Self, SessionError>;
}

impl OpenSqlite for Standin {
    fn open(host: Host, path: impl AsRef<Path>) -> Result<Self, SessionError> {
        Ok(Self::new(host, Arc::new(SqliteStore::open(path)?)))
    }

    fn open_read_only(host: Host, path: impl AsRef<Path>) -> Result<Self, SessionError> {
        Ok(Self::new(host, Arc::new(SqliteStore::open_read_only(path)?)))
    }
}
