//! Policy versions, the activation stack, and compiled artifacts.
//!
//! `policies.active` marks the version that serves (a partial unique index
//! keeps it to one per tenant); `activations` is the stack behind it: each
//! activation pushes a row, a rollback marks the top row `undone` and
//! activates the row below. Both change in one transaction, so a reader
//! sees the old version or the new one, never none.

use super::codec::{json, time, to_json, ts};
use crate::audit;
use crate::{SqliteStore, db};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use standin::Digest;
use standin::decision::PolicyRef;
use standin::policies::{ArtifactKey, NewPolicy, StoredPolicy};
use standin::store::{Integrity, PolicyStore, StoreError};

const COLUMNS: &str = "tenant, version, digest, settings, created_at, active, uploaded_by, note, activated_at, \
    describe, tag, active_tag";

type PolicyRow = (
    String,
    i64,
    String,
    String,
    i64,
    bool,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A version as stored, with its tag and its active mark's tag, unchecked.
pub(super) struct Tagged {
    pub(super) policy: StoredPolicy,
    tag: Option<String>,
    active_tag: Option<String>,
}

impl Tagged {
    /// The version, if its tags hold (see `standin::store::Integrity`).
    pub(super) fn check(self, integrity: &Integrity) -> Result<StoredPolicy, StoreError> {
        let p = integrity.check_policy(self.policy, self.tag.as_deref())?;
        if p.active {
            integrity.check_active(
                &p.tenant,
                p.version,
                &p.digest,
                p.activated_at,
                self.active_tag.as_deref(),
            )?;
        }
        Ok(p)
    }
}

fn row(r: &Row<'_>) -> rusqlite::Result<PolicyRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

fn decode(r: PolicyRow) -> Result<Tagged, StoreError> {
    let policy = StoredPolicy {
        tenant: r.0,
        version: u32::try_from(r.1).map_err(|_| StoreError::Corrupt {
            column: "version",
            message: format!("{} is not a version", r.1),
        })?,
        digest: r.2,
        settings: r.3,
        created_at: time("created_at", r.4)?,
        active: r.5,
        uploaded_by: r.6,
        note: r.7,
        activated_at: r.8.map(|t| time("activated_at", t)).transpose()?,
        policy: r.9.map(|d| json("describe", &d)).transpose()?,
    };
    Ok(Tagged {
        policy,
        tag: r.10,
        active_tag: r.11,
    })
}

fn select(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
    integrity: &Integrity,
) -> Result<Vec<StoredPolicy>, StoreError> {
    select_tagged(conn, filter, params)?
        .into_iter()
        .map(|t| t.check(integrity))
        .collect()
}

fn select_tagged(conn: &Connection, filter: &str, params: impl rusqlite::Params) -> Result<Vec<Tagged>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM policies WHERE {filter}"))
        .map_err(db)?;
    let rows = stmt
        .query_map(params, row)
        .map_err(db)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db)?;
    rows.into_iter().map(decode).collect()
}

fn one(
    conn: &Connection,
    filter: &str,
    params: impl rusqlite::Params,
    integrity: &Integrity,
) -> Result<Option<StoredPolicy>, StoreError> {
    Ok(select(conn, filter, params, integrity)?.into_iter().next())
}

/// Stores the component (once per digest) and a new version, active if
/// asked, with their tags.
pub(super) fn put(conn: &Connection, new: &NewPolicy<'_>, integrity: &Integrity) -> Result<StoredPolicy, StoreError> {
    conn.execute(
        "INSERT OR IGNORE INTO components (digest, bytes, created_at) VALUES (?1, ?2, ?3)",
        params![new.digest, new.component, ts(new.at)],
    )
    .map_err(db)?;
    let last: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM policies WHERE tenant = ?1",
            [new.tenant],
            |r| r.get(0),
        )
        .map_err(db)?;
    let version = last + 1;
    let tag = integrity.policy_tag(&StoredPolicy {
        tenant: new.tenant.to_string(),
        version: u32::try_from(version).unwrap_or(u32::MAX),
        digest: new.digest.to_string(),
        settings: new.settings.to_string(),
        created_at: new.at,
        uploaded_by: new.uploaded_by.map(str::to_string),
        note: new.note.map(str::to_string),
        active: false,
        activated_at: None,
        policy: None,
    });
    conn.execute(
        "INSERT INTO policies (tenant, version, digest, settings, created_at, active, uploaded_by, note, describe, \
         tag) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9)",
        params![
            new.tenant,
            version,
            new.digest,
            new.settings,
            ts(new.at),
            new.uploaded_by,
            new.note,
            new.info.map(to_json),
            tag,
        ],
    )
    .map_err(db)?;
    let version = u32::try_from(version).unwrap_or(u32::MAX);
    if new.activate {
        return activate(conn, new.tenant, version, new.uploaded_by, new.at, integrity);
    }
    get(conn, new.tenant, version, integrity)?.ok_or_else(|| unknown(new.tenant, version))
}

