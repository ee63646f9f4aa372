//! Per-tenant notification settings, allowed `return_to` origins (each
//! row tagged by the host key, `standin::store::Integrity`) and the outbox: small tables that
//! change rarely (except the outbox, which grows with sessions). Policy
//! versions are in [`super::policies`].

use super::codec::{time, ts};
use crate::db;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use standin::model::{Acked, Notifications, OutboxMessage};
use standin::store::Integrity;
use standin::store::StoreError;

/// `tenant`'s notification settings row and its tag, unchecked.
pub(super) fn notifications_tagged(
    conn: &Connection,
    tenant: &str,
) -> Result<Option<(Notifications, Option<String>)>, StoreError> {
    conn.prepare_cached("SELECT enabled, started_template, ended_template, tag FROM notifications WHERE tenant = ?1")
        .map_err(db)?
        .query_row([tenant], |r| {
            Ok((
                Notifications {
                    enabled: r.get(0)?,
                    started_template: r.get(1)?,
                    ended_template: r.get(2)?,
                },
                r.get(3)?,
            ))
        })
        .optional()
        .map_err(db)
}

/// The settings in force: the row if its tag holds, else the defaults
/// (which notify; see `Integrity::notifications_in_force`).
pub(super) fn notifications(
    conn: &Connection,
    tenant: &str,
    integrity: &Integrity,
) -> Result<Notifications, StoreError> {
    Ok(integrity.notifications_in_force(tenant, notifications_tagged(conn, tenant)?))
}

pub(super) fn set_notifications(
    conn: &Connection,
    tenant: &str,
    n: &Notifications,
    integrity: &Integrity,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO notifications (tenant, enabled, started_template, ended_template, tag) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (tenant) DO UPDATE SET enabled = ?2, started_template = ?3, ended_template = ?4, tag = ?5",
        params![
            tenant,
            n.enabled,
            n.started_template,
            n.ended_template,
            integrity.notifications_tag(tenant, n)
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// `tenant`'s allowed origins with their tags, unchecked.
pub(super) fn return_origins_tagged(
    conn: &Connection,
    tenant: &str,
) -> Result<Vec<(String, Option<String>)>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT origin, tag FROM return_origins WHERE tenant = ?1 ORDER BY origin")
        .map_err(db)?;
    let rows = stmt.query_map([tenant], |r| Ok((r.get(0)?, r.get(1)?))).map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// The origins `tenant` allows: only those whose row's tag holds (an
/// origin a database writer added is not allowed).
pub(super) fn return_origins(
    conn: &Connection,
    tenant: &str,
    integrity: &Integrity,
) -> Result<Vec<String>, StoreError> {
    Ok(return_origins_tagged(conn, tenant)?
        .into_iter()
        .filter(|(origin, tag)| integrity.check_origin(tenant, origin, tag.as_deref()).is_ok())
        .map(|(origin, _)| origin)
        .collect())
}

pub(super) fn set_return_origins(
    conn: &Connection,
    tenant: &str,
    origins: &[String],
    integrity: &Integrity,
) -> Result<(), StoreError> {
    conn.execute("DELETE FROM return_origins WHERE tenant = ?1", [tenant])
        .map_err(db)?;
    let mut insert = conn
        .prepare_cached("INSERT OR IGNORE INTO return_origins (tenant, origin, tag) VALUES (?1, ?2, ?3)")
        .map_err(db)?;
    for origin in origins {
        insert
            .execute(params![tenant, origin, integrity.origin_tag(tenant, origin)])
            .map_err(db)?;
    }
    Ok(())
}

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
