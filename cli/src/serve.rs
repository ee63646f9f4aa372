//! `standin serve`: the HTTP API (crate `standin-server`).

use crate::Exit;
use crate::open::{Access, Db, open};
use anyhow::Result;
use standin_server::config::{Config, FileConfig, Overrides, Source};
use standin_server::logging::LogFormat;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (`127.0.0.1:0`: any free port; the address is
    /// printed as `{"listening": ...}` on standard output).
    #[arg(long, value_name = "ADDR", env = "STANDIN_LISTEN")]
    listen: Option<SocketAddr>,
    /// A TOML settings file (see docs/http.md); flags and environment win.
    #[arg(long, value_name = "FILE", env = "STANDIN_CONFIG")]
    config: Option<PathBuf>,
    /// Serve HTTPS with this certificate chain (PEM); needs `--tls-key`.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// The base URL AuthZEN discovery gives out (default: from the request's `Host`).
    #[arg(long, value_name = "URL", env = "STANDIN_PUBLIC_URL")]
    public_url: Option<String>,
    /// Sign each tenant's audit chain head with this key (from `standin key
    /// gen-signing`, mode 0600) on a schedule; needs `--checkpoint-every` and
    /// `--checkpoint-dir`. Someone holding the database and the host key can
    /// then rewrite at most what happened since the last checkpoint copied
    /// where they cannot write.
    #[arg(long, value_name = "FILE")]
    checkpoint_key: Option<PathBuf>,
    /// How often to sign the heads that moved: a number and `s`, `m` or `h`
    /// (`30s`, `15m`, `1h`). One round also runs at start and one at shutdown.
    #[arg(long, value_name = "DURATION", value_parser = standin_server::config::parse_every)]
    checkpoint_every: Option<Duration>,
    /// Where checkpoints go: `DIR/<tenant>/<seq>.json` and
    /// `DIR/<tenant>/latest.json`, the JSON `standin audit checkpoint` prints,
    /// for `standin audit verify --checkpoint`.
    #[arg(long, value_name = "DIR")]
    checkpoint_dir: Option<PathBuf>,
    /// Export OpenTelemetry traces over OTLP/HTTP to this collector base URL
    /// (spans go to its `/v1/traces`; `OTEL_EXPORTER_OTLP_ENDPOINT` does the
    /// same). Off when neither is set. The other `OTEL_*` variables apply
    /// (service name, headers, timeout, batch sizes, sampler).
    #[arg(long, value_name = "URL")]
    otlp_endpoint: Option<String>,
    /// The share of new traces kept, 0.0 to 1.0 (default: `OTEL_TRACES_SAMPLER`,
    /// else all); a request's `traceparent` keeps its caller's choice.
    #[arg(long, value_name = "RATIO")]
    trace_sample_ratio: Option<f64>,
    /// Log lines as JSON (default) or plain text, on standard error.
    #[arg(long, value_name = "FORMAT", value_parser = ["json", "text"])]
    log_format: Option<String>,
    /// Print the OpenAPI document and exit (docs/openapi.json is this).
    #[arg(long)]
    print_openapi: bool,
}

/// The global options `serve` also reads.
#[derive(Debug, Clone)]
pub struct Globals {
    pub db: Option<PathBuf>,
    pub database_url: Option<String>,
    pub database_flush: Option<String>,
    pub builtin_fallback: bool,
    pub host_key: Option<PathBuf>,
    pub token_keys: Vec<PathBuf>,
}

pub fn run(args: Args, globals: Globals) -> Result<Exit> {
    if args.print_openapi {
        crate::output::write(standin_server::openapi::document_text().as_bytes())?;
        return Ok(Exit::Success);
    }
    let file = match &args.config {
        Some(path) => FileConfig::read(path)?,
        None => FileConfig::default(),
    };
    let over = Overrides {
        listen: args.listen,
        db: globals.db,
        database_url: globals.database_url,
        database_flush: globals.database_flush,
        public_url: args.public_url,
        builtin_fallback: globals.builtin_fallback,
        host_key: globals.host_key,
        token_keys: globals.token_keys,
        log: args
            .log_format
            .map(|f| if f == "text" { LogFormat::Text } else { LogFormat::Json }),
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
        checkpoint_key: args.checkpoint_key,
        checkpoint_every: args.checkpoint_every,
        checkpoint_dir: args.checkpoint_dir,
        otlp_endpoint: args.otlp_endpoint,
        sample_ratio: args.trace_sample_ratio,
    };
    let config = Config::merge(file, over.clone())?;
    // SIGHUP reads the file again; the command line still wins.
    let config = match args.config {
        Some(path) => Config {
            source: Some(Source::new(move || {
                Config::merge(FileConfig::read(&path)?, over.clone())
            })),
            ..config
        },
        None => config,
    };
    let db = Db {
        path: config.db.clone(),
        url: config.database_url.clone(),
        flush: config.database_flush.clone(),
        builtin_fallback: config.builtin_fallback,
        host_key: config.host_key.clone(),
        token_keys: config.token_keys.clone(),
        test_clock: false,
    };
    let standin = open(&db, Access::Write)?;
    standin_server::run(config, standin)?;
    Ok(Exit::Success)
}
