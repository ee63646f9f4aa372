//! Replicas of `standin serve` sharing one PostgreSQL database, against one
//! `standin serve` on SQLite, measured in the same run with the same load.
//!
//! ```sh
//! cargo bench -p standin-cli --bench replicas                 # 8 s rows
//! cargo bench -p standin-cli --bench replicas -- --seconds 3  # shorter rows
//! cargo bench -p standin-cli --bench replicas -- --rows "2 replicas, 1 tenant, single"
//! STANDIN_BENCH_BIN=/tmp/before/standin cargo bench -p standin-cli --bench replicas  # another build
//! ```
//!
//! `--rows` keeps the rows whose name contains it (and skips the starts
//! and `audit verify`); `STANDIN_BENCH_BIN` serves with another `standin`
//! binary (a build from before a change, for a comparison in one run).
//!
//! PostgreSQL is a throwaway server from the system's binaries (Debian's
//! `postgresql`, `initdb` defaults: `fsync` and `synchronous_commit` on),
//! on loopback, on the same two cores as the replicas and the load. The
//! load is `wrk` (`apt-get install wrk`): one process per replica, 64
//! connections in all, over the same 64 sessions. Every authorize is
//! durable: answered once its audit row is committed.
//!
//! Rows: single `POST .../sessions/{id}/authorize` calls (which the server
//! batches per tenant), and the batch API (`POST .../authorize` with 100
//! calls a request) for one tenant and for four (each tenant has its own
//! chain, so its own order of commits), on SQLite then on 1, 2 and 3
//! PostgreSQL replicas, with the cores each side used;
//! then session starts/s (in process, 8 threads, one actor each per start)
//! and `audit verify` events/s over the whole trail, on each store.

use serde_json::json;
use standin::access::Scope;
use standin::{Host, HostKey, Standin, StartRequest, Store};
use standin_store_sqlite::OpenSqlite;
use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod cpu;
use cpu::cpu;

