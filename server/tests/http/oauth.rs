//! The token exchange (RFC 8693) over real HTTP: an identity provider's
//! tokens of a target and an admin, signed with its own keys (RS256 and
//! ES256, made here with jsonwebtoken), traded for Standin's impersonation
//! token when the policy allows the start (TX1); a deny is `invalid_grant`
//! naming the rule (TX2); a token that is not acceptable is refused before
//! anything starts (TX3); issuers are checked on upload (TX4); a start
//! that waits for approval is `authorization_pending` until approved (TX5).

use crate::support::Server;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode};
use serde_json::{Value, json};
use standin::access::Scope::{Admin, Decide};

const ISSUER: &str = "https://id.example.com/realms/acme";
const RSA: &[u8] = include_bytes!("fixtures/idp-rs256.der");
const EC: &[u8] = include_bytes!("fixtures/idp-es256.der");
const STRANGER: &[u8] = include_bytes!("fixtures/stranger-rs256.der");
const RSA_PUBLIC_PEM: &[u8] = include_bytes!("fixtures/idp-rs256.pub.pem");
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";

fn jwks() -> Value {
    serde_json::from_str(include_str!("fixtures/idp.jwks.json")).unwrap()
}

/// A Keycloak-style token: realm roles under `realm_access.roles`.
fn claims(sub: &str, roles: &[&str]) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": ISSUER, "aud": ["account", "standin"], "sub": sub, "iat": now, "exp": now + 300,
        "realm_access": {"roles": roles}, "preferred_username": sub,
    })
}

fn sign(claims: &Value, alg: Algorithm, kid: &str) -> String {
    let key = match alg {
        Algorithm::RS256 => EncodingKey::from_rsa_der(RSA),
        Algorithm::ES256 => EncodingKey::from_ec_der(EC),
        other => panic!("{other:?}"),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_string());
    encode(&header, claims, &key).unwrap()
}

fn rs(claims: &Value) -> String {
    sign(claims, Algorithm::RS256, "idp-rs")
}

async fn trust(server: &Server) {
    let issuers = json!({"issuers": [{
        "issuer": ISSUER, "audience": "standin", "jwks": jwks(),
        "claims": {"roles": "/realm_access/roles"},
    }]});
    let (status, body) = server.acme(Admin, "PUT", "/token-issuers", Some(issuers)).await;
    assert_eq!(status, 200, "{body}");
}

/// Posts the exchange form with acme's decide key (as a bearer, or as
/// HTTP Basic's password when `basic`).
async fn exchange(server: &Server, form: &[(&str, &str)], basic: bool) -> (u16, reqwest::header::HeaderMap, Value) {
    let key = server.key("acme", Decide).to_string();
    let request = server.http.post(server.url("/v1/tenants/acme/oauth/token"));
    let request = if basic {
        request.basic_auth("platform", Some(key))
    } else {
        request.bearer_auth(key)
    };
    let body = serde_urlencoded::to_string(form).unwrap();
    let answer = request
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let (status, headers) = (answer.status().as_u16(), answer.headers().clone());
    let body: Value = answer.json().await.unwrap();
    crate::documented::check("POST", "/v1/tenants/acme/oauth/token", status, &body);
    (status, headers, body)
}

fn form<'a>(subject: &'a str, actor: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", EXCHANGE),
        ("subject_token", subject),
        ("subject_token_type", JWT),
        ("actor_token", actor),
        ("actor_token_type", JWT),
        ("reason", "ticket SUP-9"),
    ]
}

#[tokio::test]
async fn tx1_an_allowed_exchange_returns_a_token_with_act_that_verifies_against_the_jwks() {
    let server = Server::with_tokens(5);
    trust(&server).await;
    let subject = rs(&claims("u-42", &[]));
    // The actor's token from the same issuer, with its other key (ES256).
    let actor = sign(&claims("u-1", &["super_admin"]), Algorithm::ES256, "idp-ec");
    for basic in [false, true] {
        let (status, headers, body) = exchange(&server, &form(&subject, &actor), basic).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(
            body["issued_token_type"],
            "urn:ietf:params:oauth:token-type:access_token"
        );
        let expires_in = body["expires_in"].as_i64().unwrap();
        assert!(expires_in > 0 && expires_in <= 86_400, "{body}");

        // Verified by an independent library against the published JWKS.
        let token = body["access_token"].as_str().unwrap();
        let (_, published) = server.call("GET", "/.well-known/jwks.json", None, None).await;
        let kid = decode_header(token).unwrap().kid.unwrap();
        let jwk = published["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == kid.as_str())
            .unwrap();
        let key = DecodingKey::from_ed_components(jwk["x"].as_str().unwrap()).unwrap();
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&["acme"]);
        validation.set_issuer(&["standin"]);
        let claims = decode::<Value>(token, &key, &validation).unwrap().claims;
        assert_eq!(claims["sub"], "u-42", "the target");
        assert_eq!(claims["act"], json!({"sub": "u-1"}), "the actor, RFC 8693");
        assert_eq!(claims["sid"], body["session_id"]);

        // It is the session's token: active, and the session ends with `stop`.
        let (status, seen) = server
            .acme(Decide, "POST", "/tokens/introspect", Some(json!({"token": token})))
            .await;
        assert_eq!((status, &seen["active"]), (200, &json!(true)), "{seen}");
        let id = body["session_id"].as_str().unwrap();
        let (status, ended) = server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
        assert_eq!(status, 200, "{ended}");
    }
    let events = server.events("acme", "").await;
    assert_eq!(
        events.iter().filter(|e| *e == "session.started").count(),
        2,
        "audited as any start: {events:?}"
    );
}

