//! Up to a million tenants in one process (issue 32): tenants on the
//! built-in policy, each with settings of its own, answered by the
//! instances they share (`standin:policy@0.7.0`); and, for comparison,
//! tenants with instances of their own (custom components, or sharing
//! turned off).
//!
//! ```sh
//! cargo bench -p standin --bench million                          # 1, 1,000, 100,000, 1,000,000
//! cargo bench -p standin --bench million -- --tenants 100000      # one count
//! cargo bench -p standin --bench million -- --tenants 1000 --own  # an instance per tenant
//! cargo bench -p standin --bench million -- --tenants 1000 --custom
//! cargo bench -p standin --bench million -- --tenants 100000 --component PATH  # another component, shared
//! ```
//!
//! `--component` shares a component of the caller's choosing (trusted for
//! the run): with one that keeps no settings (the tests' `mischief`), the
//! rows show what the host's side of a shared call costs, and what is left
//! of the built-in policy's rows is its reading of each tenant's settings.
//!
//! Each count runs in a process of its own, so resident memory is that
//! count's alone. Tenants are loaded on the engine (`Host::configure` of
//! one compiled component: what `Standin` does per tenant and version,
//! without the store), then asked start questions: one tenant over and
//! over, then tenants in a stride through all of them (no two neighbouring
//! calls share a tenant), and cold tenants (loaded and asked once).

use serde_json::json;
use standin::{Host, HostConfig, Policy, StartRequest};
use std::process::Command;
use std::time::{Duration, Instant};

mod support;
use support::{custom_component, percentile, rss};

/// The requests' time, parsed once: not inside the timed calls.
fn now() -> chrono::DateTime<chrono::Utc> {
    static NOW: std::sync::LazyLock<chrono::DateTime<chrono::Utc>> =
        std::sync::LazyLock::new(|| "2026-11-21T10:00:00Z".parse().expect("time"));
    *NOW
}

/// Tenant `i`'s settings: distinct for every tenant (its own approver
/// role), as a platform's customers' would be.
fn settings(i: usize) -> String {
    json!({
        "impersonator_roles": ["super_admin", format!("support-{}", i % 7)],
        "default_ttl_seconds": 600 + (i % 3000),
        "role_levels": {"super_admin": 100, "employee": 10},
        "approver_roles": [format!("approver-{i}")],
    })
    .to_string()
}

