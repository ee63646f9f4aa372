//! The host: one wasmtime `Engine` for every tenant, its epoch ticker, and
//! the cache of compiled components.
//!
//! Compiling a component costs milliseconds; instantiating a
//! pre-instantiated one costs microseconds. So a component is compiled once
//! per sha256 and shared by every tenant that uploads the same bytes, and
//! the engine's epoch (advanced by one background thread) gives every call
//! into any policy its deadline.

use crate::compiled::Compiled;
pub use crate::digest::Digest;
use crate::request::RequestLimits;
use crate::sandbox::{Limiter, SandboxLimits};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use wasmtime::component::Linker;
use wasmtime::{Config, Engine};

/// Everything a [`Host`] can be tuned by.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Caps on each policy instance.
    pub sandbox: SandboxLimits,
    /// Caps on each request.
    pub requests: RequestLimits,
    /// Largest component accepted, in bytes.
    pub max_component_bytes: usize,
    /// Keep instances between calls (a trapped one is always dropped).
    /// `false` gives every call a fresh instance.
    pub reuse_instances: bool,
    /// Idle instances kept per loaded policy.
    pub max_idle_instances: usize,
    /// Pre-allocate this many instance slots (wasmtime's pooling allocator):
    /// much faster instantiation, at the price of a fixed ceiling on live
    /// instances. `None`: allocate on demand.
    pub pooling_slots: Option<u32>,
    /// With `pooling_slots`: of the memory a finished instance wrote, up to
    /// this many bytes are reset in place (the image's bytes copied back,
    /// the rest zeroed) and stay mapped for the slot's next instance; the
    /// rest is given back to the kernel. Only on Linux 6.7 or later, whose
    /// `PAGEMAP_SCAN` finds the pages written; elsewhere nothing is kept
    /// (without it the reset would cover all of this much memory). Resident
    /// memory grows by up to this much per slot in use; 0 keeps nothing.
    pub pool_keep_resident_bytes: usize,
    /// Components whose tenants share instances, each tenant's settings
    /// prepared in them (`standin:policy@0.7.0`): by default the built-in
    /// policy alone. Name only components trusted not to carry one
    /// tenant's facts into another's calls; any other keeps instances of
    /// its own per tenant.
    pub shared_digests: Vec<Digest>,
    /// Instances of each shared component (slots, one per core is right);
    /// 0 turns sharing off.
    pub shared_instances: usize,
    /// Settings kept prepared in one shared instance; past it the least
    /// recently used quarter is released and prepared again on demand.
    pub max_prepared_per_instance: usize,
    /// Linear memory of one shared instance, in bytes (it holds every
    /// prepared tenant's settings: about 0.5 KiB each for the built-in
    /// policy); an instance that reaches it traps and is replaced, its
    /// tenants prepared again on demand.
    pub shared_memory_bytes: usize,
}

impl Default for HostConfig {
    fn default() -> Self {
        Self {
            sandbox: SandboxLimits::default(),
            requests: RequestLimits::default(),
            max_component_bytes: 24 << 20,
            reuse_instances: true,
            max_idle_instances: 16,
            pooling_slots: None,
            pool_keep_resident_bytes: 1 << 20,
            shared_digests: vec![Digest::of(crate::DEFAULT_POLICY)],
            shared_instances: std::thread::available_parallelism().map_or(4, |n| n.get().min(64)),
            max_prepared_per_instance: 1 << 21,
            shared_memory_bytes: 2 << 30,
        }
    }
}

/// Whether to reset pooled memory in place: only where the kernel says
/// which pages were written, since otherwise wasmtime resets all of it.
fn keeps_resident(config: &HostConfig) -> bool {
    config.pooling_slots.is_some()
        && config.pool_keep_resident_bytes > 0
        && wasmtime::PoolingAllocationConfig::is_pagemap_scan_available()
}

/// Why a host cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostError {
    #[error("cannot configure the wasm engine: {0}")]
    Engine(String),
    #[error("cannot start the epoch ticker: {0}")]
    Ticker(std::io::Error),
}

/// The embeddable host. Cheap to clone; safe to share between threads.
#[derive(Debug, Clone)]
pub struct Host {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    linker: Linker<Limiter>,
    config: HostConfig,
    deadline_ticks: u64,
    engine_key: String,
    cache: Mutex<HashMap<Digest, Arc<Compiled>>>,
    /// Components compiled from bytes, and deserialized from artifacts.
    compiled: AtomicU64,
    deserialized: AtomicU64,
    stop_ticker: Arc<AtomicBool>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop_ticker.store(true, Ordering::Relaxed);
    }
}

impl Host {
    /// A host with [`HostConfig::default`].
    pub fn new() -> Result<Self, HostError> {
        Self::with_config(HostConfig::default())
    }

