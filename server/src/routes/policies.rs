//! A tenant's policy versions: upload (checked and tested before it is
//! stored), list, show, activate, roll back, and the what-if replay of the
//! trail against a version.

use super::{ADMIN, Params, Query, Route, Spec, json, now};
use crate::app::AppState;
use crate::auth::Caller;
use crate::body::UploadJson;
use crate::error::ApiError;
use axum::Extension;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;
use standin::harness::Suite;
use standin::policies::Upload;

pub(super) fn routes() -> Vec<Route> {
    let spec = |method, path, operation, summary, body, answers| Spec {
        method,
        path,
        operation,
        summary,
        tag: "policies",
        slow: true,
        access: ADMIN,
        body,
        query: &[],
        answers,
    };
    vec![
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/policies",
                "uploadPolicy",
                "Upload a version: checked (size, component, compile, imports, world, settings) and tested with the suites given before it is stored; activated if asked. No component: the built-in policy.",
                Some("Upload"),
                vec![
                    json(201, "the version stored", "PolicyVersion"),
                    json(422, "the step that refused it", "UploadRefused"),
                ],
            ),
            || post(upload),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/tenants/{t}/policies",
                "listPolicies",
                "Every version of the tenant's policy.",
                None,
                vec![json(200, "the versions", "PolicyVersions")],
            ),
            || get(list),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/tenants/{t}/settings-schema",
                "getTenantSettingsSchema",
                "The JSON Schema of the settings the tenant's active policy takes: the built-in policy's (as GET /v1/settings-schema), or what a custom component publishes (`settings-schema`, standin:policy@0.6.0); what the console's settings form is made from.",
                None,
                vec![
                    super::Answer {
                        status: 200,
                        description: "the schema",
                        schema: None,
                        media: Some("application/json"),
                    },
                    json(
                        404,
                        "the tenant's policy publishes no schema (edit its settings as JSON)",
                        "Error",
                    ),
                ],
            ),
            || get(settings_schema),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/tenants/{t}/policies/{version}",
                "getPolicy",
                "One version.",
                None,
                vec![json(200, "the version", "PolicyVersion")],
            ),
            || get(show),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/policies/{version}/activate",
                "activatePolicy",
                "Make a stored version the active one (new sessions use it).",
                None,
                vec![json(200, "the now active version", "PolicyVersion")],
            ),
            || post(activate),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/policies/rollback",
                "rollbackPolicy",
                "Make the version active before the last activation active again.",
                None,
                vec![json(200, "the now active version", "PolicyVersion")],
            ),
            || post(rollback),
        ),
        Route::new(
            Spec {
                query: &[("since", "RFC 3339: replay only requests recorded at or after")],
                ..spec(
                    Method::GET,
                    "/v1/tenants/{t}/policies/{version}/diff",
                    "diffPolicy",
                    "Replay the recorded requests against a version: which decisions would change.",
                    None,
                    vec![json(200, "the replay report", "Replay")],
                )
            },
            || get(diff),
        ),
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UploadBody {
    component_base64: Option<String>,
    /// A component already stored (a version's `digest`), instead of its
    /// bytes: new settings for the same custom component (the console's
    /// settings form).
    component_digest: Option<String>,
    /// An object (or its JSON text).
    settings: Option<Value>,
    #[serde(default)]
    suites: Vec<Value>,
    #[serde(default)]
    activate: bool,
    note: Option<String>,
}

/// Whether a suite names a file: over HTTP that would read the server's
/// files, so it is refused.
fn names_a_file(v: &Value) -> bool {
    match v {
        Value::Object(map) => map.iter().any(|(k, v)| k == "settings_file" || names_a_file(v)),
        Value::Array(items) => items.iter().any(names_a_file),
        _ => false,
    }
}

fn version(p: &Params) -> Result<u32, ApiError> {
    let v = p.get("version");
    v.parse()
        .map_err(|_| ApiError::bad_request(format!("`{v}` is not a version number")))
}

