//! Instructions per decision, counted by `valgrind --tool=callgrind`.
//!
//! Wall-clock medians on this shared, throttled machine move by 10-50 %
//! from run to run; the number of instructions a decision executes does
//! not. This bench runs each hot path under callgrind and reports
//! instructions (`Ir`) per decision, so a change can be judged on one run.
//!
//! `cargo bench -p standin --bench instructions [FILTER]`. Without
//! `STANDIN_CALLGRIND_CASE` the binary is the driver: for each case whose
//! name contains FILTER it starts itself twice under callgrind, with
//! [`SHORT`] and [`LONG`] iterations, collecting only inside
//! [`standin_callgrind_measured`]. The difference divided by
//! `LONG - SHORT` is the cost of one steady-state decision: one-time work
//! (first-call allocations, lazy initialisation) cancels out.
//!
//! What it cannot see: branch mispredictions, the TLB and the kernel, and
//! cache misses except in the `tenants/` cases, which turn on callgrind's
//! cache simulation to show why a decision costs more when many tenants'
//! instances take turns (same instructions, more misses). Instruction
//! counts rank code changes; wall-clock figures (`decisions`, `tenants`)
//! remain the user's number.

use standin::{Host, HostConfig, RequestLimits};
use standin_default_policy::DefaultPolicy;
use standin_policy_sdk::Policy as _;
use std::hint::black_box;
use std::process::Command;

#[path = "decisions/requests.rs"]
mod requests;

use requests::{SETTINGS, action_request, now, start_deny_request, start_request};

/// Iterations of the short and the long run (decisions: multiples of the
/// largest batch).
const SHORT: u64 = 256;
const LONG: u64 = 2_304;

/// The cases, in report order.
const CASES: &[&str] = &[
    "start/pack",
    "start/native",
    "start/component-warm",
    "start/component-warm-prepacked",
    "start/component-fresh-pooling",
    "start/native-deny",
    "start/component-warm-deny",
    "start/component-warm-prepacked-deny",
    "action/pack",
    "action/native",
    "action/component-warm",
    "action/component-warm-in-session",
    "action/component-fresh-pooling",
    "action/batch-16-in-session",
    "action/batch-64-in-session",
    "tenants/start-1",
    "tenants/start-24",
];

/// Cases whose growth is memory, not instructions: run with callgrind's
/// cache simulation, which counts first-level and last-level data misses.
/// 24 tenants, not the `tenants` bench's 1,000: each warm instance reserves
/// 4 GiB of address space, and valgrind cannot map more than about 30.
/// The last level is set to 2 MiB, 16-way, this machine's per-core L2 (the
/// level whose misses the wall-clock figures start to pay first); valgrind
/// does not model the L3 and the TLB beside it.
const CACHE_SIM: &[&str] = &["--cache-sim=yes", "--LL=2097152,16,64"];

fn main() {
    match std::env::var("STANDIN_CALLGRIND_CASE") {
        Ok(case) => {
            let iterations = std::env::var("STANDIN_CALLGRIND_ITERATIONS")
                .expect("the driver sets the iterations")
                .parse()
                .expect("a number of iterations");
            run_case(&case, iterations);
        }
        Err(_) => drive(),
    }
}

