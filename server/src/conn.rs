//! Connections: the server's own accept loop over hyper's HTTP/1, so that
//! no client can hold the server by holding a connection open.
//!
//! - A client has [`Limits::header_read_timeout`] to send a whole request
//!   head: from its connection (after the TLS handshake, which has
//!   [`HANDSHAKE_TIMEOUT`]), or from the first byte of a later request on
//!   a kept-alive connection. Past it the connection is closed.
//! - A connection with no request in flight is closed
//!   [`Limits::idle_timeout`] after its last answer; an answer that the
//!   client stops reading is dropped after the same time without progress.
//! - At most [`Limits::max_connections`] are open. One more closes the
//!   connection that has waited longest without a request in flight
//!   (idle, or still sending its head), so idle and half-sent connections
//!   cannot keep callers out; when every connection is answering a request,
//!   the new one is closed at once.
//! - On shutdown no connection is accepted; those without a request in
//!   flight (a half-sent head is not one) are closed at once, and those
//!   answering one get [`Limits::drain_timeout`] to finish before they are
//!   dropped, so the shutdown always ends.
//! - hyper answers a request it cannot parse (a head over
//!   [`MAX_HEAD_BYTES`] or [`MAX_HEADERS`] headers, bad framing) itself,
//!   with an empty body, and closes the connection; that answer is
//!   rewritten here into the API's JSON error form, with a request id.

use crate::app::Limits;
use crate::metrics::Metrics;
use arc_swap::ArcSwap;
use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::{Request, Response};
use bytes::Buf as _;
use http_body_util::BodyExt as _;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

/// How long a client has to finish its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest request head read (request line and headers): hyper's
/// read buffer, so also what a connection sending a head holds in memory.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// The most header lines a request may have (hyper's default).
pub const MAX_HEADERS: usize = 100;

/// File descriptors kept out of the connection cap: the database, its
/// journal, the logs, the listener.
const RESERVED_FDS: u64 = 128;

/// A connection waiting for (the rest of) a request head.
const HEAD: u8 = 0;
/// A connection between requests.
const IDLE: u8 = 1;
/// A connection with a request in flight (its answer not yet all handed over).
const BUSY: u8 = 2;

/// What every part of one connection shares: the accept loop (the cap),
/// the IO wrapper (bytes in and out), the service (requests) and the task
/// that drives it (deadlines, shutdown).
#[derive(Debug)]
struct Tracker {
    epoch: Instant,
    phase: AtomicU8,
    /// Milliseconds since `epoch` when the phase began.
    since: AtomicU64,
    /// Milliseconds since `epoch` of the last bytes written.
    progress: AtomicU64,
    /// Bytes were handed to the socket and not yet flushed.
    unflushed: AtomicBool,
    /// Closes the connection (the cap chose it).
    evict: Notify,
}

