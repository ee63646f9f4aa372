//! Tokens of sessions (see [`crate::token`]): issued on a start and on
//! request, and introspected against the session itself, so a token is
//! active only while its session is.

use super::changes::secs;
use super::{SessionError, Sessions};
use crate::store::{EndReason, SessionRecord};
use crate::token::{Actor, TokenKeys};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;

/// What introspection says of a token (RFC 7662's shape): `active` and,
/// when active, whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Introspection {
    pub active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub act: Option<Actor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
}

impl Introspection {
    fn inactive() -> Self {
        Self {
            active: false,
            sid: None,
            sub: None,
            act: None,
            exp: None,
        }
    }
}

impl Sessions {
    /// Signs tokens with `keys` (see [`crate::token`]): started sessions
    /// then carry one.
    pub fn with_token_keys(mut self, keys: TokenKeys) -> Self {
        self.tokens = Some(Arc::new(keys));
        self
    }

    /// A token for `s` when it is active and tokens are signed here.
    pub fn token_for(&self, s: &SessionRecord, now: DateTime<Utc>) -> Option<String> {
        let keys = self.tokens.as_ref()?;
        (s.is_active() && !s.is_due(secs(now))).then(|| keys.issue(s, secs(now)))
    }

    /// A fresh token for session `id` (after an extension, its `exp` is the
    /// new deadline); `None` when no token key is configured.
    pub fn token(&self, id: &str, now: DateTime<Utc>) -> Result<Option<String>, SessionError> {
        let s = self.session(id, now)?;
        if !s.is_active() {
            return Err(SessionError::Ended {
                id: id.to_string(),
                end_reason: s.end_reason.map_or("ended", EndReason::as_str),
            });
        }
        Ok(self.token_for(&s, now))
    }

    /// The published keys, as a JWKS; `None` when no token key is configured.
    pub fn jwks(&self) -> Option<serde_json::Value> {
        self.tokens.as_ref().map(|k| k.jwks())
    }

    /// Whether `token` is active for `tenant` at `now`: signed by a
    /// published key, for this tenant, not past its `exp`, and its session
    /// still active. Anything else is `{"active": false}`, without saying why.
    pub fn introspect(&self, tenant: &str, token: &str, now: DateTime<Utc>) -> Result<Introspection, SessionError> {
        let Some(keys) = &self.tokens else {
            return Ok(Introspection::inactive());
        };
        let Ok(claims) = keys.verify(token) else {
            return Ok(Introspection::inactive());
        };
        let now = secs(now);
        if claims.aud != tenant || claims.exp <= now.timestamp() {
            return Ok(Introspection::inactive());
        }
        let session = match self.session(&claims.sid, now) {
            Ok(s) => s,
            Err(SessionError::Store(crate::store::StoreError::UnknownSession(_))) => {
                return Ok(Introspection::inactive());
            }
            Err(e) => return Err(e),
        };
        let same = session.tenant == claims.aud && session.target == claims.sub && session.actor == claims.act.sub;
        if !same || !session.is_active() {
            return Ok(Introspection::inactive());
        }
        Ok(Introspection {
            active: true,
            sid: Some(claims.sid),
            sub: Some(claims.sub),
            act: Some(claims.act),
            exp: Some(claims.exp),
        })
    }
}
