//! `standin serve` under load, against the in-process library path measured
//! in the same run, on the same database file.
//!
//! ```sh
//! cargo bench -p standin-server --bench http                 # 10 s rows
//! cargo bench -p standin-server --bench http -- --seconds 3  # shorter rows
//! cargo bench -p standin-server --bench http -- --tracing    # tracing's cost
//! cargo bench -p standin-server --bench http -- --webhooks   # webhooks' cost
//! ```
//!
//! The load generator is `wrk` (Debian's package; `apt-get install wrk`), a
//! separate process on loopback over keep-alive connections, sharing the
//! machine's cores with the server as a client would. The in-process rows
//! run the same calls (`Sessions::authorize` from N threads, one session per
//! thread) with no HTTP. Every call of every row is a durable `authorize`:
//! answered only once its audit row is committed and the log fsync'd.
//!
//! Rows: calls/s, p50 and p99 latency, the process's CPU per call, and the
//! number of non-2xx answers (which must be 0). At one connection the
//! difference of the p50s is what the server adds to a call.
//! `STANDIN_BENCH_WORKERS=N` sets the server runtime's worker threads
//! (default: one per core); `STANDIN_BENCH_DATABASE_URL=postgres://...`
//! runs every row on an (empty) PostgreSQL database instead of SQLite.

use serde_json::json;
use standin::access::Scope;
use standin::{Host, HostKey, Standin, StartRequest};
use standin_server::{AppState, Limits};
use standin_store_sqlite::OpenSqlite;
use std::io::Write as _;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[path = "http/webhooks.rs"]
mod hooks;
#[path = "http/tracing.rs"]
mod traced;

#[derive(Debug)]
struct Row {
    what: String,
    calls_per_s: f64,
    p50_us: f64,
    p99_us: f64,
    errors: u64,
    secs: f64,
    /// CPU time of this process (the server, or the in-process callers)
    /// per call, in µs; the load generator's is not counted.
    cpu_us: f64,
}

/// CPU seconds of this process so far (user + system, from `/proc`).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// Runs `f` and fills in its CPU per call.
fn measured(f: impl FnOnce() -> Row) -> Row {
    let before = cpu_seconds();
    let mut row = f();
    let calls = row.calls_per_s * row.secs;
    row.cpu_us = (cpu_seconds() - before) / calls.max(1.0) * 1e6;
    row
}

fn request(i: usize) -> StartRequest {
    serde_json::from_value(json!({
        "tenant": "acme",
        "reason": "load",
        "actor": {"id": format!("a-{i}"), "roles": ["super_admin"]},
        "target": {"id": format!("t-{i}"), "active": true, "has_logged_in": true},
    }))
    .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

/// `ids.len()` threads, each authorizing in its own session for `run`.
fn in_process(sessions: &Standin, ids: &[String], run: Duration) -> Row {
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = ids
            .iter()
            .map(|id| {
                let stop = &stop;
                scope.spawn(move || {
                    let mut lat = Vec::with_capacity(1 << 16);
                    while !stop.load(Ordering::Relaxed) {
                        let t = Instant::now();
                        sessions
                            .sessions()
                            .authorize(id, "course.view", Some("c-1"), chrono::Utc::now())
                            .unwrap();
                        lat.push(t.elapsed());
                    }
                    lat
                })
            })
            .collect();
        std::thread::sleep(run);
        stop.store(true, Ordering::Relaxed);
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let secs = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Row {
        what: format!("in-process authorize, {} threads", ids.len()),
        calls_per_s: latencies.len() as f64 / secs,
        p50_us: percentile(&latencies, 0.5),
        p99_us: percentile(&latencies, 0.99),
        errors: 0,
        secs,
        cpu_us: 0.0,
    }
}

/// The wrk script: POSTs `body_for(session)` to `path_for(session)`, the
/// sessions given after `--`, round-robin per connection.
const LUA: &str = r#"
local sessions = {}
local n = 0
local mode = "authorize"
local key = ""
function init(args)
  mode = args[1]
  key = args[2]
  for i = 3, #args do sessions[#sessions + 1] = args[i] end
end
function request()
  n = n + 1
  local s = sessions[(n % #sessions) + 1]
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
  if mode == "healthz" then
    return wrk.format("GET", "/healthz")
  elseif mode:sub(1, 8) == "generic:" then
    -- A generic AuthZEN question (issue 31) of the tenant after the colon.
    return wrk.format("POST", "/v1/tenants/" .. mode:sub(9) .. "/access/v1/evaluation", headers,
      '{"subject": {"type": "user", "id": "alice"}, "action": {"name": "read"}, "resource": {"type": "record", "id": "record-1"}}')
  elseif mode == "authorize" then
    return wrk.format("POST", "/v1/tenants/acme/sessions/" .. s .. "/authorize", headers,
      '{"action": "course.view", "resource": "c-1"}')
  else
    return wrk.format("POST", "/v1/tenants/acme/access/v1/evaluation", headers,
      '{"subject": {"type": "impersonation_session", "id": "' .. s .. '"}, "action": {"name": "course.view"}, "resource": {"type": "course", "id": "c-1"}}')
  end
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %f %f %f %d %d %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99), summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout))
end
"#;

