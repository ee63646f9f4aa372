//! A tenant's trusted issuers: the identity providers whose JWTs may name
//! an actor and a target in a token exchange (RFC 8693, see
//! [`super::exchange`]), and the one check every such token passes.
//!
//! **Why the keys are given, not fetched.** Each issuer is uploaded with
//! its JWKS. Fetching a `jwks_uri` would make every exchange depend on the
//! identity provider answering, and let whoever can change the URI (or
//! answer it) choose the keys; an uploaded JWKS is stored with the host
//! key's tag, so a database writer cannot add a key either. Rotating is
//! uploading the JWKS with both keys during the overlap.
//!
//! **Why so strict.** A token is refused unless it is signed with an
//! asymmetric algorithm (RSA, ECDSA or EdDSA) by a key of its issuer's
//! JWKS whose type matches the header's `alg`: `alg: none` and `HS256`
//! (which a careless verifier checks with the public key as the HMAC
//! secret) never verify, and an `oct` key is refused at upload. `iss` and
//! `aud` must be the configured ones, `sub` and `exp` present, `exp` not
//! past and `nbf` not ahead (30 s of clock skew either way), all against
//! the host's clock.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// At most this many issuers per tenant.
pub const MAX_ISSUERS: usize = 16;
/// At most this many keys per issuer.
pub const MAX_ISSUER_KEYS: usize = 32;
/// Clock skew allowed on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: i64 = 30;
/// A token is short; anything longer is refused before it is parsed.
const MAX_JWT_BYTES: usize = 16 * 1024;

/// Where a principal's facts are in a token's claims: a JSON pointer per
/// field (`/realm_access/roles` for Keycloak's realm roles). A claim that
/// is a list of strings is taken as is; a string is split on spaces (as
/// `scope` is); an absent claim is an empty list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimMap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manages: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consents: Option<String>,
}

impl ClaimMap {
    /// The pointer of each field: the configured one, or `/<field>`.
    fn fields(&self) -> [(&'static str, String); 6] {
        let or = |p: &Option<String>, name: &str| p.clone().unwrap_or_else(|| format!("/{name}"));
        [
            ("roles", or(&self.roles, "roles")),
            ("permissions", or(&self.permissions, "permissions")),
            ("groups", or(&self.groups, "groups")),
            ("manages", or(&self.manages, "manages")),
            ("domains", or(&self.domains, "domains")),
            ("consents", or(&self.consents, "consents")),
        ]
    }
}

/// One identity provider a tenant trusts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedIssuer {
    /// The tokens' `iss`, exactly.
    pub issuer: String,
    /// The `aud` its tokens must name for Standin (one of theirs).
    pub audience: String,
    /// Its public keys (RFC 7517).
    pub jwks: JwkSet,
    #[serde(default, skip_serializing_if = "is_default")]
    pub claims: ClaimMap,
}

fn is_default(c: &ClaimMap) -> bool {
    *c == ClaimMap::default()
}

/// A tenant's trusted issuers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrustedIssuers(Vec<TrustedIssuer>);

/// Why an upload of trusted issuers was refused, naming the issuer (from 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerError {
    #[error("issuer {index}: {message}")]
    Issuer { index: usize, message: String },
    #[error("{0}")]
    List(String),
}

/// Why a token was not accepted (RFC 8693's `invalid_request`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtRefusal {
    #[error("not a JWT ({0})")]
    Malformed(&'static str),
    #[error("`iss` `{0}` is not a trusted issuer of this tenant")]
    UntrustedIssuer(String),
    #[error("`alg` `{0}` is refused: only RS*, PS*, ES256, ES384 and EdDSA are accepted")]
    Algorithm(String),
    #[error("no key of the issuer's JWKS matches the token's `kid` and `alg`")]
    UnknownKey,
    #[error("the signature does not hold")]
    BadSignature,
    #[error("`aud` does not name `{0}`")]
    WrongAudience(String),
    #[error("the token expired at {0}")]
    Expired(i64),
    #[error("the token is not valid before {0}")]
    NotYetValid(i64),
    #[error("claim `{0}` is missing or not what it should be")]
    Claim(String),
}

/// A token that verified: who it names and all it says.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Verified {
    pub issuer: String,
    pub subject: String,
    pub claims: Value,
}

impl TrustedIssuers {
    pub fn issuers(&self) -> &[TrustedIssuer] {
        &self.0
    }

