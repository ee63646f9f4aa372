//! [`Store`] on one SQLite file.
//!
//! - WAL with `synchronous=FULL`: a transaction that returned is on disk
//!   (fsync of the WAL at every commit), so a process killed right after a
//!   call returned has lost nothing of it.
//! - Writes are `BEGIN IMMEDIATE`: the write lock is taken before the rows
//!   a decision depends on are read, so threads (one connection behind a
//!   mutex) and processes (`busy_timeout`) are serialized.
//! - Schema migrations are the SQL of [`MIGRATIONS`], applied in order in one
//!   transaction each; `PRAGMA user_version` counts those applied.
//! - One active session per actor and nesting depth: a partial unique index
//!   on `sessions(tenant, actor, depth) WHERE state = 'active'`. A session
//!   started from inside another (only when the policy allows nesting) has
//!   depth parent + 1, so a policy that refuses nesting and the index agree,
//!   and a policy that allows it still cannot get two sessions at one depth.

use super::chain::{GENESIS_HASH, chain_hash};
use super::{
    Applied, AuditEvent, AuditFilter, Change, EndReason, Notifications, OutboxMessage, PolicyRef, SessionRecord,
    SessionState, Store, StoreError, StoredPolicy,
};
use chrono::{DateTime, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// The schema, one migration per entry. Never edit an applied entry; add one.
pub const MIGRATIONS: &[&str] = &[r"
CREATE TABLE components (
    digest     TEXT PRIMARY KEY,
    bytes      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE policies (
    tenant     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    digest     TEXT NOT NULL REFERENCES components(digest),
    settings   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    active     INTEGER NOT NULL,
    PRIMARY KEY (tenant, version)
);
CREATE UNIQUE INDEX policies_one_active ON policies(tenant) WHERE active = 1;
CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,
    tenant           TEXT NOT NULL,
    actor            TEXT NOT NULL,
    target           TEXT NOT NULL,
    actor_principal  TEXT NOT NULL,
    target_principal TEXT NOT NULL,
    reason           TEXT,
    domain           TEXT,
    read_only        INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    max_expires_at   INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('active', 'ended')),
    ended_at         INTEGER,
    end_reason       TEXT CHECK (end_reason IN ('stopped', 'expired', 'revoked')),
    return_to        TEXT,
    policy_version   INTEGER NOT NULL,
    policy_digest    TEXT NOT NULL,
    notify_target    INTEGER NOT NULL,
    obligations      TEXT NOT NULL,
    revoke_reason    TEXT,
    parent           TEXT,
    depth            INTEGER NOT NULL
);
CREATE UNIQUE INDEX sessions_one_active ON sessions(tenant, actor, depth) WHERE state = 'active';
CREATE INDEX sessions_due ON sessions(expires_at) WHERE state = 'active';
CREATE INDEX sessions_by_tenant ON sessions(tenant, started_at);
CREATE TABLE audit (
    id             INTEGER PRIMARY KEY,
    tenant         TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    at             INTEGER NOT NULL,
    event          TEXT NOT NULL,
    session        TEXT,
    actor          TEXT NOT NULL,
    target         TEXT NOT NULL,
    action         TEXT,
    resource       TEXT,
    reason         TEXT,
    codes          TEXT NOT NULL,
    end_reason     TEXT,
    policy_version INTEGER NOT NULL,
    policy_digest  TEXT NOT NULL,
    expires_at     INTEGER,
    obligations    TEXT,
    note           TEXT,
    request        TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_chain ON audit(tenant, seq);
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    session    TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    acked_at   INTEGER
);
CREATE INDEX outbox_pending ON outbox(tenant, id) WHERE acked_at IS NULL;
CREATE TABLE notifications (
    tenant           TEXT PRIMARY KEY,
    enabled          INTEGER NOT NULL,
    started_template TEXT NOT NULL,
    ended_template   TEXT NOT NULL
);
"];

/// How long a writer waits for another process's write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The embedded store: one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn time(column: &'static str, s: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(s, 0).ok_or_else(|| StoreError::Corrupt {
        column,
        message: format!("{s} is not a time"),
    })
}