async fn upload(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    p: Params,
    UploadJson(body): UploadJson<UploadBody>,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let component = body
        .component_base64
        .map(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()))
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("`component_base64` is not base64: {e}")))?;
    let settings = match body.settings {
        None | Some(Value::Null) => "{}".to_string(),
        Some(Value::String(text)) => text,
        Some(other) => other.to_string(),
    };
    let mut suites = Vec::with_capacity(body.suites.len());
    for (i, suite) in body.suites.iter().enumerate() {
        if names_a_file(suite) {
            return Err(ApiError::bad_request(format!(
                "`suites[{i}]` names a `settings_file`; over HTTP, give `settings` inline"
            )));
        }
        let name = format!("suites[{i}]");
        suites.push(
            Suite::parse(&suite.to_string(), std::path::Path::new(&name))
                .map_err(|e| ApiError::bad_request(e.to_string()))?,
        );
    }
    if component.is_some() && body.component_digest.is_some() {
        return Err(ApiError::bad_request(
            "give `component_base64` or `component_digest`, not both",
        ));
    }
    let by = caller.name();
    let uploaded = state
        .run(move |s| {
            let component = match &body.component_digest {
                Some(digest) => stored_component(s, digest)?,
                None => component,
            };
            let upload = Upload {
                tenant: &tenant,
                component: component.as_deref(),
                settings: &settings,
                suites: &suites,
                uploaded_by: Some(&by),
                note: body.note.as_deref(),
                activate: body.activate,
            };
            Ok(s.tenant(&tenant).policies().upload(&upload, now())?)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(uploaded)).into_response())
}

/// The bytes of a stored component, checked against their digest (a
/// database writer's swap is refused, not uploaded under another name);
/// `None` for the built-in policy's digest.
fn stored_component(s: &standin::Standin, digest: &str) -> Result<Option<Vec<u8>>, ApiError> {
    if digest == standin::Digest::of(standin::DEFAULT_POLICY).to_string() {
        return Ok(None);
    }
    let bytes = s.store().component(digest)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            crate::error::codes::NOT_FOUND,
            format!("no stored component has digest `{digest}`"),
        )
    })?;
    if standin::Digest::of(&bytes).to_string() != digest {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            crate::error::codes::CONFLICT,
            format!("the stored component `{digest}` does not match its digest"),
        ));
    }
    Ok(Some(bytes))
}

async fn list(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let versions = state.run(move |s| Ok(s.tenant(&tenant).policies().versions()?)).await?;
    Ok(axum::Json(crate::replies::PolicyVersions { versions }).into_response())
}

async fn settings_schema(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    use standin::policies::SettingsSchema;
    let tenant = p.tenant();
    let found = state
        .run(move |s| Ok(s.tenant(&tenant).policies().settings_schema()?))
        .await?;
    match found {
        SettingsSchema::Published(schema) => Ok(axum::Json(schema).into_response()),
        SettingsSchema::BuiltIn => Ok(axum::Json(standin_default_policy::schema::settings_schema()).into_response()),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            crate::error::codes::NOT_FOUND,
            "the tenant's policy publishes no settings schema: edit its settings as JSON",
        )),
    }
}

async fn show(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let (tenant, v) = (p.tenant(), version(&p)?);
    let stored = state.run(move |s| Ok(s.tenant(&tenant).policies().version(v)?)).await?;
    Ok(axum::Json(stored).into_response())
}

async fn activate(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    p: Params,
) -> Result<Response, ApiError> {
    let (tenant, v) = (p.tenant(), version(&p)?);
    let by = caller.name();
    let stored = state
        .run(move |s| Ok(s.tenant(&tenant).policies().activate(v, Some(&by), now())?))
        .await?;
    Ok(axum::Json(stored).into_response())
}

async fn rollback(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    p: Params,
) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let by = caller.name();
    let stored = state
        .run(move |s| Ok(s.tenant(&tenant).policies().rollback(Some(&by), now())?))
        .await?;
    Ok(axum::Json(stored).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffQuery {
    since: Option<DateTime<Utc>>,
}

async fn diff(State(state): State<AppState>, p: Params, Query(q): Query<DiffQuery>) -> Result<Response, ApiError> {
    let (tenant, v) = (p.tenant(), version(&p)?);
    let replay = state
        .run(move |s| Ok(s.tenant(&tenant).policies().replay(v, q.since)?))
        .await?;
    Ok(axum::Json(replay).into_response())
}
