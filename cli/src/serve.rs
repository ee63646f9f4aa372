//! `standin serve`: the HTTP API (crate `standin-server`).

use crate::Exit;
use anyhow::Result;
use standin_server::config::{Config, FileConfig, Overrides};
use standin_server::logging::LogFormat;
use std::net::SocketAddr;
use std::path::PathBuf;

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
    pub builtin_fallback: bool,
    pub host_key: Option<PathBuf>,
    pub token_keys: Vec<PathBuf>,
}

pub fn run(args: Args, globals: Globals) -> Result<Exit> {
    if args.print_openapi {
        crate::output::write(standin_server::openapi::document_text().as_bytes())?;
        return Ok(Exit::Allow);
    }
    let file = match &args.config {
        Some(path) => FileConfig::read(path)?,
        None => FileConfig::default(),
    };
    let over = Overrides {
        listen: args.listen,
        db: globals.db,
        database_url: globals.database_url,
        public_url: args.public_url,
        builtin_fallback: globals.builtin_fallback,
        host_key: globals.host_key,
        token_keys: globals.token_keys,
        log: args
            .log_format
            .map(|f| if f == "text" { LogFormat::Text } else { LogFormat::Json }),
        tls_cert: args.tls_cert,
        tls_key: args.tls_key,
    };
    standin_server::run(Config::merge(file, over)?)?;
    Ok(Exit::Allow)
}