#[allow(clippy::too_many_arguments)]
fn wrk(
    script: &std::path::Path,
    addr: &str,
    mode: &str,
    key: &str,
    ids: &[String],
    connections: usize,
    threads: usize,
    run: Duration,
) -> Row {
    let out = Command::new("wrk")
        .args([
            "-t",
            &threads.to_string(),
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{}s", run.as_secs()),
            "--timeout",
            "10s",
            "-s",
        ])
        .arg(script)
        .arg(format!("http://{addr}"))
        .arg("--")
        .args([mode, key])
        .args(ids)
        .output()
        .expect("run wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .unwrap_or_else(|| panic!("no result from wrk: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    let f: Vec<f64> = line.split_whitespace().skip(1).map(|v| v.parse().unwrap()).collect();
    Row {
        what: format!(
            "HTTP {}, {connections} connection{}",
            match mode {
                "authorize" => "authorize",
                "healthz" => "GET /healthz",
                "generic:acme" => "AuthZEN generic question, built-in policy",
                "generic:fixture" => "AuthZEN generic question, fixture component",
                _ => "AuthZEN evaluation",
            },
            if connections == 1 { "" } else { "s" }
        ),
        calls_per_s: f[0] / f[1],
        p50_us: f[2],
        p99_us: f[3],
        errors: (f[4] + f[5] + f[6]) as u64,
        secs: f[1],
        cpu_us: 0.0,
    }
}

fn main() {
    let (mut seconds, mut rounds, mut tracing_rows, mut webhook_rows) = (10, 3, false, false);
    let mut generic_rows = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seconds" => seconds = args.next().and_then(|s| s.parse().ok()).expect("--seconds N"),
            "--rounds" => rounds = args.next().and_then(|s| s.parse().ok()).expect("--rounds N"),
            "--tracing" => tracing_rows = true,
            "--webhooks" => webhook_rows = true,
            "--generic" => generic_rows = true,
            _ => {}
        }
    }
    let run = Duration::from_secs(seconds);
    let dir = tempfile::Builder::new().prefix("standin-http-bench").tempdir().unwrap();
    let key = HostKey::load_or_create(&dir.path().join("host.key")).unwrap();
    // `STANDIN_BENCH_DATABASE_URL=postgres://...`: the same rows on a
    // PostgreSQL database (an empty one: the bench makes tenant `acme`).
    let sessions = match std::env::var("STANDIN_BENCH_DATABASE_URL") {
        Ok(url) => Standin::new(
            Host::new().unwrap(),
            Arc::new(standin_store_postgres::PostgresStore::connect(&url).unwrap()),
        ),
        Err(_) => Standin::open(Host::new().unwrap(), dir.path().join("bench.db")).unwrap(),
    }
    .with_host_key(key);
    let now = chrono::Utc::now();
    sessions.policies().set("acme", None, "{}", now).unwrap();
    let api_key = sessions
        .access()
        .create_key("acme", Scope::Decide, Some("bench"), now)
        .unwrap()
        .key;
    let ids: Vec<String> = (0..64)
        .map(|i| {
            sessions
                .sessions()
                .start(&request(i), None, now)
                .unwrap()
                .session
                .unwrap()
                .id
        })
        .collect();
    for id in &ids {
        sessions.sessions().authorize(id, "course.view", None, now).unwrap();
    }
    let sessions = Arc::new(sessions);

    // The server, in this process, on its own runtime (the same code as
    // `standin serve`; the load comes from another process).
    let addr = spawn_server(AppState::new(sessions.clone(), Limits::default()));
    let script = dir.path().join("load.lua");
    std::fs::write(&script, LUA).unwrap();

    let mut rows = Vec::new();
    let mut show = |row: Row| {
        eprintln!(
            "{:<44} {:>10.0} calls/s  p50 {:>7.0} us  p99 {:>7.0} us  cpu {:>6.1} us/call  errors {}",
            row.what, row.calls_per_s, row.p50_us, row.p99_us, row.cpu_us, row.errors
        );
        rows.push(row);
    };
    if tracing_rows {
        traced::rows(&sessions, &script, &api_key, &ids, run, rounds, &mut show);
        print_rows(&rows);
        return;
    }
    if webhook_rows {
        hooks::rows(&sessions, &script, &api_key, &ids, run, rounds, &mut show);
        print_rows(&rows);
        return;
    }
    if generic_rows {
        // Issue 31: a generic question through the built-in policy (it
        // answers none: a deny, audited) and through the certification
        // fixture (an allow, audited), beside the impersonation action
        // question, each over HTTP at 1 and 64 connections.
        let fixture = standin_tests::component(standin_tests::AUTHZEN_FIXTURE);
        sessions.policies().set("fixture", Some(&fixture), "{}", now).unwrap();
        let fixture_key = sessions
            .access()
            .create_key("fixture", Scope::Decide, Some("bench"), now)
            .unwrap()
            .key;
        for connections in [1, 64] {
            let threads = connections.min(2);
            show(measured(|| {
                wrk(&script, &addr, "evaluation", &api_key, &ids, connections, threads, run)
            }));
            show(measured(|| {
                wrk(
                    &script,
                    &addr,
                    "generic:acme",
                    &api_key,
                    &ids,
                    connections,
                    threads,
                    run,
                )
            }));
            show(measured(|| {
                wrk(
                    &script,
                    &addr,
                    "generic:fixture",
                    &fixture_key,
                    &ids,
                    connections,
                    threads,
                    run,
                )
            }));
        }
        print_rows(&rows);
        return;
    }
    // Warm the server's pools and the key cache.
    wrk(
        &script,
        &addr,
        "authorize",
        &api_key,
        &ids,
        4,
        1,
        Duration::from_secs(1),
    );
    show(measured(|| {
        wrk(&script, &addr, "healthz", &api_key, &ids[..1], 1, 1, run)
    }));
    show(measured(|| in_process(&sessions, &ids[..1], run)));
    show(measured(|| {
        wrk(&script, &addr, "authorize", &api_key, &ids[..1], 1, 1, run)
    }));
    show(measured(|| in_process(&sessions, &ids[..64], run)));
    show(measured(|| {
        wrk(&script, &addr, "authorize", &api_key, &ids, 64, 2, run)
    }));
    show(measured(|| {
        wrk(&script, &addr, "authorize", &api_key, &ids, 128, 2, run)
    }));
    show(measured(|| {
        wrk(&script, &addr, "evaluation", &api_key, &ids, 64, 2, run)
    }));

    print_rows(&rows);
    let audited = sessions.audit().query(&Default::default()).unwrap().len();
    println!("\naudit events in the trail after the run: {audited}");
}