#[tokio::test]
async fn tx2_a_refused_exchange_is_invalid_grant_naming_the_rule() {
    let server = Server::with_tokens(5);
    trust(&server).await;
    let subject = rs(&claims("u-42", &[]));
    let actor = rs(&claims("u-1", &["support"]));
    let (status, headers, body) = exchange(&server, &form(&subject, &actor), false).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["error"], "invalid_grant", "{body}");
    let reasons = body["reasons"].as_array().expect("the reasons");
    assert!(!reasons.is_empty());
    for r in reasons {
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains(r["code"].as_str().unwrap()),
            "{body}"
        );
        assert!(r["rule"].as_str().is_some_and(|rule| !rule.is_empty()), "{body}");
    }
    assert!(body["access_token"].is_null());
    let events = server.events("acme", "").await;
    assert!(events.contains(&"session.denied".to_string()), "audited: {events:?}");
}

/// Each token that must not verify, and what the refusal names.
fn unacceptable() -> Vec<(&'static str, String, &'static str)> {
    let now = chrono::Utc::now().timestamp();
    let mut expired = claims("u-1", &["super_admin"]);
    expired["exp"] = json!(now - 120);
    let mut audience = claims("u-1", &["super_admin"]);
    audience["aud"] = json!("account");
    let mut issuer = claims("u-1", &["super_admin"]);
    issuer["iss"] = json!("https://evil.example.com");
    let mut no_sub = claims("u-1", &["super_admin"]);
    no_sub.as_object_mut().unwrap().remove("sub");
    let part = |v: &Value| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let good = claims("u-1", &["super_admin"]);
    let none = format!("{}.{}.", part(&json!({"alg": "none", "typ": "JWT"})), part(&good));
    // HS256 with the issuer's public key (its PEM text) as the secret.
    let mut hs = Header::new(Algorithm::HS256);
    hs.kid = Some("idp-rs".into());
    let confused = encode(&hs, &good, &EncodingKey::from_secret(RSA_PUBLIC_PEM).unwrap()).unwrap();
    let mut stranger = Header::new(Algorithm::RS256);
    stranger.kid = Some("idp-rs".into());
    let forged = encode(&stranger, &good, &EncodingKey::from_rsa_der(STRANGER)).unwrap();
    // The RSA key's kid with an EC signature: the key's type decides.
    let crossed = sign(&good, Algorithm::ES256, "idp-rs");
    vec![
        ("expired", rs(&expired), "expired"),
        ("wrong audience", rs(&audience), "`aud`"),
        ("untrusted issuer", rs(&issuer), "not a trusted issuer"),
        ("no sub", rs(&no_sub), "`sub`"),
        ("alg none", none, "`none`"),
        ("HS256 with the public key", confused, "`HS256`"),
        ("another key, same kid", forged, "signature"),
        ("an EC signature under an RSA kid", crossed, "no key"),
        ("not a JWT", "abc.def".to_string(), "not a JWT"),
    ]
}

