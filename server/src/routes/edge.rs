//! Enforcement at the gateway: `GET|POST /v1/forward-auth`, the question
//! nginx (`auth_request`), Caddy (`forward_auth`) and Traefik
//! (`forwardAuth`) ask before passing a request on, and the route tables
//! that name each request's action (`admin`).
//!
//! Never an allow on an error: a store failure, a policy failure or a
//! deadline is 503, which every gateway turns into a refusal.

use super::{ADMIN, Access, Params, Route, Spec, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::ApiError;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use serde::{Deserialize, Serialize};
use standin::access::{Gate, Route as Rule, RouteTable, Tokenless};

/// A spec of the gateway's routes (tag `edge`, shared with `oauth`).
pub(super) fn spec(
    method: Method,
    path: &'static str,
    operation: &'static str,
    summary: &'static str,
    access: Access,
    body: Option<&'static str>,
    answers: Vec<super::Answer>,
) -> Spec {
    Spec::tagged("edge", method, path, operation, summary, access, body, answers)
}

fn forward_answers() -> Vec<super::Answer> {
    vec![
        super::Answer {
            status: 200,
            description: "pass: allowed (with the X-Standin-Acting-As, -On-Behalf-Of, -Session headers), or no impersonation token",
            schema: None,
            media: None,
        },
        json(
            401,
            "an impersonation token that does not hold, or whose session ended",
            "Error",
        ),
        json(403, "denied: the decision, or `no-route`", "Decision"),
        json(
            503,
            "Standin could not decide (store, policy failure, deadline): refuse",
            "Error",
        ),
    ]
}

const FORWARD: &str = "The gateway's question (nginx auth_request, Caddy forward_auth, Traefik forwardAuth): the original \
                       method and URI from X-Original-Method/X-Original-URI or X-Forwarded-Method/-Uri, the impersonation \
                       token from Authorization: Bearer; the tenant's route table names the action, the session's policy \
                       decides (audited). X-Standin-Tenant, set by the gateway, names the tenant it serves: a token \
                       of another tenant is refused, and so is a request without one when that tenant's table says \
                       `tokenless deny`.";

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            spec(
                Method::GET,
                "/v1/forward-auth",
                "forwardAuth",
                FORWARD,
                Access::Public,
                None,
                forward_answers(),
            ),
            || get(forward_auth),
        ),
        Route::new(
            spec(
                Method::POST,
                "/v1/forward-auth",
                "forwardAuthPost",
                FORWARD,
                Access::Public,
                None,
                forward_answers(),
            ),
            || post(forward_auth),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/forward-auth/{*path}",
                "forwardAuthPrefix",
                "Envoy ext_authz (HTTP service, `path_prefix: /v1/forward-auth`): the question asked with the \
                 original method (any) and the original path and query after the prefix; forwarded headers are \
                 not read here, the request line is the original. Answers as forwardAuth.",
                Access::Public,
                None,
                forward_answers(),
            ),
            || any(forward_prefix),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/tenants/{t}/routes",
                "getRoutes",
                "The tenant's route table (empty when none is set).",
                ADMIN,
                None,
                vec![json(200, "the rules, in order", "RouteTable")],
            ),
            || get(read),
        ),
        Route::new(
            spec(
                Method::PUT,
                "/v1/tenants/{t}/routes",
                "setRoutes",
                "Replace the tenant's route table: `{\"routes\": [{method, path, action}]}` or `{\"text\": \
                 \"METHOD PATTERN -> ACTION\\n...\"}`; a bad rule is refused naming it.",
                ADMIN,
                Some("RouteTableSet"),
                vec![json(200, "the rules now", "RouteTable")],
            ),
            || put(set),
        ),
    ]
}

