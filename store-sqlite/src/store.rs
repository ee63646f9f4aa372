//! [`Store`] for [`SqliteStore`]: each method is one read on the read
//! connection or one transaction on the write connection, the SQL in the
//! table modules (`sessions`, `audit`, `policies`, `tenants`).

use super::*;
use standin::access::ApiKey;
use standin::store::{AuditStats, AuditStore, KeyStore, OutboxStore, PolicyStore, SessionStore, TenantStore};

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
            let stored = policies::put(conn, &new, &integrity)?;
            appender.append(heads, stored.uploaded_event())?;
            Ok(stored)
        })
    }

    fn active_policy(&self, tenant: &str) -> Result<Option<StoredPolicy>, StoreError> {
        self.read(|c| policies::active(c, tenant, &self.integrity()))
    }

    fn active_ref(&self, tenant: &str) -> Result<Option<PolicyRef>, StoreError> {
        self.read(|c| policies::active_ref(c, tenant, &self.integrity()))
    }

    fn policy(&self, tenant: &str, version: u32) -> Result<Option<StoredPolicy>, StoreError> {
        self.read(|c| policies::get(c, tenant, version, &self.integrity()))
    }

    fn policies(&self, tenant: &str) -> Result<Vec<StoredPolicy>, StoreError> {
        self.read(|c| policies::history(c, tenant, &self.integrity()))
    }

    fn active_policies(&self) -> Result<Vec<StoredPolicy>, StoreError> {
        self.read(|c| policies::all_active(c, &self.integrity()))
    }

    fn activate(
        &self,
        tenant: &str,
        version: u32,
        by: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<StoredPolicy, StoreError> {
        self.write(|conn, heads| policies::activate(conn, tenant, version, by, at, &heads.integrity))
    }

    fn rollback(&self, tenant: &str, by: Option<&str>, at: DateTime<Utc>) -> Result<StoredPolicy, StoreError> {
        self.write(|conn, heads| policies::rollback(conn, tenant, by, at, &heads.integrity))
    }

    fn component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|c| policies::component(c, digest))
    }

    fn artifact(&self, key: &ArtifactKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.read(|c| policies::artifact(c, key))
    }

    fn has_artifact(&self, key: &ArtifactKey) -> Result<bool, StoreError> {
        self.read(|c| policies::has_artifact(c, key))
    }

    fn put_artifact(&self, key: &ArtifactKey, bytes: &[u8], at: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|conn, _| policies::put_artifact(conn, key, bytes, at))
    }
}

impl TenantStore for SqliteStore {
    fn notifications(&self, tenant: &str) -> Result<Notifications, StoreError> {
        self.read(|c| tenants::notifications(c, tenant, &self.integrity()))
    }

    fn set_notifications(&self, tenant: &str, n: &Notifications) -> Result<(), StoreError> {
        self.write(|conn, heads| tenants::set_notifications(conn, tenant, n, &heads.integrity))
    }

    fn return_origins(&self, tenant: &str) -> Result<Vec<String>, StoreError> {
        self.read(|c| tenants::return_origins(c, tenant, &self.integrity()))
    }

    fn set_return_origins(&self, tenant: &str, origins: &[String]) -> Result<(), StoreError> {
        self.write(|conn, heads| tenants::set_return_origins(conn, tenant, origins, &heads.integrity))
    }
}

