//! `--webhooks`: HTTP `authorize` throughput with 0, 1 and 4 webhook
//! endpoints subscribed to every event, the deliverer running in this
//! process and sending to a local receiver, alternated round by round in
//! one run (the median round of each is reported, with its ratio to no
//! endpoint), and the deliveries per second the receiver got.
//!
//! ```sh
//! cargo bench -p standin-server --bench http -- --webhooks --seconds 5 --rounds 3
//! ```

use super::{Row, measured, spawn_server, wrk};
use standin::Standin;
use standin::webhooks::NewEndpoint;
use standin_server::metrics::Metrics;
use standin_server::webhooks::WebhookSettings;
use standin_server::{AppState, Limits};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A receiver on its own thread that counts deliveries and answers 204.
fn receiver() -> (String, Arc<AtomicU64>) {
    let count = Arc::new(AtomicU64::new(0));
    let counted = count.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new().route(
                "/hook",
                axum::routing::post(move || {
                    let counted = counted.clone();
                    async move {
                        counted.fetch_add(1, Ordering::Relaxed);
                        axum::http::StatusCode::NO_CONTENT
                    }
                }),
            );
            let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(tcp.local_addr().unwrap()).unwrap();
            axum::serve(tcp, app).await.unwrap();
        });
    });
    (format!("http://{}/hook", rx.recv().unwrap()), count)
}

/// The deliverer, on its own runtime, as `standin serve` runs it.
fn deliverer(sessions: &Arc<Standin>) {
    let sessions = sessions.clone();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let settings = WebhookSettings {
                allow_private: true,
                ..WebhookSettings::default()
            };
            let _ = standin_server::webhooks::deliverer::spawn(
                sessions,
                settings,
                Arc::new(Metrics::default()),
                "urn:bench".into(),
                standin_server::telemetry::Telemetry::off(),
            )
            .await;
        });
    });
}

/// Makes the tenant's endpoints exactly `n` (each starting at the head).
fn endpoints(sessions: &Standin, url: &str, n: usize) {
    for e in sessions.webhooks().list("acme").unwrap() {
        sessions.webhooks().remove("acme", &e.id).unwrap();
    }
    for _ in 0..n {
        let new = NewEndpoint {
            url: url.to_string(),
            events: vec!["*".into()],
            description: None,
        };
        sessions.webhooks().add("acme", new, chrono::Utc::now()).unwrap();
    }
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
    let (url, delivered) = receiver();
    deliverer(sessions);
    let addr = spawn_server(AppState::new(sessions.clone(), Limits::default()));
    wrk(script, &addr, "authorize", key, ids, 4, 1, Duration::from_secs(1));
    let configs = [0usize, 1, 4];
    let mut results: Vec<Vec<(Row, f64)>> = configs.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for (i, n) in configs.iter().enumerate() {
            endpoints(sessions, &url, *n);
            let before = delivered.load(Ordering::Relaxed);
            let mut row = measured(|| wrk(script, &addr, "authorize", key, ids, 64, 2, run));
            let per_s = (delivered.load(Ordering::Relaxed) - before) as f64 / row.secs;
            row.what = format!("{n} endpoints (round {})", round + 1);
            eprintln!(
                "{:<44} {:>10.0} calls/s  cpu {:>6.1} us/call  {:>8.0} deliveries/s",
                row.what, row.calls_per_s, row.cpu_us, per_s
            );
            results[i].push((row, per_s));
        }
    }
    endpoints(sessions, &url, 0);
    let mut medians: Vec<(Row, f64)> = results
        .into_iter()
        .zip(configs)
        .map(|(mut rows, n)| {
            rows.sort_by(|a, b| a.0.calls_per_s.total_cmp(&b.0.calls_per_s));
            let (mut m, per_s) = rows.swap_remove(rows.len() / 2);
            m.what = format!("HTTP authorize, 64 connections, {n} webhook endpoints");
            (m, per_s)
        })
        .collect();
    let base = medians[0].0.calls_per_s;
    for (row, per_s) in &mut medians {
        row.what = format!(
            "{} ({:.3} of none; {per_s:.0} deliveries/s)",
            row.what,
            row.calls_per_s / base
        );
    }
    for (row, _) in medians {
        show(row);
    }
}
