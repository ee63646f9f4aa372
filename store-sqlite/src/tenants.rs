//! [`TenantStore`] for [`SqliteStore`]: per-tenant notification settings
//! and allowed `return_to` origins (each row tagged by the host key,
//! `standin::store::Integrity`), small tables that change rarely. Policy
//! versions are in [`super::policies`], API keys in [`super::keys`], the
//! outbox in [`super::outbox`].

use crate::{SqliteStore, db};
use rusqlite::{Connection, OptionalExtension, params};
use standin::model::Notifications;
use standin::store::documents::Document;
use standin::store::{Integrity, StoreError, TenantStore};

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

impl TenantStore for SqliteStore {
    fn notifications(&self, tenant: &str) -> Result<Notifications, StoreError> {
        self.read(|c| notifications(c, tenant, &self.integrity()))
    }

    fn set_notifications(&self, tenant: &str, n: &Notifications) -> Result<(), StoreError> {
        self.write(|conn, heads| set_notifications(conn, tenant, n, &heads.integrity))
    }

    fn return_origins(&self, tenant: &str) -> Result<Vec<String>, StoreError> {
        self.read(|c| return_origins(c, tenant, &self.integrity()))
    }

    fn set_return_origins(&self, tenant: &str, origins: &[String]) -> Result<(), StoreError> {
        self.write(|conn, heads| set_return_origins(conn, tenant, origins, &heads.integrity))
    }

    fn routes(&self, tenant: &str) -> Result<Option<standin::access::RouteTable>, StoreError> {
        let row: Option<(String, Option<String>)> = self.read(|c| {
            c.query_row("SELECT rules, tag FROM routes WHERE tenant = ?1", [tenant], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(db)
        })?;
        row.map(|(rules, tag)| standin::store::documents::routes(tenant, &rules, tag.as_deref(), &self.integrity()))
            .transpose()
    }

    fn set_routes(&self, tenant: &str, table: &standin::access::RouteTable) -> Result<(), StoreError> {
        let (rules, tag) = standin::store::documents::row(Document::Routes, tenant, table, &self.integrity());
        self.write(|conn, _| {
            conn.execute(
                "INSERT INTO routes (tenant, rules, tag) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (tenant) DO UPDATE SET rules = excluded.rules, tag = excluded.tag",
                params![tenant, rules, tag],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn token_issuers(&self, tenant: &str) -> Result<Option<standin::access::TrustedIssuers>, StoreError> {
        let row: Option<(String, Option<String>)> = self.read(|c| {
            c.query_row(
                "SELECT issuers, tag FROM token_issuers WHERE tenant = ?1",
                [tenant],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db)
        })?;
        row.map(|(text, tag)| standin::store::documents::issuers(tenant, &text, tag.as_deref(), &self.integrity()))
            .transpose()
    }

    fn set_token_issuers(&self, tenant: &str, issuers: &standin::access::TrustedIssuers) -> Result<(), StoreError> {
        let (text, tag) = standin::store::documents::row(Document::Issuers, tenant, issuers, &self.integrity());
        self.write(|conn, _| {
            conn.execute(
                "INSERT INTO token_issuers (tenant, issuers, tag) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (tenant) DO UPDATE SET issuers = excluded.issuers, tag = excluded.tag",
                params![tenant, text, tag],
            )
            .map_err(db)?;
            Ok(())
        })
    }
}