/// The request the gateway asks about: nginx's headers, then Caddy's and
/// Traefik's, then the request itself.
fn original(headers: &HeaderMap, method: &Method, uri: &axum::http::Uri) -> (String, String) {
    let h = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let method = h("x-original-method")
        .or_else(|| h("x-forwarded-method"))
        .unwrap_or_else(|| method.to_string());
    let path = h("x-original-uri")
        .or_else(|| h("x-forwarded-uri"))
        .unwrap_or_else(|| uri.path_and_query().map_or("/", |p| p.as_str()).to_string());
    (method, path)
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    let mut answer = (status, axum::Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        answer
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    answer
}

async fn forward_auth(
    State(state): State<AppState>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let (method, path) = original(&headers, &method, &uri);
    decide(state, &headers, method, path).await
}

/// Envoy's form: the original request line under the prefix. Forwarded
/// headers are ignored, so a client's own `X-Original-URI` (passed on by a
/// permissive `allowed_headers`) cannot name another path.
async fn forward_prefix(
    State(state): State<AppState>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let full = uri.path_and_query().map_or("/", |p| p.as_str());
    let path = full.strip_prefix(PREFIX).unwrap_or(full).to_string();
    decide(state, &headers, method.to_string(), path).await
}

/// The route of Envoy's form.
const PREFIX: &str = "/v1/forward-auth";

async fn decide(state: AppState, headers: &HeaderMap, method: String, path: String) -> Response {
    // The tenant the gateway serves, when its configuration says.
    let tenant = headers
        .get("x-standin-tenant")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let token = bearer(headers).filter(|t| standin::access::is_impersonation_token(t));
    // Not an impersonation (no token, or the platform's own) and no tenant
    // that could refuse it: answered here, without the blocking pool or
    // the store.
    if token.is_none() && tenant.is_none() {
        return StatusCode::OK.into_response();
    }
    let gate = state
        .run(move |s| {
            Ok(s.access()
                .gate(token.as_deref(), tenant.as_deref(), &method, &path, now())?)
        })
        .await;
    let gate = match gate {
        Ok(g) => g,
        Err(e) => {
            tracing::warn!(error = %e.message, "forward-auth: no decision; refused");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Standin could not decide; refuse the request",
            );
        }
    };
    match gate {
        Gate::Pass => StatusCode::OK.into_response(),
        Gate::Unauthenticated(why) => refuse(StatusCode::UNAUTHORIZED, "unauthenticated", why),
        Gate::NoRoute(why) => {
            let body = serde_json::json!({"decision": "deny", "reasons": [{"code": "no-route", "message": why}]});
            (StatusCode::FORBIDDEN, axum::Json(body)).into_response()
        }
        Gate::Decided(a) => {
            if a.decision.reasons().iter().any(|r| r.code.starts_with("policy-")) {
                return refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "the policy failed; refuse the request",
                );
            }
            if !a.decision.is_allow() {
                return (StatusCode::FORBIDDEN, axum::Json(&a)).into_response();
            }
            let mut answer = StatusCode::OK.into_response();
            let headers = answer.headers_mut();
            for (name, value) in [
                ("x-standin-acting-as", a.acting_as.as_str()),
                ("x-standin-on-behalf-of", a.on_behalf_of.as_str()),
                ("x-standin-session", a.session.as_str()),
            ] {
                if let Ok(v) = HeaderValue::from_str(value) {
                    headers.insert(name, v);
                }
            }
            let obligations = a.decision.obligations().join(",");
            if !obligations.is_empty()
                && let Ok(v) = HeaderValue::from_str(&obligations)
            {
                headers.insert("x-standin-obligations", v);
            }
            answer
        }
        // Whatever a later library answers that this server does not know.
        _ => refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Standin could not decide; refuse the request",
        ),
    }
}

/// `RouteTable`.
#[derive(Debug, Serialize)]
struct Table {
    routes: Vec<Rule>,
    tokenless: Tokenless,
}

async fn read(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let table = state.run(move |s| Ok(s.access().routes(&tenant)?)).await?;
    let table = table.unwrap_or_default();
    Ok(axum::Json(Table {
        routes: table.rules().to_vec(),
        tokenless: table.tokenless(),
    })
    .into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetBody {
    routes: Option<Vec<Rule>>,
    text: Option<String>,
    /// Overrides a `tokenless` line of `text`.
    tokenless: Option<Tokenless>,
}

async fn set(State(state): State<AppState>, p: Params, Json(body): Json<SetBody>) -> Result<Response, ApiError> {
    let text = match (body.routes, body.text) {
        (Some(routes), None) => serde_json::to_string(&routes).map_err(|e| ApiError::bad_request(e.to_string()))?,
        (None, Some(text)) => text,
        _ => {
            return Err(ApiError::bad_request(
                "give `routes` (a list) or `text` (one rule a line), not both",
            ));
        }
    };
    let mut table = RouteTable::parse(&text).map_err(|e| ApiError::bad_request(format!("route table: {e}")))?;
    if let Some(tokenless) = body.tokenless {
        table = table.with_tokenless(tokenless);
    }
    let tenant = p.tenant();
    let saved = table.clone();
    state.run(move |s| Ok(s.access().set_routes(&tenant, &saved)?)).await?;
    Ok(axum::Json(Table {
        routes: table.rules().to_vec(),
        tokenless: table.tokenless(),
    })
    .into_response())
}

/// The schemas of the route table's bodies, for the OpenAPI document.
pub(crate) fn schemas() -> serde_json::Value {
    let rule = serde_json::json!({
        "type": "object", "required": ["method", "path", "action"],
        "properties": {
            "method": {"type": "string", "description": "an HTTP method, or `*`"},
            "path": {"type": "string", "description": "`/` segments; `*` one segment, `**` any number"},
            "action": {"type": "string"},
        },
    });
    let tokenless = serde_json::json!({
        "type": "string", "enum": ["pass", "deny"],
        "description": "a request with no impersonation token from a gateway that names this tenant \
                        (`X-Standin-Tenant`): passed untouched, or refused (401)",
    });
    serde_json::json!({
        "RouteTable": {
            "type": "object", "required": ["routes", "tokenless"],
            "properties": {
                "routes": {"type": "array", "items": rule.clone()},
                "tokenless": tokenless.clone(),
            },
        },
        "RouteTableSet": {
            "type": "object", "additionalProperties": false,
            "properties": {
                "routes": {"type": "array", "items": rule},
                "text": {"type": "string", "description": "one rule a line: `METHOD PATTERN -> ACTION` (and `tokenless deny`)"},
                "tokenless": tokenless,
            },
        },
    })
}
