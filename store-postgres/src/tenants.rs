//! Small per-tenant tables (notification settings, allowed `return_to`
//! origins, API keys; each row tagged by the host key, see
//! `standin::store::Integrity`) and the outbox.

use crate::codec::{get, time, ts};
use crate::db;
use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row};
use standin::access::{ApiKey, Scope};
use standin::model::{Acked, NewMessage, Notifications, OutboxMessage};
use standin::store::Integrity;
use standin::store::StoreError;

/// `tenant`'s notification settings row and its tag, unchecked.
pub(crate) fn notifications_tagged(
    c: &mut impl GenericClient,
    tenant: &str,
) -> Result<Option<(Notifications, Option<String>)>, StoreError> {
    let row = c
        .query_opt(
            "SELECT enabled, started_template, ended_template, tag FROM notifications WHERE tenant = $1",
            &[&tenant],
        )
        .map_err(db)?;
    row.map(|r| {
        Ok((
            Notifications {
                enabled: get(&r, "enabled")?,
                started_template: get(&r, "started_template")?,
                ended_template: get(&r, "ended_template")?,
            },
            get(&r, "tag")?,
        ))
    })
    .transpose()
}

/// The settings in force: the row if its tag holds, else the defaults
/// (which notify; see `Integrity::notifications_in_force`).
pub(crate) fn notifications(
    c: &mut impl GenericClient,
    tenant: &str,
    integrity: &Integrity,
) -> Result<Notifications, StoreError> {
    Ok(integrity.notifications_in_force(tenant, notifications_tagged(c, tenant)?))
}

