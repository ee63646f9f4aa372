//! Keys and scopes: every route of the OpenAPI document, walked with no
//! key, an unknown key, another tenant's key and too small a scope.

use crate::support::{Server, TENANTS};
use serde_json::{Value, json};
use standin::access::Scope;

/// A path of the document with its parameters filled in for `tenant`.
fn fill(path: &str, tenant: &str) -> String {
    path.replace("{t}", tenant)
        .replace("{id}", "s-0000000000000000")
        .replace("{version}", "1")
}

#[tokio::test]
async fn every_keyed_route_refuses_no_key_a_wrong_tenant_and_a_small_scope() {
    let server = Server::start();
    let document = standin_server::openapi::document();
    let mut walked = 0;
    for (path, methods) in document["paths"].as_object().unwrap() {
        for (method, op) in methods.as_object().unwrap() {
            let Some(scopes) = op.get("x-standin-scopes") else {
                // The public routes under /v1/: a gateway's question (and
                // Envoy's form of it), whose credential is the
                // impersonation token itself, and the settings' schema.
                let gateway = path == "/v1/forward-auth" || path.starts_with("/v1/forward-auth/");
                assert!(
                    !path.starts_with("/v1/") || gateway || path == "/v1/settings-schema",
                    "{method} {path} is keyed but says no scope"
                );
                continue;
            };
            let scopes: Vec<Scope> = scopes
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().parse().unwrap())
                .collect();
            let url = fill(path, "acme");
            let body = op.get("requestBody").map(|_| json!({}));
            let method = method.to_uppercase();

            let (status, answer) = server.call(&method, &url, None, body.clone()).await;
            assert_eq!(status, 401, "{method} {path} without a key: {answer}");
            assert_eq!(answer["error"]["code"], "unauthenticated");

            let (status, _) = server.call(&method, &url, Some("stn_not-a-key"), body.clone()).await;
            assert_eq!(status, 401, "{method} {path} with an unknown key");

            let other = server.key(TENANTS[1], Scope::Admin).to_string();
            let (status, answer) = server.call(&method, &url, Some(&other), body.clone()).await;
            assert_eq!(status, 403, "{method} {path} with globex's admin key: {answer}");
            assert_eq!(answer["error"]["code"], "forbidden");

            for scope in [Scope::Decide, Scope::Audit] {
                let key = server.key("acme", scope).to_string();
                let (status, answer) = server.call(&method, &url, Some(&key), body.clone()).await;
                if scopes.contains(&scope) {
                    assert!(
                        status != 401 && status != 403,
                        "{method} {path} refused its own scope {scope}: {answer}"
                    );
                } else {
                    assert_eq!(status, 403, "{method} {path} let scope {scope} in: {answer}");
                }
            }
            let admin = server.key("acme", Scope::Admin).to_string();
            let (status, answer) = server.call(&method, &url, Some(&admin), body).await;
            assert!(
                status != 401 && status != 403,
                "{method} {path} refused admin: {answer}"
            );
            walked += 1;
        }
    }
    assert!(walked >= 25, "walked only {walked} keyed routes");
}

#[tokio::test]
async fn a_revoked_key_stops_working() {
    let server = Server::start();
    let made = server
        .sessions
        .access()
        .create_key("acme", Scope::Decide, None, chrono::Utc::now())
        .unwrap();
    let (status, _) = server
        .call("GET", "/v1/tenants/acme/sessions", Some(&made.key), None)
        .await;
    assert_eq!(status, 200);
    server
        .sessions
        .access()
        .revoke_key(&made.id, chrono::Utc::now())
        .unwrap();
    // A key found is trusted for at most the cache's time.
    tokio::time::sleep(standin_server::auth::KEY_CACHE_TTL + std::time::Duration::from_millis(100)).await;
    let (status, answer) = server
        .call("GET", "/v1/tenants/acme/sessions", Some(&made.key), None)
        .await;
    assert_eq!(status, 401, "{answer}");
}

#[tokio::test]
async fn keys_are_stored_hashed_and_listed_without_secrets() {
    let server = Server::start();
    let made = server
        .sessions
        .access()
        .create_key("acme", Scope::Audit, Some("siem"), chrono::Utc::now())
        .unwrap();
    assert!(made.key.starts_with("stn_"));
    let listed = server.sessions.access().keys("acme").unwrap();
    let text = serde_json::to_string(&listed).unwrap();
    assert!(!text.contains(&made.key), "a secret is listed");
    let dump: Value = serde_json::to_value(listed.iter().find(|k| k.id == made.id).unwrap()).unwrap();
    assert_eq!(dump["scope"], "audit");
    assert_eq!(dump["name"], "siem");
}

/// A key row the host key does not authenticate (here written by a process
/// without the key, as a database writer would) is `401`, like an unknown
/// key, not a store failure, and never lets its admin scope in.
#[tokio::test]
async fn a_key_row_not_authenticated_by_the_host_key_is_401() {
    let server = Server::start();
    use standin_store_sqlite::OpenSqlite as _;
    let unkeyed = standin::Standin::open(standin::Host::new().unwrap(), server.db_path()).unwrap();
    let forged = unkeyed
        .access()
        .create_key("acme", Scope::Admin, Some("inserted"), chrono::Utc::now())
        .unwrap();
    let admin = server.key("acme", Scope::Admin).to_string();
    let (status, answer) = server
        .call("GET", "/v1/tenants/acme/sessions", Some(&admin), None)
        .await;
    assert_eq!(status, 200, "the host's own admin key: {answer}");
    for _ in 0..2 {
        let (status, answer) = server
            .call("GET", "/v1/tenants/acme/sessions", Some(&forged.key), None)
            .await;
        assert_eq!(status, 401, "a key row without the host key's tag: {answer}");
        assert_eq!(answer["error"]["code"], "unauthenticated");
    }
}
