//! Per-tenant configuration and delivery: stored components and policy
//! versions, notification settings, and the outbox. Small tables that
//! change rarely (except the outbox, which grows with sessions).

use super::super::{Notifications, OutboxMessage, StoreError, StoredPolicy};
use super::codec::{time, ts};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

const POLICY_COLUMNS: &str = "tenant, version, digest, settings, created_at, active";

type PolicyRow = (String, i64, String, String, i64, bool);

fn policy_row(row: &Row<'_>) -> rusqlite::Result<PolicyRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn decode_policy(r: PolicyRow) -> Result<StoredPolicy, StoreError> {
    Ok(StoredPolicy {
        tenant: r.0,
        version: u32::try_from(r.1).unwrap_or(u32::MAX),
        digest: r.2,
        settings: r.3,
        created_at: time("created_at", r.4)?,
        active: r.5,
    })
}

/// Stores the component (once per digest) and a new active version.
pub(super) fn put_policy(
    conn: &Connection,
    tenant: &str,
    component: &[u8],
    digest: &str,
    settings: &str,
    at: DateTime<Utc>,
) -> Result<StoredPolicy, StoreError> {
    conn.execute(
        "INSERT OR IGNORE INTO components (digest, bytes, created_at) VALUES (?1, ?2, ?3)",
        params![digest, component, ts(at)],
    )?;
    let last: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM policies WHERE tenant = ?1",
        [tenant],
        |r| r.get(0),
    )?;
    conn.execute(
        "UPDATE policies SET active = 0 WHERE tenant = ?1 AND active = 1",
        [tenant],
    )?;
    conn.execute(
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
}

pub(super) fn active_policy(conn: &Connection, tenant: &str) -> Result<Option<StoredPolicy>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {POLICY_COLUMNS} FROM policies WHERE tenant = ?1 AND active = 1"
    ))?
    .query_row([tenant], policy_row)
    .optional()?
    .map(decode_policy)
    .transpose()
}

pub(super) fn policy(conn: &Connection, tenant: &str, version: u32) -> Result<Option<StoredPolicy>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {POLICY_COLUMNS} FROM policies WHERE tenant = ?1 AND version = ?2"
    ))?
    .query_row(params![tenant, version], policy_row)
    .optional()?
    .map(decode_policy)
    .transpose()
}

pub(super) fn component(conn: &Connection, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(conn
        .query_row("SELECT bytes FROM components WHERE digest = ?1", [digest], |r| r.get(0))
        .optional()?)
}

pub(super) fn notifications(conn: &Connection, tenant: &str) -> Result<Notifications, StoreError> {
    let row = conn
        .prepare_cached("SELECT enabled, started_template, ended_template FROM notifications WHERE tenant = ?1")?
        .query_row([tenant], |r| {
            Ok(Notifications {
                enabled: r.get(0)?,
                started_template: r.get(1)?,
                ended_template: r.get(2)?,
            })
        })
        .optional()?;
    Ok(row.unwrap_or_default())
}

pub(super) fn set_notifications(conn: &Connection, tenant: &str, n: &Notifications) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO notifications (tenant, enabled, started_template, ended_template) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (tenant) DO UPDATE SET enabled = ?2, started_template = ?3, ended_template = ?4",
        params![tenant, n.enabled, n.started_template, n.ended_template],
    )?;
    Ok(())
}

/// Writes a message; returns it with its id.
pub(super) fn push(conn: &Connection, m: super::super::NewMessage) -> Result<OutboxMessage, StoreError> {
    conn.prepare_cached(
        "INSERT INTO outbox (tenant, recipient, kind, session, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![m.tenant, m.to, m.kind, m.session, m.text, ts(m.created_at)])?;
    Ok(OutboxMessage {
        id: conn.last_insert_rowid(),
        tenant: m.tenant,
        to: m.to,
        kind: m.kind,
        session: m.session,
        text: m.text,
        created_at: m.created_at,
        acked_at: None,
    })
}

pub(super) fn outbox(
    conn: &Connection,
    tenant: Option<&str>,
    include_acked: bool,
) -> Result<Vec<OutboxMessage>, StoreError> {
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

pub(super) fn ack(conn: &Connection, ids: &[i64], at: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut n = 0;
    for id in ids {
        n += conn.execute(
            "UPDATE outbox SET acked_at = ?2 WHERE id = ?1 AND acked_at IS NULL",
            params![id, ts(at)],
        )?;
    }
    Ok(n)
}
