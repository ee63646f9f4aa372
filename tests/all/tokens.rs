//! Impersonation tokens ("beyond the seeds"): EdDSA JWTs with both
//! identities, checked by an independent JWT library; introspection turns
//! inactive when the session ends; rotation keeps the previous key's
//! tokens valid while it is published.

use crate::common::*;
use crate::sessions::{service, started};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::json;
use standin::access::{Claims, TokenKeys};
use standin::audit::SigningKey;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_seed(&[seed; 32])
}

/// Verifies `token` with jsonwebtoken against the JWKS key of its `kid`.
fn independent(jwks: &serde_json::Value, token: &str, tenant: &str) -> Claims {
    let kid = decode_header(token).expect("header").kid.expect("kid");
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .expect("the token's key is published");
    assert_eq!(
        (jwk["kty"].as_str(), jwk["crv"].as_str()),
        (Some("OKP"), Some("Ed25519"))
    );
    let key = DecodingKey::from_ed_components(jwk["x"].as_str().expect("x")).expect("decoding key");
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[tenant]);
    validation.set_issuer(&["standin"]);
    validation.validate_exp = false; // the tests' clock is fixed in 2026-11-21
    decode::<Claims>(token, &key, &validation)
        .expect("a valid token")
        .claims
}

#[test]
fn tokens_carry_both_identities_and_verify_with_an_independent_library() {
    let (_d, s) = service();
    let s = s.with_token_keys(TokenKeys::new(key(1), Vec::new()));
    let session = started(&s, json!({}));
    let token = s.access().token_for(&session, now()).expect("a token");
    let claims = independent(&s.access().jwks().expect("jwks"), &token, "acme");
    assert_eq!(claims.sub, "u-42", "the target");
    assert_eq!(claims.act.sub, "u-1", "the actor, RFC 8693");
    assert_eq!(claims.sid, session.id);
    assert_eq!(claims.exp, session.expires_at.timestamp());
    // Another tenant's audience is refused by the independent check too.
    let key = DecodingKey::from_ed_components(s.access().jwks().expect("jwks")["keys"][0]["x"].as_str().expect("x"))
        .expect("key");
    let mut other = Validation::new(Algorithm::EdDSA);
    other.set_audience(&["globex"]);
    other.validate_exp = false;
    assert!(decode::<Claims>(&token, &key, &other).is_err());
    assert_eq!(claims.session_scope, None, "no scope, no claim");
}

#[test]
fn sc1_a_scoped_session_s_token_names_its_scope() {
    let (_d, s) = service();
    let s = s.with_token_keys(TokenKeys::new(key(1), Vec::new()));
    let session = started(
        &s,
        json!({"scope": {"actions": ["report.*"], "resources": ["account:17"]}}),
    );
    let token = s.access().token_for(&session, now()).expect("a token");
    let claims = independent(&s.access().jwks().expect("jwks"), &token, "acme");
    let scope = claims.session_scope.expect("the claim");
    assert_eq!(scope.actions, ["report.*"]);
    assert_eq!(scope.resources, ["account:17"]);
}

#[test]
fn introspection_is_active_only_while_the_session_is() {
    let (_d, s) = service();
    let s = s.with_token_keys(TokenKeys::new(key(1), Vec::new()));
    let session = started(&s, json!({}));
    let token = s.access().token_for(&session, now()).expect("a token");
    let live = s.access().introspect("acme", &token, now()).expect("introspect");
    assert!(live.active);
    assert_eq!(live.act.as_ref().map(|a| a.sub.as_str()), Some("u-1"));
    assert!(
        !s.access()
            .introspect("globex", &token, now())
            .expect("introspect")
            .active,
        "another tenant"
    );
    // A forged token: the claims changed, the signature kept.
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: serde_json::Value = serde_json::from_slice(&b64.decode(&parts[1]).expect("b64")).expect("json");
    claims["act"]["sub"] = json!("u-9");
    parts[1] = b64.encode(claims.to_string());
    assert!(
        !s.access()
            .introspect("acme", &parts.join("."), now())
            .expect("introspect")
            .active,
        "forged"
    );
    // A key that is not ours.
    let stranger = TokenKeys::new(key(7), Vec::new()).issue(&session, now());
    assert!(
        !s.access()
            .introspect("acme", &stranger, now())
            .expect("introspect")
            .active,
        "unknown key"
    );
    s.sessions().end(&session.id, now()).expect("end");
    assert!(
        !s.access().introspect("acme", &token, now()).expect("introspect").active,
        "ended"
    );
    assert!(
        s.access().token(&session.id, now()).is_err(),
        "no token for an ended session"
    );
}

#[test]
fn rotation_publishes_both_keys_and_keeps_old_tokens_valid() {
    let (_d, s) = service();
    let old = s.with_token_keys(TokenKeys::new(key(1), Vec::new()));
    let session = started(&old, json!({}));
    let old_token = old.access().token_for(&session, now()).expect("a token");
    // The new key signs; the old one is still published.
    let (_d2, _) = service();
    let rotated = TokenKeys::new(key(2), vec![key(1).public()]);
    let jwks = rotated.jwks();
    assert_eq!(jwks["keys"].as_array().expect("keys").len(), 2);
    let s = old.with_token_keys(rotated);
    assert!(
        s.access()
            .introspect("acme", &old_token, now())
            .expect("introspect")
            .active
    );
    let new_token = s.access().token(&session.id, now()).expect("token").expect("a token");
    independent(&jwks, &old_token, "acme");
    independent(&jwks, &new_token, "acme");
    assert_ne!(
        decode_header(&old_token).expect("header").kid,
        decode_header(&new_token).expect("header").kid
    );
    // Once the old key is no longer published, its tokens are refused.
    let s = s.with_token_keys(TokenKeys::new(key(2), Vec::new()));
    assert!(
        !s.access()
            .introspect("acme", &old_token, now())
            .expect("introspect")
            .active
    );
}
