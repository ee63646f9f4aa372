//! [`OutboxStore`] for [`SqliteStore`]: the `outbox` table, messages for
//! targets written in the transaction of the change that caused them,
//! listed, paged, claimed and acknowledged.

use super::codec::{time, ts};
use crate::{SqliteStore, db};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use standin::model::{Acked, OutboxMessage};
use standin::store::{OutboxStore, StoreError};

/// Writes a message; returns it with its id.
pub(super) fn push(conn: &Connection, m: standin::model::NewMessage) -> Result<OutboxMessage, StoreError> {
    conn.prepare_cached(
        "INSERT INTO outbox (tenant, recipient, kind, session, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .map_err(db)?
    .execute(params![m.tenant, m.to, m.kind, m.session, m.text, ts(m.created_at)])
    .map_err(db)?;
    Ok(m.stored(conn.last_insert_rowid()))
}

pub(super) fn outbox(
    conn: &Connection,
    tenant: Option<&str>,
    include_acked: bool,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {MESSAGE} FROM outbox WHERE (?1 IS NULL OR tenant = ?1) AND (?2 OR acked_at IS NULL) ORDER BY id"
        ))
        .map_err(db)?;
    let rows = stmt
        .query_map(params![tenant, include_acked], raw_message)
        .map_err(db)?;
    messages(rows)
}

/// Messages with ids above `after`, oldest first.
pub(super) fn outbox_page(
    conn: &Connection,
    tenant: Option<&str>,
    include_acked: bool,
    after: Option<i64>,
    limit: usize,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {MESSAGE} FROM outbox WHERE (?1 IS NULL OR tenant = ?1) AND (?2 OR acked_at IS NULL) \
         AND id > ?3 ORDER BY id LIMIT ?4"
        ))
        .map_err(db)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![tenant, include_acked, after.unwrap_or(0), limit], raw_message)
        .map_err(db)?;
    messages(rows)
}

/// The columns of a message, in the order [`raw_message`] reads them.
const MESSAGE: &str = "id, tenant, recipient, kind, session, text, created_at, acked_at";

type RawMessage = (i64, String, String, String, String, String, i64, Option<i64>);

fn raw_message(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawMessage> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn messages(rows: impl Iterator<Item = rusqlite::Result<RawMessage>>) -> Result<Vec<OutboxMessage>, StoreError> {
    rows.map(|r| {
        let r = r.map_err(db)?;
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

/// Claims (see `OutboxStore::claim`): in the write transaction, so two
/// consumers, in any processes, are served one after the other.
pub(super) fn claim(
    conn: &Connection,
    tenant: Option<&str>,
    limit: usize,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "UPDATE outbox SET claimed_until = ?4 WHERE id IN (SELECT id FROM outbox \
         WHERE (?1 IS NULL OR tenant = ?1) AND acked_at IS NULL AND (claimed_until IS NULL OR claimed_until <= ?2) \
         ORDER BY id LIMIT ?3) RETURNING {MESSAGE}"
        ))
        .map_err(db)?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt
        .query_map(params![tenant, ts(now), limit, ts(until)], raw_message)
        .map_err(db)?;
    let mut claimed = messages(rows)?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

/// All or nothing (see `OutboxStore::ack`): every id is checked to be one of
/// `tenant`'s messages before any is acknowledged.
pub(super) fn ack(
    conn: &Connection,
    tenant: Option<&str>,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<Acked, StoreError> {
    let mut unknown = Vec::new();
    let mut known = conn
        .prepare_cached("SELECT 1 FROM outbox WHERE id = ?1 AND (?2 IS NULL OR tenant = ?2)")
        .map_err(db)?;
    for id in ids {
        if !known.exists(params![id, tenant]).map_err(db)? && !unknown.contains(id) {
            unknown.push(*id);
        }
    }
    if !unknown.is_empty() {
        return Ok(Acked { acked: 0, unknown });
    }
    let mut mark = conn
        .prepare_cached(
            "UPDATE outbox SET acked_at = ?2 WHERE id = ?1 AND (?3 IS NULL OR tenant = ?3) AND acked_at IS NULL",
        )
        .map_err(db)?;
    let mut acked = 0;
    for id in ids {
        acked += mark.execute(params![id, ts(at), tenant]).map_err(db)?;
    }
    Ok(Acked { acked, unknown })
}

impl OutboxStore for SqliteStore {
    fn outbox(&self, tenant: Option<&str>, include_acked: bool) -> Result<Vec<OutboxMessage>, StoreError> {
        self.read(|c| outbox(c, tenant, include_acked))
    }

    fn outbox_page(
        &self,
        tenant: Option<&str>,
        include_acked: bool,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.read(|c| outbox_page(c, tenant, include_acked, after, limit))
    }

    fn ack(&self, tenant: Option<&str>, ids: &[i64], at: DateTime<Utc>) -> Result<Acked, StoreError> {
        self.write(|conn, _| ack(conn, tenant, ids, at))
    }

    fn claim(
        &self,
        tenant: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.write(|conn, _| claim(conn, tenant, limit, now, until))
    }
}
