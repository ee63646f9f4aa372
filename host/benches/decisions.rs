//! What one decision costs: the default policy as a component (warm
//! instance, fresh instance, fresh instance from the pooling allocator)
//! against the same rules compiled natively, on realistic requests.
//!
//! `cargo bench -p standin --bench decisions`; results in `BENCHMARKS.md`.
//!
//! The `profile/*` cases take the host apart to see where a component
//! decision spends its time: packing, the component call itself,
//! instantiation with either allocator, and `configure`. They use wasmtime
//! directly with the host's engine settings, since the host keeps its
//! instances private.

use chrono::{DateTime, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use standin::{ActionRequest, Host, HostConfig, RequestLimits, StartRequest};
use standin_default_policy::DefaultPolicy;
use standin_policy_sdk::{ActionDecision, Policy as _, StartDecision};
use std::hint::black_box;
use std::time::Duration;

/// The tenant's settings: scoped and levelled roles and a required consent,
/// so that an allow runs through most of the start rules.
const SETTINGS: &str = include_str!("../../examples/settings/betterworks.json");

/// A super admin (who is also a scoped HR admin managing the target's
/// group) asks to impersonate an ordinary manager who has accepted the
/// privacy policy: allowed.
const START: &str = r#"{
  "tenant": "acme",
  "actor": {
    "id": "u-1001",
    "roles": ["super_admin", "hr_admin", "employee", "manager"],
    "permissions": ["users.impersonate", "users.view", "users.edit", "goals.view", "goals.edit",
                    "reviews.view", "reviews.edit", "reports.view", "reports.export", "feedback.view",
                    "admin.settings"],
    "groups": ["dept-people-ops", "loc-berlin", "all-staff"],
    "manages": ["dept-sales", "dept-marketing", "u-2001"],
    "domains": ["emea", "global"],
    "active": true,
    "has_logged_in": true,
    "consents": ["privacy-policy", "terms-of-service"],
    "attributes": {"title": "Head of People Operations", "employee_number": 1001}
  },
  "target": {
    "id": "u-4242",
    "roles": ["employee", "manager"],
    "permissions": ["users.view", "goals.view", "goals.edit", "reviews.view", "reviews.edit",
                    "reports.view", "feedback.view", "feedback.give", "calendar.view", "profile.edit"],
    "groups": ["dept-sales", "loc-berlin", "all-staff"],
    "manages": ["u-5001", "u-5002", "u-5003"],
    "domains": ["emea"],
    "active": true,
    "has_logged_in": true,
    "consents": ["privacy-policy", "terms-of-service", "cookies"],
    "attributes": {"title": "Sales Manager", "employee_number": 4242}
  },
  "reason": "ticket SUP-1234: goals page shows the wrong quarter",
  "ttl_seconds": 1800,
  "domain": "emea",
  "actor_session": null,
  "consent_on_behalf": false,
  "now": "2026-11-21T10:00:00Z"
}"#;

/// Inside that session, the actor generates a report: allowed, to be
/// delivered to the target.
const ACTION: &str = r#"{
  "tenant": "acme",
  "session": {
    "id": "s-7f3a9c",
    "actor": {
      "id": "u-1001",
      "roles": ["super_admin", "hr_admin", "employee", "manager"],
      "permissions": ["users.impersonate", "users.view", "users.edit", "goals.view", "goals.edit",
                      "reviews.view", "reviews.edit", "reports.view", "reports.export", "feedback.view",
                      "admin.settings"],
      "groups": ["dept-people-ops", "loc-berlin", "all-staff"],
      "manages": ["dept-sales", "dept-marketing", "u-2001"],
      "domains": ["emea", "global"],
      "active": true,
      "has_logged_in": true,
      "consents": ["privacy-policy", "terms-of-service"],
      "attributes": {"title": "Head of People Operations", "employee_number": 1001}
    },
    "target": {
      "id": "u-4242",
      "roles": ["employee", "manager"],
      "permissions": ["users.view", "goals.view", "goals.edit", "reviews.view", "reviews.edit",
                      "reports.view", "feedback.view", "feedback.give", "calendar.view", "profile.edit"],
      "groups": ["dept-sales", "loc-berlin", "all-staff"],
      "manages": ["u-5001", "u-5002", "u-5003"],
      "domains": ["emea"],
      "active": true,
      "has_logged_in": true,
      "consents": ["privacy-policy", "terms-of-service", "cookies"],
      "attributes": {"title": "Sales Manager", "employee_number": 4242}
    },
    "started_at": "2026-11-21T10:00:00Z",
    "expires_at": "2026-11-21T10:30:00Z",
    "domain": "emea",
    "reason": "ticket SUP-1234: goals page shows the wrong quarter",
    "read_only": false
  },
  "action": "report.generate",
  "resource": "goals-q4",
  "now": "2026-11-21T10:05:00Z"
}"#;

