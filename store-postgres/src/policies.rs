//! Policy versions, the activation stack, components and compiled
//! artifacts, as in the SQLite store: `policies.active` marks the version
//! that serves (one per tenant, a partial unique index), `activations` is
//! the stack behind it. A change locks the tenant's versions first, so two
//! replicas uploading at once number their versions one after the other.

use crate::codec::{get, json, small, time, to_json, ts};
use crate::{PostgresStore, db};
use chrono::{DateTime, Utc};
use postgres::{GenericClient, Row};
use standin::decision::PolicyRef;
use standin::policies::{ArtifactKey, NewPolicy, StoredPolicy};
use standin::store::{Integrity, PolicyStore, StoreError};

const COLUMNS: &str = "tenant, version, digest, settings, created_at, active, uploaded_by, note, activated_at, \
    describe, tag, active_tag";

/// A version as stored, with its tag and its active mark's tag, unchecked.
pub(crate) struct Tagged {
    pub(crate) policy: StoredPolicy,
    tag: Option<String>,
    active_tag: Option<String>,
}

impl Tagged {
    /// The version, if its tags hold (see `standin::store::Integrity`).
    pub(crate) fn check(self, integrity: &Integrity) -> Result<StoredPolicy, StoreError> {
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

fn decode(r: &Row) -> Result<Tagged, StoreError> {
    let policy = StoredPolicy {
        tenant: get(r, "tenant")?,
        version: small("version", get(r, "version")?)?,
        digest: get(r, "digest")?,
        settings: get(r, "settings")?,
        created_at: time("created_at", get(r, "created_at")?)?,
        active: get(r, "active")?,
        uploaded_by: get(r, "uploaded_by")?,
        note: get(r, "note")?,
        activated_at: get::<Option<i64>>(r, "activated_at")?
            .map(|t| time("activated_at", t))
            .transpose()?,
        policy: get::<Option<String>>(r, "describe")?
            .map(|d| json("describe", &d))
            .transpose()?,
    };
    Ok(Tagged {
        policy,
        tag: get(r, "tag")?,
        active_tag: get(r, "active_tag")?,
    })
}

fn select(
    c: &mut impl GenericClient,
    filter: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
    integrity: &Integrity,
) -> Result<Vec<StoredPolicy>, StoreError> {
    select_tagged(c, filter, params)?
        .into_iter()
        .map(|t| t.check(integrity))
        .collect()
}

fn select_tagged(
    c: &mut impl GenericClient,
    filter: &str,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<Tagged>, StoreError> {
    c.query(&format!("SELECT {COLUMNS} FROM policies WHERE {filter}"), params)
        .map_err(db)?
        .iter()
        .map(decode)
        .collect()
}

fn unknown(tenant: &str, version: u32) -> StoreError {
    StoreError::UnknownVersion {
        tenant: tenant.to_string(),
        version,
    }
}

/// Serializes changes to one tenant's versions (for this transaction).
fn lock_tenant(c: &mut impl GenericClient, tenant: &str) -> Result<(), StoreError> {
    c.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 1))",
        &[&format!("policies\u{1f}{tenant}")],
    )
    .map_err(db)?;
    Ok(())
}

/// Stores the component (once per digest) and a new version, active if
/// asked, with their tags.
pub(crate) fn put(
    c: &mut impl GenericClient,
    new: &NewPolicy<'_>,
    integrity: &Integrity,
) -> Result<StoredPolicy, StoreError> {
    lock_tenant(c, new.tenant)?;
    c.execute(
        "INSERT INTO components (digest, bytes, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[&new.digest, &new.component, &ts(new.at)],
    )
    .map_err(db)?;
    let last: i32 = c
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM policies WHERE tenant = $1",
            &[&new.tenant],
        )
        .map_err(db)?
        .get(0);
    let version = last + 1;
    let tag = integrity.policy_tag(&StoredPolicy {
        tenant: new.tenant.to_string(),
        version: small("version", version)?,
        digest: new.digest.to_string(),
        settings: new.settings.to_string(),
        created_at: new.at,
        uploaded_by: new.uploaded_by.map(str::to_string),
        note: new.note.map(str::to_string),
        active: false,
        activated_at: None,
        policy: None,
    });
    c.execute(
        "INSERT INTO policies (tenant, version, digest, settings, created_at, active, uploaded_by, note, describe, \
         tag) VALUES ($1, $2, $3, $4, $5, FALSE, $6, $7, $8, $9)",
        &[
            &new.tenant,
            &version,
            &new.digest,
            &new.settings,
            &ts(new.at),
            &new.uploaded_by,
            &new.note,
            &new.info.map(to_json),
            &tag,
        ],
    )
    .map_err(db)?;
    let version = small("version", version)?;
    if new.activate {
        return activate(c, new.tenant, version, new.uploaded_by, new.at, integrity);
    }
    get_version(c, new.tenant, version, integrity)?.ok_or_else(|| unknown(new.tenant, version))
}