fn request() -> StartRequest {
    serde_json::from_value(json!({
        "tenant": "bench",
        "actor": {"id": "a-1", "roles": ["super_admin"], "active": true, "has_logged_in": true},
        "target": {"id": "t-1", "roles": ["employee"], "active": true, "has_logged_in": true},
        "reason": "ticket SUP-1234",
        "now": "2026-11-21T10:00:00Z",
    }))
    .expect("request")
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// `calls` start decisions, the `k`th on policy `pick(k)`: each call's time, sorted.
fn timed(policies: &[Policy], calls: usize, pick: impl Fn(usize) -> usize) -> Vec<Duration> {
    let request = request();
    let mut times = Vec::with_capacity(calls);
    for k in 0..calls {
        let p = &policies[pick(k)];
        let t0 = Instant::now();
        let decision = p.evaluate_start(&request, now());
        times.push(t0.elapsed());
        assert!(decision.is_allow(), "{}", decision.to_json());
    }
    times.sort();
    times
}

enum Kind {
    Shared,
    /// Another component, shared (its path).
    Component(String),
    Own,
    Custom,
}

fn measure(tenants: usize, kind: Kind) {
    let given = match &kind {
        Kind::Component(path) => Some(std::fs::read(path).expect("the component")),
        _ => None,
    };
    let config = match kind {
        Kind::Shared | Kind::Custom => HostConfig::default(),
        Kind::Component(_) => HostConfig {
            shared_digests: vec![standin::Digest::of(given.as_deref().expect("read"))],
            ..HostConfig::default()
        },
        Kind::Own => HostConfig {
            shared_instances: 0,
            ..HostConfig::default()
        },
    };
    let host = Host::with_config(config).expect("host");
    let builtin = host
        .compile(given.as_deref().unwrap_or(standin::DEFAULT_POLICY))
        .expect("compile");
    let components: Vec<_> = match kind {
        Kind::Custom => (0..tenants)
            .map(|i| host.compile(&custom_component(i)).expect("compile"))
            .collect(),
        _ => Vec::new(),
    };
    let compiled = |i: usize| components.get(i).unwrap_or(&builtin).clone();
    let rss0 = rss();
    let t0 = Instant::now();
    let mut policies: Vec<Policy> = Vec::with_capacity(tenants);
    let mut shown = Instant::now();
    for i in 0..tenants {
        policies.push(host.configure(compiled(i), &settings(i), None, None).expect("load"));
        if shown.elapsed() > Duration::from_secs(5) && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            eprint!("\r{i} of {tenants} tenants loaded");
            shown = Instant::now();
        }
    }
    let load = t0.elapsed();
    let rss1 = rss();
    let calls = 20_000;
    let n = policies.len();
    timed(&policies, calls.min(n * 4), |k| (k * 7919) % n); // every tenant's first call where few
    let one = timed(&policies, calls, |_| 0);
    let all = timed(&policies, calls, |k| (k * 7919 + 13) % n);
    let rss2 = rss();
    // Cold tenants: loaded and asked once each.
    let request = request();
    let mut cold = Vec::with_capacity(1000);
    for i in tenants..tenants + 1000 {
        let t = Instant::now();
        let p = host
            .configure(compiled(i % n.max(1)), &settings(i), None, None)
            .expect("load");
        assert!(p.evaluate_start(&request, now()).is_allow());
        cold.push(t.elapsed());
        drop(p);
    }
    cold.sort();
    let stats = policies[0].shared_stats();
    println!(
        "{tenants} tenants ({}): load {:.2} s ({:.1} us/tenant); resident {:.1} MiB before, {:.1} MiB loaded, {:.1} MiB after the calls: {:.2} KiB/tenant",
        match &kind {
            Kind::Shared => "built-in, shared instances",
            Kind::Component(_) => "the given component, shared",
            Kind::Own => "built-in, an instance each",
            Kind::Custom => "distinct custom components",
        },
        load.as_secs_f64(),
        load.as_secs_f64() * 1e6 / tenants as f64,
        rss0 as f64 / 1048576.0,
        rss1 as f64 / 1048576.0,
        rss2 as f64 / 1048576.0,
        rss2.saturating_sub(rss0) as f64 / 1024.0 / tenants as f64,
    );
    println!(
        "  decision: 1 tenant p50 {:.2} us p99 {:.2} us; all tenants p50 {:.2} us p99 {:.2} us: p50 ratio {:.2}x; cold tenant (load + first decision) p50 {:.1} us p99 {:.1} us",
        us(percentile(&one, 0.5)),
        us(percentile(&one, 0.99)),
        us(percentile(&all, 0.5)),
        us(percentile(&all, 0.99)),
        percentile(&all, 0.5).as_secs_f64() / percentile(&one, 0.5).as_secs_f64(),
        us(percentile(&cold, 0.5)),
        us(percentile(&cold, 0.99)),
    );
    if let Some(s) = stats {
        println!(
            "  shared instances: {} live, {} made, {:.1} MiB of linear memory; {} settings prepared ({} prepares, {} releases)",
            s.instances,
            s.instantiated,
            s.memory_bytes as f64 / 1048576.0,
            s.prepared,
            s.prepares,
            s.releases
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let has = |flag: &str| args.iter().any(|a| a == flag);
    let kind = || match () {
        _ if arg("--component").is_some() => Kind::Component(arg("--component").expect("a path")),
        _ if has("--own") => Kind::Own,
        _ if has("--custom") => Kind::Custom,
        _ => Kind::Shared,
    };
    if let Some(n) = arg("--measure") {
        measure(n.parse().expect("a count"), kind());
        return;
    }
    let counts: Vec<usize> = match arg("--tenants") {
        Some(n) => vec![n.parse().expect("a count")],
        None => vec![1, 1_000, 100_000, 1_000_000],
    };
    for n in counts {
        let mut flags: Vec<String> = ["--own", "--custom"]
            .into_iter()
            .filter(|f| has(f))
            .map(String::from)
            .collect();
        if let Some(path) = arg("--component") {
            flags.extend(["--component".to_string(), path]);
        }
        let status = Command::new(std::env::current_exe().expect("own path"))
            .args(["--measure", &n.to_string()])
            .args(flags)
            .status()
            .expect("run the measuring process");
        assert!(status.success(), "the measuring process failed");
    }
}
