//! The token exchange (RFC 8693): an identity provider, or an admin's app,
//! hands Standin a token of the target (`subject_token`) and one of the
//! admin (`actor_token`), both from issuers the tenant trusts
//! ([`TrustedIssuers`]); Standin asks the tenant's policy the start
//! question with the principals those tokens name and, on allow, answers
//! its own impersonation token (with `act`), so "may this admin get a
//! token as that user?" is one standard grant rather than a side API.
//!
//! The start is the start of `Sessions::start`: audited, notified,
//! approval included. A start the policy leaves pending is answered
//! `authorization_pending` with the session's id; the client asks again
//! with the same tokens and that id (`session_id`) and gets the token once
//! someone approved.

use super::Access;
use super::issuers::{JwtRefusal, TrustedIssuers, Verified};
use crate::decision::{Decision, PolicyRef};
use crate::model::{EndReason, SessionRecord};
use crate::request::StartRequest;
use crate::sessions::SessionError;
use crate::sessions::changes::secs;
use chrono::{DateTime, Utc};

/// What a token exchange asks, its tokens still to verify.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Exchange {
    pub tenant: String,
    /// The target's token.
    pub subject_token: String,
    /// The admin's token.
    pub actor_token: String,
    pub reason: Option<String>,
    pub ttl_seconds: Option<u64>,
    pub domain: Option<String>,
    /// A pending session this exchange started earlier, asked about again.
    pub session_id: Option<String>,
}

impl Exchange {
    pub fn new(tenant: &str, subject_token: &str, actor_token: &str) -> Self {
        Self {
            tenant: tenant.to_string(),
            subject_token: subject_token.to_string(),
            actor_token: actor_token.to_string(),
            ..Self::default()
        }
    }
}

/// What an exchange came to.
#[derive(Debug)]
#[non_exhaustive]
pub enum Exchanged {
    /// Allowed: the session and its impersonation token.
    Issued { session: SessionRecord, token: String },
    /// Allowed once someone approves: ask again with `session_id`.
    Pending { session: SessionRecord },
    /// The policy said no (audited): RFC 6749's `invalid_grant`.
    Denied { decision: Decision, policy: PolicyRef },
    /// The pending session this exchange asks about was turned down or
    /// not answered in time.
    Ended { session: SessionRecord },
    /// A token that is not acceptable, or a `session_id` that is not this
    /// exchange's: RFC 8693's `invalid_request`.
    Refused(String),
}

impl Access<'_> {
    /// The tenant's trusted issuers (empty when it set none).
    pub fn token_issuers(&self, tenant: &str) -> Result<TrustedIssuers, SessionError> {
        crate::request::check_id("tenant", tenant)?;
        Ok(self.store.token_issuers(tenant)?.unwrap_or_default())
    }

    /// Replaces the tenant's trusted issuers.
    pub fn set_token_issuers(&self, tenant: &str, issuers: &TrustedIssuers) -> Result<(), SessionError> {
        crate::request::check_id("tenant", tenant)?;
        Ok(self.store.set_token_issuers(tenant, issuers)?)
    }

    /// Runs a token exchange at `now` (see the module's docs). Without a
    /// token key no token can be issued: every exchange is refused before
    /// anything is started.
    pub fn exchange(&self, x: &Exchange, now: DateTime<Utc>) -> Result<Exchanged, SessionError> {
        let now = secs(now);
        if self.tokens.is_none() {
            return Ok(Exchanged::Refused(
                "this server signs no impersonation tokens (start it with a token key)".into(),
            ));
        }
        let issuers = self.token_issuers(&x.tenant)?;
        let verify = |name: &str, token: &str| -> Result<Verified, String> {
            issuers
                .verify(token, now.timestamp())
                .map_err(|e: JwtRefusal| format!("`{name}`: {e}"))
        };
        let (target, actor) = match (
            verify("subject_token", &x.subject_token),
            verify("actor_token", &x.actor_token),
        ) {
            (Ok(t), Ok(a)) => (t, a),
            (Err(e), _) | (_, Err(e)) => return Ok(Exchanged::Refused(e)),
        };
        let principal = |name: &str, v: &Verified| issuers.principal(v).map_err(|e| format!("`{name}`: {e}"));
        let (target, actor) = match (principal("subject_token", &target), principal("actor_token", &actor)) {
            (Ok(t), Ok(a)) => (t, a),
            (Err(e), _) | (_, Err(e)) => return Ok(Exchanged::Refused(e)),
        };
        if let Some(id) = &x.session_id {
            return self.pending_again(id, &x.tenant, &actor.id, &target.id, now);
        }
        let request = StartRequest {
            tenant: x.tenant.clone(),
            actor,
            target,
            reason: x.reason.clone(),
            ttl_seconds: x.ttl_seconds,
            domain: x.domain.clone(),
            actor_session: None,
            consent_on_behalf: false,
            now: None,
            scope: None,
        };
        let outcome = self.sessions().start(&request, None, now)?;
        Ok(match outcome.session {
            Some(session) if session.is_pending() => Exchanged::Pending { session },
            Some(session) => self.issued(session, now),
            None => Exchanged::Denied {
                decision: outcome.decision,
                policy: outcome.policy,
            },
        })
    }

    /// A pending session asked about again, by the same actor for the
    /// same target.
    fn pending_again(
        &self,
        id: &str,
        tenant: &str,
        actor: &str,
        target: &str,
        now: DateTime<Utc>,
    ) -> Result<Exchanged, SessionError> {
        let session = match self.sessions().session(id, now) {
            Ok(s) => s,
            Err(SessionError::Store(crate::store::StoreError::UnknownSession(_))) => {
                return Ok(Exchanged::Refused(format!("`session_id`: no session `{id}`")));
            }
            Err(e) => return Err(e),
        };
        if session.tenant != tenant || session.actor != actor || session.target != target {
            return Ok(Exchanged::Refused(format!(
                "`session_id`: session `{id}` is not this actor's session as this target"
            )));
        }
        Ok(if session.is_pending() {
            Exchanged::Pending { session }
        } else if session.is_active() && !session.is_due(now) {
            self.issued(session, now)
        } else {
            Exchanged::Ended { session }
        })
    }

    fn issued(&self, session: SessionRecord, now: DateTime<Utc>) -> Exchanged {
        match self.token_for(&session, now) {
            Some(token) => Exchanged::Issued { session, token },
            None => Exchanged::Ended { session },
        }
    }
}

impl Exchanged {
    /// RFC 6749/8628's error code of an answer that is not a token.
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            Self::Issued { .. } => None,
            Self::Pending { .. } => Some("authorization_pending"),
            Self::Denied { .. } => Some("invalid_grant"),
            Self::Ended { session } => Some(match session.end_reason {
                Some(EndReason::Rejected) => "access_denied",
                Some(EndReason::ApprovalExpired) => "expired_token",
                _ => "invalid_grant",
            }),
            Self::Refused(_) => Some("invalid_request"),
        }
    }
}
