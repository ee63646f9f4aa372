//! The `api_keys` table (see [`standin::keys`]): each key's tenant, scope,
//! name and times, and the sha256 of its secret, never the secret; and the
//! tag the host key makes for the row (`standin::store::Integrity`), without which
//! a keyed store authenticates nothing with it.

use super::codec::{cell, int, opt_int, opt_text, text, time, ts};
use crate::{SqliteStore, db};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use standin::access::{ApiKey, Scope};
use standin::store::{Integrity, KeyStore, StoreError};

const COLUMNS: &str = "id, tenant, scope, name, created_at, revoked_at, hash, tag";

/// A key as stored: the record, its secret's hash and its tag, unchecked.
pub(super) struct Tagged {
    pub(super) key: ApiKey,
    hash: String,
    tag: Option<String>,
}

impl Tagged {
    /// The key, if its tag holds (see `standin::store::Integrity`).
    pub(super) fn check(self, integrity: &Integrity) -> Result<ApiKey, StoreError> {
        integrity.check_key(self.key, &self.hash, self.tag.as_deref())
    }
}

pub(super) fn put(conn: &Connection, key: &ApiKey, hash: &str, integrity: &Integrity) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO api_keys (id, tenant, scope, name, hash, created_at, revoked_at, tag) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            key.id,
            key.tenant,
            key.scope.as_str(),
            key.name,
            hash,
            ts(key.created_at),
            key.revoked_at.map(ts),
            integrity.key_tag(key, hash)
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// A row, every cell checked: a scope the build does not know is corrupt,
/// never a wider one.
fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Tagged, StoreError>> {
    let cells = (0..8).map(|i| cell(r, i)).collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((|| {
        let scope = text("scope", &cells[2])?;
        let key = ApiKey {
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
        };
        Ok(Tagged {
            key,
            hash: text("hash", &cells[6])?,
            tag: opt_text("tag", &cells[7])?,
        })
    })())
}

fn one(conn: &Connection, column: &str, value: &str) -> Result<Option<Tagged>, StoreError> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_keys WHERE {column} = ?1"))
        .map_err(db)?
        .query_row([value], row)
        .optional()
        .map_err(db)?
        .transpose()
}

/// The key whose secret hashes to `hash`; [`StoreError::Forged`] when its
/// row does not carry the tag the host key makes for it.
pub(super) fn by_hash(conn: &Connection, hash: &str, integrity: &Integrity) -> Result<Option<ApiKey>, StoreError> {
    one(conn, "hash", hash)?.map(|t| t.check(integrity)).transpose()
}

pub(super) fn by_id(conn: &Connection, id: &str, integrity: &Integrity) -> Result<Option<ApiKey>, StoreError> {
    one(conn, "id", id)?.map(|t| t.check(integrity)).transpose()
}

pub(super) fn of_tenant(conn: &Connection, tenant: &str, integrity: &Integrity) -> Result<Vec<ApiKey>, StoreError> {
    of_tenant_tagged(conn, tenant)?
        .into_iter()
        .map(|t| t.check(integrity))
        .collect()
}

/// A tenant's keys with their tags, unchecked (for `audit verify`).
pub(super) fn of_tenant_tagged(conn: &Connection, tenant: &str) -> Result<Vec<Tagged>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM api_keys WHERE tenant = ?1 ORDER BY created_at, id"
        ))
        .map_err(db)?;
    let rows = stmt.query_map([tenant], row).map_err(db)?;
    rows.map(|r| r.map_err(db)?).collect()
}

/// Revokes key `id` at `at` (once: a revoked key keeps its first time),
/// with a new tag; a row whose tag does not hold is refused, not revoked
/// (and never authenticates).
pub(super) fn revoke(
    conn: &Connection,
    id: &str,
    at: DateTime<Utc>,
    integrity: &Integrity,
) -> Result<Option<ApiKey>, StoreError> {
    let Some(stored) = one(conn, "id", id)? else {
        return Ok(None);
    };
    let hash = stored.hash.clone();
    let mut key = stored.check(integrity)?;
    if key.revoked_at.is_some() {
        return Ok(Some(key));
    }
    key.revoked_at = Some(time("revoked_at", ts(at))?);
    conn.execute(
        "UPDATE api_keys SET revoked_at = ?2, tag = ?3 WHERE id = ?1 AND revoked_at IS NULL",
        params![id, key.revoked_at.map(ts), integrity.key_tag(&key, &hash)],
    )
    .map_err(db)?;
    by_id(conn, id, integrity)
}

impl KeyStore for SqliteStore {
    fn put_key(&self, key: &ApiKey, hash: &str) -> Result<(), StoreError> {
        self.write(|conn, heads| put(conn, key, hash, &heads.integrity))
    }

    fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        self.read(|c| by_hash(c, hash, &self.integrity()))
    }

    fn keys(&self, tenant: &str) -> Result<Vec<ApiKey>, StoreError> {
        self.read(|c| of_tenant(c, tenant, &self.integrity()))
    }

    fn revoke_key(&self, id: &str, at: DateTime<Utc>) -> Result<Option<ApiKey>, StoreError> {
        self.write(|conn, heads| revoke(conn, id, at, &heads.integrity))
    }
}
