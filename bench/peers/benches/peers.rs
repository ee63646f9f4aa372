//! Standin against Cedar and Rego on the same decisions, in one process.
//!
//! `cargo bench` (in `bench/peers`); README.md explains the cases. Groups
//! `start`, `action` (the host benches' allow requests) and `start-deny`,
//! `action-deny` (one deny each), with the same functions in each:
//!
//! - `standin-native`: the default policy compiled natively; packs the
//!   request each call (as `standin/benches/decisions.rs` `native`).
//! - `standin-component-warm`: `Policy::evaluate_*` on a warm instance of
//!   the built-in component, packing included; `-prepacked` without it.
//! - `cedar`: Cedar request and entities built from the typed request, then
//!   authorized; `-prebuilt` authorizes ones built beforehand.
//! - `rego-vm`: the RVM (bytecode compiled once, VM reused) on an input
//!   built from the typed request; `-prebuilt` on an input built
//!   beforehand. `rego-interp*`: the same with regorus's interpreter on the
//!   policy compiled once (`CompiledPolicy::eval_with_input`).
//!
//! `STANDIN_BENCH_CLOCK=cpu` measures the thread's CPU time instead of
//! wall-clock time (as the host's `decisions` bench): on this shared
//! machine, time spent waiting behind other processes is then not counted.
//!
//! After criterion, prints the medians with their ratio to
//! `standin-component-warm` and to `standin-native` (and writes the table to
//! `target/peers-report.md`), from criterion's `estimates.json`.

use criterion::measurement::{Measurement, WallTime};
use criterion::{BatchSize, Criterion};
use standin_peers_bench::cedar::Cedar;
use standin_peers_bench::rego::{self, Rego};
use standin_peers_bench::requests::{action_request, start_request};
use standin_peers_bench::standin_side::{self, Component, Native};
use standin_peers_bench::{Outcome, cases};
use std::hint::black_box;
use std::time::{Duration, SystemTime};

// The host benches' own clock, so that both measure alike (`unsafe`: a
// `clock_gettime` call; this crate denies unsafe code elsewhere).
#[allow(unsafe_code)]
#[path = "../../../standin/benches/decisions/cpu_time.rs"]
mod cpu_time;
#[path = "peers/report.rs"]
mod report;

/// Every engine, loaded once.
struct Engines {
    native: Native,
    component: Component,
    cedar: Cedar,
    rego: Rego,
}

/// The functions of every group, in the report's order.
const FUNCTIONS: [&str; 9] = [
    "standin-native",
    "standin-component-warm",
    "standin-component-warm-prepacked",
    "cedar",
    "cedar-prebuilt",
    "rego-vm",
    "rego-vm-prebuilt",
    "rego-interp",
    "rego-interp-prebuilt",
];

/// The groups, in the report's order.
const GROUPS: [&str; 4] = ["start", "action", "start-deny", "action-deny"];

fn starts<M: Measurement>(
    c: &mut Criterion<M>,
    e: &mut Engines,
    group: &str,
    request: standin::StartRequest,
    allow: bool,
) {
    // Every engine gives the same answer on what is timed.
    let outcome = standin_side::start_outcome(&e.native.start(&request));
    assert_eq!(outcome.allow, allow, "{group}: Standin native gave {outcome:?}");
    let others: [Outcome; 4] = [
        standin_side::decision_outcome(&e.component.start(&request)),
        e.cedar.outcome(&e.cedar.start(&request)),
        rego::outcome(&e.rego.start(&request)),
        rego::outcome(&e.rego.interpret_start(rego::start_input(&request))),
    ];
    assert!(
        others.iter().all(|o| *o == outcome),
        "{group}: {outcome:?} vs {others:?}"
    );

    let packed = e.component.pack_start(&request);
    let prepared = e.cedar.prepare_start(&request);
    let input = rego::start_input(&request);
    let Engines {
        native,
        component,
        cedar,
        rego,
    } = e;
    let mut g = c.benchmark_group(group);
    g.bench_function("standin-native", |b| b.iter(|| native.start(black_box(&request))));
    g.bench_function("standin-component-warm", |b| {
        b.iter(|| component.start(black_box(&request)))
    });
    g.bench_function("standin-component-warm-prepacked", |b| {
        b.iter_batched(|| packed.clone(), |p| component.start_packed(p), BatchSize::SmallInput)
    });
    g.bench_function("cedar", |b| b.iter(|| cedar.start(black_box(&request))));
    g.bench_function("cedar-prebuilt", |b| b.iter(|| cedar.decide(black_box(&prepared))));
    g.bench_function("rego-vm", |b| b.iter(|| rego.start(black_box(&request))));
    g.bench_function("rego-vm-prebuilt", |b| {
        b.iter(|| rego.run_start(black_box(&input).clone()))
    });
    g.bench_function("rego-interp", |b| {
        b.iter(|| rego.interpret_start(rego::start_input(black_box(&request))))
    });
    g.bench_function("rego-interp-prebuilt", |b| {
        b.iter(|| rego.interpret_start(black_box(&input).clone()))
    });
    g.finish();
}