impl SessionStore for SqliteStore {
    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|c| sessions::by_id(c, id, &self.integrity()))
    }

    fn sessions(&self, tenant: &str, active_only: bool) -> Result<Vec<SessionRecord>, StoreError> {
        self.read(|c| sessions::list(c, tenant, active_only, &self.integrity()))
    }

    fn sessions_page(
        &self,
        tenant: &str,
        active_only: bool,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SessionRecord>, StoreError> {
        self.read(|c| sessions::page(c, tenant, active_only, after, limit, &self.integrity()))
    }

    fn current_session(&self, tenant: &str, actor: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|c| sessions::current(c, tenant, actor, &self.integrity()))
    }

    fn next_deadline(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.read(sessions::next_deadline)
    }

    fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        self.read(|c| sessions::due(c, now))
    }

    fn start(
        &self,
        tenant: &str,
        actor: &str,
        decide: &mut dyn FnMut(Option<&SessionRecord>) -> Change,
    ) -> Result<Applied, StoreError> {
        self.write(|conn, heads| {
            let current = sessions::current(conn, tenant, actor, &heads.integrity)?;
            apply(conn, heads, decide(current.as_ref()))
        })
    }

    fn modify(&self, id: &str, decide: &mut dyn FnMut(&SessionRecord) -> Change) -> Result<Applied, StoreError> {
        self.write(|conn, heads| {
            let current = sessions::by_id(conn, id, &heads.integrity)?
                .ok_or_else(|| StoreError::UnknownSession(id.to_string()))?;
            apply(conn, heads, decide(&current))
        })
    }

    fn record(&self, change: Change) -> Result<Applied, StoreError> {
        self.write(|conn, heads| apply(conn, heads, change))
    }

    fn append_action(&self, record: ActionRecord) -> Result<ActionAppended, StoreError> {
        self.writable("an action's audit rows")?;
        self.writer.submit(record)
    }

    fn append_actions(
        &self,
        records: &mut dyn Iterator<Item = ActionRecord>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        if self.read_only {
            return records
                .map(|_| Err(StoreError::ReadOnly("an action's audit rows")))
                .collect();
        }
        self.writer.submit_all(records)
    }
}

impl AuditStore for SqliteStore {
    fn set_integrity(&self, integrity: Integrity) {
        SqliteStore::set_integrity(self, integrity);
    }

    fn audit(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        self.read(|c| audit::query(c, f))
    }

    fn audit_tenants(&self) -> Result<Vec<String>, StoreError> {
        self.read(audit::tenants)
    }

    fn tenants(&self) -> Result<Vec<String>, StoreError> {
        self.read(audit::all_tenants)
    }

    fn trail(&self, tenant: &str) -> Result<Trail, StoreError> {
        self.read(|c| audit::trail(c, tenant, &self.integrity()))
    }

    fn audit_stats(&self) -> Option<AuditStats> {
        Some(self.writer.stats())
    }
}

impl OutboxStore for SqliteStore {
    fn outbox(&self, tenant: Option<&str>, include_acked: bool) -> Result<Vec<OutboxMessage>, StoreError> {
        self.read(|c| tenants::outbox(c, tenant, include_acked))
    }

    fn outbox_page(
        &self,
        tenant: Option<&str>,
        include_acked: bool,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.read(|c| tenants::outbox_page(c, tenant, include_acked, after, limit))
    }

    fn ack(&self, tenant: Option<&str>, ids: &[i64], at: DateTime<Utc>) -> Result<Acked, StoreError> {
        self.write(|conn, _| tenants::ack(conn, tenant, ids, at))
    }

    fn claim(
        &self,
        tenant: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.write(|conn, _| tenants::claim(conn, tenant, limit, now, until))
    }
}

impl KeyStore for SqliteStore {
    fn put_key(&self, key: &ApiKey, hash: &str) -> Result<(), StoreError> {
        self.write(|conn, heads| keys::put(conn, key, hash, &heads.integrity))
    }

    fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        self.read(|c| keys::by_hash(c, hash, &self.integrity()))
    }

    fn keys(&self, tenant: &str) -> Result<Vec<ApiKey>, StoreError> {
        self.read(|c| keys::of_tenant(c, tenant, &self.integrity()))
    }

    fn revoke_key(&self, id: &str, at: DateTime<Utc>) -> Result<Option<ApiKey>, StoreError> {
        self.write(|conn, heads| keys::revoke(conn, id, at, &heads.integrity))
    }
}
