//! The application: shared state, the router built from the route table
//! ([`crate::routes::table`]), and the layers every request goes through.
//!
//! Order of the layers, outside in: request id (a caller's kept only when
//! it is valid, else made up, and echoed on the answer), trace span and
//! access log, panic catcher, every error in the JSON form, compression,
//! metrics, the caps on the request target and head, the per-request
//! deadline; then, per route, the key check of [`crate::auth`], and the
//! handler. The library is synchronous: handlers run its calls on tokio's
//! blocking pool (`AppState::run`), except single `authorize` calls, the
//! hot path, which go to the batching threads of [`crate::batcher`] so
//! that concurrent ones share one `authorize_batch` and one wait for their
//! commit.

use crate::auth::KeyCache;
use crate::error::{ApiError, codes};
use crate::metrics::Metrics;
use crate::telemetry::Telemetry;
use arc_swap::ArcSwap;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use standin::Standin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};

/// Caps and deadlines of the HTTP layer.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body read, in bytes (policy uploads have their own).
    pub max_body_bytes: usize,
    /// Largest policy upload body (base64 of a component, settings, suites).
    pub max_upload_bytes: usize,
    /// Largest body of a batch (`authorize` batches, AuthZEN evaluations):
    /// room for the 4096 calls a batch may hold.
    pub max_batch_body_bytes: usize,
    /// How long a request may take before it is answered `503 deadline-exceeded`.
    pub request_timeout: Duration,
    /// The same for slow routes: policy uploads (compiling), replays and
    /// audit exports and verification (a whole trail).
    pub slow_request_timeout: Duration,
    /// How long a client has to send a whole request head, from its
    /// connection (after the TLS handshake) or from the first byte of a
    /// later request; past it the connection is closed.
    pub header_read_timeout: Duration,
    /// How long a connection is kept without a request after its last
    /// answer (and how long an answer the client does not read is kept).
    pub idle_timeout: Duration,
    /// Open connections at most (lowered to fit the file limit). One more
    /// closes the connection waiting longest without a request in flight;
    /// when all are answering one, the new one is closed.
    pub max_connections: usize,
    /// On shutdown, how long requests in flight have to finish before
    /// their connections are dropped.
    pub drain_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 256 * 1024,
            max_upload_bytes: 34 * 1024 * 1024,
            max_batch_body_bytes: 2 * 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            slow_request_timeout: Duration::from_secs(120),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 10_000,
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// What every handler shares: one allocation, so that the clones every
/// layer makes per request are one reference count each.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