fn json<T: serde::de::DeserializeOwned>(column: &'static str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        column,
        message: e.to_string(),
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

impl SqliteStore {
    /// Opens (or creates) the database at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::with_connection(conn)
    }

    /// A private in-memory database (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::with_connection(Connection::open_in_memory()?)
    }

    fn with_connection(mut conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // `journal_mode` answers with the mode; in-memory databases stay `memory`.
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        migrate(&mut conn)?;
        Ok(Self { conn: Mutex::new(conn) })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn write<R>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<R, StoreError>) -> Result<R, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let result = f(&tx)?;
        tx.commit()?;
        Ok(result)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > known {
            return Err(StoreError::TooNew { found: version, known });
        }
        if version == known {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[version as usize])?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1))?;
        tx.commit()?;
    }
}

const SESSION_COLUMNS: &str = "id, tenant, actor, target, actor_principal, target_principal, reason, domain, \
    read_only, started_at, expires_at, max_expires_at, state, ended_at, end_reason, return_to, policy_version, \
    policy_digest, notify_target, obligations, revoke_reason, parent, depth";

/// A row of `SESSION_COLUMNS`, raw.
struct SessionRow(Vec<SqlValue>);

fn session_row(row: &Row<'_>) -> rusqlite::Result<SessionRow> {
    (0..23)
        .map(|i| row.get::<_, SqlValue>(i))
        .collect::<Result<_, _>>()
        .map(SessionRow)
}

fn text(column: &'static str, v: &SqlValue) -> Result<String, StoreError> {
    match v {
        SqlValue::Text(s) => Ok(s.clone()),
        other => Err(StoreError::Corrupt {
            column,
            message: format!("expected text, found {other:?}"),
        }),
    }
}

fn opt_text(column: &'static str, v: &SqlValue) -> Result<Option<String>, StoreError> {
    match v {
        SqlValue::Null => Ok(None),
        v => text(column, v).map(Some),
    }
}

fn int(column: &'static str, v: &SqlValue) -> Result<i64, StoreError> {
    match v {
        SqlValue::Integer(i) => Ok(*i),
        other => Err(StoreError::Corrupt {
            column,
            message: format!("expected an integer, found {other:?}"),
        }),
    }
}

fn opt_int(column: &'static str, v: &SqlValue) -> Result<Option<i64>, StoreError> {
    match v {
        SqlValue::Null => Ok(None),
        v => int(column, v).map(Some),
    }
}

impl SessionRow {
    fn decode(self) -> Result<SessionRecord, StoreError> {
        let v = &self.0;
        let state = match text("state", &v[12])?.as_str() {
            "active" => SessionState::Active,
            "ended" => SessionState::Ended,
            other => {
                return Err(StoreError::Corrupt {
                    column: "state",
                    message: format!("`{other}`"),
                });
            }
        };
        let end_reason = match opt_text("end_reason", &v[14])?.as_deref() {
            None => None,
            Some("stopped") => Some(EndReason::Stopped),
            Some("expired") => Some(EndReason::Expired),
            Some("revoked") => Some(EndReason::Revoked),
            Some(other) => {
                return Err(StoreError::Corrupt {
                    column: "end_reason",
                    message: format!("`{other}`"),
                });
            }
        };
        Ok(SessionRecord {
            id: text("id", &v[0])?,
            tenant: text("tenant", &v[1])?,
            actor: text("actor", &v[2])?,
            target: text("target", &v[3])?,
            actor_principal: json("actor_principal", &text("actor_principal", &v[4])?)?,
            target_principal: json("target_principal", &text("target_principal", &v[5])?)?,
            reason: opt_text("reason", &v[6])?,
            domain: opt_text("domain", &v[7])?,
            read_only: int("read_only", &v[8])? != 0,
            started_at: time("started_at", int("started_at", &v[9])?)?,
            expires_at: time("expires_at", int("expires_at", &v[10])?)?,
            max_expires_at: time("max_expires_at", int("max_expires_at", &v[11])?)?,
            state,
            ended_at: opt_int("ended_at", &v[13])?.map(|t| time("ended_at", t)).transpose()?,
            end_reason,
            return_to: opt_text("return_to", &v[15])?,
            policy: PolicyRef {
                version: u32::try_from(int("policy_version", &v[16])?).unwrap_or(u32::MAX),
                digest: text("policy_digest", &v[17])?,
            },
            notify_target: int("notify_target", &v[18])? != 0,
            obligations: json("obligations", &text("obligations", &v[19])?)?,
            revoke_reason: opt_text("revoke_reason", &v[20])?,
            parent: opt_text("parent", &v[21])?,
            depth: u32::try_from(int("depth", &v[22])?).unwrap_or(u32::MAX),
        })
    }
}

