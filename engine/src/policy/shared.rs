//! Instances shared by the tenants of one component (`standin:policy@0.7.0`).
//!
//! A warm instance costs its linear memory (resident pages, and a 4 GiB
//! address-space reservation), so an instance per tenant stops a process
//! near 30,000 tenants. Almost every tenant runs the built-in policy with
//! settings of its own, and settings are small: so the tenants of one
//! trusted component share a few instances (one *slot* per core), each
//! tenant's settings prepared once per instance under a handle (`prepare`)
//! and selected before its calls (`select`).
//!
//! Only components the host trusts are shared ([`HostConfig::shared_digests`],
//! by default the built-in policy alone): a component is code of its
//! uploader's choosing, and code that keeps state between calls would pass
//! one tenant's facts to another. Every other component keeps instances of
//! its own per tenant.
//!
//! A tenant has a home slot (its id modulo the slots), so its settings are
//! mostly prepared in one instance; a call whose home is busy takes any
//! free slot and prepares there. Each slot keeps at most
//! [`HostConfig::max_prepared_per_instance`] prepared settings: past it, a
//! quarter is released (and prepared again on demand): settings of tenants
//! no longer loaded first, then those unused for longest (by the pool's
//! eviction rounds, a clock rather than exact recency, so that a call
//! writes nothing shared). Its linear memory is capped at
//! [`HostConfig::shared_memory_bytes`]. An instance that traps (past that
//! cap too) is dropped with everything prepared in it; the next call makes
//! another.
//!
//! A tenant that is dropped (its policy replaced or unloaded) leaves its
//! handles in a queue per slot ([`Pool::leave`]); the next `prepare` in
//! that slot releases them first, so the settings of tenants gone do not
//! wait for the budget to be reached.
//!
//! What a call reads of its tenant is one word (its handle in the slot),
//! next to what it reads anyway: with a million tenants every tenant's
//! data is a cache miss, so the fewer places, the faster.
//!
//! [`HostConfig::shared_digests`]: crate::HostConfig::shared_digests
//! [`HostConfig::max_prepared_per_instance`]: crate::HostConfig::max_prepared_per_instance
//! [`HostConfig::shared_memory_bytes`]: crate::HostConfig::shared_memory_bytes

use super::{Instance, PolicyInfo};
use crate::bindings::WorldPre;
use crate::decision::codes;
use crate::host::Host;
use crate::sandbox::{self, Failure};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};

/// The shared instances of one component.
pub(crate) struct Pool {
    slots: Box<[Mutex<Slot>]>,
    /// Per slot: the words of tenants gone, for its next `prepare` to release.
    gone: Box<[Gone]>,
    /// What the component says of itself, asked once.
    info: OnceLock<Arc<PolicyInfo>>,
    /// Hands out home slots, round robin.
    next_home: AtomicUsize,
    /// Eviction rounds so far: a tenant's last use is the round it was in.
    epoch: AtomicU64,
    stats: Stats,
}

/// Counters of a pool, summed over its slots.
#[derive(Debug, Default)]
struct Stats {
    prepares: AtomicU64,
    releases: AtomicU64,
    instances: AtomicU64,
}

/// What a pool holds and has done, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SharedStats {
    /// Slots that hold a live instance.
    pub instances: usize,
    /// Settings prepared in them now.
    pub prepared: usize,
    /// The linear memory of the live instances, in bytes.
    pub memory_bytes: usize,
    /// Instances made since the pool began (more than the slots: some trapped).
    pub instantiated: u64,
    /// `prepare` calls made, and `release` calls (evictions and tenants gone).
    pub prepares: u64,
    pub releases: u64,
}

impl SharedStats {
    pub(crate) fn plus(self, other: Self) -> Self {
        Self {
            instances: self.instances + other.instances,
            prepared: self.prepared + other.prepared,
            memory_bytes: self.memory_bytes + other.memory_bytes,
            instantiated: self.instantiated + other.instantiated,
            prepares: self.prepares + other.prepares,
            releases: self.releases + other.releases,
        }
    }
}