#[tokio::test]
async fn tx3_tokens_not_acceptable_are_refused_before_any_start() {
    let server = Server::with_tokens(5);
    trust(&server).await;
    let before = server.events("acme", "").await.len();
    let subject = rs(&claims("u-42", &[]));
    for (case, actor, names) in unacceptable() {
        let (status, _, body) = exchange(&server, &form(&subject, &actor), false).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{case}: {body}"
        );
        let why = body["error_description"].as_str().unwrap();
        assert!(why.contains("actor_token") && why.contains(names), "{case}: {why}");
        // As the subject's token too.
        let (status, _, body) = exchange(&server, &form(&actor, &subject), false).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_request")),
            "{case}: {body}"
        );
    }
    assert_eq!(
        server.events("acme", "").await.len(),
        before,
        "nothing started, nothing audited"
    );

    // The form itself: another grant, a missing actor, another tenant's audience.
    let actor = rs(&claims("u-1", &["super_admin"]));
    let mut other = form(&subject, &actor);
    other[0] = ("grant_type", "client_credentials");
    assert_eq!(
        exchange(&server, &other, false).await.2["error"],
        "unsupported_grant_type"
    );
    let alone: Vec<_> = form(&subject, &actor)
        .into_iter()
        .filter(|(k, _)| !k.starts_with("actor"))
        .collect();
    assert_eq!(exchange(&server, &alone, false).await.2["error"], "invalid_request");
    let mut aimed = form(&subject, &actor);
    aimed.push(("audience", "globex"));
    assert_eq!(exchange(&server, &aimed, false).await.2["error"], "invalid_target");

    // Without trusted issuers, nothing verifies.
    let (status, _) = server
        .acme(Admin, "PUT", "/token-issuers", Some(json!({"issuers": []})))
        .await;
    assert_eq!(status, 200);
    let (_, _, body) = exchange(&server, &form(&subject, &actor), false).await;
    assert_eq!(body["error"], "invalid_request", "{body}");
}

#[tokio::test]
async fn tx4_issuers_are_checked_on_upload_naming_the_issuer() {
    let server = Server::with_tokens(5);
    let good = json!({"issuer": ISSUER, "audience": "standin", "jwks": jwks()});
    let secret = json!({"issuer": "https://other", "audience": "standin",
        "jwks": {"keys": [{"kty": "oct", "kid": "s", "k": "c2VjcmV0"}]}});
    let pointer = json!({"issuer": "https://other", "audience": "standin", "jwks": jwks(),
        "claims": {"roles": "realm_access.roles"}});
    for (issuers, names) in [
        (json!([good, secret]), "issuer 2"),
        (json!([good, good]), "listed twice"),
        (json!([pointer]), "JSON pointer"),
        (
            json!([{"issuer": ISSUER, "audience": "", "jwks": jwks()}]),
            "`audience`",
        ),
        (
            json!([{"issuer": ISSUER, "audience": "standin", "jwks": {"keys": []}}]),
            "`jwks`",
        ),
    ] {
        let (status, body) = server
            .acme(Admin, "PUT", "/token-issuers", Some(json!({ "issuers": issuers })))
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(names), "{body}");
    }
    let (status, _) = server
        .acme(Admin, "PUT", "/token-issuers", Some(json!({"issuers": [good]})))
        .await;
    assert_eq!(status, 200);
    let (status, body) = server.acme(Admin, "GET", "/token-issuers", None).await;
    assert_eq!(
        (status, body["issuers"][0]["issuer"].as_str()),
        (200, Some(ISSUER)),
        "{body}"
    );
    // A decide key may exchange but not choose whom to trust.
    let (status, _) = server.acme(Decide, "GET", "/token-issuers", None).await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn tx5_a_start_waiting_for_approval_is_pending_until_approved() {
    let server = Server::with_tokens(5);
    trust(&server).await;
    let settings = json!({
        "role_levels": {"super_admin": 100, "security_officer": 90},
        "approval": "always",
        "approver_roles": ["security_officer"],
    });
    server
        .sessions
        .policies()
        .set("acme", None, &settings.to_string(), chrono::Utc::now())
        .unwrap();
    let subject = rs(&claims("u-42", &[]));
    let actor = rs(&claims("u-1", &["super_admin"]));
    let (status, _, body) = exchange(&server, &form(&subject, &actor), false).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending")),
        "{body}"
    );
    let id = body["session_id"].as_str().unwrap().to_string();
    let mut again = form(&subject, &actor);
    again.push(("session_id", &id));
    let (_, _, body) = exchange(&server, &again, false).await;
    assert_eq!(body["error"], "authorization_pending", "still: {body}");
    // Another actor's tokens do not get this session's token.
    let intruder = rs(&claims("u-2", &["super_admin"]));
    let mut theirs = form(&subject, &intruder);
    theirs.push(("session_id", &id));
    assert_eq!(exchange(&server, &theirs, false).await.2["error"], "invalid_request");

    let approver = json!({"approver": {"id": "u-9", "roles": ["security_officer"], "active": true}});
    let (status, body) = server
        .acme(Decide, "POST", &format!("/sessions/{id}/approve"), Some(approver))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = exchange(&server, &again, false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["session_id"], id.as_str());
}
