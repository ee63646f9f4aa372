//! Running the server: open the store, load the active policies, bind,
//! say where (one JSON line on standard output: `{"listening": ADDR}`),
//! serve until SIGTERM or SIGINT, then shut down gracefully: stop
//! accepting, close the connections without a request in flight, give
//! the requests in flight up to the drain deadline to finish, drop what is
//! left, stop the sweeper, take a last round of checkpoints (with
//! `--checkpoint-every`), and drop the store, which commits whatever the
//! audit writer still holds. Every `authorize` answered was durable before
//! it was answered; the drain is for those still running when the signal
//! came. No client can hold the shutdown up past the drain deadline.

use crate::app::{AppState, router};
use crate::config::{Checkpoints, Config};
use crate::reload::Live;
use crate::telemetry::Telemetry;
use crate::tls::{TlsError, acceptor};
use standin::Standin;
use standin::audit::{CheckpointNote, CheckpointSchedule, Checkpointer};
use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    #[error("cannot open the store: {0}")]
    Store(#[from] standin::SessionError),
    #[error("cannot open the database: {0}")]
    Database(#[from] standin::store::StoreError),
    #[error("cannot start the policy host: {0}")]
    Host(#[from] standin::HostError),
    #[error("cannot use the host key: {0}")]
    HostKey(#[from] standin::HostKeyError),
    #[error("cannot read a token key: {0}")]
    TokenKey(#[from] standin::audit::KeyError),
    #[error("cannot read the checkpoint key: {0}")]
    CheckpointKey(standin::audit::KeyError),
    #[error("cannot use the checkpoint folder `{path}`: {source}")]
    CheckpointDir { path: String, source: std::io::Error },
    #[error("cannot listen on `{addr}`: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot start tracing: {0}")]
    Telemetry(#[from] crate::telemetry::TelemetryError),
}

/// Serves `standin` as `config` says until SIGTERM or SIGINT; returns once
/// shut down. The caller opened `standin` (the CLI's composition root picks
/// the store and the keys): this crate names no backend.
pub fn run(config: Config, standin: Standin) -> Result<(), ServeError> {
    crate::logging::init(config.log, config.log_level.as_deref());
    // Before the runtime: the exporter's HTTP client runs its own.
    let telemetry = Telemetry::start(&config.tracing)?;
    if telemetry.is_on() {
        tracing::info!("exporting traces over OTLP/HTTP");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("standin-serve")
        .build()
        .map_err(ServeError::Runtime)?;
    let sessions = Arc::new(standin);
    match sessions.policies().preload() {
        Ok(report) => {
            for (tenant, error) in &report.failed {
                tracing::warn!(%tenant, %error, "a tenant's active policy does not load; its starts are denied");
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot preload the active policies"),
    }
    if let Err(e) = sessions.follow_changes() {
        tracing::warn!(error = %e, "cannot follow other replicas' session changes; actions still check the database");
    }
    let sweeper = sessions.spawn_sweeper(Duration::from_secs(60));
    let checkpointer = match &config.checkpoints {
        Some(c) => Some(checkpointer(&sessions, c)?),
        None => None,
    };
    // The handlers are in place before the address is announced: a SIGTERM
    // sent the moment the server says it listens drains it, never kills it.
    let shutdown = {
        let _runtime = runtime.enter();
        shutdown_signal().map_err(ServeError::Runtime)?
    };
    let result = runtime.block_on(serve(config, sessions.clone(), telemetry.clone(), shutdown));
    drop(sweeper);
    // The runtime's blocking threads may hold the last clones; end them,
    // then the store's drop flushes the audit writer.
    runtime.shutdown_timeout(Duration::from_secs(30));
    // Nothing writes any more: the last round of checkpoints covers the
    // last head, before the store closes.
    drop(checkpointer);
    drop(sessions);
    telemetry.shutdown();
    tracing::info!("stopped");
    result
}

/// Starts signing checkpoints as `c` says: reads the key, makes the
/// folder, and logs what each round does.
fn checkpointer(sessions: &Arc<Standin>, c: &Checkpoints) -> Result<Checkpointer, ServeError> {
    let key = standin::audit::SigningKey::read(&c.key).map_err(ServeError::CheckpointKey)?;
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(&c.key) {
        use std::os::unix::fs::PermissionsExt as _;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %c.key.display(), "the checkpoint key file is readable by others than its owner; make it mode 0600");
        }
    }
    let dir_error = |source| ServeError::CheckpointDir {
        path: c.dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(&c.dir).map_err(dir_error)?;
    let schedule = CheckpointSchedule {
        key,
        every: c.every,
        dir: c.dir.clone(),
    };
    tracing::info!(dir = %c.dir.display(), every_secs = c.every.as_secs(), "signing audit checkpoints");
    sessions
        .spawn_checkpointer(schedule, |note| match note {
            CheckpointNote::Written { checkpoint, path } => tracing::info!(
                tenant = %checkpoint.tenant,
                seq = checkpoint.seq,
                path = %path.display(),
                "audit checkpoint written"
            ),
            CheckpointNote::Refused { tenant, error } => {
                tracing::warn!(%tenant, %error, "a tenant's audit chain does not hold; no checkpoint signed")
            }
            CheckpointNote::Failed { tenant, error } => tracing::warn!(
                tenant = tenant.as_deref().unwrap_or(""),
                %error,
                "cannot write an audit checkpoint"
            ),
            _ => {}
        })
        .map_err(dir_error)
}

/// Serves on `config.listen` with `sessions` until `shutdown` completes,
/// then drains (see [`crate::conn`]) and returns.
pub async fn serve(
    config: Config,
    sessions: Arc<Standin>,
    telemetry: Telemetry,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let tcp = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.listen.to_string(),
            source,
        })?;
    let local = tcp.local_addr().map_err(|source| ServeError::Bind {
        addr: config.listen.to_string(),
        source,
    })?;
    let tls = config.tls.is_some();
    serve_on(tcp, config, sessions, telemetry, shutdown, |_| announce(local, tls)).await
}

/// Serves on `tcp`, already bound (`config.listen` is not used), with
/// `sessions` until `shutdown` completes, then drains: connections without
/// a request in flight are closed at once, those with one get
/// `config.limits.drain_timeout` to finish before they are dropped. `ready`
/// is called once the server is set up, before the first accept.
pub async fn serve_on(
    tcp: tokio::net::TcpListener,
    config: Config,
    sessions: Arc<Standin>,
    telemetry: Telemetry,
    shutdown: impl Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(std::net::SocketAddr),
) -> Result<(), ServeError> {
    let local = tcp.local_addr().map_err(|source| ServeError::Bind {
        addr: config.listen.to_string(),
        source,
    })?;
    let (tls, certs) = match &config.tls {
        Some(files) => {
            let (acceptor, certs) = acceptor(&files.cert, &files.key)?;
            (Some(acceptor), Some(certs))
        }
        None => (None, None),
    };
    let mut limits = config.limits.clone();
    limits.max_connections = crate::conn::effective_cap(limits.max_connections);
    let state = AppState::new(sessions, limits)
        .with_public_url(config.public_url.clone())
        .with_tls(tls.is_some())
        .with_telemetry(telemetry.clone())
        .with_webhooks(config.webhooks.clone())
        .with_listen_addr(local);
    let metrics = state.metrics().clone();
    let deliverer = config.webhooks.deliver.then(|| {
        crate::webhooks::deliverer::spawn(
            state.sessions().clone(),
            config.webhooks.clone(),
            metrics.clone(),
            state.issuer_base(),
            telemetry.clone(),
        )
    });
    let live = Live {
        limits: state.limits.clone(),
        certs,
        telemetry,
    };
    let app = router(state);
    let hangups = config
        .source
        .clone()
        .map(|source| tokio::spawn(crate::reload::on_hangup(source, config, live.clone())));
    ready(local);
    crate::conn::serve(tcp, tls, app, live.limits, metrics, shutdown).await;
    if let Some(h) = hangups {
        h.abort();
    }
    // A round cut short leaves its lease to run out: its messages go again,
    // with the same ids, from this or another process.
    if let Some(d) = deliverer {
        d.abort();
    }
    Ok(())
}

/// Tells whoever started us where we listen: one JSON line on stdout.
fn announce(local: std::net::SocketAddr, tls: bool) {
    let scheme = if tls { "https" } else { "http" };
    tracing::info!(address = %local, %scheme, "listening");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{}",
        serde_json::json!({ "listening": local.to_string(), "scheme": scheme })
    );
    let _ = out.flush();
}

/// SIGTERM or SIGINT: the handlers are registered when this is called
/// (inside the runtime), the future completes on the first signal.
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let (mut term, mut int) = {
        use tokio::signal::unix::{SignalKind, signal};
        (signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?)
    };
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing the requests in flight, up to the drain deadline");
    })
}