    pub fn with_config(config: HostConfig) -> Result<Self, HostError> {
        let mut wasm = Config::new();
        wasm.wasm_component_model(true).epoch_interruption(true);
        if let Some(slots) = config.pooling_slots {
            let mut pool = wasmtime::PoolingAllocationConfig::default();
            pool.total_component_instances(slots)
                .total_core_instances(slots)
                .total_memories(slots)
                .total_tables(slots)
                .max_memory_size(match config.reuse_instances && config.shared_instances > 0 {
                    // Shared instances hold many tenants' settings.
                    true => config.sandbox.max_memory_bytes.max(config.shared_memory_bytes),
                    false => config.sandbox.max_memory_bytes,
                });
            // A fresh instance used to fault in every page it touched (the
            // image's through the kernel's fault-around, 16 at a time) and
            // give them all back when dropped: 27 us a fresh start, two
            // thirds of it in the kernel. Reset in place, a slot's next
            // instance finds its pages mapped: 10.0-10.5 us (`cargo bench -p
            // standin --bench decisions -- start/component-fresh-pooling`,
            // 2026-12-07, BENCHMARKS.md). wasmtime before 50.0.2 counted
            // pages never touched as written and zeroed the whole amount,
            // which made this slower than giving pages back (47.8 us at 1
            // MiB); 50.0.2 asks for present pages only.
            if keeps_resident(&config) {
                pool.linear_memory_keep_resident(config.pool_keep_resident_bytes)
                    .pagemap_scan(wasmtime::Enabled::Yes);
            }
            wasm.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
        }
        let engine = Engine::new(&wasm).map_err(|e| HostError::Engine(format!("{e:#}")))?;
        // Ticks are a tenth of the deadline (at least 1 ms): a call gets
        // between 10 and 11 tenths of its deadline.
        let tick = (config.sandbox.deadline / 10).max(Duration::from_millis(1));
        let deadline_ticks = config.sandbox.deadline.as_micros().div_ceil(tick.as_micros()) as u64 + 1;
        let stop_ticker = Arc::new(AtomicBool::new(false));
        {
            let (engine, stop) = (engine.clone(), stop_ticker.clone());
            std::thread::Builder::new()
                .name("standin-epoch".to_string())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(tick);
                        engine.increment_epoch();
                    }
                })
                .map_err(HostError::Ticker)?;
        }
        let linker = Linker::new(&engine);
        let engine_key = {
            use std::hash::{Hash, Hasher};
            let mut h = std::hash::DefaultHasher::new();
            engine.precompile_compatibility_hash().hash(&mut h);
            format!("wasmtime-{:016x}", h.finish())
        };
        Ok(Self {
            inner: Arc::new(Inner {
                engine,
                linker,
                config,
                deadline_ticks,
                engine_key,
                cache: Mutex::default(),
                compiled: AtomicU64::new(0),
                deserialized: AtomicU64::new(0),
                stop_ticker,
            }),
        })
    }

    pub fn config(&self) -> &HostConfig {
        &self.inner.config
    }

    /// Whether pooled instances' memory is reset in place (see
    /// [`HostConfig::pool_keep_resident_bytes`]): pooling is on, the
    /// setting is not 0, and the kernel has `PAGEMAP_SCAN`.
    pub fn resets_pooled_memory_in_place(&self) -> bool {
        keeps_resident(&self.inner.config)
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub(crate) fn linker(&self) -> &Linker<Limiter> {
        &self.inner.linker
    }

    /// Names this engine's build and configuration: a compiled artifact is
    /// only usable by a host with the same key.
    pub fn engine_key(&self) -> &str {
        &self.inner.engine_key
    }

    /// Epoch ticks that make up one call's deadline.
    pub(crate) fn deadline_ticks(&self) -> u64 {
        self.inner.deadline_ticks
    }

    pub fn cached(&self, digest: &Digest) -> Option<Arc<Compiled>> {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(digest)
            .cloned()
    }

    pub(crate) fn cache(&self, digest: Digest, compiled: Compiled) -> Arc<Compiled> {
        let mut cache = self.inner.cache.lock().unwrap_or_else(PoisonError::into_inner);
        cache.entry(digest).or_insert_with(|| Arc::new(compiled)).clone()
    }

    /// How this host got its components so far: (compiled from bytes,
    /// deserialized from a precompiled artifact).
    pub fn compilations(&self) -> (u64, u64) {
        (
            self.inner.compiled.load(Ordering::Relaxed),
            self.inner.deserialized.load(Ordering::Relaxed),
        )
    }

    pub(crate) fn count_compilation(&self, deserialized: bool) {
        let counter = if deserialized {
            &self.inner.deserialized
        } else {
            &self.inner.compiled
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// What the instances shared by tenants hold, summed over components.
    pub fn shared_stats(&self) -> crate::SharedStats {
        let cache = self.inner.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let pools: Vec<Arc<Compiled>> = cache.values().filter(|c| c.pool.get().is_some()).cloned().collect();
        drop(cache);
        pools
            .iter()
            .filter_map(|c| c.shared_stats())
            .fold(crate::SharedStats::default(), |a, b| a.plus(b))
    }

    /// Components compiled so far (one per distinct sha256).
    pub fn compiled_count(&self) -> usize {
        self.inner.cache.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

/// Where compiled components outlive the process (the store's artifacts,
/// an [`ArtifactDir`](crate::ArtifactDir)), sealed with a host key: a
/// component pre-initialized with a tenant's settings is compiled once,
/// not at every start.
pub trait Artifacts {
    /// The compiled component of `digest`, when one this host key sealed
    /// for this engine is there.
    fn compiled(&self, host: &Host, digest: Digest) -> Option<Arc<Compiled>>;

    /// Keeps `compiled` for the next process (best effort).
    fn keep(&self, host: &Host, compiled: &Compiled);
}
