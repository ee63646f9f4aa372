//! One tenant's window on [`Standin`]: what a platform hands to code
//! acting for one tenant, so that nothing it calls can reach another
//! tenant's sessions, policies, audit trail or messages.
//!
//! A session id of another tenant is answered as unknown, never as
//! forbidden: its existence is not the asker's business either.

use crate::Standin;
use crate::audit::AuditEvent;
use crate::audit::TenantChain;
use crate::model::{Acked, OutboxMessage, SessionRecord};
use crate::policies::StoredPolicy;
use crate::policies::{PolicyError, Replay, Upload, Uploaded};
use crate::request::{Principal, StartRequest};
use crate::sessions::{ActionCall, ApprovalOutcome, Authorization, Banner, ExtendOutcome, SessionError, StartOutcome};
use crate::store::{AuditFilter, StoreError};
use chrono::{DateTime, Utc};

/// [`Standin`] seen by one tenant (see [`Standin::tenant`]): the same
/// handles, with the tenant fixed.
#[derive(Debug, Clone, Copy)]
pub struct Tenant<'a> {
    pub(crate) sessions: &'a Standin,
    tenant: &'a str,
}

impl Standin {
    /// The calls of one tenant: every session, policy, audit event and
    /// message they reach is `tenant`'s.
    pub fn tenant<'a>(&'a self, tenant: &'a str) -> Tenant<'a> {
        Tenant { sessions: self, tenant }
    }
}

impl<'a> Tenant<'a> {
    pub fn name(&self) -> &'a str {
        self.tenant
    }

    /// The [`Standin`] behind this window, for the library's own handles.
    pub(crate) fn standin(&self) -> &'a Standin {
        self.sessions
    }

    /// Session `id` if it is this tenant's; unknown otherwise.
    fn own(&self, id: &str) -> Result<SessionRecord, SessionError> {
        match self.sessions.store.session(id)? {
            Some(s) if s.tenant == self.tenant => Ok(s),
            _ => Err(StoreError::UnknownSession(id.to_string()).into()),
        }
    }

    /// This tenant's sessions.
    pub fn sessions(&self) -> TenantSessions<'a> {
        TenantSessions(*self)
    }

    /// This tenant's audit trail.
    pub fn audit(&self) -> TenantAudit<'a> {
        TenantAudit(*self)
    }

    /// This tenant's messages.
    pub fn outbox(&self) -> TenantOutbox<'a> {
        TenantOutbox(*self)
    }

    /// This tenant's policy versions.
    pub fn policies(&self) -> TenantPolicies<'a> {
        TenantPolicies(*self)
    }
}

/// One tenant's sessions (see [`Tenant::sessions`]).
#[derive(Debug, Clone, Copy)]
pub struct TenantSessions<'a>(Tenant<'a>);

impl<'a> std::ops::Deref for TenantSessions<'a> {
    type Target = Tenant<'a>;

    fn deref(&self) -> &Tenant<'a> {
        &self.0
    }
}

impl TenantSessions<'_> {
    /// Starts a session; a request naming another tenant is refused.
    pub fn start(
        &self,
        request: &StartRequest,
        return_to: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<StartOutcome, SessionError> {
        if request.tenant != self.tenant {
            return Err(SessionError::OtherTenant(request.tenant.clone()));
        }
        self.sessions.sessions().start(request, return_to, now)
    }

    pub fn session(&self, id: &str, now: DateTime<Utc>) -> Result<SessionRecord, SessionError> {
        self.own(id)?;
        self.sessions.sessions().session(id, now)
    }

    pub fn status(&self, id: &str, now: DateTime<Utc>) -> Result<Banner, SessionError> {
        self.own(id)?;
        self.sessions.sessions().status(id, now)
    }

    pub fn end(&self, id: &str, now: DateTime<Utc>) -> Result<SessionRecord, SessionError> {
        self.own(id)?;
        self.sessions.sessions().end(id, now)
    }

    pub fn revoke(&self, id: &str, reason: &str, now: DateTime<Utc>) -> Result<SessionRecord, SessionError> {
        self.own(id)?;
        self.sessions.sessions().revoke(id, reason, now)
    }

    /// [`Sessions::approve`](crate::sessions::Sessions::approve); the approver must be of this tenant (a
    /// principal naming no tenant is taken as this tenant's).
    pub fn approve(&self, id: &str, approver: &Principal, now: DateTime<Utc>) -> Result<ApprovalOutcome, SessionError> {
        self.own(id)?;
        self.sessions.sessions().approve(id, approver, now)
    }

    /// [`Sessions::reject`](crate::sessions::Sessions::reject), as [`Self::approve`].
    pub fn reject(
        &self,
        id: &str,
        approver: &Principal,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<ApprovalOutcome, SessionError> {
        self.own(id)?;
        self.sessions.sessions().reject(id, approver, reason, now)
    }

    pub fn extend(&self, id: &str, ttl: u64, now: DateTime<Utc>) -> Result<ExtendOutcome, SessionError> {
        self.own(id)?;
        self.sessions.sessions().extend(id, ttl, now)
    }

    pub fn authorize(
        &self,
        id: &str,
        action: &str,
        resource: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Authorization, SessionError> {
        // Through the active-session cache, as `authorize` itself reads it:
        // the hot path reads no row to tell whose session it is.
        if self.sessions.entry(id)?.session().tenant != self.tenant {
            return Err(StoreError::UnknownSession(id.to_string()).into());
        }
        self.sessions.sessions().authorize(id, action, resource, now)
    }

    /// [`Sessions::authorize_batch`](crate::sessions::Sessions::authorize_batch); a call on another tenant's session
    /// is answered as unknown, the others as usual.
    pub fn authorize_batch(
        &self,
        calls: &[ActionCall<'_>],
    ) -> Result<Vec<Result<Authorization, SessionError>>, SessionError> {
        self.sessions.authorize_calls(Some(self.tenant), calls)
    }

    pub fn list(&self, active_only: bool, now: DateTime<Utc>) -> Result<Vec<SessionRecord>, SessionError> {
        self.sessions.sessions().list(self.tenant, active_only, now)
    }

    /// One page of [`Self::list`]: see [`Sessions::list_page`](crate::sessions::Sessions::list_page).
    pub fn page(
        &self,
        active_only: bool,
        after: Option<&str>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionRecord>, SessionError> {
        self.sessions
            .sessions()
            .list_page(self.tenant, active_only, after, limit, now)
    }
}

/// One tenant's audit trail (see [`Tenant::audit`]).
#[derive(Debug, Clone, Copy)]
pub struct TenantAudit<'a>(Tenant<'a>);

impl<'a> std::ops::Deref for TenantAudit<'a> {
    type Target = Tenant<'a>;

    fn deref(&self) -> &Tenant<'a> {
        &self.0
    }
}

impl TenantAudit<'_> {
    /// This tenant's audit events matching `filter` (its `tenant` is ignored).
    pub fn query(&self, filter: &AuditFilter) -> Result<Vec<AuditEvent>, SessionError> {
        let filter = AuditFilter {
            tenant: Some(self.tenant.to_string()),
            ..filter.clone()
        };
        self.sessions.audit().query(&filter)
    }

    pub fn verify(&self) -> Result<Vec<TenantChain>, SessionError> {
        self.sessions.audit().verify(Some(self.tenant))
    }
}

/// One tenant's messages (see [`Tenant::outbox`]).
#[derive(Debug, Clone, Copy)]
pub struct TenantOutbox<'a>(Tenant<'a>);

