//! [`PostgresStore`]: Standin's [`Store`](standin::Store) on PostgreSQL, so that many
//! replicas share sessions, policy versions and one audit chain per tenant.
//!
//! How it keeps the trait's contract when several processes write at once:
//!
//! 1. **One chain per tenant, in order**: every append locks the tenant's
//!    row of `chain_heads` (`SELECT ... FOR UPDATE`) in its transaction,
//!    seals the event on that head and moves it; `PRIMARY KEY (tenant,
//!    seq)` refuses a gap's twin.
//! 2. **One active session per (tenant, actor, depth)**: a start takes a
//!    transaction-scoped advisory lock on (tenant, actor) before it reads
//!    the actor's current session, so racing starts see each other; the
//!    partial unique index `sessions_one_active` is the last word.
//! 3. **An action only while its session is active**: an append reads the
//!    session row `FOR SHARE` in its transaction and appends nothing when
//!    it has ended or is past its deadline; an end on another replica
//!    (which takes the row `FOR UPDATE`) waits for that lock, or commits
//!    first and is seen.
//! 4. Actions' rows are group-committed: the calls of every caller that
//!    arrive while a commit is written go together in the next
//!    transaction, in one statement (see `group` and `actions`).
//! 5. Every change is one transaction; a commit is durable when it returns
//!    (`synchronous_commit` as the server has it, `on` by default).
//!
//! Beyond the trait's contract, for replicas: outbox claims skip rows
//! another consumer is claiming (`FOR UPDATE SKIP LOCKED`, in `tenants`);
//! one replica sweeps at a time (`leader`); every session change sends a
//! `NOTIFY` other replicas use to empty their caches (`watch`); and
//! [`import_sqlite`] fills an empty database from a SQLite one (`import`).
//! Connections come from a small pool (`pool`).

mod actions;
mod audit;
mod codec;
mod group;
#[cfg(feature = "sqlite")]
mod import;
mod leader;
mod policies;
mod pool;
mod schema;
mod sessions;
mod tenants;
mod watch;

#[cfg(feature = "sqlite")]
pub use import::{ImportError, Imported, import_sqlite};
pub use schema::MIGRATIONS;