    /// Reads and checks a list of issuers (JSON); the first bad one is named.
    pub fn parse(text: &str) -> Result<Self, IssuerError> {
        let list: Vec<TrustedIssuer> =
            serde_json::from_str(text).map_err(|e| IssuerError::List(format!("not a list of trusted issuers: {e}")))?;
        if list.len() > MAX_ISSUERS {
            return Err(IssuerError::List(format!("at most {MAX_ISSUERS} issuers")));
        }
        for (i, issuer) in list.iter().enumerate() {
            let bad = |message: String| IssuerError::Issuer { index: i + 1, message };
            check(issuer).map_err(bad)?;
            if list[..i].iter().any(|o| o.issuer == issuer.issuer) {
                return Err(bad(format!("`{}` is listed twice", issuer.issuer)));
            }
        }
        Ok(Self(list))
    }

    /// The claims of `token` if one of these issuers signed it for Standin
    /// and it holds at `now` (Unix seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Verified, JwtRefusal> {
        if token.len() > MAX_JWT_BYTES {
            return Err(JwtRefusal::Malformed("too long"));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtRefusal::Malformed("not three parts"));
        };
        let json = |part: &str| -> Result<Value, JwtRefusal> {
            let bytes = URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| JwtRefusal::Malformed("not base64url"))?;
            serde_json::from_slice(&bytes).map_err(|_| JwtRefusal::Malformed("a part that is not JSON"))
        };
        let (header, unverified) = (json(header)?, json(payload)?);
        let alg_name = header["alg"].as_str().unwrap_or("").to_string();
        let alg: Algorithm = alg_name.parse().map_err(|_| JwtRefusal::Algorithm(alg_name.clone()))?;
        if alg.family() == jsonwebtoken::AlgorithmFamily::Hmac {
            return Err(JwtRefusal::Algorithm(alg_name));
        }
        let iss = unverified["iss"].as_str().ok_or(JwtRefusal::Claim("iss".into()))?;
        let issuer = self
            .0
            .iter()
            .find(|i| i.issuer == iss)
            .ok_or_else(|| JwtRefusal::UntrustedIssuer(iss.to_string()))?;
        let key = issuer
            .key_for(header["kid"].as_str(), alg)
            .ok_or(JwtRefusal::UnknownKey)?;
        let key = DecodingKey::from_jwk(key).map_err(|_| JwtRefusal::UnknownKey)?;
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[&issuer.issuer]);
        validation.set_audience(&[&issuer.audience]);
        validation.set_required_spec_claims(&["iss", "aud", "sub", "exp"]);
        validation.validate_exp = false; // against the host's clock, below
        validation.validate_nbf = false;
        let claims = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                match e.kind() {
                    K::InvalidAudience => JwtRefusal::WrongAudience(issuer.audience.clone()),
                    K::InvalidIssuer => JwtRefusal::UntrustedIssuer(iss.to_string()),
                    K::MissingRequiredClaim(c) => JwtRefusal::Claim(c.clone()),
                    K::InvalidAlgorithm => JwtRefusal::UnknownKey,
                    _ => JwtRefusal::BadSignature,
                }
            })?
            .claims;
        let exp = claims["exp"].as_i64().ok_or(JwtRefusal::Claim("exp".into()))?;
        if now > exp + LEEWAY_SECONDS {
            return Err(JwtRefusal::Expired(exp));
        }
        if let Some(nbf) = claims.get("nbf") {
            let nbf = nbf.as_i64().ok_or(JwtRefusal::Claim("nbf".into()))?;
            if now + LEEWAY_SECONDS < nbf {
                return Err(JwtRefusal::NotYetValid(nbf));
            }
        }
        let subject = claims["sub"]
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or(JwtRefusal::Claim("sub".into()))?
            .to_string();
        Ok(Verified {
            issuer: issuer.issuer.clone(),
            subject,
            claims,
        })
    }

    /// The principal a verified token names, its facts read with its
    /// issuer's claim map.
    pub fn principal(&self, v: &Verified) -> Result<crate::request::Principal, JwtRefusal> {
        let map = self
            .0
            .iter()
            .find(|i| i.issuer == v.issuer)
            .map(|i| i.claims.clone())
            .unwrap_or_default();
        let mut p = crate::request::Principal {
            id: v.subject.clone(),
            tenant: None,
            roles: Vec::new(),
            permissions: Vec::new(),
            groups: Vec::new(),
            manages: Vec::new(),
            domains: Vec::new(),
            // A token its issuer signed just now is a user who is active
            // and has logged in.
            active: true,
            has_logged_in: true,
            consents: Vec::new(),
            attributes: [("iss".to_string(), Value::String(v.issuer.clone()))].into(),
        };
        for (field, pointer) in map.fields() {
            let list = match v.claims.pointer(&pointer) {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| JwtRefusal::Claim(pointer.clone()))?,
                Some(_) => return Err(JwtRefusal::Claim(pointer)),
            };
            *match field {
                "roles" => &mut p.roles,
                "permissions" => &mut p.permissions,
                "groups" => &mut p.groups,
                "manages" => &mut p.manages,
                "domains" => &mut p.domains,
                _ => &mut p.consents,
            } = list;
        }
        Ok(p)
    }
}

