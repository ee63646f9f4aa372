//! The `sessions` table: rows to [`SessionRecord`]s and back, and the reads
//! the session logic needs (by id, an actor's innermost active session, a
//! tenant's list, the due ones).

use super::codec::{cell, int, json, opt_int, opt_text, text, time, to_json, ts};
use crate::{SqliteStore, apply, db};
use chrono::{DateTime, Utc};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};
use standin::audit::AuditEvent;
use standin::decision::PolicyRef;
use standin::model::{EndReason, SessionRecord, SessionState};
use standin::store::{ActionAppended, ActionRecord, Applied, Change, Integrity, SessionStore, StoreError};

/// The columns of a row, in the order rows are written and read.
macro_rules! columns {
    () => {
        "id, tenant, actor, target, actor_principal, target_principal, reason, domain, read_only, started_at, \
         expires_at, max_expires_at, state, ended_at, end_reason, return_to, policy_version, policy_digest, \
         notify_target, obligations, revoke_reason, parent, depth, approval, tag, scope, idle_timeout"
    };
}

const SESSION_COLUMNS: &str = columns!();

/// When a session's last audit row was written (IT1: the audit row is the
/// activity record, found by `audit_idle`: the rows of actions in sessions
/// with an idle timeout, which carry the deadline they move it to).
macro_rules! last_action {
    () => {
        "(SELECT MAX(a.at) FROM audit a WHERE a.session = sessions.id AND a.expires_at IS NOT NULL \
         AND a.event IN ('action.allowed', 'action.denied'))"
    };
}

const LAST_ACTION: &str = last_action!();

/// What a read selects: the columns, then [`LAST_ACTION`] for a session
/// with an idle timeout.
const READ_COLUMNS: &str = concat!(
    columns!(),
    ", CASE WHEN idle_timeout IS NULL THEN NULL ELSE ",
    last_action!(),
    " END"
);

/// A row of `READ_COLUMNS`, raw.
struct SessionRow(Vec<SqlValue>);

fn session_row(row: &Row<'_>) -> rusqlite::Result<SessionRow> {
    (0..28).map(|i| cell(row, i)).collect::<Result<_, _>>().map(SessionRow)
}

impl SessionRow {
    /// The record and its tag, as stored (unchecked: for `audit verify`).
    pub(super) fn decode_tagged(self) -> Result<(SessionRecord, Option<String>), StoreError> {
        let tag = opt_text("tag", &self.0[24])?;
        Ok((self.decode_record()?, tag))
    }

    /// The record, if its tag holds (see `standin::store::Integrity`).
    fn decode(self, integrity: &Integrity) -> Result<SessionRecord, StoreError> {
        let (s, tag) = self.decode_tagged()?;
        integrity.check_session(s, tag.as_deref())
    }

    fn decode_record(self) -> Result<SessionRecord, StoreError> {
        let v = &self.0;
        let state = text("state", &v[12])?;
        let state = SessionState::parse(&state).ok_or_else(|| StoreError::Corrupt {
            column: "state",
            message: format!("`{state}`"),
        })?;
        let end_reason = opt_text("end_reason", &v[14])?
            .map(|r| {
                EndReason::parse(&r).ok_or_else(|| StoreError::Corrupt {
                    column: "end_reason",
                    message: format!("`{r}`"),
                })
            })
            .transpose()?;
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
            approval: opt_text("approval", &v[23])?
                .map(|a| json("approval", &a))
                .transpose()?,
            scope: opt_text("scope", &v[25])?.map(|s| json("scope", &s)).transpose()?,
            idle_timeout_seconds: opt_int("idle_timeout", &v[26])?.map(|t| t.max(1) as u64),
            last_action_at: opt_int("last_action_at", &v[27])?
                .map(|t| time("last_action_at", t))
                .transpose()?,
        })
    }
}

pub(super) fn one_session(
    conn: &Connection,
    sql_where: &str,
    params: impl rusqlite::Params,
    integrity: &Integrity,
) -> Result<Option<SessionRecord>, StoreError> {
    let sql = format!("SELECT {READ_COLUMNS} FROM sessions WHERE {sql_where}");
    conn.prepare_cached(&sql)
        .map_err(db)?
        .query_row(params, session_row)
        .optional()
        .map_err(db)?
        .map(|r| r.decode(integrity))
        .transpose()
}

