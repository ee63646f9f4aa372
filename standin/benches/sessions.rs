//! Standin on SQLite: starts per second, `authorize` per second with its
//! audit row durable (group commit) and batched, `authorize_batch` (durable,
//! one wait per batch) per call, with p50/p99 latency, and `audit verify`
//! events per second. A custom harness that prints a table:
//!
//! ```sh
//! cargo bench -p standin --bench sessions            # full run
//! cargo bench -p standin --bench sessions -- --quick # shorter runs
//! ```
//!
//! Each `authorize` goes through the whole path: the session from the
//! cache (its facts packed for the policy once), the built-in policy
//! component (wasm), the row digested on the caller's thread, then chained
//! and committed by the writer. The database is a file in a temporary
//! directory (`TMPDIR`), WAL, `synchronous=NORMAL`, with the log fsync'd
//! by the sync thread before a durable call (or batch) returns.

use serde_json::json;
use standin::store::AuditMode;
use standin::{ActionCall, Host, Standin, StartRequest};
use standin_store_sqlite::SqliteStore;
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-11-21T10:00:00Z".parse().expect("time")
}

/// A start in `tenant`; in a tenant named `scoped-*`, one that asks for a
/// scope covering both actions the rows ask (so every call still reaches
/// the policy, after the host's scope check).
fn request(tenant: &str, i: usize) -> StartRequest {
    let mut start = json!({
        "tenant": tenant,
        "actor": {"id": format!("a-{i}"), "roles": ["super_admin"], "active": true, "has_logged_in": true},
        "target": {"id": format!("t-{i}"), "roles": ["employee"], "permissions": ["course.view"],
                   "active": true, "has_logged_in": true},
        "reason": "ticket SUP-1234",
    });
    if tenant.starts_with("scoped-") {
        start["scope"] = json!({"actions": ["course.*", "billing.*"]});
    }
    serde_json::from_value(start).expect("request")
}

fn open(dir: &std::path::Path, name: &str, mode: AuditMode) -> Standin {
    let store = SqliteStore::open_with(dir.join(name), mode).expect("open");
    Standin::new(Host::new().expect("host"), Arc::new(store)).with_builtin_fallback(true)
}

#[path = "sessions/report.rs"]
mod report;
use report::{Row, cpu_now, percentile, print, us};

/// `threads` callers authorizing for `run`, each in its own session.
fn authorize(sessions: &Standin, tenant: &str, threads: usize, run: Duration, what: &str) -> Row {
    let ids: Vec<String> = (0..threads)
        .map(|i| {
            let out = sessions
                .sessions()
                .start(&request(tenant, i), None, now())
                .expect("start");
            out.session.expect("allowed").id
        })
        .collect();
    // Warm the policy and the cache.
    for id in &ids {
        sessions
            .sessions()
            .authorize(id, "course.view", None, now())
            .expect("authorize");
    }
    let stop = AtomicBool::new(false);
    let cpu_before = cpu_now();
    let started = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = ids
            .iter()
            .map(|id| {
                let stop = &stop;
                scope.spawn(move || {
                    let mut lat = Vec::with_capacity(1 << 16);
                    let mut i = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let action = if i % 4 == 3 { "billing.purchase" } else { "course.view" };
                        let t = Instant::now();
                        sessions
                            .sessions()
                            .authorize(id, action, Some("course-17"), now())
                            .expect("authorize");
                        lat.push(t.elapsed());
                        i += 1;
                    }
                    lat
                })
            })
            .collect();
        std::thread::sleep(run);
        stop.store(true, Ordering::Relaxed);
        handles.into_iter().flat_map(|h| h.join().expect("thread")).collect()
    });
    let secs = started.elapsed().as_secs_f64();
    let cpu_after = cpu_now();
    for id in &ids {
        sessions.sessions().end(id, now()).expect("end");
    }
    latencies.sort_unstable();
    Row {
        what: what.to_string(),
        ops: latencies.len(),
        secs,
        p50: Some(percentile(&latencies, 0.50)),
        p99: Some(percentile(&latencies, 0.99)),
        cpu: Some((
            cpu_after.0 - cpu_before.0,
            cpu_after.1 - cpu_before.1,
            cpu_after.2 - cpu_before.2,
        )),
    }
}

