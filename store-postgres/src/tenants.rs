//! [`TenantStore`] for [`PostgresStore`]: per-tenant notification
//! settings and allowed `return_to` origins (each row tagged by the host
//! key, see `standin::store::Integrity`). API keys are in [`crate::keys`],
//! the outbox in [`crate::outbox`].

use crate::codec::get;
use crate::{PostgresStore, db};
use postgres::GenericClient;
use standin::model::Notifications;
use standin::store::documents::Document;
use standin::store::{Integrity, StoreError, TenantStore};

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

impl TenantStore for PostgresStore {
    fn notifications(&self, tenant: &str) -> Result<Notifications, StoreError> {
        self.read(|c| notifications(c, tenant, &self.integrity()))
    }

    fn set_notifications(&self, tenant: &str, n: &Notifications) -> Result<(), StoreError> {
        self.write(|tx| set_notifications(tx, tenant, n, &self.integrity()))
    }

    fn return_origins(&self, tenant: &str) -> Result<Vec<String>, StoreError> {
        self.read(|c| return_origins(c, tenant, &self.integrity()))
    }

    fn set_return_origins(&self, tenant: &str, origins: &[String]) -> Result<(), StoreError> {
        self.write(|tx| set_return_origins(tx, tenant, origins, &self.integrity()))
    }

    fn routes(&self, tenant: &str) -> Result<Option<standin::access::RouteTable>, StoreError> {
        let row = self.read(|c| {
            c.query_opt("SELECT rules, tag FROM routes WHERE tenant = $1", &[&tenant])
                .map_err(db)
        })?;
        row.map(|r| {
            let (rules, tag): (String, Option<String>) = (get(&r, "rules")?, get(&r, "tag")?);
            standin::store::documents::routes(tenant, &rules, tag.as_deref(), &self.integrity())
        })
        .transpose()
    }

    fn set_routes(&self, tenant: &str, table: &standin::access::RouteTable) -> Result<(), StoreError> {
        let (rules, tag) = standin::store::documents::row(Document::Routes, tenant, table, &self.integrity());
        self.write(|tx| {
            tx.execute(
                "INSERT INTO routes (tenant, rules, tag) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant) DO UPDATE SET rules = EXCLUDED.rules, tag = EXCLUDED.tag",
                &[&tenant, &rules, &tag],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    fn token_issuers(&self, tenant: &str) -> Result<Option<standin::access::TrustedIssuers>, StoreError> {
        let row = self.read(|c| {
            c.query_opt("SELECT issuers, tag FROM token_issuers WHERE tenant = $1", &[&tenant])
                .map_err(db)
        })?;
        row.map(|r| {
            let (text, tag): (String, Option<String>) = (get(&r, "issuers")?, get(&r, "tag")?);
            standin::store::documents::issuers(tenant, &text, tag.as_deref(), &self.integrity())
        })
        .transpose()
    }

    fn set_token_issuers(&self, tenant: &str, issuers: &standin::access::TrustedIssuers) -> Result<(), StoreError> {
        let (text, tag) = standin::store::documents::row(Document::Issuers, tenant, issuers, &self.integrity());
        self.write(|tx| {
            tx.execute(
                "INSERT INTO token_issuers (tenant, issuers, tag) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant) DO UPDATE SET issuers = EXCLUDED.issuers, tag = EXCLUDED.tag",
                &[&tenant, &text, &tag],
            )
            .map_err(db)?;
            Ok(())
        })
    }
}
