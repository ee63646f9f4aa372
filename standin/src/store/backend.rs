//! What a backend implements: [`Store`], in seven parts by what they keep
//! (policies, tenant settings, sessions, the audit trail, the outbox, API
//! keys, webhook endpoints), so that a reader finds a method by its
//! subject and code that needs one part can say so. Every type that
//! implements the seven parts is a [`Store`].

pub use super::webhooks::WebhookStore;
use super::*;
use crate::audit::AuditEvent;
use crate::decision::PolicyRef;
use crate::model::{Acked, Notifications, OutboxMessage, SessionRecord};
use crate::policies::{ArtifactKey, NewPolicy, StoredPolicy};

/// The storage of sessions, policies, audit and outbox.
///
/// # The contract every backend keeps
///
/// The session logic decides; the store applies, under these guarantees,
/// whichever processes share it (SQLite: one file; a server database: many
/// replicas). `tests/all/store_conformance.rs` checks them on every backend.
///
/// 1. **One chain per tenant, appended in order.** Every audit event of a
///    tenant gets the next `seq` (1, 2, ... with no gap and no repeat) and
///    is sealed onto the tenant's head (`prev_hash` = the previous event's
///    `hash`) inside the transaction that writes it. Two writers never
///    both append after the same head: appends of one tenant are
///    serialized (SQLite: the database write lock; a server database: a
///    lock on the tenant's chain head). An event's `at` is never before its
///    predecessor's.
/// 2. **One active session per (tenant, actor, depth).** [`SessionStore::start`]
///    reads the actor's innermost active session and applies the start in
///    the same transaction, so two starts racing for one actor leave one
///    session; the other caller's `decide` sees the winner (or its start
///    fails, never both succeed).
/// 3. **An action's row is committed only while its session is active.**
///    [`SessionStore::append_action`] checks, in the transaction that appends,
///    that the session is active and not past its deadline at the call's
///    `now`; otherwise it appends nothing and answers
///    [`ActionAppended::Inactive`]. An end, revoke or expiry and an action
///    racing it are decided by the order of their commits, and each caller
///    is told what the trail says.
/// 4. **A change is atomic.** A [`Change`] (a session row, its audit events,
///    its outbox messages) is applied whole or not at all; once a call
///    returns `Ok`, what it wrote is durable (except actions queued in
///    [`AuditMode::Batched`]).
/// 5. **Readers see committed state only**, and a read never blocks on an
///    in-flight write for longer than the store's busy timeout.
///
/// Backends answer [`StoreError`]; their driver's error rides as the
/// source of [`StoreError::Database`], so no backend's types leak into this
/// API.
pub trait Store: PolicyStore + TenantStore + SessionStore + AuditStore + OutboxStore + KeyStore + WebhookStore {}

impl<T> Store for T where
    T: PolicyStore + TenantStore + SessionStore + AuditStore + OutboxStore + KeyStore + WebhookStore
{
}