impl Tracker {
    fn new(epoch: Instant) -> Self {
        let tracker = Self {
            epoch,
            phase: AtomicU8::new(HEAD),
            since: AtomicU64::new(0),
            progress: AtomicU64::new(0),
            unflushed: AtomicBool::new(false),
            evict: Notify::new(),
        };
        tracker.since.store(tracker.now(), Ordering::Relaxed);
        tracker
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn phase(&self) -> u8 {
        self.phase.load(Ordering::Relaxed)
    }

    fn since(&self) -> u64 {
        self.since.load(Ordering::Relaxed)
    }

    fn enter(&self, phase: u8) {
        self.since.store(self.now(), Ordering::Relaxed);
        self.phase.store(phase, Ordering::Relaxed);
    }

    /// Bytes came in: on a connection between requests, a head begins.
    fn read(&self) {
        if self.phase() == IDLE {
            self.enter(HEAD);
        }
    }

    fn progressed(&self) {
        self.progress.store(self.now(), Ordering::Relaxed);
    }

    /// A request was handed to the router.
    fn begin(&self) {
        self.progressed();
        self.enter(BUSY);
    }

    /// Its answer was handed over whole.
    fn end(&self) {
        self.enter(IDLE);
    }

    /// Nothing is owed to the client: no request in flight, nothing unsent.
    fn owes_nothing(&self) -> bool {
        self.phase() != BUSY && !self.unflushed.load(Ordering::Relaxed)
    }

    /// When the connection is closed unless something happens first, and why.
    fn deadline(&self, limits: &Limits) -> Option<(Instant, &'static str)> {
        let (ms, why) = match self.phase() {
            HEAD => (
                self.since() + limits.header_read_timeout.as_millis() as u64,
                "header-timeout",
            ),
            IDLE => (self.since() + limits.idle_timeout.as_millis() as u64, "idle-timeout"),
            // A request in flight has the router's deadline; its answer
            // must still be read.
            _ if self.unflushed.load(Ordering::Relaxed) => (
                self.progress.load(Ordering::Relaxed) + limits.idle_timeout.as_millis() as u64,
                "write-timeout",
            ),
            _ => return None,
        };
        Some((self.epoch + Duration::from_millis(ms), why))
    }
}

/// The open connections, for the cap.
#[derive(Debug)]
struct Registry {
    /// Read at each use: a SIGHUP may replace them.
    limits: Arc<ArcSwap<Limits>>,
    epoch: Instant,
    open: Mutex<HashMap<u64, Arc<Tracker>>>,
    next: AtomicU64,
    metrics: Arc<Metrics>,
}

impl Registry {
    /// A place for a new connection: under the cap, or in place of the one
    /// that has waited longest without a request in flight. `None`: every
    /// connection is answering one; the new one is to be closed.
    fn admit(&self) -> Option<(u64, Arc<Tracker>)> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.len() >= self.limits.load().max_connections.max(1) {
            let victim = open
                .iter()
                .filter(|(_, t)| t.phase() != BUSY)
                .min_by_key(|(_, t)| t.since())
                .map(|(id, _)| *id);
            let Some(victim) = victim.and_then(|id| open.remove(&id)) else {
                drop(open);
                self.metrics.connection_dropped("refused");
                return None;
            };
            victim.evict.notify_one();
            self.metrics.connection_dropped("evicted");
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let tracker = Arc::new(Tracker::new(self.epoch));
        open.insert(id, tracker.clone());
        self.metrics.connections_open(open.len());
        Some((id, tracker))
    }

    fn remove(&self, id: u64) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.remove(&id);
        self.metrics.connections_open(open.len());
    }
}

/// The connection cap `limits` asks for, lowered to fit the process's file
/// limit where that is known.
pub(crate) fn effective_cap(wanted: usize) -> usize {
    match open_files_limit() {
        Some(soft) if wanted as u64 > soft.saturating_sub(RESERVED_FDS) => {
            let cap = soft.saturating_sub(RESERVED_FDS).max(soft / 2).max(1) as usize;
            tracing::warn!(
                wanted,
                cap,
                file_limit = soft,
                "the connection cap is over the file limit (`ulimit -n`); lowered to fit"
            );
            cap
        }
        _ => wanted,
    }
}

/// The soft limit on open files (Linux: from `/proc/self/limits`).
fn open_files_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..].split_whitespace().next()?.parse().ok()
}

/// Serves `app` on `tcp` (TLS with `tls`) until `shutdown` completes, then
/// drains: see the module's documentation.
pub(crate) async fn serve(
    tcp: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    limits: Arc<ArcSwap<Limits>>,
    metrics: Arc<Metrics>,
    shutdown: impl Future<Output = ()>,
) {
    let registry = Arc::new(Registry {
        limits,
        epoch: Instant::now(),
        open: Mutex::default(),
        next: AtomicU64::new(0),
        metrics,
    });
    let (stop_tx, stop) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            Some(ended) = tasks.join_next(), if !tasks.is_empty() => {
                if let Err(e) = ended {
                    tracing::error!(error = %e, "a connection's task failed");
                }
            }
            accepted = tcp.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) if matches!(e.kind(), io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset) => continue,
                    Err(e) => {
                        // Out of descriptors and the like: wait, then go on.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Some((id, tracker)) = registry.admit() else {
                    continue;
                };
                // Small answers go out at once.
                let _ = stream.set_nodelay(true);
                let task = connection(stream, tls.clone(), app.clone(), registry.clone(), id, tracker, stop.clone());
                tasks.spawn(task);
            }
        }
    }
    drop(tcp);
    let _ = stop_tx.send(true);
    let drain = registry.limits.load().drain_timeout;
    let drained = tokio::time::timeout(drain, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(
            connections = tasks.len(),
            drain_ms = drain.as_millis() as u64,
            "requests still running at the drain deadline; their connections are dropped"
        );
        for _ in 0..tasks.len() {
            registry.metrics.connection_dropped("drain-deadline");
        }
        tasks.shutdown().await;
    }
}