fn one_session(
    conn: &Connection,
    sql_where: &str,
    params: impl rusqlite::Params,
) -> Result<Option<SessionRecord>, StoreError> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE {sql_where}");
    conn.query_row(&sql, params, session_row)
        .optional()?
        .map(SessionRow::decode)
        .transpose()
}

fn insert_session(tx: &Transaction<'_>, s: &SessionRecord) -> Result<(), StoreError> {
    tx.execute(
        &format!(
            "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
             ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)"
        ),
        params![
            s.id,
            s.tenant,
            s.actor,
            s.target,
            to_json(&s.actor_principal),
            to_json(&s.target_principal),
            s.reason,
            s.domain,
            s.read_only,
            ts(s.started_at),
            ts(s.expires_at),
            ts(s.max_expires_at),
            s.state.as_str(),
            s.ended_at.map(ts),
            s.end_reason.map(EndReason::as_str),
            s.return_to,
            s.policy.version,
            s.policy.digest,
            s.notify_target,
            to_json(&s.obligations),
            s.revoke_reason,
            s.parent,
            s.depth,
        ],
    )?;
    Ok(())
}

/// Updates what can change of a session: its deadline and its end.
fn update_session(tx: &Transaction<'_>, s: &SessionRecord) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE sessions SET expires_at = ?2, state = ?3, ended_at = ?4, end_reason = ?5, revoke_reason = ?6 \
         WHERE id = ?1",
        params![
            s.id,
            ts(s.expires_at),
            s.state.as_str(),
            s.ended_at.map(ts),
            s.end_reason.map(EndReason::as_str),
            s.revoke_reason,
        ],
    )?;
    if n == 0 {
        return Err(StoreError::UnknownSession(s.id.clone()));
    }
    Ok(())
}

fn append_audit(tx: &Transaction<'_>, mut e: AuditEvent) -> Result<AuditEvent, StoreError> {
    let head: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit WHERE tenant = ?1 ORDER BY seq DESC LIMIT 1",
            [&e.tenant],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (seq, prev) = head.unwrap_or((0, GENESIS_HASH.to_string()));
    e.seq = u64::try_from(seq).unwrap_or(0) + 1;
    e.prev_hash = prev;
    e.hash = chain_hash(&e.prev_hash, &e);
    tx.execute(
        "INSERT INTO audit (tenant, seq, at, event, session, actor, target, action, resource, reason, codes, \
         end_reason, policy_version, policy_digest, expires_at, obligations, note, request, prev_hash, hash) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        params![
            e.tenant,
            e.seq as i64,
            ts(e.at),
            e.event,
            e.session,
            e.actor,
            e.target,
            e.action,
            e.resource,
            e.reason,
            to_json(&e.codes),
            e.end_reason,
            e.policy.version,
            e.policy.digest,
            e.expires_at.map(ts),
            e.obligations.as_ref().map(to_json),
            e.note,
            e.request,
            e.prev_hash,
            e.hash,
        ],
    )?;
    Ok(e)
}

fn apply(tx: &Transaction<'_>, change: Change) -> Result<Applied, StoreError> {
    // The update first: it may end the session that blocks the insert.
    if let Some(s) = &change.update {
        update_session(tx, s)?;
    }
    if let Some(s) = &change.insert {
        insert_session(tx, s)?;
    }
    let mut applied = Applied::default();
    for e in change.audit {
        applied.audit.push(append_audit(tx, e)?);
    }
    for m in change.outbox {
        tx.execute(
            "INSERT INTO outbox (tenant, recipient, kind, session, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![m.tenant, m.to, m.kind, m.session, m.text, ts(m.created_at)],
        )?;
        applied.outbox.push(OutboxMessage {
            id: tx.last_insert_rowid(),
            tenant: m.tenant,
            to: m.to,
            kind: m.kind,
            session: m.session,
            text: m.text,
            created_at: m.created_at,
            acked_at: None,
        });
    }
    Ok(applied)
}

const AUDIT_COLUMNS: &str = "seq, tenant, at, event, session, actor, target, action, resource, reason, codes, \
    end_reason, policy_version, policy_digest, expires_at, obligations, note, request, prev_hash, hash";

fn audit_row(row: &Row<'_>) -> rusqlite::Result<Vec<SqlValue>> {
    (0..20).map(|i| row.get::<_, SqlValue>(i)).collect()
}