fn unknown(tenant: &str, version: u32) -> StoreError {
    StoreError::UnknownVersion {
        tenant: tenant.to_string(),
        version,
    }
}

/// Marks `version` active (and no other), with its mark's tag, without
/// touching the stack.
fn mark_active(
    conn: &Connection,
    tenant: &str,
    version: u32,
    at: DateTime<Utc>,
    integrity: &Integrity,
) -> Result<StoredPolicy, StoreError> {
    let digest: String = conn
        .prepare_cached("SELECT digest FROM policies WHERE tenant = ?1 AND version = ?2")
        .map_err(db)?
        .query_row(params![tenant, version], |r| r.get(0))
        .optional()
        .map_err(db)?
        .ok_or_else(|| unknown(tenant, version))?;
    conn.execute(
        "UPDATE policies SET active = 0, active_tag = NULL WHERE tenant = ?1 AND active = 1",
        [tenant],
    )
    .map_err(db)?;
    let at = DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at);
    let n = conn
        .execute(
            "UPDATE policies SET active = 1, activated_at = ?3, active_tag = ?4 WHERE tenant = ?1 AND version = ?2",
            params![
                tenant,
                version,
                ts(at),
                integrity.active_tag(tenant, version, &digest, at)
            ],
        )
        .map_err(db)?;
    if n == 0 {
        return Err(unknown(tenant, version));
    }
    get(conn, tenant, version, integrity)?.ok_or_else(|| unknown(tenant, version))
}

pub(super) fn activate(
    conn: &Connection,
    tenant: &str,
    version: u32,
    by: Option<&str>,
    at: DateTime<Utc>,
    integrity: &Integrity,
) -> Result<StoredPolicy, StoreError> {
    // Activating the active version changes nothing (and pushes nothing a
    // rollback would have to pop).
    if let Some(current) = active(conn, tenant, integrity)?.filter(|p| p.version == version) {
        return Ok(current);
    }
    let stored = mark_active(conn, tenant, version, at, integrity)?;
    conn.execute(
        "INSERT INTO activations (tenant, version, at, by, kind) VALUES (?1, ?2, ?3, ?4, 'activate')",
        params![tenant, version, ts(at), by],
    )
    .map_err(db)?;
    Ok(stored)
}

pub(super) fn rollback(
    conn: &Connection,
    tenant: &str,
    by: Option<&str>,
    at: DateTime<Utc>,
    integrity: &Integrity,
) -> Result<StoredPolicy, StoreError> {
    let stack: Vec<(i64, u32)> = conn
        .prepare_cached(
            "SELECT id, version FROM activations WHERE tenant = ?1 AND kind = 'activate' AND undone = 0 \
             ORDER BY id DESC LIMIT 2",
        )
        .map_err(db)?
        .query_map([tenant], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db)?
        .collect::<Result<_, _>>()
        .map_err(db)?;
    let [(top, _), (_, previous)] = stack[..] else {
        return Err(StoreError::NothingToRollBack(tenant.to_string()));
    };
    conn.execute("UPDATE activations SET undone = 1 WHERE id = ?1", [top])
        .map_err(db)?;
    let stored = mark_active(conn, tenant, previous, at, integrity)?;
    conn.execute(
        "INSERT INTO activations (tenant, version, at, by, kind) VALUES (?1, ?2, ?3, ?4, 'rollback')",
        params![tenant, previous, ts(at), by],
    )
    .map_err(db)?;
    Ok(stored)
}

pub(super) fn active(
    conn: &Connection,
    tenant: &str,
    integrity: &Integrity,
) -> Result<Option<StoredPolicy>, StoreError> {
    one(conn, "tenant = ?1 AND active = 1", [tenant], integrity)
}