/// Session `id`.
pub(super) fn by_id(conn: &Connection, id: &str, integrity: &Integrity) -> Result<Option<SessionRecord>, StoreError> {
    one_session(conn, "id = ?1", [id], integrity)
}

/// The actor's innermost active session.
pub(super) fn current(
    conn: &Connection,
    tenant: &str,
    actor: &str,
    integrity: &Integrity,
) -> Result<Option<SessionRecord>, StoreError> {
    one_session(
        conn,
        "tenant = ?1 AND actor = ?2 AND state = 'active' ORDER BY depth DESC LIMIT 1",
        [tenant, actor],
        integrity,
    )
}

pub(super) fn list(
    conn: &Connection,
    tenant: &str,
    active_only: bool,
    integrity: &Integrity,
) -> Result<Vec<SessionRecord>, StoreError> {
    list_tagged(conn, tenant, active_only)?
        .into_iter()
        .map(|(s, tag)| integrity.check_session(s, tag.as_deref()))
        .collect()
}

/// A tenant's sessions with their tags, unchecked (for `audit verify`).
pub(super) fn list_tagged(
    conn: &Connection,
    tenant: &str,
    active_only: bool,
) -> Result<Vec<(SessionRecord, Option<String>)>, StoreError> {
    let filter = if active_only { " AND state <> 'ended'" } else { "" };
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {READ_COLUMNS} FROM sessions WHERE tenant = ?1{filter} ORDER BY started_at DESC, id"
        ))
        .map_err(db)?;
    let rows = stmt.query_map([tenant], session_row).map_err(db)?;
    rows.map(|r| r.map_err(db).and_then(SessionRow::decode_tagged))
        .collect()
}

/// The sessions after `after` in the listing's order (newest first, then id).
pub(super) fn page(
    conn: &Connection,
    tenant: &str,
    active_only: bool,
    after: Option<&str>,
    limit: usize,
    integrity: &Integrity,
) -> Result<Vec<SessionRecord>, StoreError> {
    let filter = if active_only { " AND state <> 'ended'" } else { "" };
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {READ_COLUMNS} FROM sessions WHERE tenant = ?1{filter}  AND (?2 IS NULL OR \
         started_at < (SELECT started_at FROM sessions WHERE id = ?2 AND tenant = ?1) OR \
         (started_at = (SELECT started_at FROM sessions WHERE id = ?2 AND tenant = ?1) AND id > ?2)) \
         ORDER BY started_at DESC, id LIMIT ?3"
        ))
        .map_err(db)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![tenant, after, limit], session_row).map_err(db)?;
    rows.map(|r| r.map_err(db).and_then(|r| r.decode(integrity))).collect()
}

pub(super) fn due(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT id FROM sessions WHERE state IN ('active', 'pending') AND \
             (CASE state WHEN 'active' THEN MIN(expires_at, started_at + 86400) ELSE expires_at END) <= ?1 \
             ORDER BY expires_at",
        )
        .map_err(db)?;
    let rows = stmt.query_map([ts(now)], |r| r.get(0)).map_err(db)?;
    let mut due: Vec<String> = rows.collect::<Result<_, _>>().map_err(db)?;
    // Idle ones (IT1), after: each found by its last audit row.
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT id FROM sessions WHERE state = 'active' AND idle_timeout IS NOT NULL AND \
             MAX(started_at, COALESCE({LAST_ACTION}, 0)) + idle_timeout <= ?1 ORDER BY started_at"
        ))
        .map_err(db)?;
    for id in stmt.query_map([ts(now)], |r| r.get::<_, String>(0)).map_err(db)? {
        let id = id.map_err(db)?;
        if !due.contains(&id) {
            due.push(id);
        }
    }
    Ok(due)
}

pub(super) fn next_deadline(conn: &Connection) -> Result<Option<DateTime<Utc>>, StoreError> {
    let at: Option<i64> = conn
        .prepare_cached(&format!(
            "SELECT MIN(d) FROM ( \
                 SELECT MIN(CASE state WHEN 'active' THEN MIN(expires_at, started_at + 86400) ELSE expires_at END) \
                 AS d FROM sessions WHERE state IN ('active', 'pending') UNION ALL \
                 SELECT MIN(MAX(started_at, COALESCE({LAST_ACTION}, 0)) + idle_timeout) FROM sessions \
                 WHERE state = 'active' AND idle_timeout IS NOT NULL)"
        ))
        .map_err(db)?
        .query_row([], |r| r.get(0))
        .map_err(db)?;
    at.map(|t| time("expires_at", t)).transpose()
}

