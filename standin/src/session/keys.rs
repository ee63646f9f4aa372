//! Making, listing, revoking and checking API keys (see [`crate::keys`]).

use super::{SessionError, Sessions};
use crate::keys::{self, ApiKey, KeyError, NewApiKey, Scope};
use crate::request::{check_id, check_text};
use chrono::{DateTime, Utc};

/// A key's name is a label for people: at most this many bytes.
pub const MAX_KEY_NAME_BYTES: usize = 256;

impl Sessions {
    /// Makes a key for `tenant` with `scope`; the secret is in the answer
    /// and nowhere else.
    pub fn create_key(
        &self,
        tenant: &str,
        scope: Scope,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<NewApiKey, SessionError> {
        check_id("tenant", tenant)?;
        if let Some(name) = name {
            check_text("name", name, MAX_KEY_NAME_BYTES)?;
        }
        let (id, secret) = keys::generate()?;
        let key = ApiKey {
            id,
            tenant: tenant.to_string(),
            scope,
            name: name.map(str::to_string),
            created_at: now,
            revoked_at: None,
        };
        self.store.put_key(&key, &keys::key_hash(&secret))?;
        Ok(NewApiKey {
            id: key.id,
            tenant: key.tenant,
            scope,
            name: key.name,
            key: secret,
        })
    }

    /// A tenant's keys, revoked ones included, without secrets.
    pub fn keys(&self, tenant: &str) -> Result<Vec<ApiKey>, SessionError> {
        Ok(self.store.keys(tenant)?)
    }

    /// Revokes a key: from now on it authenticates nothing.
    pub fn revoke_key(&self, id: &str, now: DateTime<Utc>) -> Result<ApiKey, SessionError> {
        self.store
            .revoke_key(id, now)?
            .ok_or_else(|| KeyError::UnknownKey(id.to_string()).into())
    }

    /// The live key a bearer secret stands for; `None` for an unknown or
    /// revoked one (the caller cannot tell which). With a host key, a key
    /// whose row does not carry its tag (inserted or edited in the
    /// database) is [`StoreError::Forged`](crate::store::StoreError::Forged):
    /// never a key.
    pub fn authenticate(&self, secret: &str) -> Result<Option<ApiKey>, SessionError> {
        if !secret.starts_with(keys::KEY_PREFIX) || secret.len() > 128 {
            return Ok(None);
        }
        Ok(self
            .store
            .key_by_hash(&keys::key_hash(secret))?
            .filter(|k| !k.is_revoked()))
    }
}
