//! OAuth 2.0 Token Exchange (RFC 8693): `POST /v1/tenants/{t}/oauth/token`,
//! where an identity provider or an admin's app trades the target's and
//! the admin's tokens for Standin's impersonation token; and the tenant's
//! trusted issuers (`admin`), whose tokens it takes.
//!
//! The endpoint speaks OAuth, not Standin's own error shape: a form body
//! in, RFC 6749 §5.1/§5.2 JSON out (`Cache-Control: no-store`), errors as
//! `{"error", "error_description"}` with the policy's reasons beside them
//! on a deny. The client is authenticated as on every tenant route (its
//! API key, `decide`), as a bearer key or as the password of HTTP Basic
//! (`client_secret_basic`).

use super::edge::spec;
use super::{ADMIN, DECIDE, Params, Route, json, now};
use crate::app::AppState;
use crate::body::Json;
use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use standin::access::{Exchange, Exchanged, TrustedIssuers};

/// RFC 8693's grant type.
pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
/// How long a client waits before asking again about a pending start.
const POLL_SECONDS: u64 = 5;

pub(super) fn routes() -> Vec<Route> {
    vec![
        Route::new(
            spec(
                Method::POST,
                "/v1/tenants/{t}/oauth/token",
                "exchangeToken",
                "RFC 8693 token exchange (form body): the target's `subject_token` and the admin's \
                 `actor_token`, JWTs of issuers the tenant trusts, for an impersonation token when the \
                 policy allows the start (audited). Errors are RFC 6749's: `invalid_grant` (the deny, \
                 with `reasons`), `authorization_pending` (ask again with `session_id`), \
                 `invalid_request` (a token not accepted).",
                DECIDE,
                Some("TokenExchangeForm"),
                vec![
                    json(200, "the impersonation token", "TokenExchanged"),
                    json(400, "an RFC 6749 error", "OAuthError"),
                ],
            ),
            || post(exchange),
        ),
        Route::new(
            spec(
                Method::GET,
                "/v1/tenants/{t}/token-issuers",
                "getTokenIssuers",
                "The identity providers whose tokens the tenant's token exchange takes.",
                ADMIN,
                None,
                vec![json(200, "the trusted issuers", "TokenIssuers")],
            ),
            || get(read),
        ),
        Route::new(
            spec(
                Method::PUT,
                "/v1/tenants/{t}/token-issuers",
                "setTokenIssuers",
                "Replace the tenant's trusted issuers (each with its JWKS; public keys only).",
                ADMIN,
                Some("TokenIssuers"),
                vec![json(200, "the trusted issuers as stored", "TokenIssuers")],
            ),
            || axum::routing::put(set),
        ),
    ]
}

/// The form of a token exchange (RFC 8693 §2.1), and Standin's members.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Form {
    grant_type: String,
    subject_token: Option<String>,
    subject_token_type: Option<String>,
    actor_token: Option<String>,
    actor_token_type: Option<String>,
    requested_token_type: Option<String>,
    audience: Option<String>,
    resource: Option<String>,
    scope: Option<String>,
    /// RFC 6749 client authentication in the body is not taken: the key
    /// goes in `Authorization`.
    client_id: Option<String>,
    reason: Option<String>,
    ttl_seconds: Option<u64>,
    domain: Option<String>,
    session_id: Option<String>,
}

/// RFC 8693 §2.2.1.
#[derive(Debug, Serialize)]
struct Issued<'a> {
    access_token: &'a str,
    issued_token_type: &'a str,
    token_type: &'static str,
    expires_in: i64,
    session_id: &'a str,
}