fn actions<M: Measurement>(
    c: &mut Criterion<M>,
    e: &mut Engines,
    group: &str,
    request: standin::ActionRequest,
    allow: bool,
) {
    let outcome = standin_side::action_outcome(&e.native.action(&request));
    assert_eq!(outcome.allow, allow, "{group}: Standin native gave {outcome:?}");
    let others: [Outcome; 4] = [
        standin_side::decision_outcome(&e.component.action(&request)),
        e.cedar.outcome(&e.cedar.action(&request)),
        rego::outcome(&e.rego.action(&request)),
        rego::outcome(&e.rego.interpret_action(rego::action_input(&request))),
    ];
    assert!(
        others.iter().all(|o| *o == outcome),
        "{group}: {outcome:?} vs {others:?}"
    );

    let packed = e.component.pack_action(&request);
    let prepared = e.cedar.prepare_action(&request);
    let input = rego::action_input(&request);
    let Engines {
        native,
        component,
        cedar,
        rego,
    } = e;
    let mut g = c.benchmark_group(group);
    g.bench_function("standin-native", |b| b.iter(|| native.action(black_box(&request))));
    g.bench_function("standin-component-warm", |b| {
        b.iter(|| component.action(black_box(&request)))
    });
    g.bench_function("standin-component-warm-prepacked", |b| {
        b.iter_batched(|| packed.clone(), |p| component.action_packed(p), BatchSize::SmallInput)
    });
    g.bench_function("cedar", |b| b.iter(|| cedar.action(black_box(&request))));
    g.bench_function("cedar-prebuilt", |b| b.iter(|| cedar.decide(black_box(&prepared))));
    g.bench_function("rego-vm", |b| b.iter(|| rego.action(black_box(&request))));
    g.bench_function("rego-vm-prebuilt", |b| {
        b.iter(|| rego.run_action(black_box(&input).clone()))
    });
    g.bench_function("rego-interp", |b| {
        b.iter(|| rego.interpret_action(rego::action_input(black_box(&request))))
    });
    g.bench_function("rego-interp-prebuilt", |b| {
        b.iter(|| rego.interpret_action(black_box(&input).clone()))
    });
    g.finish();
}

/// A case of the equivalence set by name.
fn case<R: Clone>(cases: &[cases::Case<R>], name: &str) -> R {
    let case = cases.iter().find(|c| c.name == name).expect("a case of that name");
    case.request.clone()
}

fn run<M: Measurement>(measurement: M, clock: &str) {
    let began = SystemTime::now();
    let mut c = Criterion::default()
        .with_measurement(measurement)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
        .configure_from_args();
    let mut e = Engines {
        native: Native::default(),
        component: Component::default(),
        cedar: Cedar::default(),
        rego: Rego::default(),
    };
    // The denies fail one rule late in each policy, so every rule runs.
    let start_deny = case(
        &cases::starts(),
        "deny: outside the scope, super admin also HR admin (E5)",
    );
    let action_deny = case(&cases::actions(), "deny: payment (F1)");
    starts(&mut c, &mut e, "start", start_request(), true);
    actions(&mut c, &mut e, "action", action_request(), true);
    starts(&mut c, &mut e, "start-deny", start_deny, false);
    actions(&mut c, &mut e, "action-deny", action_deny, false);
    c.final_summary();
    report::print(&GROUPS, &FUNCTIONS, began, clock);
}

/// Wall-clock time by default; `STANDIN_BENCH_CLOCK=cpu` measures the
/// thread's CPU time instead.
fn main() {
    match std::env::var("STANDIN_BENCH_CLOCK").as_deref() {
        Ok("cpu") => run(cpu_time::ThreadCpuTime(WallTime), "thread CPU"),
        Ok("wall") | Err(_) => run(WallTime, "wall-clock"),
        Ok(other) => panic!("STANDIN_BENCH_CLOCK must be `wall` or `cpu`, not `{other}`"),
    }
}
