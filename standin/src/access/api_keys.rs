//! API keys for `standin serve`: who may call which routes of which tenant.
//!
//! A key is 32 random bytes shown once, when it is made; the store keeps
//! only its sha256. The key is high-entropy, so a plain hash is enough (no
//! password stretching): knowing the hash does not help to find the key,
//! and looking a key up by its hash tells a caller nothing about other
//! keys. Every key belongs to one tenant and has one [`Scope`].
//!
//! Making, listing, revoking and checking API keys (see [`crate::keys`]).

use super::Access;
use crate::request::{check_id, check_text};
use crate::sessions::SessionError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// What a key may do. `Admin` may do all of it; `Decide` and `Audit` are
/// disjoint halves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Scope {
    /// Checks, session start/status/end/extend, authorize, AuthZEN evaluations.
    Decide,
    /// Audit query and verify, outbox read.
    Audit,
    /// All of the above, and revoke, policies, notifications, outbox ack.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Decide, Scope::Audit, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Decide => "decide",
            Scope::Audit => "audit",
            Scope::Admin => "admin",
        }
    }

    /// Whether a key of this scope may call a route that needs `needed`.
    pub fn grants(self, needed: Scope) -> bool {
        self == Scope::Admin || self == needed
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Scope {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, KeyError> {
        Scope::ALL
            .into_iter()
            .find(|scope| scope.as_str() == s)
            .ok_or_else(|| KeyError::UnknownScope(s.to_string()))
    }
}

/// A stored key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    pub id: String,
    pub tenant: String,
    pub scope: Scope,
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

/// A key just made: the record, and the secret shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewApiKey {
    pub id: String,
    pub tenant: String,
    pub scope: Scope,
    pub name: Option<String>,
    /// The bearer token; never stored, never shown again.
    pub key: String,
}

/// Why a key could not be made, found or revoked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("unknown scope `{0}` (decide, audit or admin)")]
    UnknownScope(String),
    #[error("no key `{0}`")]
    UnknownKey(String),
    #[error("cannot make a key: {0}")]
    Random(String),
}

/// The prefix of every secret: greppable in logs and by secret scanners.
pub const KEY_PREFIX: &str = "stn_";

/// A fresh secret and its id.
pub(crate) fn generate() -> Result<(String, String), KeyError> {
    use base64::Engine as _;
    let mut bytes = [0u8; 40];
    getrandom::fill(&mut bytes).map_err(|e| KeyError::Random(e.to_string()))?;
    let id = format!("k-{}", crate::audit::hex(&bytes[32..]));
    let secret = format!(
        "{KEY_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..32])
    );
    Ok((id, secret))
}

/// The hash a secret is stored and looked up by (`sha256:` and hex).
pub fn key_hash(secret: &str) -> String {
    format!("sha256:{}", crate::audit::hex(&Sha256::digest(secret.as_bytes())))
}

/// A key's name is a label for people: at most this many bytes.
pub const MAX_KEY_NAME_BYTES: usize = 256;

impl Access<'_> {
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
        let (id, secret) = generate()?;
        let key = ApiKey {
            id,
            tenant: tenant.to_string(),
            scope,
            name: name.map(str::to_string),
            created_at: now,
            revoked_at: None,
        };
        self.store.put_key(&key, &key_hash(&secret))?;
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
        if !secret.starts_with(KEY_PREFIX) || secret.len() > 128 {
            return Ok(None);
        }
        Ok(self.store.key_by_hash(&key_hash(secret))?.filter(|k| !k.is_revoked()))
    }
}