const LUA: &str = r#"
local sessions = {}
local n = 0
local mode, key, batch = "authorize", "", ""
local tenant = "acme"
function init(args)
  mode = args[1]
  key = args[2]
  tenant = args[3]
  for i = 4, #args do sessions[#sessions + 1] = args[i] end
  local calls = {}
  for i = 1, 100 do
    calls[i] = '{"session": "' .. sessions[(i % #sessions) + 1] .. '", "action": "course.view", "resource": "c-1"}'
  end
  batch = '{"calls": [' .. table.concat(calls, ",") .. ']}'
end
function request()
  n = n + 1
  local s = sessions[(n % #sessions) + 1]
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
  if mode == "authorize" then
    return wrk.format("POST", "/v1/tenants/" .. tenant .. "/sessions/" .. s .. "/authorize", headers,
      '{"action": "course.view", "resource": "c-1"}')
  end
  return wrk.format("POST", "/v1/tenants/" .. tenant .. "/authorize", headers, batch)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %f %f %f %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"#;

/// One wrk process's figures.
struct Load {
    requests: f64,
    secs: f64,
    p50_us: f64,
    p99_us: f64,
    errors: f64,
}

fn wrk(script: &Path, addr: &str, mode: &str, tenant: &Tenant, connections: usize, run: Duration) -> Child {
    Command::new("wrk")
        .args([
            "-t",
            "1",
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{}s", run.as_secs()),
        ])
        .args(["--timeout", "10s", "-s"])
        .arg(script)
        .arg(format!("http://{addr}"))
        .arg("--")
        .args([mode, &tenant.key, &tenant.name])
        .args(&tenant.ids)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run wrk (apt-get install wrk)")
}

fn result(child: Child) -> Load {
    let out = child.wait_with_output().expect("wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .unwrap_or_else(|| panic!("no result from wrk: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    let f: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .map(|v| v.parse().expect("number"))
        .collect();
    Load {
        requests: f[0],
        secs: f[1],
        p50_us: f[2],
        p99_us: f[3],
        errors: f[4],
    }
}

/// `standin serve` on `store` (`--db PATH` or `--database-url URL`); its address.
fn replica(dir: &Path, store: &[&str]) -> (Child, String) {
    let bin = std::env::var("STANDIN_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_standin").to_string());
    let mut child = Command::new(bin)
        .args(store)
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "text"])
        .env("STANDIN_HOST_KEY_FILE", dir.join("host.key"))
        .env("RUST_LOG", "warn")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn standin serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read");
    let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    (child, v["listening"].as_str().expect("address").to_string())
}

fn stop(mut children: Vec<Child>) {
    for c in &children {
        let _ = Command::new("kill").args(["-TERM", &c.id().to_string()]).status();
    }
    for c in &mut children {
        let _ = c.wait();
    }
}

fn request(tenant: &str, actor: &str) -> StartRequest {
    serde_json::from_value(json!({
        "tenant": tenant, "reason": "load",
        "actor": {"id": actor, "roles": ["super_admin"]},
        "target": {"id": format!("t-{actor}"), "active": true, "has_logged_in": true},
    }))
    .expect("request")
}

/// A tenant of the load: its decide key and sessions.
struct Tenant {
    name: String,
    key: String,
    ids: Vec<String>,
}

/// Tenant `name`'s policy, a decide key and 64 sessions.
fn prepare(sessions: &Standin, name: &str) -> Tenant {
    let now = chrono::Utc::now();
    sessions.policies().set(name, None, "{}", now).expect("policy");
    let key = sessions
        .access()
        .create_key(name, Scope::Decide, Some("bench"), now)
        .expect("key")
        .key;
    let ids = (0..64)
        .map(|i| {
            let started = sessions
                .sessions()
                .start(&request(name, &format!("a-{i}")), None, now)
                .expect("start");
            started.session.expect("allowed").id
        })
        .collect();
    Tenant {
        name: name.to_string(),
        key,
        ids,
    }
}

struct Row {
    what: String,
    authorizes_per_s: f64,
    p50_us: f64,
    p99_us: f64,
    errors: f64,
    /// Cores busy during the row: the Standin processes, PostgreSQL's,
    /// and the whole machine (the rest is wrk, the kernel, the hypervisor).
    cores: (f64, f64, f64),
}

/// Runs `mode` for `tenants` against `addrs` (the replicas `pids`; 64
/// connections split among them, one wrk per replica and tenant) for `run`.
fn measure(
    what: String,
    script: &Path,
    (addrs, pids): (&[String], &[u32]),
    mode: &str,
    tenants: &[Tenant],
    run: Duration,
) -> Row {
    let per = (64 / (addrs.len() * tenants.len())).max(1);
    let before = cpu(pids);
    let began = Instant::now();
    let children: Vec<Child> = addrs
        .iter()
        .flat_map(|a| tenants.iter().map(move |t| (a, t)))
        .map(|(a, t)| wrk(script, a, mode, t, per, run))
        .collect();
    let loads: Vec<Load> = children.into_iter().map(result).collect();
    let after = cpu(pids);
    let secs = began.elapsed().as_secs_f64() * 100.0;
    let cores = (
        after.0.saturating_sub(before.0) as f64 / secs,
        after.1.saturating_sub(before.1) as f64 / secs,
        after.2.saturating_sub(before.2) as f64 / secs,
    );
    let calls = if mode == "authorize" { 1.0 } else { 100.0 };
    let per_s: f64 = loads.iter().map(|l| l.requests * calls / l.secs).sum();
    let total: f64 = loads.iter().map(|l| l.requests).sum();
    Row {
        what,
        authorizes_per_s: per_s,
        // Per process; the request-weighted mean of the p50s, the worst p99.
        p50_us: loads.iter().map(|l| l.p50_us * l.requests).sum::<f64>() / total.max(1.0),
        p99_us: loads.iter().map(|l| l.p99_us).fold(0.0, f64::max),
        errors: loads.iter().map(|l| l.errors).sum(),
        cores,
    }
}

/// The rows of each store and replica count: (wrk mode, label, tenants).
fn row_kinds(tenants: &[Tenant]) -> [(&'static str, &'static str, &[Tenant]); 3] {
    [
        ("authorize", "1 tenant, single calls", &tenants[..1]),
        ("batch", "1 tenant, batches of 100", &tenants[..1]),
        ("batch", "4 tenants, batches of 100", tenants),
    ]
}

/// Starts/s from 8 threads, each start a new actor (no conflicts).
fn starts(sessions: &Standin, run: Duration) -> f64 {
    let next = AtomicUsize::new(0);
    let began = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                while began.elapsed() < run {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let r = request("starts", &format!("s-{i}"));
                    sessions.sessions().start(&r, None, chrono::Utc::now()).expect("start");
                }
            });
        }
    });
    next.load(Ordering::Relaxed) as f64 / began.elapsed().as_secs_f64()
}

/// `audit verify` of every tenant: events/s.
fn verify(sessions: &Standin) -> (u64, f64) {
    let began = Instant::now();
    let chains = sessions.audit().verify_with(&Default::default()).expect("verify");
    assert!(chains.iter().all(|c| c.broken.is_none()), "a chain does not verify");
    let events: u64 = chains.iter().map(|c| c.events).sum();
    (events, events as f64 / began.elapsed().as_secs_f64())
}

