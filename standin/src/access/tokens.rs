//! Impersonation tokens: a JWT that carries both identities, so every
//! service of the platform knows who really acts (RFC 8693's `act` claim,
//! as Clerk's actor tokens and WorkOS do).
//!
//! A token is signed with EdDSA (Ed25519) by a key file kept outside the
//! database (`standin key gen-signing`; a database writer cannot mint
//! one). Its claims: `iss`, `aud` (the tenant), `sub` (the target), `act`
//! (`{"sub": actor}`), `sid` (the session), `iat`, `exp` (the session's
//! deadline when issued) and `jti`. The signature alone says a token was
//! issued; whether it still holds is introspection's answer, which asks
//! the session: a token turns inactive the moment its session ends.
//!
//! Rotation: the first key signs; every key given is published in the
//! JWKS and accepted, so tokens of the previous key stay valid while both
//! are listed.
//!
//! Tokens of sessions (see [`crate::access`]): issued on a start and on
//! request, and introspected against the session itself, so a token is
//! active only while its session is.

use super::Access;
use crate::Standin;
use crate::audit::{KeyError, PublicKey, SigningKey};
use crate::model::{EndReason, SessionRecord};
use crate::sessions::SessionError;
use crate::sessions::changes::secs;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

/// The `iss` of every token.
pub const ISSUER: &str = "standin";

/// A token is short; anything longer is refused before it is parsed.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// The keys that sign and verify tokens.
#[derive(Debug)]
pub struct TokenKeys {
    signing: SigningKey,
    /// Every key accepted and published, the signing key's first.
    published: Vec<PublicKey>,
}

/// The actor, as RFC 8693 names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub sub: String,
}

/// A token's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub act: Actor,
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The session's scope (SC1), when it has one: what a gateway or the
    /// platform may check without asking; the host holds the session to
    /// it whatever a token says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_scope: Option<standin_engine::Scope>,
}

/// Why a token is not one of ours.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    #[error("not a JWT: {0}")]
    Malformed(&'static str),
    #[error("signed with an algorithm other than EdDSA or by a key that is not published")]
    UnknownKey,
    #[error("the signature does not hold")]
    BadSignature,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
    kid: String,
}

impl TokenKeys {
    /// Signs with `signing`; also accepts and publishes `previous` (rotation).
    pub fn new(signing: SigningKey, previous: Vec<PublicKey>) -> Self {
        let first = signing.public();
        let others = previous.into_iter().filter(|k| k.key_id != first.key_id);
        let published = std::iter::once(first.clone()).chain(others).collect();
        Self { signing, published }
    }

    /// Reads key files (`standin key gen-signing`): the first signs, the
    /// others are accepted and published. `None` when `paths` is empty.
    pub fn read(paths: &[impl AsRef<Path>]) -> Result<Option<Self>, KeyError> {
        let Some((first, rest)) = paths.split_first() else {
            return Ok(None);
        };
        let signing = SigningKey::read(first.as_ref())?;
        let previous = rest
            .iter()
            .map(|p| SigningKey::read(p.as_ref()).map(|k| k.public()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Self::new(signing, previous)))
    }

    /// A token for session `s`, issued at `now`.
    pub fn issue(&self, s: &SessionRecord, now: DateTime<Utc>) -> String {
        let header = Header {
            alg: "EdDSA".to_string(),
            typ: "JWT".to_string(),
            kid: self.published[0].key_id.clone(),
        };
        let claims = Claims {
            iss: ISSUER.to_string(),
            aud: s.tenant.clone(),
            sub: s.target.clone(),
            act: Actor { sub: s.actor.clone() },
            sid: s.id.clone(),
            iat: now.timestamp(),
            exp: s.expires_at.timestamp(),
            jti: crate::model::random_id("t-"),
            session_scope: s.scope.clone(),
        };
        let part = |v: &dyn erased::Json| URL_SAFE_NO_PAD.encode(v.json());
        let signed = format!("{}.{}", part(&header), part(&claims));
        let signature = URL_SAFE_NO_PAD.encode(self.signing.sign(signed.as_bytes()));
        format!("{signed}.{signature}")
    }

    /// A Security Event Token (RFC 8417) of `claims`, typed
    /// `secevent+jwt` and signed as tokens are (EdDSA, this key's `kid`).
    pub fn sign_set(&self, claims: &serde_json::Value) -> String {
        self.sign_jwt("secevent+jwt", claims)
    }

