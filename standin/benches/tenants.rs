//! Many tenants on one host: resident memory per tenant, cold load from
//! the precompiled-artifact cache, activation latency of a new version,
//! and decision latency with 1 and with all tenants in play.
//!
//! ```sh
//! cargo bench -p standin --bench tenants                 # 1,000 tenants
//! cargo bench -p standin --bench tenants -- --tenants 200
//! ```
//!
//! The setup process uploads every tenant's policy into a fresh database
//! (most on the built-in policy with settings of their own, 20 on distinct
//! custom components) and then runs this same binary again with
//! `--measure`: a process that has compiled nothing, so its load is a true
//! cold start and its resident memory holds only what serving needs.
//!
//! The custom components are the built-in policy's code with a distinct
//! custom section each: distinct sha256 digests, each compiled, cached and
//! instantiated on its own, as separately built components would be.

use serde_json::json;
use standin::policies::Upload;
use standin::{Host, Standin, StartRequest};
use standin_store_sqlite::OpenSqlite;
use std::process::Command;
use std::time::{Duration, Instant};

mod support;
use support::{custom_component, percentile, rss};

const CUSTOM: usize = 20;

fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-11-21T10:00:00Z".parse().expect("time")
}

fn tenant(i: usize) -> String {
    format!("tenant-{i:05}")
}

/// Tenant `i`'s settings: every tenant its own.
fn settings(i: usize) -> String {
    json!({
        "impersonator_roles": ["super_admin", format!("support-{}", i % 7)],
        "default_ttl_seconds": 600 + (i % 3000),
        "role_levels": {"super_admin": 100, "employee": 10},
    })
    .to_string()
}

fn request(tenant: &str, i: usize) -> StartRequest {
    serde_json::from_value(json!({
        "tenant": tenant,
        "actor": {"id": format!("a-{i}"), "roles": ["super_admin"], "active": true, "has_logged_in": true},
        "target": {"id": format!("t-{i}"), "roles": ["employee"], "active": true, "has_logged_in": true},
        "reason": "ticket SUP-1234",
        "now": "2026-11-21T10:00:00Z",
    }))
    .expect("request")
}

/// Mappings and virtual size of this process: linear memories reserve
/// address space, and the kernel caps mappings (`vm.max_map_count`).
fn mappings() -> (usize, u64) {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    (maps.lines().count(), pages * 4096)
}

/// The key that authenticates this bench's compiled artifacts (any key
/// will do, as long as every process of the run uses the same).
static HOST_KEY: std::sync::LazyLock<standin::HostKey> =
    std::sync::LazyLock::new(|| standin::HostKey::from_bytes([42; 32]));