impl<'a> std::ops::Deref for TenantOutbox<'a> {
    type Target = Tenant<'a>;

    fn deref(&self) -> &Tenant<'a> {
        &self.0
    }
}

impl TenantOutbox<'_> {
    pub fn list(&self, include_acked: bool) -> Result<Vec<OutboxMessage>, SessionError> {
        self.sessions.outbox().list(Some(self.tenant), include_acked)
    }

    /// One page of [`Self::list`]: at most `limit` messages with ids above `after`.
    pub fn page(
        &self,
        include_acked: bool,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, SessionError> {
        self.sessions
            .outbox()
            .page(Some(self.tenant), include_acked, after, limit)
    }

    /// Acknowledges `ids`, all or nothing: when some id is not this
    /// tenant's message, none is acknowledged ([`Acked::unknown`]).
    pub fn ack(&self, ids: &[i64], now: DateTime<Utc>) -> Result<Acked, SessionError> {
        self.sessions.outbox().ack(self.tenant, ids, now)
    }
}

/// One tenant's policy versions (see [`Tenant::policies`]).
#[derive(Debug, Clone, Copy)]
pub struct TenantPolicies<'a>(Tenant<'a>);

impl<'a> std::ops::Deref for TenantPolicies<'a> {
    type Target = Tenant<'a>;

    fn deref(&self) -> &Tenant<'a> {
        &self.0
    }
}

impl TenantPolicies<'_> {
    pub fn active(&self) -> Result<Option<StoredPolicy>, PolicyError> {
        self.sessions.policies().active(self.tenant)
    }

    pub fn versions(&self) -> Result<Vec<StoredPolicy>, PolicyError> {
        self.sessions.policies().versions(self.tenant)
    }

    /// The settings schema of the active policy (see
    /// [`Registry::settings_schema`](crate::policies::Registry::settings_schema)).
    pub fn settings_schema(&self) -> Result<crate::policies::SettingsSchema, PolicyError> {
        self.sessions.policies().settings_schema(self.tenant)
    }

    pub fn version(&self, version: u32) -> Result<StoredPolicy, PolicyError> {
        self.sessions.policies().version(self.tenant, version)
    }

    /// Uploads a version of this tenant's policy (whatever `upload.tenant` says).
    pub fn upload(&self, upload: &Upload<'_>, now: DateTime<Utc>) -> Result<Uploaded, PolicyError> {
        let upload = Upload {
            tenant: self.tenant,
            ..upload.clone()
        };
        self.sessions.policies().upload(&upload, now)
    }

    pub fn activate(&self, version: u32, by: Option<&str>, now: DateTime<Utc>) -> Result<StoredPolicy, PolicyError> {
        self.sessions.policies().activate(self.tenant, version, by, now)
    }

    pub fn rollback(&self, by: Option<&str>, now: DateTime<Utc>) -> Result<StoredPolicy, PolicyError> {
        self.sessions.policies().rollback(self.tenant, by, now)
    }

    pub fn replay(&self, candidate: u32, since: Option<DateTime<Utc>>) -> Result<Replay, PolicyError> {
        self.sessions.policies().replay(self.tenant, candidate, since)
    }
}