/// Handles left by tenants gone, apart from the slot's lock so that
/// leaving never waits for a call.
#[derive(Default)]
struct Gone {
    words: Mutex<Vec<u64>>,
    /// Whether `words` may hold any: what a `prepare` reads first.
    any: std::sync::atomic::AtomicBool,
}

struct Slot {
    instance: Option<Instance>,
    /// Bumped whenever the instance is replaced: handles of an earlier one
    /// are void.
    generation: u32,
    /// By handle: whose settings it holds.
    owners: Vec<Option<Weak<Prepared>>>,
    live: usize,
    /// The handle `select` last named.
    selected: u32,
}

/// Why a call on a shared instance did not happen.
#[derive(Debug)]
pub(crate) enum Trouble {
    /// The instance failed (and was dropped).
    Failed(Failure),
    /// `prepare` refused the tenant's settings.
    Refused(Vec<String>),
}

impl From<Failure> for Trouble {
    fn from(f: Failure) -> Self {
        Self::Failed(f)
    }
}

impl Trouble {
    /// As a call's failure: settings refused once the tenant is loaded are
    /// a broken policy.
    pub(crate) fn into_failure(self) -> Failure {
        match self {
            Self::Failed(f) => f,
            Self::Refused(problems) => Failure::new(
                codes::POLICY_ERROR,
                format!("policy refused settings it had accepted: {}", problems.join("; ")),
            ),
        }
    }
}

/// One tenant's settings as the pool knows them, in one allocation: its
/// home slot, the eviction round of its last use, then per slot
/// `generation << 32 | handle` (0 where not prepared). A slot's word is
/// written only under the slot's lock, and cleared when the slot releases
/// the handle, so a word of the slot's generation names this tenant's
/// settings.
pub(crate) type Prepared = [AtomicU64];

const HOME: usize = 0;
const USED: usize = 1;
const SLOTS: usize = 2;

impl Pool {
    pub(crate) fn new(slots: usize) -> Self {
        Self {
            slots: (0..slots.max(1)).map(|_| Mutex::new(Slot::empty())).collect(),
            gone: (0..slots.max(1)).map(|_| Gone::default()).collect(),
            info: OnceLock::new(),
            next_home: AtomicUsize::new(0),
            epoch: AtomicU64::new(0),
            stats: Stats::default(),
        }
    }

    /// A new tenant's place in the pool (nothing prepared yet).
    pub(crate) fn enter(&self) -> Arc<Prepared> {
        let home = self.next_home.fetch_add(1, Ordering::Relaxed) % self.slots.len();
        let words = (0..SLOTS + self.slots.len()).map(|i| AtomicU64::new(if i == HOME { home as u64 } else { 0 }));
        words.collect()
    }

    /// Queues the handles of a tenant gone (`words`, read from its
    /// [`Prepared`] before it was dropped) for their slots to release.
    pub(crate) fn leave(&self, words: &[u64]) {
        for (gone, &word) in self.gone.iter().zip(&words[SLOTS.min(words.len())..]) {
            if word != 0 {
                gone.words.lock().unwrap_or_else(PoisonError::into_inner).push(word);
                gone.any.store(true, Ordering::Release);
            }
        }
    }

    pub(crate) fn info(&self) -> Option<Arc<PolicyInfo>> {
        self.info.get().cloned()
    }

    pub(crate) fn set_info(&self, info: PolicyInfo) -> Arc<PolicyInfo> {
        self.info.get_or_init(|| Arc::new(info)).clone()
    }

    pub(crate) fn stats(&self) -> SharedStats {
        let mut s = SharedStats {
            instantiated: self.stats.instances.load(Ordering::Relaxed),
            prepares: self.stats.prepares.load(Ordering::Relaxed),
            releases: self.stats.releases.load(Ordering::Relaxed),
            ..SharedStats::default()
        };
        for slot in &self.slots {
            let slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
            s.instances += usize::from(slot.instance.is_some());
            s.prepared += slot.live;
            s.memory_bytes += slot.instance.as_ref().map_or(0, |i| i.store.data().memory_bytes());
        }
        s
    }