fn mark_active(
    c: &mut impl GenericClient,
    tenant: &str,
    version: u32,
    at: DateTime<Utc>,
    integrity: &Integrity,
) -> Result<StoredPolicy, StoreError> {
    let digest: String = c
        .query_opt(
            "SELECT digest FROM policies WHERE tenant = $1 AND version = $2",
            &[&tenant, &(version as i32)],
        )
        .map_err(db)?
        .ok_or_else(|| unknown(tenant, version))?
        .get(0);
    c.execute(
        "UPDATE policies SET active = FALSE, active_tag = NULL WHERE tenant = $1 AND active",
        &[&tenant],
    )
    .map_err(db)?;
    let at = DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at);
    let n = c
        .execute(
            "UPDATE policies SET active = TRUE, activated_at = $3, active_tag = $4 WHERE tenant = $1 AND version = $2",
            &[
                &tenant,
                &(version as i32),
                &ts(at),
                &integrity.active_tag(tenant, version, &digest, at),
            ],
        )
        .map_err(db)?;
    if n == 0 {
        return Err(unknown(tenant, version));
    }
    get_version(c, tenant, version, integrity)?.ok_or_else(|| unknown(tenant, version))
}

pub(crate) fn activate(
    c: &mut impl GenericClient,
    tenant: &str,
    version: u32,
    by: Option<&str>,
    at: DateTime<Utc>,
    integrity: &Integrity,
) -> Result<StoredPolicy, StoreError> {
    lock_tenant(c, tenant)?;
    // Activating the active version changes nothing (and pushes nothing a
    // rollback would have to pop).
    if let Some(current) = active(c, tenant, integrity)?.filter(|p| p.version == version) {
        return Ok(current);
    }
    let stored = mark_active(c, tenant, version, at, integrity)?;
    c.execute(
        "INSERT INTO activations (tenant, version, at, by, kind) VALUES ($1, $2, $3, $4, 'activate')",
        &[&tenant, &(version as i32), &ts(at), &by],
    )
    .map_err(db)?;
    Ok(stored)
}

pub(crate) fn rollback(
    c: &mut impl GenericClient,
    tenant: &str,
    by: Option<&str>,
    at: DateTime<Utc>,
    integrity: &Integrity,
) -> Result<StoredPolicy, StoreError> {
    lock_tenant(c, tenant)?;
    let stack = c
        .query(
            "SELECT id, version FROM activations WHERE tenant = $1 AND kind = 'activate' AND NOT undone \
             ORDER BY id DESC LIMIT 2",
            &[&tenant],
        )
        .map_err(db)?;
    let [top, below] = &stack[..] else {
        return Err(StoreError::NothingToRollBack(tenant.to_string()));
    };
    let top: i64 = get(top, "id")?;
    let previous = small("version", get(below, "version")?)?;
    c.execute("UPDATE activations SET undone = TRUE WHERE id = $1", &[&top])
        .map_err(db)?;
    let stored = mark_active(c, tenant, previous, at, integrity)?;
    c.execute(
        "INSERT INTO activations (tenant, version, at, by, kind) VALUES ($1, $2, $3, $4, 'rollback')",
        &[&tenant, &(previous as i32), &ts(at), &by],
    )
    .map_err(db)?;
    Ok(stored)
}

pub(crate) fn active(
    c: &mut impl GenericClient,
    tenant: &str,
    integrity: &Integrity,
) -> Result<Option<StoredPolicy>, StoreError> {
    Ok(select(c, "tenant = $1 AND active", &[&tenant], integrity)?
        .into_iter()
        .next())
}

