//! The OpenAPI document: served, checked in, complete, self-consistent.

use crate::support::Server;
use serde_json::Value;

#[tokio::test]
async fn the_served_document_is_the_checked_in_one() {
    let server = Server::start();
    let served = server.text("/openapi.json", None).await;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        served == checked_in,
        "docs/openapi.json is not the served document: regenerate it with \
         `cargo run -p standin-cli -- serve --print-openapi > docs/openapi.json`"
    );
}

#[test]
fn every_route_is_documented_and_every_reference_resolves() {
    let document = standin_server::openapi::document();
    assert_eq!(document["openapi"], "3.1.0");
    for route in standin_server::routes::table() {
        let method = route.spec.method.as_str().to_ascii_lowercase();
        let path = route.spec.path.replace("{*", "{"); // a catch-all, as OpenAPI writes it
        assert!(
            document["paths"][&path][&method].is_object(),
            "{method} {}",
            route.spec.path
        );
    }
    let mut refs = Vec::new();
    collect_refs(&document, &mut refs);
    assert!(refs.len() > 50);
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("odd $ref {r}"));
        assert!(
            document["components"]["schemas"][name].is_object(),
            "{r} does not resolve"
        );
    }
}

#[test]
fn the_contracts_routes_are_all_there() {
    let document = standin_server::openapi::document();
    let expected = [
        ("get", "/healthz"),
        ("get", "/readyz"),
        ("get", "/metrics"),
        ("get", "/openapi.json"),
        ("post", "/v1/tenants/{t}/check/start"),
        ("post", "/v1/tenants/{t}/check/action"),
        ("post", "/v1/tenants/{t}/sessions"),
        ("get", "/v1/tenants/{t}/sessions"),
        ("get", "/v1/tenants/{t}/sessions/{id}"),
        ("get", "/v1/tenants/{t}/sessions/{id}/banner"),
        ("post", "/v1/tenants/{t}/sessions/{id}/end"),
        ("post", "/v1/tenants/{t}/sessions/{id}/extend"),
        ("post", "/v1/tenants/{t}/sessions/{id}/revoke"),
        ("post", "/v1/tenants/{t}/sessions/revoke"),
        ("put", "/v1/tenants/{t}/principals/{id}"),
        ("post", "/v1/tenants/{t}/tokens/introspect"),
        ("get", "/.well-known/jwks.json"),
        ("post", "/v1/tenants/{t}/sessions/{id}/authorize"),
        ("post", "/v1/tenants/{t}/authorize"),
        ("get", "/v1/tenants/{t}/audit"),
        ("get", "/v1/tenants/{t}/audit/verify"),
        ("get", "/v1/tenants/{t}/outbox"),
        ("post", "/v1/tenants/{t}/outbox/claim"),
        ("post", "/v1/tenants/{t}/outbox/ack"),
        ("get", "/v1/tenants/{t}/notifications"),
        ("put", "/v1/tenants/{t}/notifications"),
        ("post", "/v1/tenants/{t}/policies"),
        ("get", "/v1/tenants/{t}/policies"),
        ("get", "/v1/tenants/{t}/policies/{version}"),
        ("post", "/v1/tenants/{t}/policies/{version}/activate"),
        ("post", "/v1/tenants/{t}/policies/rollback"),
        ("get", "/v1/tenants/{t}/policies/{version}/diff"),
        ("get", "/.well-known/authzen-configuration/{t}"),
        ("post", "/v1/tenants/{t}/access/v1/evaluation"),
        ("post", "/v1/tenants/{t}/access/v1/evaluations"),
    ];
    for (method, path) in expected {
        assert!(
            document["paths"][path][method].is_object(),
            "{method} {path} is missing"
        );
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push(v.as_str().unwrap().to_string());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

/// The settings' schema is served, checked in, and says what each field
/// means and which rules it drives (the console's form is made from it).
#[tokio::test]
async fn the_settings_schema_is_served_and_is_the_checked_in_one() {
    let server = Server::start();
    let (status, served) = server.call("GET", "/v1/settings-schema", None, None).await;
    assert_eq!(status, 200);
    let file: Value =
        serde_json::from_str(include_str!("../../../docs/settings.schema.json")).expect("docs/settings.schema.json");
    assert_eq!(
        served, file,
        "docs/settings.schema.json is not the served schema: regenerate it with \
         `cargo run -p standin-cli -- policy schema > docs/settings.schema.json`"
    );
    let properties = served["properties"].as_object().expect("properties");
    assert_eq!(properties.len(), standin_default_policy::schema::FIELDS.len());
    for (name, p) in properties {
        assert!(p["description"].as_str().is_some_and(|d| !d.is_empty()), "{name}");
        assert!(p["x-standin-rules"].as_array().is_some_and(|r| !r.is_empty()), "{name}");
        assert!(p.get("default").is_some(), "{name}");
    }
    assert_eq!(served["additionalProperties"], false);
}