/// `threads` callers each sending `authorize_batch` of `batch` calls, over
/// 16 sessions of their own (call `i` in session `i % 16`). A call's
/// latency is its batch's, from submission to return: every call of a
/// batch has the same, and every batch has `batch` calls, so the per-call
/// percentiles are those of the batches.
fn authorize_batches(sessions: &Standin, tenant: &str, threads: usize, batch: usize, run: Duration, what: &str) -> Row {
    let per = batch.min(16);
    let ids: Vec<Vec<String>> = (0..threads)
        .map(|t| {
            (0..per)
                .map(|i| {
                    let out = sessions
                        .sessions()
                        .start(&request(tenant, t * per + i), None, now())
                        .expect("start");
                    let id = out.session.expect("allowed").id;
                    sessions
                        .sessions()
                        .authorize(&id, "course.view", None, now())
                        .expect("authorize");
                    id
                })
                .collect()
        })
        .collect();
    let stop = AtomicBool::new(false);
    let cpu_before = cpu_now();
    let started = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = ids
            .iter()
            .map(|ids| {
                let stop = &stop;
                scope.spawn(move || {
                    let calls: Vec<ActionCall<'_>> = (0..batch)
                        .map(|i| {
                            let action = if i % 4 == 3 { "billing.purchase" } else { "course.view" };
                            ActionCall::new(&ids[i % ids.len()], action, Some("course-17"), now())
                        })
                        .collect();
                    let mut lat = Vec::with_capacity(1 << 14);
                    while !stop.load(Ordering::Relaxed) {
                        let t = Instant::now();
                        let answers = sessions.sessions().authorize_batch(&calls).expect("batch");
                        lat.push(t.elapsed());
                        assert!(answers.iter().all(Result::is_ok));
                    }
                    lat
                })
            })
            .collect();
        std::thread::sleep(run);
        stop.store(true, Ordering::Relaxed);
        handles.into_iter().flat_map(|h| h.join().expect("thread")).collect()
    });
    let secs = started.elapsed().as_secs_f64();
    let cpu_after = cpu_now();
    for id in ids.iter().flatten() {
        sessions.sessions().end(id, now()).expect("end");
    }
    latencies.sort_unstable();
    Row {
        what: what.to_string(),
        ops: latencies.len() * batch,
        secs,
        p50: Some(percentile(&latencies, 0.50)),
        p99: Some(percentile(&latencies, 0.99)),
        cpu: Some((
            cpu_after.0 - cpu_before.0,
            cpu_after.1 - cpu_before.1,
            cpu_after.2 - cpu_before.2,
        )),
    }
}

fn fsync_cost(dir: &std::path::Path) -> Duration {
    let mut f = std::fs::File::create(dir.join("fsync-probe")).expect("file");
    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        f.write_all(&[0u8; 4096]).expect("write");
        f.sync_data().expect("fsync");
    }
    t.elapsed() / n
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    // Other arguments choose measurements by a part of their name
    // (`-- durable` runs only the durable authorize rows).
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |what: &str| filters.is_empty() || filters.iter().any(|f| what.contains(f.as_str()));
    let run = if quick {
        Duration::from_millis(800)
    } else {
        Duration::from_secs(3)
    };
    let starts = if quick { 200 } else { 1000 };
    let dir = tempfile::tempdir().expect("temp dir");
    println!(
        "sessions bench: {} cores, database in {}, one fsync ≈ {} µs (4 KiB write + fdatasync)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        dir.path().display(),
        us(fsync_cost(dir.path())),
    );
    let mut rows = Vec::new();
    if wanted("session start") {
        rows.push(session_starts(dir.path(), starts));
    }
    if wanted("policy only") {
        rows.push(policy_only(run));
    }
    let durable = open(dir.path(), "durable.db", AuditMode::Durable);
    for threads in [1, 2, 8, 32, 64, 128] {
        let what = format!("authorize, durable audit, group commit ({threads} threads)");
        if wanted(&what) {
            rows.push(authorize(&durable, &format!("d{threads}"), threads, run, &what));
        }
    }
    // Constrained sessions (issue 33): the host's scope check before the
    // policy, and an idle timeout, whose activity record is the audit row
    // each call writes anyway; beside the rows above, same database.
    for (kind, settings) in [
        ("scoped", "{}"),
        ("scoped with idle timeout", r#"{"idle_timeout_seconds": 900}"#),
    ] {
        for threads in [1, 8, 64] {
            let what = format!("authorize, durable, {kind} ({threads} threads)");
            if wanted(&what) {
                let tenant = format!("scoped-{}-{threads}", settings.len());
                durable
                    .policies()
                    .set(&tenant, None, settings, now())
                    .expect("settings");
                rows.push(authorize(&durable, &tenant, threads, run, &what));
            }
        }
    }
    for batch in [16, 64, 256] {
        for threads in [1, 2, 8] {
            let what = format!("authorize, durable, batch {batch}, {threads} threads");
            if wanted(&what) {
                let tenant = format!("db{batch}x{threads}");
                rows.push(authorize_batches(&durable, &tenant, threads, batch, run, &what));
            }
        }
    }
    let batched = open(dir.path(), "batched.db", AuditMode::Batched);
    for threads in [2, 8, 32] {
        let what = format!("authorize, batched audit ({threads} threads)");
        if wanted(&what) {
            rows.push(authorize(&batched, &format!("b{threads}"), threads, run, &what));
        }
    }
    drop(batched);
    if wanted("audit verify") {
        rows.push(verify(&durable));
    }
    print(&rows);
}

