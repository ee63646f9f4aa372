//! One policy, its rules written in three languages: the business-hours
//! example in Rust (`examples/policies/business-hours`), in TypeScript
//! (`examples/policies/business-hours-ts`, built with componentize-js) and
//! in Python (`examples/policies/business-hours-py`, built with
//! componentize-py, WASI stubbed and WASI imported), in one run: component
//! size, compile time, the host's resident memory it adds, cold first
//! decision (compile, instantiate, configure, first start), warm start and
//! action decisions (an instance reused, as `standin serve` runs them),
//! and a fresh start (a new instance per call, configured each time).
//!
//! The components are named by `STANDIN_BENCH_POLICIES=rust=PATH,typescript=PATH,...`
//! (`scripts/bench/languages.sh` builds them and runs this); without it the
//! bench says so and measures nothing.

use chrono::{DateTime, Utc};
use criterion::Criterion;
use standin::{ActionRequest, Host, HostConfig, StartRequest};
use std::hint::black_box;
use std::time::{Duration, Instant};

mod support;

const SETTINGS: &str = r#"{"ticket_prefixes": ["SUP-", "INC-"], "ttl_seconds": 1800}"#;

const START: &str = r#"{
  "tenant": "acme",
  "actor": {"id": "u-1", "roles": ["support"], "permissions": ["users.impersonate", "users.view"],
            "groups": ["support"], "active": true, "has_logged_in": true},
  "target": {"id": "u-10", "roles": ["employee"], "active": true, "has_logged_in": true,
             "attributes": {"business_hours": "09:00-17:00", "utc_offset": "+01:00", "title": "Sales"}},
  "reason": "SUP-1234",
  "now": "2026-11-23T10:00:00Z"
}"#;

const ACTION: &str = r#"{
  "tenant": "acme",
  "session": {
    "id": "s-1",
    "actor": {"id": "u-1", "roles": ["support"], "permissions": ["users.impersonate", "users.view"],
              "groups": ["support"], "active": true, "has_logged_in": true},
    "target": {"id": "u-10", "roles": ["employee"], "active": true, "has_logged_in": true,
               "attributes": {"business_hours": "09:00-17:00", "utc_offset": "+01:00", "title": "Sales"}},
    "started_at": "2026-11-23T10:00:00Z", "expires_at": "2026-11-23T10:30:00Z",
    "domain": null, "reason": "SUP-1234", "read_only": false
  },
  "action": "report.view",
  "resource": "r-1",
  "now": "2026-11-23T10:05:00Z"
}"#;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T10:05:00Z")
        .expect("a time")
        .with_timezone(&Utc)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Compile time, the resident memory compiling adds, and cold first
/// decision, each the median of 3 runs in a fresh host (a host compiles a
/// component once per digest).
fn cold(bytes: &[u8], start: &StartRequest) -> (Duration, u64, Duration) {
    let (mut compile, mut memory, mut first) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        let host = Host::new().expect("a host");
        let before = support::rss();
        let began = Instant::now();
        let compiled = host.compile(bytes).expect("the component compiles");
        compile.push(began.elapsed());
        memory.push(support::rss().saturating_sub(before));
        drop((compiled, host));
        let host = Host::new().expect("a host");
        let began = Instant::now();
        let policy = host.load(bytes, SETTINGS).expect("the component loads");
        assert!(policy.evaluate_start(start, now()).is_allow());
        first.push(began.elapsed());
    }
    memory.sort();
    (median(compile), memory[1], median(first))
}

fn main() {
    let Ok(spec) = std::env::var("STANDIN_BENCH_POLICIES") else {
        eprintln!("languages: set STANDIN_BENCH_POLICIES=rust=PATH,typescript=PATH (scripts/bench/languages.sh)");
        return;
    };
    let start: StartRequest = serde_json::from_str(START).expect("START is a start request");
    let action: ActionRequest = serde_json::from_str(ACTION).expect("ACTION is an action request");
    let mut c = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let mut table = Vec::new();
    for entry in spec.split(',') {
        let (name, path) = entry.split_once('=').expect("NAME=PATH");
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let (compile, memory, first) = cold(&bytes, &start);
        let host = Host::new().expect("a host");
        let policy = host.load(&bytes, SETTINGS).expect("the component loads");
        assert!(
            policy.evaluate_start(&start, now()).is_allow(),
            "{name} must allow the start"
        );
        assert!(
            policy.evaluate_action(&action, now()).is_allow(),
            "{name} must allow the action"
        );
        let mut group = c.benchmark_group(format!("languages/{name}"));
        group.bench_function("start-warm", |b| {
            b.iter(|| policy.evaluate_start(black_box(&start), now()))
        });
        group.bench_function("action-warm", |b| {
            b.iter(|| policy.evaluate_action(black_box(&action), now()))
        });
        // A new instance per call, configured each time: what linking the
        // component's imports (none, or WASI denied) adds to instantiation.
        let fresh_host = Host::with_config(HostConfig {
            reuse_instances: false,
            ..HostConfig::default()
        })
        .expect("a host");
        let fresh = fresh_host.load(&bytes, SETTINGS).expect("the component loads");
        group.bench_function("start-fresh", |b| {
            b.iter(|| fresh.evaluate_start(black_box(&start), now()))
        });
        group.finish();
        table.push((name.to_string(), bytes.len(), compile, memory, first));
    }
    eprintln!(
        "\n| language | component | compile | resident memory of the compiled code | cold first decision |\n|---|---:|---:|---:|---:|"
    );
    for (name, size, compile, memory, first) in table {
        eprintln!(
            "| {name} | {:.2} MB | {:.1} ms | {:.1} MB | {:.1} ms |",
            size as f64 / 1e6,
            compile.as_secs_f64() * 1e3,
            memory as f64 / 1e6,
            first.as_secs_f64() * 1e3
        );
    }
}