/// Which version is active, if its active mark's tag holds.
pub(super) fn active_ref(
    conn: &Connection,
    tenant: &str,
    integrity: &Integrity,
) -> Result<Option<PolicyRef>, StoreError> {
    type Mark = (i64, String, Option<i64>, Option<String>);
    let row: Option<Mark> = conn
        .prepare_cached(
            "SELECT version, digest, activated_at, active_tag FROM policies WHERE tenant = ?1 AND active = 1",
        )
        .map_err(db)?
        .query_row([tenant], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()
        .map_err(db)?;
    row.map(|(version, digest, at, tag)| {
        let version = u32::try_from(version).map_err(|_| StoreError::Corrupt {
            column: "version",
            message: format!("{version} is not a version"),
        })?;
        let at = at.map(|t| time("activated_at", t)).transpose()?;
        integrity.check_active(tenant, version, &digest, at, tag.as_deref())?;
        Ok(PolicyRef { version, digest })
    })
    .transpose()
}

pub(super) fn get(
    conn: &Connection,
    tenant: &str,
    version: u32,
    integrity: &Integrity,
) -> Result<Option<StoredPolicy>, StoreError> {
    one(
        conn,
        "tenant = ?1 AND version = ?2",
        params![tenant, version],
        integrity,
    )
}

pub(super) fn history(conn: &Connection, tenant: &str, integrity: &Integrity) -> Result<Vec<StoredPolicy>, StoreError> {
    select(conn, "tenant = ?1 ORDER BY version", [tenant], integrity)
}

/// A tenant's versions with their tags, unchecked (for `audit verify`).
pub(super) fn history_tagged(conn: &Connection, tenant: &str) -> Result<Vec<Tagged>, StoreError> {
    select_tagged(conn, "tenant = ?1 ORDER BY version", [tenant])
}

pub(super) fn all_active(conn: &Connection, integrity: &Integrity) -> Result<Vec<StoredPolicy>, StoreError> {
    select(conn, "active = 1 ORDER BY tenant", [], integrity)
}

pub(super) fn component(conn: &Connection, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
    conn.prepare_cached("SELECT bytes FROM components WHERE digest = ?1")
        .map_err(db)?
        .query_row([digest], |r| r.get(0))
        .optional()
        .map_err(db)
}

/// The artifact, if its bytes still have the checksum they were written with.
pub(super) fn artifact(conn: &Connection, key: &ArtifactKey) -> Result<Option<Vec<u8>>, StoreError> {
    let row: Option<(Vec<u8>, String)> = conn
        .prepare_cached("SELECT bytes, checksum FROM artifacts WHERE digest = ?1 AND engine = ?2")
        .map_err(db)?
        .query_row(params![key.digest, key.engine], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db)?;
    Ok(row
        .filter(|(bytes, sum)| Digest::of(bytes).to_string() == *sum)
        .map(|(b, _)| b))
}

pub(super) fn has_artifact(conn: &Connection, key: &ArtifactKey) -> Result<bool, StoreError> {
    conn.prepare_cached("SELECT 1 FROM artifacts WHERE digest = ?1 AND engine = ?2")
        .map_err(db)?
        .exists(params![key.digest, key.engine])
        .map_err(db)
}

pub(super) fn put_artifact(
    conn: &Connection,
    key: &ArtifactKey,
    bytes: &[u8],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR REPLACE INTO artifacts (digest, engine, bytes, checksum, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![key.digest, key.engine, bytes, Digest::of(bytes).to_string(), ts(at)],
    )
    .map_err(db)?;
    Ok(())
}

impl PolicyStore for SqliteStore {
    fn put_policy(&self, new: NewPolicy<'_>) -> Result<StoredPolicy, StoreError> {
        self.write(|conn, heads| {
            // The version and its event carry one time: the chain's.
            let mut appender = audit::Appender::new(conn)?;
            let head = appender.head(heads, new.tenant)?;
            let integrity = heads.integrity.clone();
            let new = NewPolicy {
                at: integrity.lift_time(new.at, head.at)?,
                ..new
            };
            let stored = put(conn, &new, &integrity)?;
            appender.append(heads, stored.uploaded_event())?;
            Ok(stored)
        })
    }

    fn active_policy(&self, tenant: &str) -> Result<Option<StoredPolicy>, StoreError> {
        self.read(|c| active(c, tenant, &self.integrity()))
    }

    fn active_ref(&self, tenant: &str) -> Result<Option<PolicyRef>, StoreError> {
        self.read(|c| active_ref(c, tenant, &self.integrity()))
    }

    fn policy(&self, tenant: &str, version: u32) -> Result<Option<StoredPolicy>, StoreError> {
        self.read(|c| get(c, tenant, version, &self.integrity()))
    }

    fn policies(&self, tenant: &str) -> Result<Vec<StoredPolicy>, StoreError> {
        self.read(|c| history(c, tenant, &self.integrity()))
    }

    fn active_policies(&self) -> Result<Vec<StoredPolicy>, StoreError> {
        self.read(|c| all_active(c, &self.integrity()))
    }

    fn activate(
        &self,
        tenant: &str,
        version: u32,
        by: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<StoredPolicy, StoreError> {
        self.write(|conn, heads| activate(conn, tenant, version, by, at, &heads.integrity))
    }

    fn rollback(&self, tenant: &str, by: Option<&str>, at: DateTime<Utc>) -> Result<StoredPolicy, StoreError> {
        self.write(|conn, heads| rollback(conn, tenant, by, at, &heads.integrity))
    }

    fn component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|c| component(c, digest))
    }

    fn artifact(&self, key: &ArtifactKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|c| artifact(c, key))
    }

    fn has_artifact(&self, key: &ArtifactKey) -> Result<bool, StoreError> {
        self.read(|c| has_artifact(c, key))
    }

    fn put_artifact(&self, key: &ArtifactKey, bytes: &[u8], at: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|conn, _| put_artifact(conn, key, bytes, at))
    }
}
