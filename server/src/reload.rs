//! SIGHUP: the settings read again, applied without a restart.
//!
//! What a running server can take from its file: the limits (bodies,
//! timeouts, the connection cap, the drain), the log filter, the TLS
//! certificate and key (the same paths, renewed), and the trace sampling.
//! The rest (the address, the database, the keys, checkpoints, TLS on or
//! off, the trace endpoint, the log format) is named in a warning and
//! keeps its running value until a restart.
//!
//! All or nothing: a file that does not parse, or whose new certificate
//! does not load, or whose log filter is not one, is refused with a log
//! line naming why, and every running setting stays. Requests read the
//! limits at each use, so the next request sees the new ones; a TLS
//! handshake takes the certificate current then.

use crate::app::Limits;
use crate::config::{Config, ConfigError, Source};
use crate::telemetry::Telemetry;
use crate::tls::{Certs, TlsError};
use arc_swap::ArcSwap;
use std::sync::Arc;

/// The parts of a running server a new config can change.
#[derive(Debug, Clone)]
pub(crate) struct Live {
    pub(crate) limits: Arc<ArcSwap<Limits>>,
    pub(crate) certs: Option<Arc<Certs>>,
    pub(crate) telemetry: Telemetry,
}

/// Why a SIGHUP changed nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReloadError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("`log_level`: {0}")]
    LogLevel(String),
}

/// Re-reads `source` at each SIGHUP and applies it to `live`; `running` is
/// the config the server started with (what needs a restart is compared
/// with it). Returns when SIGHUP cannot be listened to.
pub(crate) async fn on_hangup(source: Source, mut running: Config, live: Live) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP; the settings are read at start only");
            return;
        };
        while hangups.recv().await.is_some() {
            let read = source.clone();
            let new = match tokio::task::spawn_blocking(move || read.read()).await {
                Ok(new) => new,
                Err(e) => {
                    tracing::warn!(error = %e, "SIGHUP: the settings could not be read; the running ones stay");
                    continue;
                }
            };
            match new
                .map_err(ReloadError::from)
                .and_then(|new| apply(&live, &running, new))
            {
                Ok(new) => running = new,
                Err(e) => tracing::warn!(error = %e, "SIGHUP: settings refused; the running ones stay"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (source, running, live);
}

/// Checks everything `new` asks of `live`, then applies all of it; on an
/// error nothing is applied. Returns the config now running.
pub(crate) fn apply(live: &Live, running: &Config, mut new: Config) -> Result<Config, ReloadError> {
    for name in needs_restart(running, &new) {
        tracing::warn!(setting = name, "SIGHUP: `{name}` changes at the next restart, not now");
    }
    // `Config::merge` checked the file's values (the log filter, the
    // ratio); the certificate is the one part that can still fail, so it
    // goes before the rest.
    if let (Some(certs), Some(files)) = (&live.certs, &new.tls) {
        certs.reload(&files.cert, &files.key)?;
    }
    crate::logging::set_level(new.log_level.as_deref()).map_err(ReloadError::LogLevel)?;
    let mut limits = new.limits.clone();
    if limits.max_connections != running.limits.max_connections {
        limits.max_connections = crate::conn::effective_cap(limits.max_connections);
    } else {
        limits.max_connections = live.limits.load().max_connections;
    }
    live.limits.store(Arc::new(limits));
    live.telemetry.resample(&new.tracing);
    // What needs a restart keeps running as it was.
    new.listen = running.listen;
    new.db = running.db.clone();
    new.database_url = running.database_url.clone();
    new.database_flush = running.database_flush.clone();
    new.host_key = running.host_key.clone();
    new.token_keys = running.token_keys.clone();
    new.builtin_fallback = running.builtin_fallback;
    new.checkpoints = running.checkpoints.clone();
    new.log = running.log;
    new.public_url = running.public_url.clone();
    new.tracing.otlp_endpoint = running.tracing.otlp_endpoint.clone();
    if running.tls.is_none() {
        new.tls = None;
    }
    tracing::info!("SIGHUP: settings reloaded");
    Ok(new)
}

/// The settings `new` changes that a running server cannot take.
fn needs_restart(running: &Config, new: &Config) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut check = |same: bool, name| {
        if !same {
            changed.push(name);
        }
    };
    check(running.listen == new.listen, "listen");
    check(running.db == new.db, "db");
    check(running.database_url == new.database_url, "database_url");
    check(running.database_flush == new.database_flush, "database_flush");
    check(running.host_key == new.host_key, "host_key");
    check(running.token_keys == new.token_keys, "token_keys");
    check(running.builtin_fallback == new.builtin_fallback, "builtin_fallback");
    check(running.checkpoints == new.checkpoints, "checkpoint_*");
    check(running.log == new.log, "log");
    check(running.public_url == new.public_url, "public_url");
    check(running.tls.is_some() == new.tls.is_some(), "tls (on or off)");
    check(
        running.tracing.otlp_endpoint == new.tracing.otlp_endpoint,
        "tracing.otlp_endpoint",
    );
    changed
}