pub(crate) fn set_notifications(
    c: &mut impl GenericClient,
    tenant: &str,
    n: &Notifications,
    integrity: &Integrity,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO notifications (tenant, enabled, started_template, ended_template, tag) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (tenant) DO UPDATE SET enabled = $2, started_template = $3, ended_template = $4, tag = $5",
        &[
            &tenant,
            &n.enabled,
            &n.started_template,
            &n.ended_template,
            &integrity.notifications_tag(tenant, n),
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// `tenant`'s allowed origins with their tags, unchecked.
pub(crate) fn return_origins_tagged(
    c: &mut impl GenericClient,
    tenant: &str,
) -> Result<Vec<(String, Option<String>)>, StoreError> {
    let rows = c
        .query(
            "SELECT origin, tag FROM return_origins WHERE tenant = $1 ORDER BY origin",
            &[&tenant],
        )
        .map_err(db)?;
    rows.iter().map(|r| Ok((get(r, "origin")?, get(r, "tag")?))).collect()
}

/// The origins `tenant` allows: only those whose row's tag holds (an
/// origin a database writer added is not allowed).
pub(crate) fn return_origins(
    c: &mut impl GenericClient,
    tenant: &str,
    integrity: &Integrity,
) -> Result<Vec<String>, StoreError> {
    Ok(return_origins_tagged(c, tenant)?
        .into_iter()
        .filter(|(origin, tag)| integrity.check_origin(tenant, origin, tag.as_deref()).is_ok())
        .map(|(origin, _)| origin)
        .collect())
}

pub(crate) fn set_return_origins(
    c: &mut impl GenericClient,
    tenant: &str,
    origins: &[String],
    integrity: &Integrity,
) -> Result<(), StoreError> {
    c.execute("DELETE FROM return_origins WHERE tenant = $1", &[&tenant])
        .map_err(db)?;
    for origin in origins {
        c.execute(
            "INSERT INTO return_origins (tenant, origin, tag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&tenant, origin, &integrity.origin_tag(tenant, origin)],
        )
        .map_err(db)?;
    }
    Ok(())
}

/// Writes a message; returns it with its id.
pub(crate) fn push(c: &mut impl GenericClient, m: NewMessage) -> Result<OutboxMessage, StoreError> {
    let row = c
        .query_one(
            "INSERT INTO outbox (tenant, recipient, kind, session, text, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id",
            &[&m.tenant, &m.to, &m.kind, &m.session, &m.text, &ts(m.created_at)],
        )
        .map_err(db)?;
    Ok(m.stored(get(&row, "id")?))
}

fn message(r: &Row) -> Result<OutboxMessage, StoreError> {
    Ok(OutboxMessage {
        id: get(r, "id")?,
        tenant: get(r, "tenant")?,
        to: get(r, "recipient")?,
        kind: get(r, "kind")?,
        session: get(r, "session")?,
        text: get(r, "text")?,
        created_at: time("created_at", get(r, "created_at")?)?,
        acked_at: get::<Option<i64>>(r, "acked_at")?
            .map(|t| time("acked_at", t))
            .transpose()?,
    })
}

pub(crate) fn outbox(
    c: &mut impl GenericClient,
    tenant: Option<&str>,
    include_acked: bool,
) -> Result<Vec<OutboxMessage>, StoreError> {
    c.query(
        "SELECT id, tenant, recipient, kind, session, text, created_at, acked_at FROM outbox \
         WHERE ($1::TEXT IS NULL OR tenant = $1) AND ($2 OR acked_at IS NULL) ORDER BY id",
        &[&tenant, &include_acked],
    )
    .map_err(db)?
    .iter()
    .map(message)
    .collect()
}

/// Messages with ids above `after`, oldest first.
pub(crate) fn outbox_page(
    c: &mut impl GenericClient,
    tenant: Option<&str>,
    include_acked: bool,
    after: Option<i64>,
    limit: usize,
) -> Result<Vec<OutboxMessage>, StoreError> {
    c.query(
        "SELECT id, tenant, recipient, kind, session, text, created_at, acked_at FROM outbox \
         WHERE ($1::TEXT IS NULL OR tenant = $1) AND ($2 OR acked_at IS NULL) AND id > $3 ORDER BY id LIMIT $4",
        &[
            &tenant,
            &include_acked,
            &after.unwrap_or(0),
            &i64::try_from(limit).unwrap_or(i64::MAX),
        ],
    )
    .map_err(db)?
    .iter()
    .map(message)
    .collect()
}

/// Claims (see `OutboxStore::claim`): rows another consumer is claiming right
/// now are skipped, not waited for (`SKIP LOCKED`), and those under a
/// claim that still holds are not taken.
pub(crate) fn claim(
    c: &mut impl GenericClient,
    tenant: Option<&str>,
    limit: usize,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let mut claimed = c
        .query(
            "UPDATE outbox SET claimed_until = $4 WHERE id IN (SELECT id FROM outbox \
             WHERE ($1::TEXT IS NULL OR tenant = $1) AND acked_at IS NULL \
             AND (claimed_until IS NULL OR claimed_until <= $2) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, tenant, recipient, kind, session, text, created_at, acked_at",
            &[&tenant, &ts(now), &i64::try_from(limit).unwrap_or(i64::MAX), &ts(until)],
        )
        .map_err(db)?
        .iter()
        .map(message)
        .collect::<Result<Vec<_>, _>>()?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

/// All or nothing: every id is checked to be one of `tenant`'s messages
/// before any is acknowledged.
pub(crate) fn ack(
    c: &mut impl GenericClient,
    tenant: Option<&str>,
    ids: &[i64],
    at: DateTime<Utc>,
) -> Result<Acked, StoreError> {
    let mut unknown = Vec::new();
    for id in ids {
        let known = c
            .query_opt(
                "SELECT 1 FROM outbox WHERE id = $1 AND ($2::TEXT IS NULL OR tenant = $2) FOR UPDATE",
                &[id, &tenant],
            )
            .map_err(db)?
            .is_some();
        if !known && !unknown.contains(id) {
            unknown.push(*id);
        }
    }
    if !unknown.is_empty() {
        return Ok(Acked { acked: 0, unknown });
    }
    let mut acked = 0;
    for id in ids {
        acked += c
            .execute(
                "UPDATE outbox SET acked_at = $2 WHERE id = $1 AND acked_at IS NULL",
                &[id, &ts(at)],
            )
            .map_err(db)? as usize;
    }
    Ok(Acked { acked, unknown })
}

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