/// Takes the connection out of the registry when its task ends.
struct Registered {
    registry: Arc<Registry>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}

async fn connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    app: Router,
    registry: Arc<Registry>,
    id: u64,
    tracker: Arc<Tracker>,
    mut stop: watch::Receiver<bool>,
) {
    let _registered = Registered {
        registry: registry.clone(),
        id,
    };
    let dropped = match tls {
        None => drive(stream, app, &registry, tracker, stop).await,
        Some(acceptor) => {
            let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
            let done = tokio::select! {
                done = handshake => done,
                () = tracker.evict.notified() => return,
                _ = stop.wait_for(|stopping| *stopping) => return,
            };
            match done {
                Ok(Ok(stream)) => {
                    // The head's time starts now.
                    tracker.enter(HEAD);
                    drive(stream, app, &registry, tracker, stop).await
                }
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "TLS handshake failed");
                    None
                }
                Err(_) => Some("handshake-timeout"),
            }
        }
    };
    if let Some(reason) = dropped {
        tracing::debug!(reason, "connection closed");
        registry.metrics.connection_dropped(reason);
    }
}

/// Serves one connection until it ends, its deadline passes, the cap
/// evicts it or the shutdown finds it owing nothing. `Some(why)` when the
/// server closed it.
async fn drive<IO>(
    io: IO,
    app: Router,
    registry: &Registry,
    tracker: Arc<Tracker>,
    mut stop: watch::Receiver<bool>,
) -> Option<&'static str>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(Watched {
        inner: io,
        tracker: tracker.clone(),
        replacement: None,
    });
    let service = TowerToHyperService::new(Tracked {
        app,
        tracker: tracker.clone(),
    });
    let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS)
        .keep_alive(true);
    let mut conn = pin!(builder.serve_connection(io, service));
    let mut timer = pin!(tokio::time::sleep(Duration::from_secs(86_400)));
    let mut evicted = pin!(tracker.evict.notified());
    let mut stopping = pin!(stop.wait_for(|stopping| *stopping));
    let mut draining = false;
    std::future::poll_fn(|cx| {
        loop {
            if let Poll::Ready(ended) = conn.as_mut().poll(cx) {
                if let Err(e) = ended {
                    tracing::debug!(error = %e, "connection ended");
                }
                return Poll::Ready(None);
            }
            if evicted.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Some("evicted"));
            }
            if !draining && stopping.as_mut().poll(cx).is_ready() {
                // Keep-alive off: a request in flight gets its answer, then
                // the connection closes. Poll again: an idle one ends now.
                draining = true;
                conn.as_mut().graceful_shutdown();
                continue;
            }
            break;
        }
        if draining && tracker.owes_nothing() {
            // Between requests or in the middle of a head: nothing to wait for.
            return Poll::Ready(None);
        }
        if let Some((at, why)) = tracker.deadline(&registry.limits.load()) {
            if timer.deadline() != at {
                timer.as_mut().reset(at);
            }
            if timer.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Some(why));
            }
        }
        Poll::Pending
    })
    .await
}

/// The router, marking the connection busy from a request's arrival until
/// its answer's body has been handed to hyper whole.
#[derive(Debug, Clone)]
struct Tracked {
    app: Router,
    tracker: Arc<Tracker>,
}

/// While alive, a request is in flight.
struct Busy(Arc<Tracker>);

impl Busy {
    fn keep(&self) {}
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.end();
    }
}

impl<B> tower::Service<Request<B>> for Tracked
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        self.tracker.begin();
        let busy = Busy(self.tracker.clone());
        let answer = tower::Service::call(&mut self.app, request);
        Box::pin(async move {
            let response = answer.await?;
            Ok(response.map(move |body| {
                Body::new(body.map_err(move |e| {
                    busy.keep();
                    e
                }))
            }))
        })
    }
}

/// The connection's socket (or TLS stream), telling the tracker of bytes
/// read and written, and putting the JSON form in place of hyper's own
/// answer to a request it could not parse.
struct Watched<IO> {
    inner: IO,
    tracker: Arc<Tracker>,
    /// Our answer in place of hyper's, still to be written.
    replacement: Option<Bytes>,
}

