//! The host's call path rebuilt from wasmtime's own parts, with the host's
//! engine settings (component model, epoch deadline, a resource limiter,
//! optionally the pooling allocator), to time each step on its own.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "policy-world",
});

pub use self::standin::policy::types as wit;
use standin_wire as wire;
use wasmtime::component::{Component, Linker};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ProfilingStrategy, ResourceLimiter,
    Store,
};

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

/// How instances get their memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allocator {
    /// `mmap` on demand (the host's default).
    OnDemand,
    /// The pooling allocator as the host configures it.
    Pooling,
    /// The pooling allocator, keeping reset slots resident.
    PoolingResident,
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
    /// An engine like the host's; `STANDIN_BENCH_PERFMAP=1` also writes
    /// `/tmp/perf-<pid>.map`, so that `perf report` names the guest's
    /// functions. `STANDIN_BENCH_COMPONENT=<path>` swaps in another build
    /// of the default policy (e.g. another opt-level) for these cases.
    /// `STANDIN_BENCH_PAGEMAP=no` turns off the pooling reset's
    /// `PAGEMAP_SCAN` (on by default, as in the host).
    pub fn new(allocator: Allocator) -> Self {
        let mut config = Config::new();
        config.wasm_component_model(true).epoch_interruption(true);
        if std::env::var_os("STANDIN_BENCH_PERFMAP").is_some() {
            config.profiler(ProfilingStrategy::PerfMap);
        }
        if allocator != Allocator::OnDemand {
            let mut pool = PoolingAllocationConfig::default();
            pool.total_component_instances(64)
                .total_core_instances(64)
                .total_memories(64)
                .total_tables(64)
                .max_memory_size(MAX_MEMORY_BYTES);
            if allocator == Allocator::PoolingResident {
                // Reset the pages an instance dirtied with `memset`
                // instead of `madvise`: no page faults on the next use.
                // The host did this until wasmtime 50 made it the slower
                // way (see `standin_engine::Host`); kept to compare.
                pool.linear_memory_keep_resident(
                    std::env::var("KR").ok().and_then(|v| v.parse().ok()).unwrap_or(1 << 20),
                )
                .table_keep_resident(64 << 10)
                .pagemap_scan(match std::env::var("STANDIN_BENCH_PAGEMAP").as_deref() {
                    Ok("no") => Enabled::No,
                    _ => Enabled::Auto,
                });
            }
            config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        let engine = Engine::new(&config).expect("an engine");
        let component = match std::env::var_os("STANDIN_BENCH_COMPONENT") {
            Some(path) => Component::from_file(&engine, path).expect("STANDIN_BENCH_COMPONENT compiles"),
            None => Component::new(&engine, ::standin::DEFAULT_POLICY).expect("the default policy compiles"),
        };
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

    pub fn evaluate_start(&mut self, (text, words): &Packed) -> wit::StartDecision {
        self.store.set_epoch_deadline(1_000);
        self.world
            .standin_policy_policy()
            .call_evaluate_start(&mut self.store, text, words)
            .expect("no trap")
    }

    pub fn evaluate_action(&mut self, (text, words): &Packed) -> wit::ActionDecision {
        self.store.set_epoch_deadline(1_000);
        self.world
            .standin_policy_policy()
            .call_evaluate_action(&mut self.store, text, words)
            .expect("no trap")
    }
}

/// A request as it crosses the boundary: its text and words.
pub type Packed = (String, Vec<u64>);

pub fn start_request(r: wire::StartRequest) -> Packed {
    let words = r.to_words();
    (r.text, words)
}

pub fn action_request(r: wire::ActionRequest) -> Packed {
    let words = r.to_words();
    (r.text, words)
}