    /// Runs `f` on an instance with `tenant`'s settings selected: its home
    /// slot, else any free one, else its home once free. A failure of `f`
    /// drops the instance (and every handle in it).
    pub(crate) fn with<R>(
        &self,
        host: &Host,
        pre: &WorldPre,
        tenant: &Arc<Prepared>,
        settings: &str,
        f: impl FnOnce(&mut Instance) -> Result<R, Failure>,
    ) -> Result<R, Trouble> {
        let (index, mut slot) = self.take(tenant[HOME].load(Ordering::Relaxed) as usize);
        let answer = (|| {
            let generation = slot.ready(host, pre, &self.stats)?;
            let handle = self.handle(host, &mut slot, index, generation, tenant, settings)?;
            slot.choose(host, handle)?;
            Ok(f(slot.instance.as_mut().expect("ready"))?)
        })();
        if let Err(Trouble::Failed(_)) = answer {
            slot.drop_instance();
        }
        answer
    }

    fn take(&self, home: usize) -> (usize, MutexGuard<'_, Slot>) {
        let n = self.slots.len();
        for i in (0..n).map(|k| (home + k) % n) {
            if let Ok(slot) = self.slots[i].try_lock() {
                return (i, slot);
            }
        }
        (home, self.slots[home].lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// `tenant`'s handle in `slot`, prepared there now if need be.
    #[inline]
    fn handle(
        &self,
        host: &Host,
        slot: &mut Slot,
        index: usize,
        generation: u32,
        tenant: &Arc<Prepared>,
        settings: &str,
    ) -> Result<u32, Trouble> {
        let epoch = self.epoch.load(Ordering::Relaxed);
        if tenant[USED].load(Ordering::Relaxed) != epoch {
            tenant[USED].store(epoch, Ordering::Relaxed);
        }
        let known = tenant[SLOTS + index].load(Ordering::Relaxed);
        if known >> 32 == u64::from(generation) && known != 0 {
            return Ok(known as u32);
        }
        self.prepare(host, slot, index, generation, tenant, settings)
    }

    /// Prepares `tenant`'s settings in `slot`: the cold half of [`Self::handle`].
    #[cold]
    #[inline(never)]
    fn prepare(
        &self,
        host: &Host,
        slot: &mut Slot,
        index: usize,
        generation: u32,
        tenant: &Arc<Prepared>,
        settings: &str,
    ) -> Result<u32, Trouble> {
        self.release_gone(host, slot, index)?;
        self.make_room(host, slot, index)?;
        self.stats.prepares.fetch_add(1, Ordering::Relaxed);
        let instance = slot.instance.as_mut().expect("ready");
        let handle = instance
            .call(host, |w, s| w.prepare(s, settings).expect("0.7.0"))?
            .map_err(Trouble::Refused)?;
        let at = handle as usize;
        // Handles are small numbers, reused after `release` (the WIT's
        // contract): one far past the settings this slot holds would make
        // the host's table as long as it says.
        let bound = host.config().max_prepared_per_instance.max(1).saturating_mul(2);
        if handle == 0 || at > bound || slot.owners.get(at).is_some_and(Option::is_some) {
            return Err(Trouble::Failed(Failure::new(
                codes::POLICY_ERROR,
                format!("policy prepared settings under a handle in use ({handle})"),
            )));
        }
        if slot.owners.len() <= at {
            slot.owners.resize_with(at + 1, || None);
        }
        slot.owners[at] = Some(Arc::downgrade(tenant));
        slot.live += 1;
        tenant[SLOTS + index].store(u64::from(generation) << 32 | u64::from(handle), Ordering::Relaxed);
        Ok(handle)
    }

    /// Releases the handles tenants gone left in the slot's queue, before
    /// the slot prepares anything (memory only grows by preparing, so a
    /// warm call pays nothing for this). A word
    /// of an earlier instance is void; a handle whose owner is alive was
    /// released meanwhile and given to another tenant, and stays.
    fn release_gone(&self, host: &Host, slot: &mut Slot, index: usize) -> Result<(), Failure> {
        let gone = &self.gone[index];
        if !gone.any.load(Ordering::Acquire) {
            return Ok(());
        }
        gone.any.store(false, Ordering::Release);
        let words = std::mem::take(&mut *gone.words.lock().unwrap_or_else(PoisonError::into_inner));
        for word in words {
            let handle = word as u32;
            let dead = slot
                .owners
                .get(handle as usize)
                .and_then(Option::as_ref)
                .is_some_and(|owner| owner.strong_count() == 0);
            if word >> 32 == u64::from(slot.generation) && dead {
                slot.release(host, handle, &self.stats)?;
            }
        }
        Ok(())
    }

    /// Releases a quarter of the slot's settings when it holds its budget
    /// of them: those of tenants gone, then the longest unused.
    ///
    /// The budget is a count, not memory: linear memory never shrinks, so a
    /// high-water mark cannot say when there is room again. Memory is
    /// bounded by the instance's cap instead: a `prepare` past it traps,
    /// and the instance is replaced (its tenants prepared again on demand).
    fn make_room(&self, host: &Host, slot: &mut Slot, index: usize) -> Result<(), Failure> {
        if slot.live < host.config().max_prepared_per_instance.max(1) {
            return Ok(());
        }
        let mut candidates: Vec<(u64, u32, Option<Arc<Prepared>>)> = (slot.owners.iter().enumerate())
            .filter_map(|(h, o)| {
                let owner = o.as_ref()?.upgrade();
                let used = owner.as_ref().map_or(0, |t| t[USED].load(Ordering::Relaxed) + 1);
                Some((used, h as u32, owner))
            })
            .collect();
        let count = candidates.len().div_ceil(4);
        if count == 0 {
            return Ok(());
        }
        candidates.select_nth_unstable_by_key(count - 1, |(used, h, _)| (*used, *h));
        for (_, handle, owner) in candidates.drain(..count) {
            // A release that fails fails the call: `with` drops the instance.
            slot.release(host, handle, &self.stats)?;
            if let Some(owner) = owner {
                owner[SLOTS + index].store(0, Ordering::Relaxed);
            }
        }
        self.epoch.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Slot {
    fn empty() -> Self {
        Self {
            instance: None,
            generation: 0,
            owners: Vec::new(),
            live: 0,
            selected: 0,
        }
    }

    /// Makes the instance if there is none; the instance's generation.
    fn ready(&mut self, host: &Host, pre: &WorldPre, stats: &Stats) -> Result<u32, Failure> {
        if self.instance.is_none() {
            let limits = sandbox::SandboxLimits {
                max_memory_bytes: host.config().shared_memory_bytes,
                ..host.config().sandbox
            };
            self.instance = Some(super::instantiate_with(host, pre, &limits)?);
            self.generation = self.generation.wrapping_add(1).max(1);
            stats.instances.fetch_add(1, Ordering::Relaxed);
        }
        Ok(self.generation)
    }

    /// Selects `handle` unless it is already.
    fn choose(&mut self, host: &Host, handle: u32) -> Result<(), Failure> {
        if self.selected != handle {
            let instance = self.instance.as_mut().expect("ready");
            instance.call(host, |w, s| w.select(s, handle).expect("0.7.0"))?;
            self.selected = handle;
        }
        Ok(())
    }

    /// Releases `handle` in the instance and forgets its owner.
    fn release(&mut self, host: &Host, handle: u32, stats: &Stats) -> Result<(), Failure> {
        let instance = self.instance.as_mut().expect("ready");
        instance.call(host, |w, s| w.release(s, handle).expect("0.7.0"))?;
        self.owners[handle as usize] = None;
        self.live -= 1;
        if self.selected == handle {
            self.selected = 0;
        }
        stats.releases.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn drop_instance(&mut self) {
        self.instance = None;
        self.owners.clear();
        self.live = 0;
        self.selected = 0;
    }
}