impl<IO: AsyncWrite + Unpin> Watched<IO> {
    fn poll_replacement(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some(bytes) = &mut self.replacement {
            if bytes.is_empty() {
                self.replacement = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, bytes))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            bytes.advance(n);
            self.tracker.progressed();
        }
        Poll::Ready(Ok(()))
    }

    /// Whether `buf`, written at the start of an answer, is hyper's own
    /// answer to an unparsable request; if so, ours takes its place.
    fn replaced(&mut self, at_start: bool, buf: &[u8]) -> bool {
        if !at_start {
            return false;
        }
        match automatic_answer(buf) {
            Some(answer) => {
                self.replacement = Some(answer);
                true
            }
            None => false,
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Watched<IO> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.tracker.read();
        }
        read
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Watched<IO> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_replacement(cx))?;
        let at_start = !this.tracker.unflushed.swap(true, Ordering::Relaxed);
        if this.replaced(at_start, buf) {
            return Poll::Ready(Ok(buf.len()));
        }
        let written = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.tracker.progressed();
        }
        written
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_replacement(cx))?;
        let at_start = !this.tracker.unflushed.swap(true, Ordering::Relaxed);
        // hyper's own answer is a head alone: one slice.
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (filled.next(), filled.next())
            && this.replaced(at_start, only)
        {
            return Poll::Ready(Ok(only.len()));
        }
        let written = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.tracker.progressed();
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_replacement(cx))?;
        let flushed = Pin::new(&mut this.inner).poll_flush(cx);
        if matches!(flushed, Poll::Ready(Ok(()))) {
            this.tracker.unflushed.store(false, Ordering::Relaxed);
        }
        flushed
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_replacement(cx))?;
        ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// Our JSON answer in place of `head` when `head` is hyper's automatic
/// answer to a request it could not parse: `400`, `414` or `431`, a head
/// alone with no header but `content-length: 0`, `date` and `connection`.
/// Every answer of the router carries `content-type` and `x-request-id`,
/// so none is mistaken for one.
fn automatic_answer(head: &[u8]) -> Option<Bytes> {
    let head = std::str::from_utf8(head).ok()?;
    let head = head.strip_suffix("\r\n\r\n")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let message = match status_line.get(..13)? {
        "HTTP/1.1 400 " => {
            "the request is not valid HTTP/1.1: its request line, a header or the body's framing".to_string()
        }
        "HTTP/1.1 414 " => "the request target is too long".to_string(),
        "HTTP/1.1 431 " => format!("the request head is over {MAX_HEAD_BYTES} bytes or {MAX_HEADERS} headers"),
        _ => return None,
    };
    let mut date = None;
    let mut empty = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" if value == "0" => empty = true,
            "date" => date = Some(value),
            "connection" => {}
            _ => return None,
        }
    }
    if !empty {
        return None;
    }
    let id = crate::app::new_request_id();
    let status = &status_line[9..12];
    let span = tracing::info_span!("request", request_id = %id);
    span.in_scope(|| tracing::info!(status, "refused a request that is not valid HTTP"));
    let body =
        serde_json::json!({"error": {"code": crate::error::codes::INVALID_REQUEST, "message": message}}).to_string();
    let mut answer = format!(
        "{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: {id}\r\nconnection: close\r\n",
        body.len()
    );
    if let Some(date) = date {
        answer.push_str("date: ");
        answer.push_str(date);
        answer.push_str("\r\n");
    }
    answer.push_str("\r\n");
    answer.push_str(&body);
    Some(Bytes::from(answer))
}

#[cfg(test)]
mod tests {
    use super::automatic_answer;

    #[test]
    fn hyper_s_own_answers_are_rewritten_and_the_router_s_are_not() {
        let hyper_s = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Sun, 29 Nov 2026 03:20:14 GMT\r\n\r\n";
        let ours = String::from_utf8(automatic_answer(hyper_s).unwrap().to_vec()).unwrap();
        assert!(
            ours.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
            "{ours}"
        );
        assert!(ours.contains("\r\nx-request-id: r-"), "{ours}");
        assert!(ours.contains("\r\ndate: Sun, 29 Nov 2026 03:20:14 GMT\r\n"), "{ours}");
        assert!(
            ours.ends_with(
                "\"code\":\"invalid-request\",\"message\":\"the request head is over 65536 bytes or 100 headers\"}}"
            ),
            "{ours}"
        );
        let router_s = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-request-id: r-1\r\ncontent-length: 0\r\n\r\n";
        assert!(automatic_answer(router_s).is_none());
        assert!(automatic_answer(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(automatic_answer(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n").is_none());
    }
}
