//! [`KeyStore`] for [`PostgresStore`]: the `api_keys` table (see
//! `standin::access`): each key's tenant, scope, name and times, the
//! sha256 of its secret, never the secret, and the tag the host key makes
//! for the row (`standin::store::Integrity`).

use crate::codec::{get, time, ts};
use crate::{PostgresStore, db};
use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row};
use standin::access::{ApiKey, Scope};
use standin::store::{Integrity, KeyStore, StoreError};

const KEY_COLUMNS: &str = "id, tenant, scope, name, created_at, revoked_at, hash, tag";

/// A key as stored: the record, its secret's hash and its tag, unchecked.
pub(crate) struct TaggedKey {
    key: ApiKey,
    hash: String,
    tag: Option<String>,
}

impl TaggedKey {
    /// The key, if its tag holds (see `standin::store::Integrity`).
    pub(crate) fn check(self, integrity: &Integrity) -> Result<ApiKey, StoreError> {
        integrity.check_key(self.key, &self.hash, self.tag.as_deref())
    }
}

/// A key row, checked: a scope this build does not know is corrupt, never a wider one.
fn key(r: &Row) -> Result<TaggedKey, StoreError> {
    let scope: String = get(r, "scope")?;
    let key = ApiKey {
        id: get(r, "id")?,
        tenant: get(r, "tenant")?,
        scope: scope.parse::<Scope>().map_err(|e| StoreError::Corrupt {
            column: "scope",
            message: e.to_string(),
        })?,
        name: get(r, "name")?,
        created_at: time("created_at", get(r, "created_at")?)?,
        revoked_at: get::<Option<i64>>(r, "revoked_at")?
            .map(|t| time("revoked_at", t))
            .transpose()?,
    };
    Ok(TaggedKey {
        key,
        hash: get(r, "hash")?,
        tag: get(r, "tag")?,
    })
}

pub(crate) fn put_key(
    c: &mut impl GenericClient,
    k: &ApiKey,
    hash: &str,
    integrity: &Integrity,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO api_keys (id, tenant, scope, name, hash, created_at, revoked_at, tag) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &k.id,
            &k.tenant,
            &k.scope.as_str(),
            &k.name,
            &hash,
            &ts(k.created_at),
            &k.revoked_at.map(ts),
            &integrity.key_tag(k, hash),
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// The key row matching `filter` (`column = $1`) with `value`, unchecked.
fn key_row(c: &mut impl GenericClient, filter: &str, value: &str) -> Result<Option<TaggedKey>, StoreError> {
    c.query_opt(&format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE {filter}"), &[&value])
        .map_err(db)?
        .map(|r| key(&r))
        .transpose()
}

/// The key matching `filter` (`column = $1`) with `value`;
/// [`StoreError::Forged`] when its row does not carry the tag the host key
/// makes for it.
pub(crate) fn key_where(
    c: &mut impl GenericClient,
    filter: &str,
    value: &str,
    integrity: &Integrity,
) -> Result<Option<ApiKey>, StoreError> {
    key_row(c, filter, value)?.map(|k| k.check(integrity)).transpose()
}

pub(crate) fn keys(c: &mut impl GenericClient, tenant: &str, integrity: &Integrity) -> Result<Vec<ApiKey>, StoreError> {
    keys_tagged(c, tenant)?
        .into_iter()
        .map(|k| k.check(integrity))
        .collect()
}

/// A tenant's keys with their tags, unchecked (for `audit verify`).
pub(crate) fn keys_tagged(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<TaggedKey>, StoreError> {
    c.query(
        &format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE tenant = $1 ORDER BY created_at, id"),
        &[&tenant],
    )
    .map_err(db)?
    .iter()
    .map(key)
    .collect()
}

/// Revokes key `id` at `at` (once: a revoked key keeps its first time),
/// with a new tag, the row locked while it is read and rewritten; a row
/// whose tag does not hold is refused, not revoked (and never
/// authenticates).
pub(crate) fn revoke_key(
    c: &mut impl GenericClient,
    id: &str,
    at: DateTime<Utc>,
    integrity: &Integrity,
) -> Result<Option<ApiKey>, StoreError> {
    let Some(stored) = key_row(c, "id = $1 FOR UPDATE", id)? else {
        return Ok(None);
    };
    let hash = stored.hash.clone();
    let mut k = stored.check(integrity)?;
    if k.revoked_at.is_some() {
        return Ok(Some(k));
    }
    k.revoked_at = Some(time("revoked_at", ts(at))?);
    c.execute(
        "UPDATE api_keys SET revoked_at = $2, tag = $3 WHERE id = $1",
        &[&id, &k.revoked_at.map(ts), &integrity.key_tag(&k, &hash)],
    )
    .map_err(db)?;
    key_where(c, "id = $1", id, integrity)
}

impl KeyStore for PostgresStore {
    fn put_key(&self, key: &ApiKey, hash: &str) -> Result<(), StoreError> {
        self.write(|tx| put_key(tx, key, hash, &self.integrity()))
    }

    fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        self.read(|c| key_where(c, "hash = $1", hash, &self.integrity()))
    }

    fn keys(&self, tenant: &str) -> Result<Vec<ApiKey>, StoreError> {
        self.read(|c| keys(c, tenant, &self.integrity()))
    }

    fn revoke_key(&self, id: &str, at: DateTime<Utc>) -> Result<Option<ApiKey>, StoreError> {
        self.write(|tx| revoke_key(tx, id, at, &self.integrity()))
    }
}