/// Inserts `s` with the tag `integrity` makes for it.
pub(super) fn insert(conn: &Connection, s: &SessionRecord, integrity: &Integrity) -> Result<(), StoreError> {
    conn.prepare_cached(&format!(
        "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
         ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)"
    ))
    .map_err(db)?
    .execute(params![
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
        s.approval.as_ref().map(to_json),
        integrity.session_tag(s),
        s.scope.as_ref().map(to_json),
        s.idle_timeout_seconds.map(|t| t as i64),
    ])
    .map_err(db)?;
    Ok(())
}

/// Updates what can change of a session: its deadline, its end, its
/// principals, and what an approval sets; and its tag.
pub(super) fn update(conn: &Connection, s: &SessionRecord, integrity: &Integrity) -> Result<(), StoreError> {
    let n = conn
        .prepare_cached(
            "UPDATE sessions SET expires_at = ?2, state = ?3, ended_at = ?4, end_reason = ?5, revoke_reason = ?6, \
             actor_principal = ?7, target_principal = ?8, started_at = ?9, max_expires_at = ?10, parent = ?11, \
             depth = ?12, approval = ?13, tag = ?14 WHERE id = ?1",
        )
        .map_err(db)?
        .execute(params![
            s.id,
            ts(s.expires_at),
            s.state.as_str(),
            s.ended_at.map(ts),
            s.end_reason.map(EndReason::as_str),
            s.revoke_reason,
            to_json(&s.actor_principal),
            to_json(&s.target_principal),
            ts(s.started_at),
            ts(s.max_expires_at),
            s.parent,
            s.depth,
            s.approval.as_ref().map(to_json),
            integrity.session_tag(s),
        ])
        .map_err(db)?;
    if n == 0 {
        return Err(StoreError::UnknownSession(s.id.clone()));
    }
    Ok(())
}

impl SessionStore for SqliteStore {
    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|c| by_id(c, id, &self.integrity()))
    }

    fn sessions(&self, tenant: &str, active_only: bool) -> Result<Vec<SessionRecord>, StoreError> {
        self.read(|c| list(c, tenant, active_only, &self.integrity()))
    }

    fn sessions_page(
        &self,
        tenant: &str,
        active_only: bool,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        self.read(|c| page(c, tenant, active_only, after, limit, &self.integrity()))
    }

    fn current_session(&self, tenant: &str, actor: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|c| current(c, tenant, actor, &self.integrity()))
    }

    fn next_deadline(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.read(next_deadline)
    }

    fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        self.read(|c| due(c, now))
    }

    fn start(
        &self,
        tenant: &str,
        actor: &str,
        decide: &mut dyn FnMut(Option<&SessionRecord>) -> Change,
    ) -> Result<Applied, StoreError> {
        self.write(|conn, heads| {
            let current = current(conn, tenant, actor, &heads.integrity)?;
            apply(conn, heads, decide(current.as_ref()))
        })
    }

    fn modify(&self, id: &str, decide: &mut dyn FnMut(&SessionRecord) -> Change) -> Result<Applied, StoreError> {
        self.write(|conn, heads| {
            let current =
                by_id(conn, id, &heads.integrity)?.ok_or_else(|| StoreError::UnknownSession(id.to_string()))?;
            apply(conn, heads, decide(&current))
        })
    }

    fn record(&self, change: Change) -> Result<Applied, StoreError> {
        self.write(|conn, heads| apply(conn, heads, change))
    }

    fn append_action(&self, record: ActionRecord) -> Result<ActionAppended, StoreError> {
        self.writable("an action's audit rows")?;
        self.writer.submit_one(record)
    }

    fn append_actions(
        &self,
        records: &mut dyn Iterator<Item = ActionRecord>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        if self.read_only {
            return records
                .map(|_| Err(StoreError::ReadOnly("an action's audit rows")))
                .collect();
        }
        self.writer.submit_all(records)
    }

    fn append_events(
        &self,
        rows: &mut dyn Iterator<Item = Vec<AuditEvent>>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        if self.read_only {
            return rows
                .map(|_| Err(StoreError::ReadOnly("an answer's audit rows")))
                .collect();
        }
        self.writer.submit_events(rows)
    }
}