/// The state behind [`AppState`].
#[derive(Debug, Clone)]
pub struct Shared {
    pub(crate) sessions: Arc<Standin>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) keys: Arc<KeyCache>,
    /// Single `authorize` calls go through here ([`crate::batcher`]).
    pub(crate) authorizer: Arc<crate::batcher::Authorizer>,
    /// Read at each request: a SIGHUP may replace them ([`crate::reload`]).
    pub(crate) limits: Arc<ArcSwap<Limits>>,
    /// The base URL AuthZEN discovery names (`https://pdp.example.com`);
    /// `None`: taken from the request's `Host` header.
    pub(crate) public_url: Option<String>,
    /// Whether the listener speaks TLS (the scheme of derived URLs).
    pub(crate) tls: bool,
    /// Where requests' spans go ([`crate::telemetry`]).
    pub(crate) telemetry: Telemetry,
    /// How webhook messages are sent (the test route sends one).
    pub(crate) webhooks: crate::webhooks::WebhookSettings,
    /// Where the server listens (the SSF issuer's URL without `public_url`).
    pub(crate) listen: Option<std::net::SocketAddr>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(sessions: Arc<Standin>, limits: Limits) -> Self {
        started();
        Self(Arc::new(Shared {
            authorizer: Arc::new(crate::batcher::Authorizer::spawn(sessions.clone())),
            sessions,
            metrics: Arc::new(Metrics::default()),
            keys: Arc::new(KeyCache::default()),
            limits: Arc::new(ArcSwap::from_pointee(limits)),
            public_url: None,
            tls: false,
            telemetry: Telemetry::off(),
            webhooks: crate::webhooks::WebhookSettings::default(),
            listen: None,
        }))
    }

    /// Exports requests' spans through `telemetry`.
    pub fn with_telemetry(mut self, telemetry: Telemetry) -> Self {
        Arc::make_mut(&mut self.0).telemetry = telemetry;
        self
    }

    /// Names the base URL given out by AuthZEN discovery.
    pub fn with_public_url(mut self, url: Option<String>) -> Self {
        Arc::make_mut(&mut self.0).public_url = url.map(|u| u.trim_end_matches('/').to_string());
        self
    }

    /// How the test route sends a webhook message (the deliverer's settings).
    pub fn with_webhooks(mut self, settings: crate::webhooks::WebhookSettings) -> Self {
        Arc::make_mut(&mut self.0).webhooks = settings;
        self
    }

    pub(crate) fn with_listen_addr(mut self, addr: std::net::SocketAddr) -> Self {
        Arc::make_mut(&mut self.0).listen = Some(addr);
        self
    }

    /// The base of SSF issuers (`{base}/{tenant}`): `public_url`, else
    /// the listening address; the same for discovery and for every SET.
    pub(crate) fn issuer_base(&self) -> String {
        match (&self.public_url, self.listen) {
            (Some(url), _) => url.clone(),
            (None, Some(addr)) => format!("{}://{addr}", if self.tls { "https" } else { "http" }),
            (None, None) => "urn:standin".to_string(),
        }
    }

    pub(crate) fn with_tls(mut self, tls: bool) -> Self {
        Arc::make_mut(&mut self.0).tls = tls;
        self
    }

    pub fn sessions(&self) -> &Arc<Standin> {
        &self.sessions
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Runs a library call on the blocking pool.
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&Standin) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let sessions = self.sessions.clone();
        // The request's span, so errors logged by `f` carry its id.
        let span = tracing::Span::current();
        // Its deadline, so the store records nothing its caller was told
        // timed out (see `standin::deadline`).
        let answer_by = ANSWER_BY.try_with(|by| *by).ok();
        // Its trace, when sampled: the phases of `f` become its spans.
        let trace = crate::telemetry::sampled();
        tokio::task::spawn_blocking(move || {
            let call = || match answer_by {
                Some(by) => standin::deadline::within(by, || f(&sessions)),
                None => f(&sessions),
            };
            span.in_scope(|| match trace {
                None => call(),
                Some(trace) => {
                    let (answer, phases) = standin::trace::recorded(call);
                    trace.own_phases(phases);
                    answer
                }
            })
        })
        .await
        .unwrap_or_else(|e| {
            Err(ApiError::internal(
                StatusCode::INTERNAL_SERVER_ERROR,
                codes::INTERNAL,
                &e,
            ))
        })
    }
}

/// The router with every route of the table and every layer.
pub fn router(state: AppState) -> Router {
    let mut app = Router::new();
    let mut slow = std::collections::HashSet::new();
    for route in crate::routes::table() {
        app = app.route(route.spec.path, route.handler(&state));
        if route.spec.slow {
            slow.insert(route.spec.path);
        }
    }
    let slow: SlowPaths = Arc::new(slow);
    let x_request_id = HeaderName::from_static(X_REQUEST_ID);
    app.merge(crate::console::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state((state.clone(), slow), deadline))
        .layer(middleware::from_fn(screen))
        .layer(middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(middleware::from_fn(json_errors))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::logging::access_log,
        ))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, RequestIds))
        .layer(middleware::map_request(checked_request_id))
        .with_state(state)
}

/// The request id header.
const X_REQUEST_ID: &str = "x-request-id";

/// The longest request id taken from a caller.
pub const MAX_REQUEST_ID_BYTES: usize = 128;

/// The longest request target (path and query) served.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// A caller's `X-Request-ID` is kept only when there is one, of 1 to
/// [`MAX_REQUEST_ID_BYTES`] visible ASCII characters; otherwise it is
/// removed, and the request gets a fresh id like one that brought none.
async fn checked_request_id(mut request: Request) -> Request {
    let mut ids = request.headers().get_all(X_REQUEST_ID).iter();
    let keep = match (ids.next(), ids.next()) {
        (None, _) => true,
        (Some(id), None) => valid_request_id(id.as_bytes()),
        (Some(_), Some(_)) => false,
    };
    if !keep {
        request.headers_mut().remove(X_REQUEST_ID);
    }
    request
}

fn valid_request_id(id: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_BYTES).contains(&id.len()) && id.iter().all(|b| (0x21..=0x7e).contains(b))
}

/// Refusals of a request's form before any route sees it: a target over
/// [`MAX_URI_BYTES`] is `414`; a head over [`crate::conn::MAX_HEAD_BYTES`]
/// is `431`. (hyper refuses a head past its buffer, but one that arrives
/// in a single read may be read whole a little past it.)
async fn screen(request: Request, next: Next) -> Response {
    let target = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            codes::INVALID_REQUEST,
            format!("the request target is over {MAX_URI_BYTES} bytes"),
        )
        .into_response();
    }
    // The request line and the header lines, as sent (names, values, `: ` and CRLF).
    let head = request.method().as_str().len()
        + target
        + request
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 4)
            .sum::<usize>();
    if head > crate::conn::MAX_HEAD_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            codes::INVALID_REQUEST,
            format!("the request head is over {} bytes", crate::conn::MAX_HEAD_BYTES),
        )
        .into_response();
    }
    next.run(request).await
}

