//! `standin serve`'s settings: defaults, then the TOML file (`--config`),
//! then environment variables and flags (the command line merges those
//! two, flags first). With no file and no flag it serves the embedded
//! SQLite default (`standin.db`) on `127.0.0.1:8080`.
//!
//! ```toml
//! listen = "0.0.0.0:8443"
//! db = "/var/lib/standin/standin.db"
//! public_url = "https://pdp.example.com"
//! builtin_fallback = false
//! host_key = "/etc/standin/host.key"
//! log = "json"                      # or "text"
//! log_level = "info"                # as RUST_LOG says it (which wins)
//! checkpoint_key = "/etc/standin/checkpoint.key"
//! checkpoint_every = "15m"          # s, m or h
//! checkpoint_dir = "/var/lib/standin/checkpoints"
//!
//! [tls]
//! cert = "/etc/standin/tls/cert.pem"
//! key = "/etc/standin/tls/key.pem"
//!
//! [limits]
//! max_body_bytes = 262144
//! max_upload_bytes = 35651584
//! max_batch_body_bytes = 2097152     # batches: 4096 calls
//! request_timeout_ms = 10000
//! slow_request_timeout_ms = 120000  # uploads, replays, verify
//! header_read_timeout_ms = 10000    # a whole request head, from connecting
//! idle_timeout_ms = 60000           # a connection between requests
//! max_connections = 10000           # lowered to fit the file limit
//! drain_timeout_ms = 10000          # on shutdown, for requests in flight
//!
//! [tracing]
//! otlp_endpoint = "http://otel-collector:4318"   # OTLP/HTTP; off when unset
//! sample_ratio = 0.1                # new traces kept; a traceparent's choice wins
//! ```

use crate::app::Limits;
use crate::logging::LogFormat;
use crate::telemetry::{TelemetryError, TracingSettings};
use crate::webhooks::WebhookSettings;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The settings file's form (every field optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub db: Option<PathBuf>,
    pub database_url: Option<String>,
    /// When PostgreSQL group commits flush: `after-commit` or `in-commit`.
    pub database_flush: Option<String>,
    pub public_url: Option<String>,
    pub builtin_fallback: Option<bool>,
    pub host_key: Option<PathBuf>,
    /// Key files that sign (the first) and verify impersonation tokens.
    #[serde(default)]
    pub token_keys: Vec<PathBuf>,
    pub log: Option<LogFormat>,
    /// Which lines are logged, as `RUST_LOG` says it (`info`,
    /// `warn,standin_server=debug`); `RUST_LOG` wins.
    pub log_level: Option<String>,
    /// Signed checkpoints on a schedule: the signing key file, how often
    /// (`30s`, `15m`, `1h`) and the folder; the three go together.
    pub checkpoint_key: Option<PathBuf>,
    pub checkpoint_every: Option<String>,
    pub checkpoint_dir: Option<PathBuf>,
    pub tls: Option<TlsFiles>,
    #[serde(default)]
    pub limits: FileLimits,
    /// OpenTelemetry traces ([`crate::telemetry`]).
    #[serde(default)]
    pub tracing: TracingSettings,
    /// Webhook delivery ([`crate::webhooks`]).
    #[serde(default)]
    pub webhooks: WebhookSettings,
}

/// Checkpoints the server signs on a schedule (see
/// [`standin::Standin::spawn_checkpointer`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoints {
    /// The signing key file (`standin key gen-signing`).
    pub key: PathBuf,
    /// The time between two rounds.
    pub every: Duration,
    /// Where they go: `DIR/<tenant>/<seq>.json` and `DIR/<tenant>/latest.json`.
    pub dir: PathBuf,
}

/// The longest `checkpoint_every` taken: a year.
pub const MAX_CHECKPOINT_EVERY: Duration = Duration::from_secs(365 * 24 * 3600);