impl TrustedIssuer {
    /// The key that may have signed a token of `kid` and `alg`: the one of
    /// that `kid` (or the only key, when the token names none) whose type,
    /// curve and declared `alg` fit `alg`.
    fn key_for(&self, kid: Option<&str>, alg: Algorithm) -> Option<&Jwk> {
        let fits = |k: &&Jwk| {
            let declared = k.common.key_algorithm.map(|a| format!("{a:?}"));
            let family_fits = match (&k.algorithm, alg) {
                (AlgorithmParameters::RSA(_), a) => a.family() == jsonwebtoken::AlgorithmFamily::Rsa,
                (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256) => p.curve == EllipticCurve::P256,
                (AlgorithmParameters::EllipticCurve(p), Algorithm::ES384) => p.curve == EllipticCurve::P384,
                (AlgorithmParameters::OctetKeyPair(_), Algorithm::EdDSA) => true,
                _ => false,
            };
            family_fits && declared.is_none_or(|d| d == format!("{alg:?}"))
        };
        match kid {
            Some(kid) => self
                .jwks
                .keys
                .iter()
                .filter(|k| k.common.key_id.as_deref() == Some(kid))
                .find(fits),
            None if self.jwks.keys.len() == 1 => self.jwks.keys.iter().find(fits),
            None => None,
        }
    }
}

fn check(i: &TrustedIssuer) -> Result<(), String> {
    if i.issuer.trim().is_empty() || i.issuer.len() > 512 {
        return Err("`issuer` must be 1 to 512 bytes".into());
    }
    if i.audience.trim().is_empty() || i.audience.len() > 512 {
        return Err("`audience` must be 1 to 512 bytes".into());
    }
    if i.jwks.keys.is_empty() || i.jwks.keys.len() > MAX_ISSUER_KEYS {
        return Err(format!("`jwks` must hold 1 to {MAX_ISSUER_KEYS} keys"));
    }
    for (n, k) in i.jwks.keys.iter().enumerate() {
        let named = k.common.key_id.as_deref().unwrap_or("(no kid)");
        match &k.algorithm {
            AlgorithmParameters::OctetKey(_) => {
                return Err(format!(
                    "key {} `{named}`: `oct` (shared secret) keys are refused; a token exchange trusts public keys only",
                    n + 1
                ));
            }
            AlgorithmParameters::Other(_) => return Err(format!("key {} `{named}`: an unknown key type", n + 1)),
            AlgorithmParameters::EllipticCurve(p) if !matches!(p.curve, EllipticCurve::P256 | EllipticCurve::P384) => {
                return Err(format!("key {} `{named}`: only P-256 and P-384 curves", n + 1));
            }
            _ => {}
        }
        if DecodingKey::from_jwk(k).is_err() {
            return Err(format!("key {} `{named}`: its parameters do not make a key", n + 1));
        }
        if i.jwks.keys.len() > 1 && k.common.key_id.is_none() {
            return Err(format!("key {}: every key of a JWKS of several needs a `kid`", n + 1));
        }
    }
    let pointers = [
        &i.claims.roles,
        &i.claims.permissions,
        &i.claims.groups,
        &i.claims.manages,
        &i.claims.domains,
        &i.claims.consents,
    ];
    if let Some(p) = pointers.into_iter().flatten().find(|p| !p.starts_with('/')) {
        return Err(format!("claim pointer `{p}` must start with `/` (a JSON pointer)"));
    }
    Ok(())
}