fn oauth_error(error: &str, description: &str, extra: serde_json::Value) -> Response {
    let mut body = json!({"error": error, "error_description": description});
    if let (Some(body), serde_json::Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    no_store((StatusCode::BAD_REQUEST, axum::Json(body)).into_response())
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

fn is_form(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

/// An RFC 6749 error of the form itself: its code and description.
#[derive(Debug)]
struct Refusal(&'static str, String);

/// The form's checks that need no store; the exchange, or the error.
fn exchange_of(tenant: &str, form: Form) -> Result<(Exchange, &'static str), Refusal> {
    let invalid = |d: &str| Refusal("invalid_request", d.to_string());
    if form.grant_type != TOKEN_EXCHANGE {
        return Err(Refusal("unsupported_grant_type", format!("only `{TOKEN_EXCHANGE}`")));
    }
    let (Some(subject), Some(subject_type)) = (form.subject_token, form.subject_token_type) else {
        return Err(invalid("`subject_token` and `subject_token_type` are required"));
    };
    let (Some(actor), Some(actor_type)) = (form.actor_token, form.actor_token_type) else {
        return Err(invalid(
            "`actor_token` and `actor_token_type` are required: Standin issues delegation (impersonation) tokens only",
        ));
    };
    for (name, t) in [("subject_token_type", &subject_type), ("actor_token_type", &actor_type)] {
        if ![JWT, ACCESS_TOKEN, ID_TOKEN].contains(&t.as_str()) {
            return Err(invalid(&format!(
                "`{name}` must name a JWT (`{JWT}`, `{ACCESS_TOKEN}` or `{ID_TOKEN}`)"
            )));
        }
    }
    let issued_type = match form.requested_token_type.as_deref() {
        None | Some(ACCESS_TOKEN) => ACCESS_TOKEN,
        Some(JWT) => JWT,
        Some(_) => {
            return Err(invalid(&format!(
                "`requested_token_type` must be `{ACCESS_TOKEN}` or `{JWT}`"
            )));
        }
    };
    if form.audience.as_deref().is_some_and(|a| a != tenant) || form.resource.is_some() {
        return Err(Refusal(
            "invalid_target",
            format!("the token is for tenant `{tenant}` only (`audience` `{tenant}`, no `resource`)"),
        ));
    }
    if form.scope.is_some() {
        return Err(Refusal("invalid_scope", "`scope` is not taken".to_string()));
    }
    let _ = form.client_id; // named, and ignored: the key says who calls
    let mut x = Exchange::new(tenant, &subject, &actor);
    x.reason = form.reason;
    x.ttl_seconds = form.ttl_seconds;
    x.domain = form.domain;
    x.session_id = form.session_id;
    Ok((x, issued_type))
}

async fn exchange(State(state): State<AppState>, p: Params, request: Request) -> Result<Response, ApiError> {
    if !is_form(&request) {
        return Ok(oauth_error(
            "invalid_request",
            "the body must be `application/x-www-form-urlencoded` (RFC 6749)",
            json!({}),
        ));
    }
    let body = crate::body::bytes(request, state.limits.load().max_body_bytes).await?;
    let form: Form = match serde_urlencoded::from_bytes(&body) {
        Ok(f) => f,
        Err(e) => return Ok(oauth_error("invalid_request", &format!("the form: {e}"), json!({}))),
    };
    let tenant = p.tenant();
    let (x, issued_type) = match exchange_of(&tenant, form) {
        Ok(x) => x,
        Err(Refusal(code, why)) => return Ok(oauth_error(code, &why, json!({}))),
    };
    let started = std::time::Instant::now();
    let outcome = state.run(move |s| Ok(s.access().exchange(&x, now())?)).await?;
    if let Exchanged::Denied { decision, .. } = &outcome {
        state.metrics.decision(&tenant, "start", decision, started.elapsed());
    }
    let code = outcome.error_code();
    Ok(match outcome {
        Exchanged::Issued { session, token } => {
            let body = Issued {
                access_token: &token,
                issued_token_type: issued_type,
                token_type: "Bearer",
                expires_in: (session.expires_at - now()).num_seconds().max(0),
                session_id: &session.id,
            };
            no_store(axum::Json(body).into_response())
        }
        Exchanged::Pending { session } => oauth_error(
            code.unwrap_or("authorization_pending"),
            "the start waits for approval; ask again with `session_id`",
            json!({"session_id": session.id, "interval": POLL_SECONDS}),
        ),
        Exchanged::Denied { decision, policy } => {
            let codes: Vec<&str> = decision.reasons().iter().map(|r| r.code.as_ref()).collect();
            oauth_error(
                code.unwrap_or("invalid_grant"),
                &format!("the policy refused the start: {}", codes.join(", ")),
                json!({"reasons": decision.reasons(), "policy": policy}),
            )
        }
        Exchanged::Ended { session } => oauth_error(
            code.unwrap_or("invalid_grant"),
            &format!(
                "session `{}` is {}",
                session.id,
                session.end_reason.map_or("not active", |r| r.as_str())
            ),
            json!({"session_id": session.id}),
        ),
        Exchanged::Refused(why) => {
            tracing::warn!(tenant = %tenant, why = %why, "token exchange refused");
            oauth_error(code.unwrap_or("invalid_request"), &why, json!({}))
        }
        other => {
            return Err(ApiError::internal(
                StatusCode::INTERNAL_SERVER_ERROR,
                crate::error::codes::INTERNAL,
                &format!("an exchange this server does not know: {other:?}"),
            ));
        }
    })
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IssuersBody {
    issuers: serde_json::Value,
}

async fn read(State(state): State<AppState>, p: Params) -> Result<Response, ApiError> {
    let tenant = p.tenant();
    let issuers = state.run(move |s| Ok(s.access().token_issuers(&tenant)?)).await?;
    Ok(axum::Json(json!({ "issuers": issuers })).into_response())
}

async fn set(State(state): State<AppState>, p: Params, Json(body): Json<IssuersBody>) -> Result<Response, ApiError> {
    let issuers = TrustedIssuers::parse(&body.issuers.to_string())
        .map_err(|e| ApiError::bad_request(format!("trusted issuers: {e}")))?;
    let tenant = p.tenant();
    let saved = issuers.clone();
    state
        .run(move |s| Ok(s.access().set_token_issuers(&tenant, &saved)?))
        .await?;
    Ok(axum::Json(json!({ "issuers": issuers })).into_response())
}

/// The schemas of the exchange and the issuers, for the OpenAPI document.
pub(crate) fn schemas() -> serde_json::Value {
    let string = json!({"type": "string"});
    json!({
        "TokenExchangeForm": {
            "type": "object", "required": ["grant_type", "subject_token", "subject_token_type", "actor_token", "actor_token_type"],
            "properties": {
                "grant_type": {"type": "string", "enum": [TOKEN_EXCHANGE]},
                "subject_token": {"type": "string", "description": "the target's JWT"},
                "subject_token_type": {"type": "string", "enum": [JWT, ACCESS_TOKEN, ID_TOKEN]},
                "actor_token": {"type": "string", "description": "the admin's JWT"},
                "actor_token_type": {"type": "string", "enum": [JWT, ACCESS_TOKEN, ID_TOKEN]},
                "requested_token_type": {"type": "string", "enum": [ACCESS_TOKEN, JWT]},
                "audience": {"type": "string", "description": "the tenant, if given"},
                "client_id": string,
                "reason": {"type": "string", "description": "why (E2), as a start's"},
                "ttl_seconds": {"type": "integer", "minimum": 1},
                "domain": string,
                "session_id": {"type": "string", "description": "a pending start of this exchange, asked about again"},
            },
        },
        "TokenExchanged": {
            "type": "object", "required": ["access_token", "issued_token_type", "token_type", "expires_in", "session_id"],
            "properties": {
                "access_token": {"type": "string", "description": "the impersonation token (EdDSA JWT with `act`)"},
                "issued_token_type": {"type": "string"},
                "token_type": {"type": "string", "enum": ["Bearer"]},
                "expires_in": {"type": "integer"},
                "session_id": string,
            },
        },
        "OAuthError": {
            "type": "object", "required": ["error"],
            "properties": {
                "error": {"type": "string", "enum": ["invalid_request", "invalid_grant", "authorization_pending", "access_denied", "expired_token", "unsupported_grant_type", "invalid_target", "invalid_scope"]},
                "error_description": string,
                "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
                "policy": {"$ref": "#/components/schemas/PolicyRef"},
                "session_id": string,
                "interval": {"type": "integer"},
            },
        },
        "TokenIssuers": {
            "type": "object", "required": ["issuers"],
            "properties": {"issuers": {"type": "array", "items": {
                "type": "object", "required": ["issuer", "audience", "jwks"], "additionalProperties": false,
                "properties": {
                    "issuer": {"type": "string", "description": "the tokens' `iss`, exactly"},
                    "audience": {"type": "string", "description": "the `aud` its tokens name for Standin"},
                    "jwks": {"type": "object", "description": "its public keys (RSA, EC P-256/P-384, OKP Ed25519)"},
                    "claims": {"type": "object", "description": "JSON pointers of roles, permissions, groups, manages, domains, consents"},
                },
            }}},
        },
    })
}