/// A time between checkpoints: a whole number above 0 and `s`, `m` or `h`
/// (`30s`, `15m`, `1h`), at most [`MAX_CHECKPOINT_EVERY`].
pub fn parse_every(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}` is not a duration such as `30s`, `15m` or `1h`");
    let unit = match text.chars().last() {
        Some('s') => 1,
        Some('m') => 60,
        Some('h') => 3600,
        _ => return Err(bad()),
    };
    let number = &text[..text.len() - 1];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let secs = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(bad)?;
    let every = Duration::from_secs(secs);
    if every.is_zero() {
        return Err(format!("`{text}`: the time between checkpoints must be above 0"));
    }
    if every > MAX_CHECKPOINT_EVERY {
        return Err(format!(
            "`{text}`: the time between checkpoints is at most a year (8760h)"
        ));
    }
    Ok(every)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileLimits {
    pub max_body_bytes: Option<usize>,
    pub max_upload_bytes: Option<usize>,
    pub max_batch_body_bytes: Option<usize>,
    pub request_timeout_ms: Option<u64>,
    pub slow_request_timeout_ms: Option<u64>,
    pub header_read_timeout_ms: Option<u64>,
    pub idle_timeout_ms: Option<u64>,
    pub max_connections: Option<usize>,
    pub drain_timeout_ms: Option<u64>,
}

/// Why the settings could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("cannot read the config file `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the config file `{path}` is not valid: {message}")]
    Invalid { path: String, message: String },
    #[error("`--tls-cert` and `--tls-key` go together")]
    HalfTls,
    #[error("`limits.{0}` must be above 0")]
    Zero(&'static str),
    #[error(
        "`--checkpoint-key`, `--checkpoint-every` and `--checkpoint-dir` (`checkpoint_key`, `checkpoint_every`, `checkpoint_dir`) go together"
    )]
    HalfCheckpoints,
    #[error("`checkpoint_every`: {0}")]
    Every(String),
    #[error("`tracing`: {0}")]
    Tracing(TelemetryError),
    #[error("`log_level`: {0}")]
    LogLevel(String),
    #[error("{0}")]
    Webhooks(String),
}

/// The config file's size cap: a settings file is small.
const MAX_CONFIG_BYTES: u64 = 64 * 1024;

impl FileConfig {
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        use std::io::Read as _;
        let read_error = |source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(read_error)?
            .take(MAX_CONFIG_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(read_error)?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(ConfigError::Invalid {
                path: path.display().to_string(),
                message: format!("over {MAX_CONFIG_BYTES} bytes"),
            });
        }
        toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

/// What the command line says (flags and environment), over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub db: Option<PathBuf>,
    pub database_url: Option<String>,
    pub database_flush: Option<String>,
    pub public_url: Option<String>,
    pub builtin_fallback: bool,
    pub host_key: Option<PathBuf>,
    pub token_keys: Vec<PathBuf>,
    pub log: Option<LogFormat>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub checkpoint_key: Option<PathBuf>,
    pub checkpoint_every: Option<Duration>,
    pub checkpoint_dir: Option<PathBuf>,
    /// `--otlp-endpoint`: the collector's OTLP/HTTP base URL.
    pub otlp_endpoint: Option<String>,
    /// `--trace-sample-ratio`.
    pub sample_ratio: Option<f64>,
}

/// The settings `serve` runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub db: PathBuf,
    pub database_url: Option<String>,
    /// When PostgreSQL group commits flush (`--database-flush`).
    pub database_flush: Option<String>,
    pub public_url: Option<String>,
    pub builtin_fallback: bool,
    pub host_key: Option<PathBuf>,
    /// Impersonation tokens' keys: the first signs, all are published.
    pub token_keys: Vec<PathBuf>,
    pub log: LogFormat,
    /// The log filter of the settings file (`RUST_LOG` wins); `info` if unset.
    pub log_level: Option<String>,
    pub tls: Option<TlsFiles>,
    /// Signed checkpoints on a schedule; none by default.
    pub checkpoints: Option<Checkpoints>,
    pub limits: Limits,
    /// Where spans go and how many; off unless an endpoint is named.
    pub tracing: TracingSettings,
    /// Webhook delivery: on by default, to public addresses only.
    pub webhooks: WebhookSettings,
    /// How to read these settings again on SIGHUP (the file and the
    /// command line that made them); `None`: a SIGHUP changes nothing.
    pub source: Option<Source>,
}

/// Reads the settings again: what a SIGHUP calls ([`crate::reload`]).
#[derive(Clone)]
pub struct Source(Arc<dyn Fn() -> Result<Config, ConfigError> + Send + Sync>);

impl Source {
    pub fn new(read: impl Fn() -> Result<Config, ConfigError> + Send + Sync + 'static) -> Self {
        Self(Arc::new(read))
    }