fn decode_audit(v: Vec<SqlValue>) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        seq: u64::try_from(int("seq", &v[0])?).unwrap_or(0),
        tenant: text("tenant", &v[1])?,
        at: time("at", int("at", &v[2])?)?,
        event: text("event", &v[3])?,
        session: opt_text("session", &v[4])?,
        actor: text("actor", &v[5])?,
        target: text("target", &v[6])?,
        action: opt_text("action", &v[7])?,
        resource: opt_text("resource", &v[8])?,
        reason: opt_text("reason", &v[9])?,
        codes: json("codes", &text("codes", &v[10])?)?,
        end_reason: opt_text("end_reason", &v[11])?,
        policy: PolicyRef {
            version: u32::try_from(int("policy_version", &v[12])?).unwrap_or(u32::MAX),
            digest: text("policy_digest", &v[13])?,
        },
        expires_at: opt_int("expires_at", &v[14])?
            .map(|t| time("expires_at", t))
            .transpose()?,
        obligations: opt_text("obligations", &v[15])?
            .map(|t| json("obligations", &t))
            .transpose()?,
        note: opt_text("note", &v[16])?,
        request: opt_text("request", &v[17])?,
        prev_hash: text("prev_hash", &v[18])?,
        hash: text("hash", &v[19])?,
    })
}

const POLICY_COLUMNS: &str = "tenant, version, digest, settings, created_at, active";

fn policy_row(row: &Row<'_>) -> rusqlite::Result<(String, i64, String, String, i64, bool)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn decode_policy(r: (String, i64, String, String, i64, bool)) -> Result<StoredPolicy, StoreError> {
    Ok(StoredPolicy {
        tenant: r.0,
        version: u32::try_from(r.1).unwrap_or(u32::MAX),
        digest: r.2,
        settings: r.3,
        created_at: time("created_at", r.4)?,
        active: r.5,
    })
}