fn setup(db: &std::path::Path, tenants: usize) {
    let sessions = Standin::open(Host::new().expect("host"), db)
        .expect("open")
        .with_host_key(HOST_KEY.clone());
    let started = Instant::now();
    for i in 0..tenants {
        let t = tenant(i);
        let component = (i < CUSTOM).then(|| custom_component(i));
        let s = settings(i);
        let up = Upload {
            tenant: &t,
            component: component.as_deref(),
            settings: &s,
            activate: true,
            uploaded_by: Some("bench"),
            ..Upload::default()
        };
        sessions.policies().upload(&up, now()).expect("upload");
        // A second, inactive version for the activation measurement.
        if i % 50 == 0 {
            let s = settings(i + 1);
            let up = Upload {
                settings: &s,
                activate: false,
                ..up
            };
            sessions.policies().upload(&up, now()).expect("upload");
        }
    }
    println!(
        "setup: {tenants} tenants uploaded ({CUSTOM} custom components) in {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

/// `calls` start decisions over tenants `0..n`, with a stride through them
/// (no two neighbouring calls share a tenant): each call's time, sorted.
/// `decide(k, request)` asks for tenant `k`.
fn timed(n: usize, calls: usize, mut decide: impl FnMut(usize, &StartRequest) -> standin::Decision) -> Vec<Duration> {
    let mut times = Vec::with_capacity(calls);
    let requests: Vec<StartRequest> = (0..n).map(|i| request(&tenant(i), i)).collect();
    for i in 0..calls {
        let k = (i * 7919) % n;
        let t0 = Instant::now();
        let decision = decide(k, &requests[k]);
        times.push(t0.elapsed());
        assert!(decision.is_allow(), "{}", decision.to_json());
    }
    times.sort();
    times
}

/// Through [`Standin`]: the active version read, the policy cache, the call.
fn decisions(sessions: &Standin, n: usize, calls: usize) -> Vec<Duration> {
    timed(n, calls, |_, r| {
        sessions.policies().evaluate_start(r, now()).expect("evaluate").0
    })
}

/// The engine alone: each tenant's policy held by the caller, no store
/// read, no policy cache. What grows here is the wasm instances' own
/// footprint; what grows only in [`decisions`] is the rest.
fn engine_decisions(policies: &[standin::Policy], calls: usize) -> Vec<Duration> {
    timed(policies.len(), calls, |k, r| policies[k].evaluate_start(r, now()))
}

/// The p50 and p99 of each row, and its p50 against the first row's.
fn report(title: &str, rows: [(&str, &[Duration]); 3]) {
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let first = percentile(rows[0].1, 0.5);
    println!("{title}");
    for (label, times) in rows {
        println!(
            "  {label:<12} p50 {:>6.2} us  p99 {:>6.2} us  p50 ratio to 1 tenant {:.2}x",
            us(percentile(times, 0.5)),
            us(percentile(times, 0.99)),
            percentile(times, 0.5).as_secs_f64() / first.as_secs_f64()
        );
    }
}

fn measure(db: &std::path::Path, tenants: usize, load_only: bool) {
    let host = Host::new().expect("host");
    let sessions = Standin::open(host.clone(), db)
        .expect("open")
        .with_host_key(HOST_KEY.clone());
    let rss0 = rss();
    let maps0 = mappings();
    let t0 = Instant::now();
    let loaded = sessions.policies().preload().expect("preload");
    let load = t0.elapsed();
    let rss1 = rss();
    assert_eq!(loaded.loaded, tenants, "{:?}", loaded.failed);
    let (compiled, deserialized) = host.compilations();
    let per_tenant = rss1.saturating_sub(rss0) as f64 / tenants as f64;
    println!(
        "cold load: {tenants} tenants in {:.1} ms = {:.3} ms/tenant ({compiled} compiled, {deserialized} from artifacts)",
        load.as_secs_f64() * 1e3,
        load.as_secs_f64() * 1e3 / tenants as f64
    );
    if load_only {
        return;
    }
    println!(
        "memory: {:.1} MiB before load, {:.1} MiB after: {:.1} KiB per tenant; 10,000 tenants ~ {:.2} GiB (extrapolated)",
        rss0 as f64 / 1048576.0,
        rss1 as f64 / 1048576.0,
        per_tenant / 1024.0,
        (rss0 as f64 + per_tenant * 10_000.0) / 1073741824.0
    );

    let calls = 20_000;
    decisions(&sessions, tenants, 2_000); // warm every instance once
    let one = decisions(&sessions, 1, calls);
    let hundred = decisions(&sessions, tenants.min(100), calls);
    let all = decisions(&sessions, tenants, calls);
    let rss2 = rss();
    let maps1 = mappings();
    let max_map_count = std::fs::read_to_string("/proc/sys/vm/max_map_count").unwrap_or_default();
    println!(
        "address space: {} -> {} mappings ({:.1} per tenant; vm.max_map_count {}), {:.0} GiB -> {:.0} GiB virtual",
        maps0.0,
        maps1.0,
        (maps1.0 - maps0.0) as f64 / tenants as f64,
        max_map_count.trim(),
        maps0.1 as f64 / 1073741824.0,
        maps1.1 as f64 / 1073741824.0
    );
    println!(
        "memory after every tenant answered: {:.1} MiB: {:.1} KiB per tenant; 10,000 tenants ~ {:.2} GiB (extrapolated)",
        rss2 as f64 / 1048576.0,
        rss2.saturating_sub(rss0) as f64 / tenants as f64 / 1024.0,
        (rss0 as f64 + rss2.saturating_sub(rss0) as f64 / tenants as f64 * 10_000.0) / 1073741824.0
    );
    report(
        &format!("decision (evaluate_start: active version read + wasm call), {calls} calls each:"),
        [("1 tenant", &one), ("100 tenants", &hundred), ("all tenants", &all)],
    );

    // The same on the engine alone: every tenant's settings on the
    // built-in policy, held by the bench.
    let policies: Vec<standin::Policy> = (0..tenants)
        .map(|i| host.load_default(&settings(i)).expect("load"))
        .collect();
    engine_decisions(&policies, 2_000);
    let e1 = engine_decisions(&policies[..1], calls);
    let e100 = engine_decisions(&policies[..tenants.min(100)], calls);
    let eall = engine_decisions(&policies, calls);
    report(
        &format!("decision on the engine alone (Policy::evaluate_start, no store), {calls} calls each:"),
        [("1 tenant", &e1), ("100 tenants", &e100), ("all tenants", &eall)],
    );
    drop(policies);

    // Activation: version 2 of every 50th tenant, until its first decision
    // comes from the new version; then back.
    let mut times = Vec::new();
    for i in (0..tenants).step_by(50) {
        let t = tenant(i);
        for version in [2, 1] {
            let t0 = Instant::now();
            sessions
                .policies()
                .activate(&t, version, Some("bench"), now())
                .expect("activate");
            let (_, used) = sessions
                .policies()
                .evaluate_start(&request(&t, i), now())
                .expect("evaluate");
            times.push(t0.elapsed());
            assert_eq!(used.version, version);
        }
    }
    times.sort();
    println!(
        "activation (activate + first decision on the new version), {} activations: p50 {:.2} ms, max {:.2} ms",
        times.len(),
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let tenants: usize = arg("--tenants").and_then(|n| n.parse().ok()).unwrap_or(1000);
    if let Some(db) = arg("--measure") {
        measure(
            std::path::Path::new(&db),
            tenants,
            args.iter().any(|a| a == "--load-only"),
        );
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return; // `cargo bench -- --list` asks what benchmarks there are
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("tenants.db");
    setup(&db, tenants);
    let run = |extra: &[&str]| {
        let status = Command::new(std::env::current_exe().expect("own path"))
            .args([
                "--measure",
                db.to_str().expect("utf-8"),
                "--tenants",
                &tenants.to_string(),
            ])
            .args(extra)
            .status()
            .expect("run the measuring process");
        assert!(status.success(), "the measuring process failed");
    };
    run(&[]);
    // The baseline: the same cold load with no artifacts, compiling each component.
    let conn = rusqlite::Connection::open(&db).expect("open db");
    conn.execute("DELETE FROM artifacts", []).expect("drop artifacts");
    print!("baseline without artifacts, ");
    std::io::Write::flush(&mut std::io::stdout()).expect("stdout");
    run(&["--load-only"]);
}
