//! What one decision costs: the default policy as a component (warm
//! instance, fresh instance, fresh instance from the pooling allocator)
//! against the same rules compiled natively, on realistic requests.
//!
//! `cargo bench -p standin --bench decisions`; results in `BENCHMARKS.md`.
//!
//! - `start/*`, `action/*`: `native` packs the request and runs the rules
//!   natively; `native-rules-only` runs them on a view built beforehand;
//!   `pack-only` is the host's packing alone; `component-*` are
//!   `Policy::evaluate_*` with the three host setups, and
//!   `component-warm-prepacked` is `evaluate_*_packed` (no packing);
//!   `action/component-warm-batch-N` decides N actions of one session in
//!   one call (`evaluate_actions_in`): its time is per batch of N.
//! - `profile/*` take the host apart to see where a component decision
//!   spends its time: the bare component call, `describe`, `configure`, and
//!   instantiation with each allocator (plus a tuned pooling allocator the
//!   host does not use yet). They use wasmtime directly with the host's
//!   engine settings, since the host keeps its instances private.
//!
//! - `generic/*`: a generic AuthZEN question (issue 31), beside
//!   `action/component-warm`: `default-component-warm` is the built-in
//!   policy, which is called and answers none (the host then denies);
//!   `fixture-component-warm` the certification fixture
//!   (`examples/policies/authzen-fixture`), whose component
//!   `STANDIN_BENCH_FIXTURE=<path>` names (skipped without it).
//!
//! Knobs (environment): `STANDIN_BENCH_CLOCK=cpu` measures thread CPU time
//! instead of wall-clock time; `STANDIN_BENCH_PERFMAP=1` and
//! `STANDIN_BENCH_COMPONENT=<path>` serve `profile/*` (see [`raw::Raw::new`]).

use criterion::measurement::{Measurement, WallTime};
use criterion::{BatchSize, Criterion};
use standin::{Host, HostConfig, RequestLimits};
use standin_default_policy::DefaultPolicy;
use standin_policy_sdk::{ActionDecision, Policy as _, StartDecision};
use std::hint::black_box;
use std::time::Duration;

#[path = "decisions/requests.rs"]
mod requests;

use requests::{SETTINGS, action_request, now, start_request};

fn native_policy() -> DefaultPolicy {
    DefaultPolicy::configure(SETTINGS).expect("the settings are valid")
}