use chrono::{DateTime, Utc};
use postgres::{Client, Transaction};
use standin::access::ApiKey;
use standin::audit::AuditEvent;
use standin::decision::PolicyRef;
use standin::model::{Acked, Notifications, OutboxMessage, SessionRecord};
use standin::policies::{ArtifactKey, NewPolicy, StoredPolicy};
use standin::store::Integrity;
use standin::store::{
    ActionAppended, ActionRecord, Applied, AuditFilter, AuditStats, AuditStore, Change, KeyStore, OutboxStore,
    PolicyStore, SessionStore, SessionWatcher, StoreError, TenantStore, Trail,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// A driver error as the store's.
pub(crate) fn db(e: postgres::Error) -> StoreError {
    StoreError::Database(Box::new(e))
}

/// The store on one PostgreSQL database.
pub struct PostgresStore {
    url: String,
    idle: Mutex<Vec<Client>>,
    /// The connection that asks for (and, while this store leads, holds)
    /// the sweeper's lock, and whether it holds it.
    sweeper: Mutex<Option<(Client, bool)>>,
    /// Stops the listener of [`SessionStore::watch_sessions`] when the store goes.
    watching: Arc<AtomicBool>,
    /// Group commits of actions so far (for metrics).
    stats: Mutex<AuditStats>,
    /// Appends waiting for the next group commit, per tenant (see `group`).
    groups: group::Groups,
    /// What rows and events are sealed and checked by (`standin::store::Integrity`).
    integrity: RwLock<Arc<Integrity>>,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.watching.store(true, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: only the fact of it.
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/db`) and migrates the
    /// schema to this build's.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        let store = Self {
            url: url.to_string(),
            idle: Mutex::new(Vec::new()),
            sweeper: Mutex::new(None),
            watching: Arc::default(),
            stats: Mutex::default(),
            groups: group::Groups::default(),
            integrity: RwLock::default(),
        };
        let mut client = store.open()?;
        schema::migrate(&mut client)?;
        store.give_back(client);
        Ok(store)
    }
}

/// Applies a change in `tx`: the session row (update first, it may end the
/// session that blocks the insert), the audit events, the outbox.
impl PostgresStore {
    /// What rows and events are sealed and checked by.
    pub(crate) fn integrity(&self) -> Arc<Integrity> {
        self.integrity.read().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

fn apply(tx: &mut Transaction<'_>, mut change: Change, integrity: Arc<Integrity>) -> Result<Applied, StoreError> {
    let mut appender = audit::Appender::new(integrity.clone());
    // One time for the rows and their events: the chain's (see
    // `Integrity::stamp`), taken under the tenant's head lock.
    if let Some(tenant) = change.audit.first().map(|e| e.tenant.clone()) {
        let head = appender.head(tx, &tenant)?;
        integrity.stamp(&mut change, head.at)?;
    }
    if let Some(s) = &change.update {
        sessions::update(tx, s, &integrity)?;
        // Other replicas drop it from their caches when this commits.
        tx.execute("SELECT pg_notify($1, $2)", &[&watch::CHANNEL, &s.id])
            .map_err(db)?;
    }
    if let Some(s) = &change.insert {
        sessions::insert(tx, s, &integrity)?;
    }
    let mut applied = Applied {
        session: change.insert.clone().or_else(|| change.update.clone()),
        audit: appender.append_all(tx, change.audit)?,
        ..Applied::default()
    };
    for m in change.outbox {
        applied.outbox.push(tenants::push(tx, m)?);
    }
    Ok(applied)
}

impl PolicyStore for PostgresStore {
    fn put_policy(&self, new: NewPolicy<'_>) -> Result<StoredPolicy, StoreError> {
        let integrity = self.integrity();
        self.write(|tx| {
            // The version and its event carry one time: the chain's.
            let mut appender = audit::Appender::new(integrity.clone());
            let head = appender.head(tx, new.tenant)?;
            let new = NewPolicy {
                at: integrity.lift_time(new.at, head.at)?,
                ..new
            };
            let stored = policies::put(tx, &new, &integrity)?;
            appender.append(tx, stored.uploaded_event())?;
            Ok(stored)
        })
    }

    fn active_policy(&self, tenant: &str) -> Result<Option<StoredPolicy>, StoreError> {
        self.read(|c| policies::active(c, tenant, &self.integrity()))
    }

    fn active_ref(&self, tenant: &str) -> Result<Option<PolicyRef>, StoreError> {
        self.read(|c| Ok(policies::active(c, tenant, &self.integrity())?.map(|p| p.reference())))
    }

    fn policy(&self, tenant: &str, version: u32) -> Result<Option<StoredPolicy>, StoreError> {
        self.read(|c| policies::get_version(c, tenant, version, &self.integrity()))
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
        self.write(|tx| policies::activate(tx, tenant, version, by, at, &self.integrity()))
    }

    fn rollback(&self, tenant: &str, by: Option<&str>, at: DateTime<Utc>) -> Result<StoredPolicy, StoreError> {
        self.write(|tx| policies::rollback(tx, tenant, by, at, &self.integrity()))
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
        self.write(|tx| policies::put_artifact(tx, key, bytes, at))
    }
}

impl TenantStore for PostgresStore {
    fn notifications(&self, tenant: &str) -> Result<Notifications, StoreError> {
        self.read(|c| tenants::notifications(c, tenant, &self.integrity()))
    }

    fn set_notifications(&self, tenant: &str, n: &Notifications) -> Result<(), StoreError> {
        self.write(|tx| tenants::set_notifications(tx, tenant, n, &self.integrity()))
    }

    fn return_origins(&self, tenant: &str) -> Result<Vec<String>, StoreError> {
        self.read(|c| tenants::return_origins(c, tenant, &self.integrity()))
    }

    fn set_return_origins(&self, tenant: &str, origins: &[String]) -> Result<(), StoreError> {
        self.write(|tx| tenants::set_return_origins(tx, tenant, origins, &self.integrity()))
    }
}

impl SessionStore for PostgresStore {
    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        self.read(|c| sessions::by_id(c, id, false, &self.integrity()))
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

    fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        self.read(|c| sessions::due(c, now))
    }

    fn next_deadline(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.read(sessions::next_deadline)
    }

    fn start(
        &self,
        tenant: &str,
        actor: &str,
        decide: &mut dyn FnMut(Option<&SessionRecord>) -> Change,
    ) -> Result<Applied, StoreError> {
        self.write(|tx| {
            // Starts of one actor, from any replica, one at a time.
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                &[&format!("{tenant}\u{1f}{actor}")],
            )
            .map_err(db)?;
            let integrity = self.integrity();
            let current = sessions::current(tx, tenant, actor, &integrity)?;
            apply(tx, decide(current.as_ref()), integrity)
        })
    }

    fn modify(&self, id: &str, decide: &mut dyn FnMut(&SessionRecord) -> Change) -> Result<Applied, StoreError> {
        self.write(|tx| {
            let integrity = self.integrity();
            let current =
                sessions::by_id(tx, id, true, &integrity)?.ok_or_else(|| StoreError::UnknownSession(id.to_string()))?;
            apply(tx, decide(&current), integrity)
        })
    }

    fn record(&self, change: Change) -> Result<Applied, StoreError> {
        self.write(|tx| apply(tx, change, self.integrity()))
    }

    fn append_action(&self, record: ActionRecord) -> Result<ActionAppended, StoreError> {
        let mut answers = self.append_grouped(vec![record]);
        answers
            .pop()
            .unwrap_or(Err(StoreError::Contract("an append was not answered")))
    }

    fn append_actions(
        &self,
        records: &mut dyn Iterator<Item = ActionRecord>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        let mut answers = Vec::new();
        loop {
            let batch: Vec<ActionRecord> = (&mut *records).take(actions::MAX_BATCH).collect();
            if batch.is_empty() {
                return answers;
            }
            answers.extend(self.append_grouped(batch));
        }
    }

    fn watch_sessions(&self, f: SessionWatcher) -> Result<(), StoreError> {
        watch::spawn(self.url.clone(), f, self.watching.clone())
    }

    /// One replica sweeps: see `leader`.
    fn lead_sweeps(&self) -> Result<bool, StoreError> {
        self.try_lead()
    }
}

impl AuditStore for PostgresStore {
    fn set_integrity(&self, integrity: Integrity) {
        *self.integrity.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(integrity);
    }

    fn audit_stats(&self) -> Option<AuditStats> {
        Some(self.stats.lock().unwrap_or_else(PoisonError::into_inner).clone())
    }

    fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        self.read(|c| audit::query(c, filter))
    }

    fn audit_tenants(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| audit::tenants(c, false))
    }

    fn tenants(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| audit::tenants(c, true))
    }

    fn trail(&self, tenant: &str) -> Result<Trail, StoreError> {
        // One snapshot: a change committed meanwhile cannot look like a
        // mismatch to `audit verify`.
        self.read(|c| {
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(db)?;
            let filter = AuditFilter {
                tenant: Some(tenant.to_string()),
                ..AuditFilter::default()
            };
            let integrity = self.integrity();
            let events = audit::query(&mut tx, &filter)?;
            let mut unauthenticated = Vec::new();
            let mut sessions = Vec::new();
            for (s, tag) in sessions::list_tagged(&mut tx, tenant, false)? {
                if let Err(StoreError::Forged(what)) = integrity.check_session(s.clone(), tag.as_deref()) {
                    unauthenticated.push(what);
                }
                sessions.push(s);
            }
            let mut policies = Vec::new();
            for t in policies::history_tagged(&mut tx, tenant)? {
                let p = t.policy.clone();
                if let Err(StoreError::Forged(what)) = t.check(&integrity) {
                    unauthenticated.push(what);
                }
                policies.push(p);
            }
            for k in tenants::keys_tagged(&mut tx, tenant)? {
                if let Err(StoreError::Forged(what)) = k.check(&integrity) {
                    unauthenticated.push(what);
                }
            }
            for (origin, tag) in tenants::return_origins_tagged(&mut tx, tenant)? {
                if let Err(StoreError::Forged(what)) = integrity.check_origin(tenant, &origin, tag.as_deref()) {
                    unauthenticated.push(what);
                }
            }
            if let Some((n, tag)) = tenants::notifications_tagged(&mut tx, tenant)?
                && let Err(StoreError::Forged(what)) = integrity.check_notifications(tenant, n, tag.as_deref())
            {
                unauthenticated.push(what);
            }
            let recorded_head = tx
                .query_opt("SELECT seq, hash FROM chain_heads WHERE tenant = $1", &[&tenant])
                .map_err(db)?
                .map(|r| (u64::try_from(r.get::<_, i64>(0)).unwrap_or(0), r.get::<_, String>(1)));
            tx.commit().map_err(db)?;
            Ok(Trail {
                events,
                sessions,
                policies,
                unauthenticated,
                recorded_head,
            })
        })
    }
}

impl OutboxStore for PostgresStore {
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
        self.write(|tx| tenants::ack(tx, tenant, ids, at))
    }

    fn claim(
        &self,
        tenant: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.write(|tx| tenants::claim(tx, tenant, limit, now, until))
    }
}

impl KeyStore for PostgresStore {
    fn put_key(&self, key: &ApiKey, hash: &str) -> Result<(), StoreError> {
        self.write(|tx| tenants::put_key(tx, key, hash, &self.integrity()))
    }

    fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        self.read(|c| tenants::key_where(c, "hash = $1", hash, &self.integrity()))
    }

    fn keys(&self, tenant: &str) -> Result<Vec<ApiKey>, StoreError> {
        self.read(|c| tenants::keys(c, tenant, &self.integrity()))
    }

    fn revoke_key(&self, id: &str, at: DateTime<Utc>) -> Result<Option<ApiKey>, StoreError> {
        self.write(|tx| tenants::revoke_key(tx, id, at, &self.integrity()))
    }
}
