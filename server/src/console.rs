//! The console and the banner: static files built into the binary (no CDN,
//! nothing fetched at run time), served under `/console`.
//!
//! The console is plain JavaScript over the public API: it has no route of
//! its own beyond these files, so everything it shows or does is a call a
//! platform could make with the same key. Its page forbids every script,
//! style and connection but its own origin's (`Content-Security-Policy`),
//! and puts data in the page as text only.
//!
//! The banner (`banner.js`, `<standin-banner>`) runs in the platform's
//! pages, on another origin: the two routes it calls (a session's banner
//! facts and its end) answer cross-origin requests ([`cors`]) and accept
//! that session's impersonation token instead of a key (see `auth`), so a
//! page holds nothing that reaches further than the one session.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const INDEX: &str = include_str!("../console/index.html");
const SCRIPT: &str = include_str!("../console/console.js");
const STYLE: &str = include_str!("../console/console.css");
const BANNER: &str = include_str!("../console/banner.js");
const SETTINGS: &str = include_str!("../console/settings.js");
const OVERVIEW: &str = include_str!("../console/overview.js");
const TIMELINE: &str = include_str!("../console/timeline.js");

/// The page's policy: its own files and API only, never framed.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self' blob: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn file(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

async fn index() -> Response {
    let mut response = file(INDEX, "text/html; charset=utf-8");
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// The console's routes, with the app's state type.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/console", get(index))
        .route("/console/", get(index))
        .route(
            "/console/console.js",
            get(|| async { file(SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/console/console.css",
            get(|| async { file(STYLE, "text/css; charset=utf-8") }),
        )
        .route(
            "/console/banner.js",
            get(|| async { file(BANNER, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/console/overview.js",
            get(|| async { file(OVERVIEW, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/console/settings.js",
            get(|| async { file(SETTINGS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/console/timeline.js",
            get(|| async { file(TIMELINE, "text/javascript; charset=utf-8") }),
        )
}

/// Cross-origin access to the banner's routes (those of access
/// [`KeyOrSessionToken`](crate::routes::Access::KeyOrSessionToken), the only
/// ones this layer is put on): any origin, with a bearer token and no
/// cookies (the token is the whole credential). Other routes get no CORS
/// headers at all.
pub(crate) async fn cors(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}