fn start_request() -> StartRequest {
    serde_json::from_str(START).expect("START is a start request")
}

fn action_request() -> ActionRequest {
    serde_json::from_str(ACTION).expect("ACTION is an action request")
}

/// Stands in for requests without a time; both requests carry one.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z")
        .expect("a time")
        .with_timezone(&Utc)
}

fn native_policy() -> DefaultPolicy {
    DefaultPolicy::configure(SETTINGS).expect("the settings are valid")
}

/// The three component setups: instances reused, a fresh instance per
/// call, and a fresh instance per call from the pooling allocator.
fn component_policies() -> [(&'static str, standin::Policy); 3] {
    let load = |config: HostConfig| {
        Host::with_config(config)
            .expect("a host")
            .load_default(SETTINGS)
            .expect("the default policy loads")
    };
    [
        ("component-warm", load(HostConfig::default())),
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
    ]
}

fn start(c: &mut Criterion) {
    let request = start_request();
    let limits = RequestLimits::default();
    let native = native_policy();
    let packed = request.pack(&limits, now()).expect("the request packs");
    let policies = component_policies();

    // The benchmark measures the allow path: every rule runs.
    assert!(
        matches!(native.evaluate_start(&packed.view()), StartDecision::Allow(_)),
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
            native.evaluate_start(&packed.view())
        })
    });
    group.bench_function("native-rules-only", |b| {
        let view = packed.view();
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

fn action(c: &mut Criterion) {
    let request = action_request();
    let limits = RequestLimits::default();
    let native = native_policy();
    let packed = request.pack(&limits, now()).expect("the request packs");
    let policies = component_policies();

    assert!(
        matches!(native.evaluate_action(&packed.view()), ActionDecision::Allow(_)),
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
            native.evaluate_action(&packed.view())
        })
    });
    group.bench_function("native-rules-only", |b| {
        let view = packed.view();
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
    group.finish();
}

/// The host's call path rebuilt from wasmtime's own parts, with the host's
/// engine settings (component model, epoch deadline, a resource limiter,
/// optionally the pooling allocator), to time each step on its own.
mod raw {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "policy-world",
    });

    pub use self::standin::policy::types as wit;
    use standin_policy_sdk::wire;
    use wasmtime::component::{Component, Linker};
    use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ResourceLimiter, Store};

    const MAX_MEMORY_BYTES: usize = 64 << 20;

    /// The host's limiter, minus the bookkeeping.
    #[derive(Debug)]
    pub struct Limiter;

    impl ResourceLimiter for Limiter {
        fn memory_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> wasmtime::Result<bool> {
            Ok(desired <= MAX_MEMORY_BYTES)
        }

        fn table_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> wasmtime::Result<bool> {
            Ok(desired <= 100_000)
        }
    }

    pub struct Raw {
        engine: Engine,
        pre: PolicyWorldPre<Limiter>,
    }

    pub struct Instance {
        pub store: Store<Limiter>,
        pub world: PolicyWorld,
    }

    impl Raw {
        pub fn new(pooling: bool) -> Self {
            let mut config = Config::new();
            config.wasm_component_model(true).epoch_interruption(true);
            if pooling {
                let mut pool = PoolingAllocationConfig::default();
                pool.total_component_instances(64)
                    .total_core_instances(64)
                    .total_memories(64)
                    .total_tables(64)
                    .max_memory_size(MAX_MEMORY_BYTES);
                config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
            }
            let engine = Engine::new(&config).expect("an engine");
            let component = Component::new(&engine, ::standin::DEFAULT_POLICY).expect("the default policy compiles");
            let linker = Linker::new(&engine);
            let pre =
                PolicyWorldPre::new(linker.instantiate_pre(&component).expect("no imports")).expect("the policy world");
            Self { engine, pre }
        }

        /// A new instance in a new store, not configured.
        pub fn instantiate(&self) -> Instance {
            let mut store = Store::new(&self.engine, Limiter);
            store.limiter(|l| l);
            store.epoch_deadline_trap();
            store.set_epoch_deadline(1_000);
            let world = self.pre.instantiate(&mut store).expect("the policy instantiates");
            Instance { store, world }
        }
    }

    impl Instance {
        pub fn configure(&mut self, settings: &str) {
            self.store.set_epoch_deadline(1_000);
            let policy = self.world.standin_policy_policy();
            policy
                .call_configure(&mut self.store, settings)
                .expect("no trap")
                .expect("the settings are valid");
        }

        pub fn describe(&mut self) -> wit::PolicyInfo {
            self.store.set_epoch_deadline(1_000);
            self.world
                .standin_policy_policy()
                .call_describe(&mut self.store)
                .expect("no trap")
        }

        pub fn evaluate_start(&mut self, request: &wit::StartRequest) -> wit::StartDecision {
            self.store.set_epoch_deadline(1_000);
            self.world
                .standin_policy_policy()
                .call_evaluate_start(&mut self.store, request)
                .expect("no trap")
        }

        pub fn evaluate_action(&mut self, request: &wit::ActionRequest) -> wit::ActionDecision {
            self.store.set_epoch_deadline(1_000);
            self.world
                .standin_policy_policy()
                .call_evaluate_action(&mut self.store, request)
                .expect("no trap")
        }
    }

    fn principal(p: &wire::Principal) -> wit::Principal {
        wit::Principal {
            id: p.id,
            tenant: p.tenant,
            roles: p.roles,
            permissions: p.permissions,
            groups: p.groups,
            manages: p.manages,
            domains: p.domains,
            consents: p.consents,
            attributes: p.attributes,
            active: p.active,
            has_logged_in: p.has_logged_in,
        }
    }

    pub fn start_request(r: wire::StartRequest) -> wit::StartRequest {
        wit::StartRequest {
            actor: principal(&r.actor),
            target: principal(&r.target),
            text: r.text,
            spans: r.spans,
            tenant: r.tenant,
            reason: r.reason,
            ttl_seconds: r.ttl_seconds,
            domain: r.domain,
            actor_session: r.actor_session.map(|s| wit::SessionRef {
                id: s.id,
                target: s.target,
            }),
            consent_on_behalf: r.consent_on_behalf,
            now: r.now,
        }
    }

    pub fn action_request(r: wire::ActionRequest) -> wit::ActionRequest {
        let s = &r.session;
        wit::ActionRequest {
            session: wit::Session {
                id: s.id,
                actor: principal(&s.actor),
                target: principal(&s.target),
                started_at: s.started_at,
                expires_at: s.expires_at,
                domain: s.domain,
                reason: s.reason,
                read_only: s.read_only,
            },
            text: r.text,
            spans: r.spans,
            tenant: r.tenant,
            action: r.action,
            resource: r.resource,
            now: r.now,
        }
    }
}

/// Where a component decision spends its time.
fn profile(c: &mut Criterion) {
    let limits = RequestLimits::default();
    let start = raw::start_request(start_request().pack(&limits, now()).expect("the request packs"));
    let action = raw::action_request(action_request().pack(&limits, now()).expect("the request packs"));
    let on_demand = raw::Raw::new(false);
    let pooling = raw::Raw::new(true);
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
    for (name, raw) in [("ondemand", &on_demand), ("pooling", &pooling)] {
        group.bench_function(format!("instantiate-{name}"), |b| b.iter(|| raw.instantiate()));
        group.bench_function(format!("instantiate+configure-{name}"), |b| {
            b.iter(|| {
                let mut instance = raw.instantiate();
                instance.configure(SETTINGS);
                instance
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = decisions;
    config = config();
    targets = start, action, profile
}
criterion_main!(decisions);