/// Runs every selected case twice under callgrind and prints a table.
fn drive() {
    // `cargo bench` passes `--bench`; anything else is a filter.
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with("--"));
    let me = std::env::current_exe().expect("the bench's own path");
    let out = std::env::temp_dir().join(format!("standin-callgrind-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("a scratch directory");
    println!("| case | instructions per decision | D1 misses | LL (2 MiB) misses |");
    println!("|---|---:|---:|---:|");
    for case in CASES
        .iter()
        .filter(|case| filter.as_deref().is_none_or(|f| case.contains(f)))
    {
        let count = |iterations: u64| {
            let file = out.join(format!("{}-{iterations}.out", case.replace('/', "-")));
            let status = Command::new("valgrind")
                .args([
                    "--tool=callgrind",
                    "--collect-atstart=no",
                    "--toggle-collect=standin_callgrind_measured",
                    "--compress-strings=no",
                ])
                .args(if case.starts_with("tenants/") { CACHE_SIM } else { &[] })
                .arg(format!("--callgrind-out-file={}", file.display()))
                .arg(&me)
                .env("STANDIN_CALLGRIND_CASE", case)
                .env("STANDIN_CALLGRIND_ITERATIONS", iterations.to_string())
                .stderr(std::process::Stdio::null())
                .status()
                .expect("valgrind runs (apt-get install valgrind)");
            assert!(status.success(), "`{case}` failed under valgrind: {status}");
            totals(&std::fs::read_to_string(&file).expect("callgrind's output"))
        };
        let (short, long) = (count(SHORT), count(LONG));
        // Per decision, of the sum of `events` (misses: reads and writes).
        let per = |events: &[&str]| {
            let sum = |run: &std::collections::HashMap<String, u64>| -> Option<u64> {
                events.iter().map(|e| run.get(*e).copied()).sum()
            };
            match (sum(&short), sum(&long)) {
                (Some(s), Some(l)) => format!("{:.0}", l.saturating_sub(s) as f64 / (LONG - SHORT) as f64),
                _ => "-".to_string(),
            }
        };
        let (d1, ll) = (per(&["D1mr", "D1mw"]), per(&["DLmr", "DLmw"]));
        println!("| `{case}` | {} | {d1} | {ll} |", per(&["Ir"]));
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// Each event's total, from the `events:` and `summary:` (or `totals:`)
/// lines of a callgrind output file: `Ir` always, the cache events with
/// [`CACHE_SIM`].
fn totals(output: &str) -> std::collections::HashMap<String, u64> {
    let line = |prefix: &str| output.lines().find_map(|l| l.strip_prefix(prefix));
    let events = line("events: ").expect("callgrind wrote its events");
    let counts = line("summary: ")
        .or_else(|| line("totals: "))
        .expect("callgrind wrote a summary line");
    // Callgrind leaves trailing zero counts out.
    let mut counts = counts.split_whitespace().map(|n| n.parse().expect("a count"));
    events
        .split_whitespace()
        .map(|event| (event.to_string(), counts.next().unwrap_or(0)))
        .collect()
}

/// Everything callgrind counts happens in here: `decide` answers whether
/// the decision was the one its case expects (an allow, or for `-deny`
/// cases a deny). `no_mangle` gives
/// `--toggle-collect` a name to match.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn standin_callgrind_measured(iterations: u64, decide: &mut dyn FnMut() -> bool) {
    for _ in 0..iterations {
        assert!(black_box(decide()), "every measured decision is the one expected");
    }
}

fn run_case(case: &str, iterations: u64) {
    let limits = RequestLimits::default();
    let native = DefaultPolicy::configure(SETTINGS).expect("the settings are valid");
    let load = |config: HostConfig| {
        Host::with_config(config)
            .expect("a host")
            .load_default(SETTINGS)
            .expect("the default policy loads")
    };
    // Four slots, not the decisions bench's 64: valgrind cannot reserve
    // 64 slots' address space (256 GiB), and one slot is all a loop uses.
    let pooling = || HostConfig {
        reuse_instances: false,
        pooling_slots: Some(4),
        ..HostConfig::default()
    };
    let start = start_request();
    let action = action_request();
    let mut per_decision = 1;
    let mut decide: Box<dyn FnMut() -> bool> = match case {
        // Packing alone (checks, then text and words): what every
        // component call pays before the policy runs.
        "start/pack" => Box::new(move || black_box(&start).pack(&limits, now()).is_ok()),
        "action/pack" => Box::new(move || black_box(&action).pack(&limits, now()).is_ok()),
        "start/native" => Box::new(move || {
            let packed = black_box(&start).pack(&limits, now()).expect("the request packs");
            matches!(
                native.evaluate_start(&standin_policy_sdk::StartRequest::of(&packed)),
                standin_policy_sdk::StartDecision::Allow(_)
            )
        }),
        "start/component-warm" => {
            let policy = load(HostConfig::default());
            Box::new(move || policy.evaluate_start(black_box(&start), now()).is_allow())
        }
        "start/component-warm-prepacked" => {
            let policy = load(HostConfig::default());
            let packed = start.pack(&limits, now()).expect("the request packs");
            Box::new(move || policy.evaluate_start_packed(packed.clone()).is_allow())
        }
        "start/component-fresh-pooling" => {
            let policy = load(pooling());
            Box::new(move || policy.evaluate_start(black_box(&start), now()).is_allow())
        }
        // One reason (E5: the target is outside the actor's scope), as
        // `bench/peers` asks: what a deny costs over an allow.
        "start/native-deny" => {
            let deny = start_deny_request();
            Box::new(move || {
                let packed = black_box(&deny).pack(&limits, now()).expect("the request packs");
                matches!(
                    native.evaluate_start(&standin_policy_sdk::StartRequest::of(&packed)),
                    standin_policy_sdk::StartDecision::Deny(_)
                )
            })
        }
        "start/component-warm-deny" => {
            let policy = load(HostConfig::default());
            let deny = start_deny_request();
            Box::new(move || !policy.evaluate_start(black_box(&deny), now()).is_allow())
        }
        // The deny packed once, as `bench/peers`' prebuilt Cedar and Rego
        // take their requests.
        "start/component-warm-prepacked-deny" => {
            let policy = load(HostConfig::default());
            let packed = start_deny_request().pack(&limits, now()).expect("the request packs");
            Box::new(move || !policy.evaluate_start_packed(packed.clone()).is_allow())
        }
        "action/native" => Box::new(move || {
            let packed = black_box(&action).pack(&limits, now()).expect("the request packs");
            matches!(
                native.evaluate_action(&standin_policy_sdk::ActionRequest::of(&packed)),
                standin_policy_sdk::ActionDecision::Allow(_)
            )
        }),
        "action/component-warm" => {
            let policy = load(HostConfig::default());
            Box::new(move || policy.evaluate_action(black_box(&action), now()).is_allow())
        }
        "action/component-warm-in-session" => {
            let policy = load(HostConfig::default());
            let session = action.session.pack(&action.tenant, &limits).expect("the session packs");
            Box::new(move || {
                policy
                    .evaluate_action_in(black_box(&session), &action.action, action.resource.as_deref(), now())
                    .is_allow()
            })
        }
        "action/component-fresh-pooling" => {
            let policy = load(pooling());
            Box::new(move || policy.evaluate_action(black_box(&action), now()).is_allow())
        }
        "action/batch-16-in-session" | "action/batch-64-in-session" => {
            let size = if case.ends_with("16-in-session") { 16 } else { 64 };
            per_decision = size as u64;
            let policy = load(HostConfig::default());
            let session = action.session.pack(&action.tenant, &limits).expect("the session packs");
            // Built once, outside the measured loop (as `decisions` does):
            // the request lives as long as the process.
            let action: &'static _ = Box::leak(Box::new(action));
            let actions = vec![(action.action.as_str(), action.resource.as_deref()); size];
            Box::new(move || {
                policy
                    .evaluate_actions_in(black_box(&session), &actions, now())
                    .iter()
                    .all(|d| d.is_allow())
            })
        }
        tenants if tenants.starts_with("tenants/start-") => {
            // Every tenant its own warm instance (as `tenants` loads them),
            // asked in turn: one decision each round.
            let n: usize = tenants["tenants/start-".len()..].parse().expect("a tenant count");
            let host = Host::new().expect("a host");
            let policies: Vec<_> = (0..n)
                .map(|_| host.load_default(SETTINGS).expect("the default policy loads"))
                .collect();
            let mut next = 0;
            let mut decide = move || {
                next = (next + 1) % n;
                policies[next].evaluate_start(black_box(&start), now()).is_allow()
            };
            // One round first, uncounted: each instance's first call
            // (its heap's first growth) is not a steady-state decision.
            for _ in 0..n {
                assert!(decide());
            }
            Box::new(decide)
        }
        other => panic!("no case `{other}`"),
    };
    // A batch case's iteration is `per_decision` decisions: run fewer.
    standin_callgrind_measured(iterations / per_decision, &mut decide);
}
