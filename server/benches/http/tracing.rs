//! `--tracing`: HTTP `authorize` throughput with tracing off, on with
//! sampling 0, and on with every trace exported to a local OTLP/HTTP
//! receiver, alternated round by round in one run (the median round of
//! each is reported, with its ratio to tracing off).
//!
//! ```sh
//! cargo bench -p standin-server --bench http -- --tracing --seconds 5 --rounds 3
//! ```

use super::{Row, measured, spawn_server, wrk};
use standin::Standin;
use standin_server::telemetry::{Telemetry, TracingSettings};
use standin_server::{AppState, Limits};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What the receiver got: requests and bytes.
#[derive(Debug, Default)]
struct Received {
    posts: AtomicU64,
    bytes: AtomicU64,
}

/// An OTLP/HTTP endpoint on its own thread that counts and discards what
/// it is sent (a collector's cost is not the server's).
fn receiver() -> (String, Arc<Received>) {
    let received = Arc::new(Received::default());
    let counts = received.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new().route(
                "/v1/traces",
                axum::routing::post(move |body: axum::body::Bytes| {
                    let counts = counts.clone();
                    async move {
                        counts.posts.fetch_add(1, Ordering::Relaxed);
                        counts.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                        ""
                    }
                }),
            );
            let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(tcp.local_addr().unwrap()).unwrap();
            axum::serve(tcp, app).await.unwrap();
        });
    });
    (format!("http://{}", rx.recv().unwrap()), received)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn rows(
    sessions: &Arc<Standin>,
    script: &std::path::Path,
    key: &str,
    ids: &[String],
    run: Duration,
    rounds: usize,
    show: &mut dyn FnMut(Row),
) {
    let (endpoint, received) = receiver();
    let traced = |ratio: f64| {
        Telemetry::start(&TracingSettings {
            otlp_endpoint: Some(endpoint.clone()),
            sample_ratio: Some(ratio),
        })
        .unwrap()
    };
    let configs = [
        ("tracing off", Telemetry::off()),
        ("tracing on, sampling 0", traced(0.0)),
        ("tracing on, sampling 1.0", traced(1.0)),
    ];
    let servers: Vec<(&str, String, Telemetry)> = configs
        .into_iter()
        .map(|(what, telemetry)| {
            let state = AppState::new(sessions.clone(), Limits::default()).with_telemetry(telemetry.clone());
            (what, spawn_server(state), telemetry)
        })
        .collect();
    for (_, addr, _) in &servers {
        wrk(script, addr, "authorize", key, ids, 4, 1, Duration::from_secs(1));
    }
    let mut results: Vec<Vec<Row>> = servers.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for (i, (what, addr, _)) in servers.iter().enumerate() {
            let mut row = measured(|| wrk(script, addr, "authorize", key, ids, 64, 2, run));
            row.what = format!("{what} (round {})", round + 1);
            eprintln!(
                "{:<44} {:>10.0} calls/s  cpu {:>6.1} us/call",
                row.what, row.calls_per_s, row.cpu_us
            );
            results[i].push(row);
        }
    }
    let mut medians: Vec<Row> = results
        .into_iter()
        .zip(&servers)
        .map(|(mut rows, (what, _, _))| {
            rows.sort_by(|a, b| a.calls_per_s.total_cmp(&b.calls_per_s));
            let mut m = rows.swap_remove(rows.len() / 2);
            m.what = format!("HTTP authorize, 64 connections, {what}");
            m
        })
        .collect();
    let base = medians[0].calls_per_s;
    for row in &mut medians {
        row.what = format!("{} ({:.3} of off)", row.what, row.calls_per_s / base);
    }
    for (_, _, telemetry) in &servers {
        telemetry.shutdown();
    }
    for row in medians {
        show(row);
    }
    eprintln!(
        "the receiver got {} posts, {} bytes",
        received.posts.load(Ordering::Relaxed),
        received.bytes.load(Ordering::Relaxed)
    );
}