/// The three component setups: instances reused, a fresh instance per
/// call, and a fresh instance per call from the pooling allocator.
///
/// Each load's time is printed once (compile included): pre-initializing
/// the component for fresh instances costs a second compile and more.
fn component_policies() -> [(&'static str, standin::Policy); 5] {
    let load = |config: HostConfig| {
        let fresh = !config.reuse_instances;
        let host = Host::with_config(config).expect("a host");
        let started = std::time::Instant::now();
        let policy = host.load_default(SETTINGS).expect("the default policy loads");
        eprintln!(
            "load (reuse_instances: {}): {:.1} ms, pre-initialized: {}",
            !fresh,
            started.elapsed().as_secs_f64() * 1e3,
            policy.preinitialized()
        );
        assert_eq!(policy.preinitialized(), fresh, "fresh instances start pre-initialized");
        policy
    };
    [
        // The built-in policy's instances shared by its tenants (the default).
        ("component-warm", load(HostConfig::default())),
        // An instance of the tenant's own, as before 0.7.0 (and for custom components).
        (
            "component-warm-own",
            load(HostConfig {
                shared_instances: 0,
                ..HostConfig::default()
            }),
        ),
        (
            "component-fresh",
            load(HostConfig {
                reuse_instances: false,
                ..HostConfig::default()
            }),
        ),
        (
            "component-fresh-pooling",
            load(HostConfig {
                reuse_instances: false,
                pooling_slots: Some(64),
                ..HostConfig::default()
            }),
        ),
        // The same, every slot's memory given back to the kernel when its
        // instance is dropped (as before 2026-12-07): the next one faults
        // its pages in again.
        (
            "component-fresh-pooling-unmapped",
            load(HostConfig {
                reuse_instances: false,
                pooling_slots: Some(64),
                pool_keep_resident_bytes: 0,
                ..HostConfig::default()
            }),
        ),
    ]
}

fn start<M: Measurement>(c: &mut Criterion<M>) {
    let request = start_request();
    let limits = RequestLimits::default();
    let native = native_policy();
    let packed = request.pack(&limits, now()).expect("the request packs");
    let policies = component_policies();

    // The benchmark measures the allow path: every rule runs.
    assert!(
        matches!(
            native.evaluate_start(&standin_policy_sdk::StartRequest::of(&packed)),
            StartDecision::Allow(_)
        ),
        "native must allow"
    );
    for (name, policy) in &policies {
        let decision = policy.evaluate_start(&request, now());
        assert!(decision.is_allow(), "{name} must allow, got {}", decision.to_json());
    }

    let mut group = c.benchmark_group("start");
    group.bench_function("native", |b| {
        b.iter(|| {
            let packed = black_box(&request).pack(&limits, now()).expect("the request packs");
            native.evaluate_start(&standin_policy_sdk::StartRequest::of(&packed))
        })
    });
    group.bench_function("native-rules-only", |b| {
        let view = standin_policy_sdk::StartRequest::of(&packed);
        b.iter(|| native.evaluate_start(black_box(&view)))
    });
    group.bench_function("pack-only", |b| b.iter(|| black_box(&request).pack(&limits, now())));
    for (name, policy) in &policies {
        group.bench_function(*name, |b| b.iter(|| policy.evaluate_start(black_box(&request), now())));
    }
    let warm = &policies[0].1;
    group.bench_function("component-warm-prepacked", |b| {
        b.iter_batched(
            || packed.clone(),
            |packed| warm.evaluate_start_packed(packed),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn action<M: Measurement>(c: &mut Criterion<M>) {
    let request = action_request();
    let limits = RequestLimits::default();
    let native = native_policy();
    let packed = request.pack(&limits, now()).expect("the request packs");
    let policies = component_policies();

    assert!(
        matches!(
            native.evaluate_action(&standin_policy_sdk::ActionRequest::of(&packed)),
            ActionDecision::Allow(_)
        ),
        "native must allow"
    );
    for (name, policy) in &policies {
        let decision = policy.evaluate_action(&request, now());
        assert!(decision.is_allow(), "{name} must allow, got {}", decision.to_json());
    }

    let mut group = c.benchmark_group("action");
    group.bench_function("native", |b| {
        b.iter(|| {
            let packed = black_box(&request).pack(&limits, now()).expect("the request packs");
            native.evaluate_action(&standin_policy_sdk::ActionRequest::of(&packed))
        })
    });
    group.bench_function("native-rules-only", |b| {
        let view = standin_policy_sdk::ActionRequest::of(&packed);
        b.iter(|| native.evaluate_action(black_box(&view)))
    });
    group.bench_function("pack-only", |b| b.iter(|| black_box(&request).pack(&limits, now())));
    for (name, policy) in &policies {
        group.bench_function(*name, |b| b.iter(|| policy.evaluate_action(black_box(&request), now())));
    }
    let warm = &policies[0].1;
    group.bench_function("component-warm-prepacked", |b| {
        b.iter_batched(
            || packed.clone(),
            |packed| warm.evaluate_action_packed(packed),
            BatchSize::SmallInput,
        )
    });
    // How sessions ask: the session's facts packed once, each action added.
    let session = request
        .session
        .pack(&request.tenant, &limits)
        .expect("the session packs");
    assert!(
        warm.evaluate_action_in(&session, &request.action, request.resource.as_deref(), now())
            .is_allow(),
        "in-session must allow"
    );
    group.bench_function("component-warm-in-session", |b| {
        b.iter(|| warm.evaluate_action_in(black_box(&session), &request.action, request.resource.as_deref(), now()))
    });
    // Many actions of the session in one call (`evaluate-actions`): the
    // time is per batch; divide by its size for one decision.
    for size in [16, 64] {
        let actions = batch(&request.action, request.resource.as_deref(), size);
        let decisions = warm.evaluate_actions_in(&session, &actions, now());
        assert!(decisions.iter().all(|d| d.is_allow()), "batch must allow");
        group.bench_function(format!("component-warm-batch-{size}"), |b| {
            b.iter(|| warm.evaluate_actions_in(black_box(&session), &actions, now()))
        });
    }
    group.finish();
}

/// `size` copies of one action, as a gateway checking one page asks.
fn batch<'a>(action: &'a str, resource: Option<&'a str>, size: usize) -> Vec<(&'a str, Option<&'a str>)> {
    vec![(action, resource); size]
}

#[path = "decisions/raw.rs"]
mod raw;

/// Where a component decision spends its time.
fn profile<M: Measurement>(c: &mut Criterion<M>) {
    let limits = RequestLimits::default();
    let start = raw::start_request(start_request().pack(&limits, now()).expect("the request packs"));
    let action = raw::action_request(action_request().pack(&limits, now()).expect("the request packs"));
    let on_demand = raw::Raw::new(raw::Allocator::OnDemand);
    let pooling = raw::Raw::new(raw::Allocator::Pooling);
    let resident = raw::Raw::new(raw::Allocator::PoolingResident);
    let mut warm = on_demand.instantiate();
    warm.configure(SETTINGS);
    assert!(
        matches!(warm.evaluate_start(&start), raw::wit::StartDecision::Allow(_)),
        "raw start must allow"
    );
    assert!(
        matches!(warm.evaluate_action(&action), raw::wit::ActionDecision::Allow(_)),
        "raw action must allow"
    );

    let mut group = c.benchmark_group("profile");
    group.bench_function("describe-warm", |b| b.iter(|| warm.describe()));
    group.bench_function("evaluate-start-raw", |b| {
        b.iter(|| warm.evaluate_start(black_box(&start)))
    });
    group.bench_function("evaluate-action-raw", |b| {
        b.iter(|| warm.evaluate_action(black_box(&action)))
    });
    group.bench_function("configure-warm", |b| b.iter(|| warm.configure(black_box(SETTINGS))));
    for (name, raw) in [
        ("ondemand", &on_demand),
        ("pooling", &pooling),
        ("pooling-resident", &resident),
    ] {
        group.bench_function(format!("instantiate-{name}"), |b| b.iter(|| raw.instantiate()));
        group.bench_function(format!("instantiate+configure-{name}"), |b| {
            b.iter(|| {
                let mut instance = raw.instantiate();
                instance.configure(SETTINGS);
                instance
            })
        });
        group.bench_function(format!("fresh-start-{name}"), |b| {
            b.iter(|| {
                let mut instance = raw.instantiate();
                instance.configure(SETTINGS);
                instance.evaluate_start(black_box(&start))
            })
        });
    }
    group.finish();
}

#[path = "decisions/cpu_time.rs"]
mod cpu_time;

fn config<M: Measurement>(measurement: M) -> Criterion<M> {
    Criterion::default()
        .with_measurement(measurement)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
        .configure_from_args()
}

/// A generic question (alice reads record-1), as AuthZEN asks it.
fn generic<M: Measurement>(c: &mut Criterion<M>) {
    use standin::authzen::Question;
    let question = Question {
        subject: serde_json::json!({"type": "user", "id": "alice"}),
        action: serde_json::json!({"name": "read"}),
        resource: serde_json::json!({"type": "record", "id": "record-1", "properties": {"status": "active"}}),
        context: serde_json::json!({}),
    };
    let host = Host::with_config(HostConfig::default()).expect("a host");
    let default = host.load_default(SETTINGS).expect("the default policy loads");
    let mut group = c.benchmark_group("generic");
    group.bench_function("default-component-warm", |b| {
        b.iter(|| default.evaluate_question(black_box(&question)))
    });
    if let Ok(path) = std::env::var("STANDIN_BENCH_FIXTURE") {
        let bytes = std::fs::read(&path).expect("STANDIN_BENCH_FIXTURE names a component");
        let fixture = host.load(&bytes, "{}").expect("the fixture loads");
        assert!(fixture.evaluate_question(&question).decision, "the fixture must allow");
        group.bench_function("fixture-component-warm", |b| {
            b.iter(|| fixture.evaluate_question(black_box(&question)))
        });
    }
    group.finish();
}

fn run<M: Measurement>(mut c: Criterion<M>) {
    start(&mut c);
    action(&mut c);
    generic(&mut c);
    profile(&mut c);
    c.final_summary();
}

/// Wall-clock time by default; `STANDIN_BENCH_CLOCK=cpu` measures the
/// thread's CPU time instead.
fn main() {
    match std::env::var("STANDIN_BENCH_CLOCK").as_deref() {
        Ok("cpu") => run(config(cpu_time::ThreadCpuTime(WallTime))),
        Ok("wall") | Err(_) => run(config(WallTime)),
        Ok(other) => panic!("STANDIN_BENCH_CLOCK must be `wall` or `cpu`, not `{other}`"),
    }
}
