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

use crate::audit::{KeyError, PublicKey, SigningKey};
use crate::store::SessionRecord;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

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
            jti: crate::ids::random_id("t-"),
        };
        let part = |v: &dyn erased::Json| URL_SAFE_NO_PAD.encode(v.json());
        let signed = format!("{}.{}", part(&header), part(&claims));
        let signature = URL_SAFE_NO_PAD.encode(self.signing.sign(signed.as_bytes()));
        format!("{signed}.{signature}")
    }

    /// The claims of a token one of these keys signed (its times and its
    /// session are not checked here: see `Sessions::introspect`).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
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
