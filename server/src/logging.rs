//! Structured logs: one JSON object per line on standard error (or plain
//! text, for a person at a terminal), each request's lines in a span that
//! carries its request id, and an access line per request (at `debug`
//! for successes: `RUST_LOG=standin_server=debug` shows them). The span
//! also carries the request's trace id (its `traceparent`'s, or a new
//! one), so every line of a request names its trace.

use crate::app::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::{Arc, OnceLock};
use tracing::Instrument as _;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Text,
}

/// Installs the global subscriber (once; later calls do nothing). The
/// filter is `RUST_LOG`'s, else `level` (the settings' `log_level`), else
/// `info`; [`set_level`] replaces it while the process runs.
pub fn init(format: LogFormat, level: Option<&str>) {
    let filter = filter(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let installed = match format {
        LogFormat::Json => {
            let builder = builder
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .with_filter_reloading();
            let handle = builder.reload_handle();
            builder.try_init().map(|()| reloader(move |f| handle.reload(f)))
        }
        LogFormat::Text => {
            let builder = builder.with_ansi(false).with_filter_reloading();
            let handle = builder.reload_handle();
            builder.try_init().map(|()| reloader(move |f| handle.reload(f)))
        }
    };
    if let Ok(reload) = installed {
        let _ = RELOAD.set(reload);
    }
}

type Reload = Box<dyn Fn(EnvFilter) -> Result<(), String> + Send + Sync>;

/// How the installed subscriber's filter is replaced.
static RELOAD: OnceLock<Reload> = OnceLock::new();

fn reloader<E: std::fmt::Display>(f: impl Fn(EnvFilter) -> Result<(), E> + Send + Sync + 'static) -> Reload {
    Box::new(move |filter| f(filter).map_err(|e| e.to_string()))
}

/// The filter of `level` (`RUST_LOG` wins), or why it is not one.
fn filter(level: Option<&str>) -> Result<EnvFilter, String> {
    match std::env::var("RUST_LOG").ok().filter(|v| !v.is_empty()) {
        Some(env) => EnvFilter::try_new(env).map_err(|e| format!("RUST_LOG: {e}")),
        None => EnvFilter::try_new(level.unwrap_or("info")).map_err(|e| e.to_string()),
    }
}

/// Whether `level` is a filter (`warn`, `info,standin_server=debug`).
pub fn check_level(level: &str) -> Result<(), String> {
    EnvFilter::try_new(level).map(|_| ()).map_err(|e| e.to_string())
}

/// Replaces the filter of the subscriber [`init`] installed (a SIGHUP's
/// `log_level`; `RUST_LOG` still wins).
pub fn set_level(level: Option<&str>) -> Result<(), String> {
    let filter = filter(level)?;
    match RELOAD.get() {
        Some(reload) => reload(filter),
        None => Ok(()),
    }
}

/// Runs the request in a span named by its id and logs one line when answered.
pub(crate) async fn access_log(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let method = request.method().clone();
    let path = logged_path(request.uri().path());
    let trace = Arc::new(state.telemetry.begin(request.headers(), method.as_str(), &route));
    let span = tracing::info_span!("request", request_id = %id, trace_id = %trace.trace_id());
    let started = std::time::Instant::now();
    let response = crate::telemetry::within(trace.clone(), next.run(request).instrument(span.clone())).await;
    let _entered = span.enter();
    let status = response.status().as_u16();
    trace.end(status);
    let micros = started.elapsed().as_micros() as u64;
    // Every request at `debug` (30k lines a second would cost more than
    // the requests); refusals at `info`, failures at `warn`.
    match status {
        500.. => tracing::warn!(%method, %path, %route, status, micros, "answered"),
        400..=499 => tracing::info!(%method, %path, %route, status, micros, "answered"),
        _ => tracing::debug!(%method, %path, %route, status, micros, "answered"),
    }
    response
}

/// The longest path written to the log; a longer one is cut, marked `...`.
const MAX_LOGGED_PATH: usize = 1024;

fn logged_path(path: &str) -> String {
    if path.len() <= MAX_LOGGED_PATH {
        return path.to_string();
    }
    let mut end = MAX_LOGGED_PATH;
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &path[..end])
}