impl Store for SqliteStore {
    fn put_policy(
        &self,
        tenant: &str,
        component: &[u8],
        digest: &str,
        settings: &str,
        at: DateTime<Utc>,
    ) -> Result<StoredPolicy, StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO components (digest, bytes, created_at) VALUES (?1, ?2, ?3)",
                params![digest, component, ts(at)],
            )?;
            let last: i64 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM policies WHERE tenant = ?1",
                [tenant],
                |r| r.get(0),
            )?;
            tx.execute("UPDATE policies SET active = 0 WHERE tenant = ?1 AND active = 1", [tenant])?;
            tx.execute(
                "INSERT INTO policies (tenant, version, digest, settings, created_at, active) VALUES (?1, ?2, ?3, ?4, ?5, 1)",
                params![tenant, last + 1, digest, settings, ts(at)],
            )?;
            Ok(StoredPolicy {
                tenant: tenant.to_string(),
                version: u32::try_from(last + 1).unwrap_or(u32::MAX),
                digest: digest.to_string(),
                settings: settings.to_string(),
                created_at: time("created_at", ts(at))?,
                active: true,
            })
        })
    }

    fn active_policy(&self, tenant: &str) -> Result<Option<StoredPolicy>, StoreError> {
        let conn = self.conn();
        conn.query_row(
            &format!("SELECT {POLICY_COLUMNS} FROM policies WHERE tenant = ?1 AND active = 1"),
            [tenant],
            policy_row,
        )
        .optional()?
        .map(decode_policy)
        .transpose()
    }

    fn policy(&self, tenant: &str, version: u32) -> Result<Option<StoredPolicy>, StoreError> {
        let conn = self.conn();
        conn.query_row(
            &format!("SELECT {POLICY_COLUMNS} FROM policies WHERE tenant = ?1 AND version = ?2"),
            params![tenant, version],
            policy_row,
        )
        .optional()?
        .map(decode_policy)
        .transpose()
    }

    fn component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let conn = self.conn();
        Ok(conn
            .query_row("SELECT bytes FROM components WHERE digest = ?1", [digest], |r| r.get(0))
            .optional()?)
    }

    fn notifications(&self, tenant: &str) -> Result<Notifications, StoreError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT enabled, started_template, ended_template FROM notifications WHERE tenant = ?1",
                [tenant],
                |r| {
                    Ok(Notifications {
                        enabled: r.get(0)?,
                        started_template: r.get(1)?,
                        ended_template: r.get(2)?,
                    })
                },
            )
            .optional()?;
        Ok(row.unwrap_or_default())
    }

    fn set_notifications(&self, tenant: &str, n: &Notifications) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO notifications (tenant, enabled, started_template, ended_template) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (tenant) DO UPDATE SET enabled = ?2, started_template = ?3, ended_template = ?4",
                params![tenant, n.enabled, n.started_template, n.ended_template],
            )?;
            Ok(())
        })
    }

    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        one_session(&self.conn(), "id = ?1", [id])
    }

    fn sessions(&self, tenant: &str, active_only: bool) -> Result<Vec<SessionRecord>, StoreError> {
        let conn = self.conn();
        let filter = if active_only { " AND state = 'active'" } else { "" };
        let mut stmt = conn.prepare(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE tenant = ?1{filter} ORDER BY started_at DESC, id"
        ))?;
        let rows = stmt.query_map([tenant], session_row)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(SessionRow::decode))
            .collect()
    }

    fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT id FROM sessions WHERE state = 'active' AND expires_at <= ?1 ORDER BY expires_at")?;
        let rows = stmt.query_map([ts(now)], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn start(
        &self,
        tenant: &str,
        actor: &str,
        decide: &mut dyn FnMut(Option<&SessionRecord>) -> Change,
    ) -> Result<Applied, StoreError> {
        self.write(|tx| {
            let current = one_session(
                tx,
                "tenant = ?1 AND actor = ?2 AND state = 'active' ORDER BY depth DESC LIMIT 1",
                [tenant, actor],
            )?;
            apply(tx, decide(current.as_ref()))
        })
    }

    fn modify(&self, id: &str, decide: &mut dyn FnMut(&SessionRecord) -> Change) -> Result<Applied, StoreError> {
        self.write(|tx| {
            let current =
                one_session(tx, "id = ?1", [id])?.ok_or_else(|| StoreError::UnknownSession(id.to_string()))?;
            apply(tx, decide(&current))
        })
    }

    fn record(&self, change: Change) -> Result<Applied, StoreError> {
        self.write(|tx| apply(tx, change))
    }

    fn audit(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let conn = self.conn();
        let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM audit WHERE 1 = 1");
        let mut args: Vec<SqlValue> = Vec::new();
        let mut add = |clause: &str, v: SqlValue| {
            args.push(v);
            sql.push_str(&format!(" AND {clause} ?{}", args.len()));
        };
        if let Some(t) = &f.tenant {
            add("tenant =", SqlValue::Text(t.clone()));
        }
        if let Some(a) = &f.actor {
            add("actor =", SqlValue::Text(a.clone()));
        }
        if let Some(t) = &f.target {
            add("target =", SqlValue::Text(t.clone()));
        }
        if let Some(e) = &f.event {
            add("event =", SqlValue::Text(e.clone()));
        }
        if let Some(s) = &f.session {
            add("session =", SqlValue::Text(s.clone()));
        }
        if let Some(t) = f.since {
            add("at >=", SqlValue::Integer(ts(t)));
        }
        if let Some(t) = f.until {
            add("at <", SqlValue::Integer(ts(t)));
        }
        sql.push_str(" ORDER BY tenant, seq");
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), audit_row)?;
        rows.map(|r| r.map_err(StoreError::from).and_then(decode_audit))
            .collect()
    }

    fn audit_tenants(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT DISTINCT tenant FROM audit ORDER BY tenant")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn outbox(&self, tenant: Option<&str>, include_acked: bool) -> Result<Vec<OutboxMessage>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, tenant, recipient, kind, session, text, created_at, acked_at FROM outbox \
             WHERE (?1 IS NULL OR tenant = ?1) AND (?2 OR acked_at IS NULL) ORDER BY id",
        )?;
        let rows = stmt.query_map(params![tenant, include_acked], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, Option<i64>>(7)?,
            ))
        })?;
        rows.map(|r| {
            let r = r?;
            Ok(OutboxMessage {
                id: r.0,
                tenant: r.1,
                to: r.2,
                kind: r.3,
                session: r.4,
                text: r.5,
                created_at: time("created_at", r.6)?,
                acked_at: r.7.map(|t| time("acked_at", t)).transpose()?,
            })
        })
        .collect()
    }

    fn ack(&self, ids: &[i64], at: DateTime<Utc>) -> Result<usize, StoreError> {
        self.write(|tx| {
            let mut n = 0;
            for id in ids {
                n += tx.execute(
                    "UPDATE outbox SET acked_at = ?2 WHERE id = ?1 AND acked_at IS NULL",
                    params![id, ts(at)],
                )?;
            }
            Ok(n)
        })
    }
}