fn main() {
    let mut seconds = 8;
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--seconds" {
            seconds = args.next().and_then(|s| s.parse().ok()).expect("--seconds N");
        }
        if a == "--rows" {
            only = Some(args.next().expect("--rows TEXT"));
        }
    }
    let wanted = |what: &str| only.as_deref().is_none_or(|o| what.contains(o));
    let run = Duration::from_secs(seconds);
    let dir = tempfile::Builder::new()
        .prefix("standin-replicas")
        .tempdir()
        .expect("temp dir");
    let d = dir.path();
    let script = d.join("load.lua");
    std::fs::write(&script, LUA).expect("script");
    let key = HostKey::load_or_create(&d.join("host.key")).expect("host key");
    let pg = standin_tests::postgres::PgServer::start().expect("PostgreSQL (apt-get install postgresql)");
    let url = pg.create_database("bench");

    let sqlite_path = d.join("bench.db");
    let sqlite = Standin::open(Host::new().expect("host"), &sqlite_path)
        .expect("sqlite")
        .with_host_key(key.clone());
    let store: Arc<dyn Store> = Arc::new(standin_store_postgres::PostgresStore::connect(&url).expect("postgres"));
    let postgres = Standin::new(Host::new().expect("host"), store).with_host_key(key);
    let names = ["acme", "globex", "initech", "umbrella"];
    let sqlite_tenants: Vec<Tenant> = names.iter().map(|t| prepare(&sqlite, t)).collect();
    let pg_tenants: Vec<Tenant> = names.iter().map(|t| prepare(&postgres, t)).collect();

    let mut rows = Vec::new();
    let mut show = |row: Row| {
        eprintln!(
            "{:<44} {:>9.0} authorizes/s  p50 {:>7.0} us  p99 {:>7.0} us  errors {}  cores standin {:.2} postgres {:.2} all {:.2}",
            row.what, row.authorizes_per_s, row.p50_us, row.p99_us, row.errors, row.cores.0, row.cores.1, row.cores.2
        );
        rows.push(row);
    };
    let db = sqlite_path.to_string_lossy().to_string();
    let (child, addr) = replica(d, &["--db", &db]);
    let (addrs, pids) = ([addr], [child.id()]);
    let on = (&addrs[..], &pids[..]);
    let warm = Duration::from_secs(1);
    for (mode, label, tenants) in row_kinds(&sqlite_tenants) {
        let what = format!("SQLite, 1 process, {label}");
        if !wanted(&what) {
            continue;
        }
        measure(String::new(), &script, on, mode, tenants, warm);
        show(measure(what, &script, on, mode, tenants, run));
    }
    stop(vec![child]);
    for n in 1..=3 {
        let prefix = format!("PostgreSQL, {n} replica{}, ", if n == 1 { "" } else { "s" });
        if !row_kinds(&pg_tenants)
            .iter()
            .any(|(_, label, _)| wanted(&format!("{prefix}{label}")))
        {
            continue;
        }
        let (children, addrs): (Vec<Child>, Vec<String>) =
            (0..n).map(|_| replica(d, &["--database-url", &url])).unzip();
        let pids: Vec<u32> = children.iter().map(Child::id).collect();
        let on = (&addrs[..], &pids[..]);
        for (mode, label, tenants) in row_kinds(&pg_tenants) {
            let what = format!("{prefix}{label}");
            if !wanted(&what) {
                continue;
            }
            measure(String::new(), &script, on, mode, tenants, warm);
            show(measure(what, &script, on, mode, tenants, run));
        }
        stop(children);
    }

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "| store, replicas, calls | durable authorizes/s | p50 | p99 | errors | cores: Standin / PostgreSQL / all |"
    )
    .expect("write");
    writeln!(out, "|---|---:|---:|---:|---:|---:|").expect("write");
    for r in &rows {
        writeln!(
            out,
            "| {} | {:.0} | {:.0} µs | {:.0} µs | {} | {:.2} / {:.2} / {:.2} |",
            r.what, r.authorizes_per_s, r.p50_us, r.p99_us, r.errors, r.cores.0, r.cores.1, r.cores.2
        )
        .expect("write");
    }
    if only.is_some() {
        return;
    }
    let (s_starts, p_starts) = (starts(&sqlite, run), starts(&postgres, run));
    writeln!(
        out,
        "\nsession starts/s (8 threads, in process): SQLite {s_starts:.0}, PostgreSQL {p_starts:.0}"
    )
    .expect("write");
    let (s_events, s_rate) = verify(&sqlite);
    let (p_events, p_rate) = verify(&postgres);
    writeln!(
        out,
        "audit verify: SQLite {s_events} events at {s_rate:.0} events/s, PostgreSQL {p_events} events at {p_rate:.0} events/s"
    )
    .expect("write");
}