    pub fn read(&self) -> Result<Config, ConfigError> {
        (self.0)()
    }
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Source")
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            db: PathBuf::from("standin.db"),
            database_url: None,
            database_flush: None,
            public_url: None,
            builtin_fallback: false,
            host_key: None,
            token_keys: Vec::new(),
            log: LogFormat::Json,
            log_level: None,
            tls: None,
            checkpoints: None,
            limits: Limits::default(),
            tracing: TracingSettings::default(),
            webhooks: WebhookSettings::default(),
            source: None,
        }
    }
}

impl Config {
    /// Defaults, then `file`, then `over`.
    pub fn merge(file: FileConfig, over: Overrides) -> Result<Self, ConfigError> {
        let d = Config::default();
        let tls = match (over.tls_cert, over.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => file.tls,
            _ => return Err(ConfigError::HalfTls),
        };
        let every = match over.checkpoint_every {
            Some(every) => Some(every),
            None => file
                .checkpoint_every
                .as_deref()
                .map(parse_every)
                .transpose()
                .map_err(ConfigError::Every)?,
        };
        let checkpoints = match (
            over.checkpoint_key.or(file.checkpoint_key),
            every,
            over.checkpoint_dir.or(file.checkpoint_dir),
        ) {
            (Some(key), Some(every), Some(dir)) => Some(Checkpoints { key, every, dir }),
            (None, None, None) => None,
            _ => return Err(ConfigError::HalfCheckpoints),
        };
        let l = file.limits;
        let ms = |value: Option<u64>, name: &'static str, default: Duration| match value {
            Some(0) => Err(ConfigError::Zero(name)),
            Some(ms) => Ok(Duration::from_millis(ms)),
            None => Ok(default),
        };
        let limits = Limits {
            max_body_bytes: l.max_body_bytes.unwrap_or(d.limits.max_body_bytes),
            max_upload_bytes: l.max_upload_bytes.unwrap_or(d.limits.max_upload_bytes),
            max_batch_body_bytes: l.max_batch_body_bytes.unwrap_or(d.limits.max_batch_body_bytes),
            request_timeout: l
                .request_timeout_ms
                .map(Duration::from_millis)
                .unwrap_or(d.limits.request_timeout),
            slow_request_timeout: l
                .slow_request_timeout_ms
                .map(Duration::from_millis)
                .unwrap_or(d.limits.slow_request_timeout),
            header_read_timeout: ms(
                l.header_read_timeout_ms,
                "header_read_timeout_ms",
                d.limits.header_read_timeout,
            )?,
            idle_timeout: ms(l.idle_timeout_ms, "idle_timeout_ms", d.limits.idle_timeout)?,
            max_connections: match l.max_connections {
                Some(0) => return Err(ConfigError::Zero("max_connections")),
                Some(n) => n,
                None => d.limits.max_connections,
            },
            // 0 is allowed: no waiting for requests in flight.
            drain_timeout: l
                .drain_timeout_ms
                .map(Duration::from_millis)
                .unwrap_or(d.limits.drain_timeout),
        };
        Ok(Self {
            listen: over.listen.or(file.listen).unwrap_or(d.listen),
            db: over.db.or(file.db).unwrap_or(d.db),
            database_url: over.database_url.or(file.database_url),
            database_flush: over.database_flush.or(file.database_flush),
            public_url: over.public_url.or(file.public_url),
            builtin_fallback: over.builtin_fallback || file.builtin_fallback.unwrap_or(false),
            host_key: over.host_key.or(file.host_key),
            token_keys: if over.token_keys.is_empty() {
                file.token_keys
            } else {
                over.token_keys
            },
            log: over.log.or(file.log).unwrap_or(d.log),
            log_level: match file.log_level {
                Some(level) => {
                    crate::logging::check_level(&level).map_err(ConfigError::LogLevel)?;
                    Some(level)
                }
                None => None,
            },
            tls,
            checkpoints,
            limits,
            tracing: {
                let tracing = TracingSettings {
                    otlp_endpoint: over.otlp_endpoint.or(file.tracing.otlp_endpoint),
                    sample_ratio: over.sample_ratio.or(file.tracing.sample_ratio),
                };
                tracing.check().map_err(ConfigError::Tracing)?;
                tracing
            },
            webhooks: {
                file.webhooks.check().map_err(ConfigError::Webhooks)?;
                file.webhooks
            },
            source: None,
        })
    }
}
