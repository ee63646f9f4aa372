//! The `api_keys` table (see [`standin::keys`]): each key's tenant, scope,
//! name and times, and the sha256 of its secret, never the secret.

use super::codec::{cell, int, opt_int, opt_text, text, time, ts};
use crate::db;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use standin::keys::{ApiKey, Scope};
use standin::store::StoreError;

const COLUMNS: &str = "id, tenant, scope, name, created_at, revoked_at";

pub(super) fn put(conn: &Connection, key: &ApiKey, hash: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO api_keys (id, tenant, scope, name, hash, created_at, revoked_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            key.id,
            key.tenant,
            key.scope.as_str(),
            key.name,
            hash,
            ts(key.created_at),
            key.revoked_at.map(ts)
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// A row, every cell checked: a scope the build does not know is corrupt,
/// never a wider one.
fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<ApiKey, StoreError>> {
    let cells = [
        cell(r, 0)?,
        cell(r, 1)?,
        cell(r, 2)?,
        cell(r, 3)?,
        cell(r, 4)?,
        cell(r, 5)?,
    ];
    Ok((|| {
        let scope = text("scope", &cells[2])?;
        Ok(ApiKey {
            id: text("id", &cells[0])?,
            tenant: text("tenant", &cells[1])?,
            scope: scope.parse::<Scope>().map_err(|e| StoreError::Corrupt {
                column: "scope",
                message: e.to_string(),
            })?,
            name: opt_text("name", &cells[3])?,
            created_at: time("created_at", int("created_at", &cells[4])?)?,
            revoked_at: opt_int("revoked_at", &cells[5])?
                .map(|t| time("revoked_at", t))
                .transpose()?,
        })
    })())
}

pub(super) fn by_hash(conn: &Connection, hash: &str) -> Result<Option<ApiKey>, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_keys WHERE hash = ?1"))
        .map_err(db)?
        .query_row([hash], row)
        .optional()
        .map_err(db)?
        .transpose()
}

pub(super) fn by_id(conn: &Connection, id: &str) -> Result<Option<ApiKey>, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_keys WHERE id = ?1"))
        .map_err(db)?
        .query_row([id], row)
        .optional()
        .map_err(db)?
        .transpose()
}

pub(super) fn of_tenant(conn: &Connection, tenant: &str) -> Result<Vec<ApiKey>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM api_keys WHERE tenant = ?1 ORDER BY created_at, id"
        ))
        .map_err(db)?;
    let rows = stmt.query_map([tenant], row).map_err(db)?;
    rows.map(|r| r.map_err(db)?).collect()
}

pub(super) fn revoke(conn: &Connection, id: &str, at: DateTime<Utc>) -> Result<Option<ApiKey>, StoreError> {
    conn.execute(
        "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, ts(at)],
    )
    .map_err(db)?;
    by_id(conn, id)
}