/// Every error in the JSON form: an error answer that is not JSON (one
/// made by a layer rather than by [`ApiError`]) gets the form's body, the
/// code its status stands for, and keeps its other headers.
async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("application/problem+json"));
    if json {
        return response;
    }
    let code = match status {
        StatusCode::UNAUTHORIZED => codes::UNAUTHENTICATED,
        StatusCode::FORBIDDEN => codes::FORBIDDEN,
        StatusCode::NOT_FOUND => codes::NOT_FOUND,
        StatusCode::METHOD_NOT_ALLOWED => codes::METHOD_NOT_ALLOWED,
        StatusCode::CONFLICT => codes::CONFLICT,
        StatusCode::PAYLOAD_TOO_LARGE => codes::BODY_TOO_LARGE,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => codes::UNSUPPORTED_MEDIA_TYPE,
        StatusCode::SERVICE_UNAVAILABLE => codes::UNAVAILABLE,
        s if s.is_server_error() => codes::INTERNAL,
        _ => codes::INVALID_REQUEST,
    };
    let message = format!("refused: {}", status.canonical_reason().unwrap_or("error"));
    let (mut parts, _) = response.into_parts();
    let (json_parts, body) = ApiError::new(status, code, message).into_response().into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    parts.headers.remove(axum::http::header::CONTENT_ENCODING);
    parts.headers.extend(json_parts.headers);
    Response::from_parts(parts, body)
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        codes::METHOD_NOT_ALLOWED,
        "this route does not take that method",
    )
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal(
        StatusCode::INTERNAL_SERVER_ERROR,
        codes::INTERNAL,
        &"a handler panicked",
    )
    .into_response()
}

/// The paths of the routes whose spec says `slow`.
type SlowPaths = Arc<std::collections::HashSet<&'static str>>;

tokio::task_local! {
    /// The request's deadline for commits, set by [`deadline`], read by
    /// [`AppState::run`].
    static ANSWER_BY: Instant;
}

/// The per-request deadline: past it the caller gets `503
/// deadline-exceeded`. A library call already running finishes on its own
/// thread (what it wrote, it wrote whole; the caller was not told it
/// succeeded, so nothing acknowledged is lost) but its answer is dropped;
/// an action's audit rows are not committed past the deadline (less a
/// margin), so the trail never records an allow its caller never got.
async fn deadline(State((state, slow)): State<(AppState, SlowPaths)>, request: Request, next: Next) -> Response {
    let slow = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .is_some_and(|p| slow.contains(p.as_str()));
    let limit = if slow {
        state.limits.load().slow_request_timeout
    } else {
        state.limits.load().request_timeout
    };
    // Rows are committed only before this, a margin ahead of the answer
    // `503`, so a commit under way when the deadline passes is not one its
    // caller never hears of.
    let answer_by = Instant::now() + limit - (limit / 10).min(Duration::from_millis(500));
    match tokio::time::timeout(limit, ANSWER_BY.scope(answer_by, next.run(request))).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::DEADLINE_EXCEEDED,
            format!(
                "no answer within {} ms; the request may or may not have been applied",
                limit.as_millis()
            ),
        )
        .into_response(),
    }
}

/// Request ids made up for requests that bring none (or an invalid one):
/// `r-`, the process's start time, its id and a counter, in hex (unique
/// per process, cheap).
#[derive(Debug, Clone, Copy)]
struct RequestIds;

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&new_request_id()).ok().map(RequestId::new)
    }
}

/// A fresh request id.
pub(crate) fn new_request_id() -> String {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_micros() as u64)
            .unwrap_or(0);
        format!("r-{started:x}-{:x}", std::process::id())
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}-{n:x}")
}

/// When the first router's state was made (for `/healthz`'s uptime).
pub(crate) fn started() -> Instant {
    static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *STARTED.get_or_init(Instant::now)
}

#[cfg(test)]
mod tests {
    use super::json_errors;
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::routing::get;
    use tower::ServiceExt as _;

    #[tokio::test]
    async fn an_error_made_without_the_json_form_gets_it_and_keeps_its_headers() {
        let app = Router::new()
            .route(
                "/plain",
                get(|| async { (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "no") }),
            )
            .layer(axum::middleware::from_fn(json_errors));
        let request = Request::get("/plain").body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"]["code"], "unauthenticated", "{body}");
    }
}