fn print_rows(rows: &[Row]) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "| what | calls/s | p50 | p99 | server CPU/call | non-2xx |").unwrap();
    writeln!(out, "|---|---:|---:|---:|---:|---:|").unwrap();
    for r in rows {
        writeln!(
            out,
            "| {} | {:.0} | {:.0} µs | {:.0} µs | {:.1} µs | {} |",
            r.what, r.calls_per_s, r.p50_us, r.p99_us, r.cpu_us, r.errors
        )
        .unwrap();
    }
}

/// Serves `state`'s router in this process, on its own runtime (the same
/// code as `standin serve`; the load comes from another process); its address.
fn spawn_server(state: AppState) -> String {
    let app = standin_server::router(state);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut rt = tokio::runtime::Builder::new_multi_thread();
        if let Some(n) = std::env::var("STANDIN_BENCH_WORKERS").ok().and_then(|n| n.parse().ok()) {
            rt.worker_threads(n);
        }
        let rt = rt.enable_all().build().unwrap();
        rt.block_on(async move {
            let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(tcp.local_addr().unwrap()).unwrap();
            let tcp = axum::serve::ListenerExt::tap_io(tcp, |s| {
                let _ = s.set_nodelay(true);
            });
            axum::serve(tcp, app).await.unwrap();
        });
    });
    rx.recv().unwrap().to_string()
}
