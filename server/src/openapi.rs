//! The OpenAPI 3.1 document, made from the route table and the schemas
//! below. `docs/openapi.json` is this document as text; a test fails when
//! they differ (regenerate with `standin serve --print-openapi >
//! docs/openapi.json`).
//!
//! Each keyed operation says which scopes it takes in `x-standin-scopes`,
//! the same list the key check enforces: the test that walks every route
//! with no key, another tenant's key and too small a scope reads it here.

use crate::routes::{Access, Spec, table};
use serde_json::{Map, Value, json};

/// The document as pretty JSON text with a final newline.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

/// The document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for route in table() {
        let spec = route.spec;
        // axum's catch-all `{*path}` is OpenAPI's `{path}`.
        let entry = paths.entry(spec.path.replace("{*", "{")).or_insert_with(|| json!({}));
        entry[spec.method.as_str().to_ascii_lowercase()] = operation(&spec);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Standin",
            "version": env!("CARGO_PKG_VERSION"),
            "summary": "Impersonation (\"log in as\") decisions, sessions and audit, with AuthZEN 1.0.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": [
            {"name": "sessions", "description": "Checks, sessions and authorize."},
            {"name": "audit", "description": "The hash-chained audit trail."},
            {"name": "outbox", "description": "Messages to impersonated users and their settings."},
            {"name": "policies", "description": "A tenant's policy versions."},
            {"name": "authzen", "description": "OpenID AuthZEN Authorization API 1.0."},
            {"name": "operations", "description": "Health, readiness, metrics and this document."},
        ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A key from `standin key create`."}
            },
            "schemas": crate::schemas::all(),
        },
    })
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn error(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema_ref("Error")}}})
}

fn operation(spec: &Spec) -> Value {
    let mut op = json!({
        "operationId": spec.operation,
        "summary": spec.summary,
        "tags": [spec.tag],
    });
    let mut parameters = Vec::new();
    for name in path_params(spec.path) {
        parameters.push(json!({
            "name": name, "in": "path", "required": true, "schema": {"type": "string"},
            "description": match name {
                "t" => "the tenant",
                "id" => match spec.tag {
                    "webhooks" => "a webhook endpoint's id",
                    "ssf" => "a stream's id",
                    _ => "a session id",
                },
                "version" => "a policy version number",
                _ => "",
            },
        }));
    }
    for (name, description) in spec.query {
        parameters.push(json!({
            "name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": description,
        }));
    }
    parameters.push(json!({
        "name": "X-Request-ID", "in": "header", "required": false, "schema": {"type": "string"},
        "description": "echoed on the answer; made up when absent",
    }));
    op["parameters"] = Value::Array(parameters);
    if let Some(body) = spec.body {
        op["requestBody"] = json!({
            "required": true,
            // A `...Form` body is a form (OAuth's token endpoint); any other JSON.
            "content": {body_media(body): {"schema": schema_ref(body)}},
        });
    }
    let mut responses = Map::new();
    for answer in &spec.answers {
        let media = answer.media.unwrap_or("application/json");
        let mut r = json!({"description": answer.description});
        match answer.schema {
            Some(schema) => r["content"] = json!({ media: {"schema": schema_ref(schema)} }),
            None => r["content"] = json!({ media: {} }),
        }
        responses.insert(answer.status.to_string(), r);
    }
    let mut errors = vec![
        ("500", "a failure of the server"),
        ("503", "the store did not answer in time"),
    ];
    if spec.body.is_some() || !spec.query.is_empty() || spec.path.contains("{version}") {
        errors.push(("400", "malformed input, naming the field"));
    }
    if spec.body.is_some() {
        errors.push(("413", "the body is over its cap"));
        if body_media(spec.body.unwrap_or_default()) == "application/json" {
            errors.push(("415", "the body is not `application/json`"));
        }
    }
    if spec.path.contains("{id}") || spec.path.contains("{version}") {
        errors.push(("404", "no such session or version of this tenant"));
    }
    if let Some(scopes) = spec.access.scopes() {
        errors.push(("401", "no key, or an unknown or revoked one"));
        errors.push(("403", "the key is another tenant's, or its scope is too small"));
        op["security"] = json!([{"bearer": []}]);
        op["x-standin-scopes"] = json!(scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    }
    if let Access::KeyOrSessionToken(_) = spec.access {
        // The banner's routes: the session's own token will do, from any
        // origin.
        op["x-standin-session-token"] = json!(true);
        op["x-standin-cors"] = json!(true);
    }
    for (status, description) in errors {
        responses
            .entry(status.to_string())
            .or_insert_with(|| error(description));
    }
    op["responses"] = Value::Object(responses);
    op
}

/// The `{name}`s of a path, in order.
pub fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| name.trim_start_matches('*'))
        .collect()
}

/// The media type of a request body of schema `body`.
fn body_media(body: &str) -> &'static str {
    if body.ends_with("Form") {
        "application/x-www-form-urlencoded"
    } else {
        "application/json"
    }
}