pub(crate) fn get_version(
    c: &mut impl GenericClient,
    tenant: &str,
    version: u32,
    integrity: &Integrity,
) -> Result<Option<StoredPolicy>, StoreError> {
    Ok(select(
        c,
        "tenant = $1 AND version = $2",
        &[&tenant, &(version as i32)],
        integrity,
    )?
    .into_iter()
    .next())
}

pub(crate) fn history(
    c: &mut impl GenericClient,
    tenant: &str,
    integrity: &Integrity,
) -> Result<Vec<StoredPolicy>, StoreError> {
    select(c, "tenant = $1 ORDER BY version", &[&tenant], integrity)
}

/// A tenant's versions with their tags, unchecked (for `audit verify`).
pub(crate) fn history_tagged(c: &mut impl GenericClient, tenant: &str) -> Result<Vec<Tagged>, StoreError> {
    select_tagged(c, "tenant = $1 ORDER BY version", &[&tenant])
}

pub(crate) fn all_active(c: &mut postgres::Client, integrity: &Integrity) -> Result<Vec<StoredPolicy>, StoreError> {
    select(c, "active ORDER BY tenant", &[], integrity)
}

pub(crate) fn component(c: &mut impl GenericClient, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(
        c.query_opt("SELECT bytes FROM components WHERE digest = $1", &[&digest])
            .map_err(db)?
            .map(|r| r.get(0)),
    )
}

/// The artifact, if its bytes still have the checksum they were written with.
pub(crate) fn artifact(c: &mut impl GenericClient, key: &ArtifactKey) -> Result<Option<Vec<u8>>, StoreError> {
    let row = c
        .query_opt(
            "SELECT bytes, checksum FROM artifacts WHERE digest = $1 AND engine = $2",
            &[&key.digest, &key.engine],
        )
        .map_err(db)?;
    Ok(row
        .map(|r| (r.get::<_, Vec<u8>>(0), r.get::<_, String>(1)))
        .filter(|(bytes, sum)| standin::Digest::of(bytes).to_string() == *sum)
        .map(|(b, _)| b))
}

pub(crate) fn has_artifact(c: &mut impl GenericClient, key: &ArtifactKey) -> Result<bool, StoreError> {
    Ok(c.query_opt(
        "SELECT 1 FROM artifacts WHERE digest = $1 AND engine = $2",
        &[&key.digest, &key.engine],
    )
    .map_err(db)?
    .is_some())
}

pub(crate) fn put_artifact(
    c: &mut impl GenericClient,
    key: &ArtifactKey,
    bytes: &[u8],
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO artifacts (digest, engine, bytes, checksum, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (digest, engine) DO UPDATE SET bytes = $3, checksum = $4, created_at = $5",
        &[
            &key.digest,
            &key.engine,
            &bytes,
            &standin::Digest::of(bytes).to_string(),
            &ts(at),
        ],
    )
    .map_err(db)?;
    Ok(())
}

impl PolicyStore for PostgresStore {
    fn put_policy(&self, new: NewPolicy<'_>) -> Result<StoredPolicy, StoreError> {
        let integrity = self.integrity();
        self.write(|tx| {
            // The version and its event carry one time: the chain's.
            let mut appender = crate::audit::Appender::new(integrity.clone());
            let head = appender.head(tx, new.tenant)?;
            let new = NewPolicy {
                at: integrity.lift_time(new.at, head.at)?,
                ..new
            };
            let stored = put(tx, &new, &integrity)?;
            appender.append(tx, stored.uploaded_event())?;
            Ok(stored)
        })
    }

    fn active_policy(&self, tenant: &str) -> Result<Option<StoredPolicy>, StoreError> {
        self.read(|c| active(c, tenant, &self.integrity()))
    }

    fn active_ref(&self, tenant: &str) -> Result<Option<PolicyRef>, StoreError> {
        self.read(|c| Ok(active(c, tenant, &self.integrity())?.map(|p| p.reference())))
    }

    fn policy(&self, tenant: &str, version: u32) -> Result<Option<StoredPolicy>, StoreError> {
        self.read(|c| get_version(c, tenant, version, &self.integrity()))
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
        self.write(|tx| activate(tx, tenant, version, by, at, &self.integrity()))
    }

    fn rollback(&self, tenant: &str, by: Option<&str>, at: DateTime<Utc>) -> Result<StoredPolicy, StoreError> {
        self.write(|tx| rollback(tx, tenant, by, at, &self.integrity()))
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
        self.write(|tx| put_artifact(tx, key, bytes, at))
    }
}
