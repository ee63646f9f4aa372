//! Every answer the HTTP tests receive is checked against the OpenAPI
//! document: each member of a JSON body is one its route declares for
//! that status (through `$ref` and `oneOf`), so a handler that adds,
//! renames or misspells a member fails every test that sees it, and the
//! typed replies (`standin_server::replies`), the document and the
//! answers cannot drift apart.

use serde_json::Value;
use std::sync::LazyLock;

static DOCUMENT: LazyLock<Value> = LazyLock::new(standin_server::openapi::document);

/// The documented path template `path` is an instance of: literal segments
/// win over parameters (`/policies/rollback` over `/policies/{version}`).
fn template(path: &str) -> Option<String> {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let paths = DOCUMENT["paths"].as_object()?;
    paths
        .keys()
        .filter_map(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            if ts.len() != parts.len() {
                return None;
            }
            let mut literal = 0;
            for (a, b) in ts.iter().zip(&parts) {
                if a.starts_with('{') {
                    continue;
                }
                if a != b {
                    return None;
                }
                literal += 1;
            }
            Some((literal, t.clone()))
        })
        .max()
        .map(|(_, t)| t)
}

fn resolve(schema: &Value) -> &Value {
    match schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => resolve(&DOCUMENT["components"]["schemas"][name]),
        None => schema,
    }
}

/// The members `schema` declares, one list per `oneOf` alternative;
/// `None` when it says nothing of them (no `properties`: any object).
fn members(schema: &Value) -> Option<Vec<Vec<String>>> {
    let schema = resolve(schema);
    if let Some(any) = schema["oneOf"].as_array() {
        let mut all = Vec::new();
        for s in any {
            all.extend(members(s)?);
        }
        return Some(all);
    }
    // `allOf`: the members of each part, and its own.
    let mut own: Vec<String> = Vec::new();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        own.extend(members(part)?.into_iter().flatten());
    }
    let props = schema["properties"].as_object()?;
    own.extend(props.keys().cloned());
    Some(vec![own])
}

/// Panics when `body`, answered `status` to `method path`, has a member
/// its documented schema does not declare.
pub fn check(method: &str, path: &str, status: u16, body: &Value) {
    let Some(object) = body.as_object() else { return };
    // The errors every route may give: `Error`.
    if status >= 400 && object.len() == 1 && object.contains_key("error") {
        return;
    }
    let Some(template) = template(path) else { return };
    let operation = &DOCUMENT["paths"][&template][method.to_ascii_lowercase()];
    let response = &operation["responses"][status.to_string()];
    let schema = &response["content"]["application/json"]["schema"];
    if schema.is_null() {
        return;
    }
    let Some(alternatives) = members(schema) else { return };
    let fits = alternatives
        .iter()
        .any(|declared| object.keys().all(|k| declared.contains(k)));
    assert!(
        fits,
        "{method} {template} answered {status} with members {:?}, not all declared by its schema {} ({:?})",
        object.keys().collect::<Vec<_>>(),
        schema,
        alternatives
    );
}
