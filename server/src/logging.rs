//! Structured logs: one JSON object per line on standard error (or plain
//! text, for a person at a terminal), each request's lines in a span that
//! carries its request id, and an access line per request (at `debug`
//! for successes: `RUST_LOG=standin_server=debug` shows them).

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument as _;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Text,
}

/// Installs the global subscriber (once; later calls do nothing). The
/// filter is `RUST_LOG`'s, else `info`.
pub fn init(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.with_ansi(false).try_init(),
    };
}

/// Runs the request in a span named by its id and logs one line when answered.
pub(crate) async fn access_log(request: Request, next: Next) -> Response {
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
    let span = tracing::info_span!("request", request_id = %id);
    let started = std::time::Instant::now();
    let response = next.run(request).instrument(span.clone()).await;
    let _entered = span.enter();
    let status = response.status().as_u16();
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