    /// A JWT of `claims` typed `typ`, signed as tokens are (EdDSA, this
    /// key's `kid`): SETs, and AuthZEN's `signed_metadata`.
    pub fn sign_jwt(&self, typ: &str, claims: &serde_json::Value) -> String {
        let header = Header {
            alg: "EdDSA".to_string(),
            typ: typ.to_string(),
            kid: self.published[0].key_id.clone(),
        };
        let part = |v: &dyn erased::Json| URL_SAFE_NO_PAD.encode(v.json());
        let signed = format!("{}.{}", part(&header), part(claims));
        let signature = URL_SAFE_NO_PAD.encode(self.signing.sign(signed.as_bytes()));
        format!("{signed}.{signature}")
    }

    /// The claims of a token one of these keys signed (its times and its
    /// session are not checked here: see `Access::introspect`).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        self.verified("JWT", token)
    }

    /// The claims of a JWT of type `typ` one of these keys signed (see
    /// [`Self::sign_jwt`]); a token of any other type is refused, so no
    /// kind of token this key signs stands for another.
    pub fn verify_jwt(&self, typ: &str, token: &str) -> Result<serde_json::Value, TokenError> {
        self.verified(typ, token)
    }

    /// The claims of a token of type `typ`, if one of these keys signed it.
    fn verified<C: serde::de::DeserializeOwned>(&self, typ: &str, token: &str) -> Result<C, TokenError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Malformed("too long"));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(claims), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed("not three parts"));
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| TokenError::Malformed("not base64url"))
        };
        let header: Header =
            serde_json::from_slice(&decode(header)?).map_err(|_| TokenError::Malformed("a header that is not JSON"))?;
        let key = self
            .published
            .iter()
            .find(|k| k.key_id == header.kid && header.alg == "EdDSA")
            .ok_or(TokenError::UnknownKey)?;
        let signature: [u8; 64] = decode(signature)?
            .try_into()
            .map_err(|_| TokenError::Malformed("a signature that is not 64 bytes"))?;
        let signed = &token[..token.rfind('.').unwrap_or(0)];
        key.key
            .verify_strict(signed.as_bytes(), &ed25519_dalek::Signature::from_bytes(&signature))
            .map_err(|_| TokenError::BadSignature)?;
        if header.typ != typ {
            return Err(TokenError::Malformed("a token of another type"));
        }
        serde_json::from_slice(&decode(claims)?).map_err(|_| TokenError::Malformed("claims that are not JSON"))
    }

    /// The public keys as a JWKS (RFC 7517; OKP keys, RFC 8037).
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<serde_json::Value> = self
            .published
            .iter()
            .map(|k| {
                serde_json::json!({
                    "kty": "OKP", "crv": "Ed25519", "x": k.public_key, "kid": k.key_id,
                    "alg": "EdDSA", "use": "sig",
                })
            })
            .collect();
        serde_json::json!({ "keys": keys })
    }
}

/// JSON of either part, for one encoding closure.
mod erased {
    pub(super) trait Json {
        fn json(&self) -> Vec<u8>;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> Vec<u8> {
            serde_json::to_vec(self).unwrap_or_default()
        }
    }
}

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

impl Standin {
    /// Signs tokens with `keys` (see [`crate::access`]): started sessions
    /// then carry one.
    pub fn with_token_keys(mut self, keys: TokenKeys) -> Self {
        self.tokens = Some(Arc::new(keys));
        self
    }
}

impl Access<'_> {
    /// A token for `s` when it is active and tokens are signed here.
    pub fn token_for(&self, s: &SessionRecord, now: DateTime<Utc>) -> Option<String> {
        let keys = self.tokens.as_ref()?;
        (s.is_active() && !s.is_due(secs(now))).then(|| keys.issue(s, secs(now)))
    }

    /// A fresh token for session `id` (after an extension, its `exp` is the
    /// new deadline); `None` when no token key is configured.
    pub fn token(&self, id: &str, now: DateTime<Utc>) -> Result<Option<String>, SessionError> {
        let s = self.sessions().session(id, now)?;
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

    /// `claims` as a JWT typed `typ`, signed with the token key (whose
    /// public half [`Access::jwks`] publishes); `None` without one.
    pub fn sign_jwt(&self, typ: &str, claims: &serde_json::Value) -> Option<String> {
        self.tokens.as_ref().map(|k| k.sign_jwt(typ, claims))
    }

    /// The claims of `token`, a JWT typed `typ` the token key signed;
    /// `None` without a key, or when it is not one.
    pub fn verify_jwt(&self, typ: &str, token: &str) -> Option<serde_json::Value> {
        self.tokens.as_ref()?.verify_jwt(typ, token).ok()
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
        let session = match self.sessions().session(&claims.sid, now) {
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