/// Tenants' policy versions, their components and the compiled artifacts
/// the host sealed (see [`crate::sessions`]'s policy registry).
pub trait PolicyStore: Send + Sync + std::fmt::Debug {
    /// Stores a component (once per digest) and a new version of the
    /// tenant's policy, active if `new.activate` (the previous version
    /// stays, inactive), with its `policy.uploaded` event
    /// ([`StoredPolicy::uploaded_event`]) in the same transaction.
    fn put_policy(&self, new: NewPolicy<'_>) -> Result<StoredPolicy, StoreError>;
    /// The tenant's active policy, if it ever stored one.
    fn active_policy(&self, tenant: &str) -> Result<Option<StoredPolicy>, StoreError>;
    /// Which version of the tenant's policy is active (the hot path of
    /// every start: no settings, no JSON).
    fn active_ref(&self, tenant: &str) -> Result<Option<PolicyRef>, StoreError>;
    /// One version of a tenant's policy.
    fn policy(&self, tenant: &str, version: u32) -> Result<Option<StoredPolicy>, StoreError>;
    /// Every version of a tenant's policy, oldest first.
    fn policies(&self, tenant: &str) -> Result<Vec<StoredPolicy>, StoreError>;
    /// The active version of every tenant that has one.
    fn active_policies(&self) -> Result<Vec<StoredPolicy>, StoreError>;
    /// Makes `version` the tenant's active policy (an activation pushed on
    /// its stack), in one transaction.
    fn activate(
        &self,
        tenant: &str,
        version: u32,
        by: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<StoredPolicy, StoreError>;
    /// Undoes the tenant's last activation: the version active before it
    /// becomes active again. [`StoreError::NothingToRollBack`] when there is none.
    fn rollback(&self, tenant: &str, by: Option<&str>, at: DateTime<Utc>) -> Result<StoredPolicy, StoreError>;
    /// A stored component's bytes.
    fn component(&self, digest: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// A compiled artifact the host stored, if its checksum still matches.
    fn artifact(&self, key: &ArtifactKey) -> Result<Option<Vec<u8>>, StoreError>;
    /// Whether an artifact is stored for `key` (without reading it).
    fn has_artifact(&self, key: &ArtifactKey) -> Result<bool, StoreError>;
    /// Stores a compiled artifact of a stored component.
    fn put_artifact(&self, key: &ArtifactKey, bytes: &[u8], at: DateTime<Utc>) -> Result<(), StoreError>;
}

/// A tenant's own settings besides its policy: notification texts, the
/// origins allowed as `return_to`, its route table and its trusted issuers.
pub trait TenantStore: Send + Sync + std::fmt::Debug {
    fn notifications(&self, tenant: &str) -> Result<Notifications, StoreError>;
    fn set_notifications(&self, tenant: &str, notifications: &Notifications) -> Result<(), StoreError>;
    /// Origins (`https://host[:port]`) the tenant allows as `return_to`.
    fn return_origins(&self, tenant: &str) -> Result<Vec<String>, StoreError>;
    /// Replaces the tenant's allowed `return_to` origins.
    fn set_return_origins(&self, tenant: &str, origins: &[String]) -> Result<(), StoreError>;
    /// The tenant's route table (for gateways' forward-auth), if it set
    /// one; [`StoreError::Forged`] when its row does not hold.
    fn routes(&self, tenant: &str) -> Result<Option<crate::access::RouteTable>, StoreError>;
    /// Replaces the tenant's route table.
    fn set_routes(&self, tenant: &str, table: &crate::access::RouteTable) -> Result<(), StoreError>;
    /// The identity providers whose tokens the tenant's token exchange
    /// takes, if it set any; [`StoreError::Forged`] when the row does not hold.
    fn token_issuers(&self, tenant: &str) -> Result<Option<crate::access::TrustedIssuers>, StoreError>;
    /// Replaces the tenant's trusted issuers.
    fn set_token_issuers(&self, tenant: &str, issuers: &crate::access::TrustedIssuers) -> Result<(), StoreError>;
}

/// Standin: their rows, the atomic changes that start and end them, and
/// actions' audit rows appended while a session is active (guarantees 2, 3
/// and 4 of [`Store`]).
pub trait SessionStore: Send + Sync + std::fmt::Debug {
    fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// A tenant's sessions, newest first; with `active_only`, those not
    /// ended (active, or pending approval).
    fn sessions(&self, tenant: &str, active_only: bool) -> Result<Vec<SessionRecord>, StoreError>;
    /// One page of [`SessionStore::sessions`], in its order: at most `limit`
    /// sessions listed after session `after` (from the first without it).
    /// An `after` that is no session of the tenant gives an empty page.
    fn sessions_page(
        &self,
        tenant: &str,
        active_only: bool,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SessionRecord>, StoreError>;
    /// The actor's innermost active session (possibly past its deadline),
    /// as [`SessionStore::start`] would see it; read outside any write.
    fn current_session(&self, tenant: &str, actor: &str) -> Result<Option<SessionRecord>, StoreError>;
    /// Ids of active or pending sessions whose deadline (a pending one's:
    /// its request's) is at or before `now`.
    fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError>;
    /// The earliest deadline of an active or pending session, if any (the
    /// sweeper sleeps until then).
    fn next_deadline(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// In one write transaction: reads the actor's innermost active session,
    /// asks `decide`, applies what it returns.
    fn start(
        &self,
        tenant: &str,
        actor: &str,
        decide: &mut dyn FnMut(Option<&SessionRecord>) -> Change,
    ) -> Result<Applied, StoreError>;
    /// In one write transaction: reads session `id`, asks `decide`, applies
    /// what it returns.
    fn modify(&self, id: &str, decide: &mut dyn FnMut(&SessionRecord) -> Change) -> Result<Applied, StoreError>;
    /// Applies `change` in one transaction.
    fn record(&self, change: Change) -> Result<Applied, StoreError>;
    /// Appends an action's audit rows if, in the transaction that appends
    /// them, the session is still active at `record.now`. The default is
    /// one transaction per call, through [`SessionStore::modify`]; a store may
    /// batch (see [`AuditMode`]).
    fn append_action(&self, record: ActionRecord) -> Result<ActionAppended, StoreError> {
        let now = record.now;
        let mut rows = Some(record.audit);
        let applied = self.modify(&record.session, &mut |s| {
            if s.is_active() && !s.is_due(now) {
                Change {
                    audit: rows.take().unwrap_or_default(),
                    ..Change::default()
                }
            } else {
                Change::default()
            }
        })?;
        Ok(if rows.is_none() {
            ActionAppended::Committed(applied.audit)
        } else {
            ActionAppended::Inactive
        })
    }
    /// [`SessionStore::append_action`] for many calls, in order: one answer per
    /// record, in order, each checked and appended as `append_action`
    /// would. The records are taken from `records` as the store is ready
    /// for them, so a store may commit the first while the caller still
    /// makes the last (SQLite: see `writer`). The default appends them
    /// one by one.
    fn append_actions(
        &self,
        records: &mut dyn Iterator<Item = ActionRecord>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        records.map(|r| self.append_action(r)).collect()
    }
    /// Appends audit rows that belong to no session (generic AuthZEN
    /// answers'), as [`SessionStore::append_actions`] appends actions',
    /// without their session check: one answer per item of `rows` (the
    /// rows of one answer), in order, each committed and durable when this
    /// returns ([`ActionAppended::Committed`]), or queued in
    /// [`AuditMode::Batched`] ([`ActionAppended::Queued`]). The default is
    /// a transaction per item, through [`SessionStore::record`]; a store
    /// may commit them with concurrent callers' rows (SQLite and
    /// PostgreSQL do, in their actions' group commit).
    fn append_events(
        &self,
        rows: &mut dyn Iterator<Item = Vec<AuditEvent>>,
    ) -> Vec<Result<ActionAppended, StoreError>> {
        rows.map(|audit| {
            let applied = self.record(Change {
                audit,
                ..Change::default()
            })?;
            Ok(ActionAppended::Committed(applied.audit))
        })
        .collect()
    }
    /// Tells `f` of every session change (end, revoke, extension, expiry)
    /// any process commits, soon after it commits, until the store is
    /// dropped: `f(Some(id))`, or `f(None)` when some news may have been
    /// lost (forget everything). The host drops such sessions from its
    /// cache; the commit checks stay the rule, so a store with no such
    /// news (the default: it never calls `f`) is as safe, only slower to
    /// notice.
    fn watch_sessions(&self, f: SessionWatcher) -> Result<(), StoreError> {
        drop(f);
        Ok(())
    }
    /// Whether this process should run the expiry sweep now. A store that
    /// many processes share elects one sweeper at a time (PostgreSQL: a
    /// lock held by one connection, released when its process dies, then
    /// taken by another); the default, every process sweeps. Either way an
    /// expiry is decided in its commit, so it is recorded once.
    fn lead_sweeps(&self) -> Result<bool, StoreError> {
        Ok(true)
    }
}

/// Reading the audit trail (guarantee 1 of [`Store`] is kept by the
/// writes of [`SessionStore`] and [`PolicyStore`]).
pub trait AuditStore: SessionStore + PolicyStore {
    /// From now on, authenticates what this store writes and reads with
    /// `integrity`'s keys, and dates changes by its clock rule (see
    /// [`Integrity`](crate::store::Integrity)). A store told nothing is unkeyed, with the
    /// default clock rule.
    fn set_integrity(&self, integrity: Integrity);
    /// Audit events matching `filter`, by tenant then `seq`.
    fn audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError>;
    /// Every tenant with audit events.
    fn audit_tenants(&self) -> Result<Vec<String>, StoreError>;
    /// Every tenant with audit events, sessions or policy versions (a
    /// store may add those with only API keys, `return_to` origins or
    /// notification settings, so `audit verify` checks their tags).
    fn tenants(&self) -> Result<Vec<String>, StoreError> {
        self.audit_tenants()
    }
    /// A tenant's chain, sessions and policy versions, for `audit verify`
    /// to compare. A store should read them as of one commit (SQLite: one
    /// read transaction); this default does not.
    fn trail(&self, tenant: &str) -> Result<Trail, StoreError> {
        let filter = AuditFilter {
            tenant: Some(tenant.to_string()),
            ..AuditFilter::default()
        };
        let (sessions, policies) = (self.sessions(tenant, false)?, self.policies(tenant)?);
        Ok(Trail {
            events: self.audit(&filter)?,
            sessions,
            policies,
            unauthenticated: Vec::new(),
            recorded_head: None,
        })
    }
    /// The action audit writer's figures (for metrics); `None` when the
    /// store has no such writer.
    fn audit_stats(&self) -> Option<AuditStats> {
        None
    }
}

/// The outbox: messages written with a change, read, claimed and
/// acknowledged by the platform's consumers.
pub trait OutboxStore: Send + Sync + std::fmt::Debug {
    /// Messages, oldest first; unacknowledged only unless `include_acked`.
    fn outbox(&self, tenant: Option<&str>, include_acked: bool) -> Result<Vec<OutboxMessage>, StoreError>;
    /// One page of [`OutboxStore::outbox`]: at most `limit` messages with ids
    /// above `after`, oldest first.
    fn outbox_page(
        &self,
        tenant: Option<&str>,
        include_acked: bool,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Marks `tenant`'s messages `ids` delivered (any tenant's when `None`),
    /// in one transaction, all or nothing: when some id is not one of
    /// `tenant`'s messages (unknown, or another tenant's), nothing is
    /// acknowledged and those ids are in [`Acked::unknown`].
    fn ack(&self, tenant: Option<&str>, ids: &[i64], at: DateTime<Utc>) -> Result<Acked, StoreError>;
    /// Claims up to `limit` of `tenant`'s (any tenant's when `None`)
    /// unacknowledged messages that no one holds a claim on at `now`,
    /// oldest first, and holds them until `until`: two consumers, in any
    /// processes, never get the same message while its claim holds
    /// (SQLite: the write lock; a server database: `FOR UPDATE SKIP
    /// LOCKED`, so consumers do not wait for each other). A message not
    /// acknowledged by `until` can be claimed again (at-least-once
    /// delivery). Claims do not change what [`OutboxStore::outbox`] lists.
    fn claim(
        &self,
        tenant: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
}

/// API keys of `standin serve`, kept by the sha256 of their secret.
pub trait KeyStore: Send + Sync + std::fmt::Debug {
    /// Stores an API key by the hash of its secret (see [`crate::access`]).
    fn put_key(&self, key: &ApiKey, hash: &str) -> Result<(), StoreError>;
    /// The key whose secret hashes to `hash`, revoked or not.
    fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError>;
    /// A tenant's keys, oldest first, revoked ones included.
    fn keys(&self, tenant: &str) -> Result<Vec<ApiKey>, StoreError>;
    /// Marks a key revoked (once: a second revoke keeps the first time);
    /// `None` when there is no such key.
    fn revoke_key(&self, id: &str, at: DateTime<Utc>) -> Result<Option<ApiKey>, StoreError>;
}