/// Session starts: each its own transaction (policy inside it), one fsync.
fn session_starts(dir: &std::path::Path, starts: usize) -> Row {
    let s = open(dir, "starts.db", AuditMode::Durable);
    s.sessions().start(&request("warm", 0), None, now()).expect("warm");
    let mut lat = Vec::with_capacity(starts);
    let t = Instant::now();
    for i in 0..starts {
        let c = Instant::now();
        let out = s.sessions().start(&request("acme", i), None, now()).expect("start");
        assert!(out.session.is_some());
        lat.push(c.elapsed());
    }
    let secs = t.elapsed().as_secs_f64();
    lat.sort_unstable();
    Row {
        what: "session start (1 thread, durable)".into(),
        ops: starts,
        secs,
        p50: Some(percentile(&lat, 0.5)),
        p99: Some(percentile(&lat, 0.99)),
        cpu: None,
    }
}

/// The policy alone: the ceiling for authorize on this machine.
fn policy_only(run: Duration) -> Row {
    let host = Host::new().expect("host");
    let policy = host.load_default("{}").expect("policy");
    let action: standin::ActionRequest = serde_json::from_value(json!({
        "tenant": "acme", "action": "course.view", "resource": "course-17",
        "session": {"id": "s-1", "actor": {"id": "a-1", "roles": ["super_admin"]},
                    "target": {"id": "t-1", "roles": ["employee"]},
                    "started_at": "2026-11-21T10:00:00Z", "expires_at": "2026-11-21T11:00:00Z"}}))
    .expect("action");
    let stop = AtomicBool::new(false);
    let t = Instant::now();
    let n: usize = std::thread::scope(|scope| {
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let (policy, action, stop) = (&policy, &action, &stop);
                scope.spawn(move || {
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        assert!(policy.evaluate_action(action, now()).is_allow());
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        std::thread::sleep(run);
        stop.store(true, Ordering::Relaxed);
        hs.into_iter().map(|h| h.join().expect("thread")).sum()
    });
    Row {
        what: "policy only, no session or audit (2 threads)".into(),
        ops: n,
        secs: t.elapsed().as_secs_f64(),
        p50: None,
        p99: None,
        cpu: None,
    }
}

/// `audit verify` of every tenant of the durable database: read + recompute.
fn verify(durable: &Standin) -> Row {
    let chains = durable.audit().verify(None).expect("verify");
    let events: u64 = chains.iter().map(|c| c.events).sum();
    let t = Instant::now();
    let chains = durable.audit().verify(None).expect("verify");
    let secs = t.elapsed().as_secs_f64();
    assert!(chains.iter().all(|c| c.broken.is_none()));
    Row {
        what: format!("audit verify ({} tenants, read + recompute)", chains.len()),
        ops: events as usize,
        secs,
        p50: None,
        p99: None,
        cpu: None,
    }
}
