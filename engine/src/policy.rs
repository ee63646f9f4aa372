//! A loaded policy: a pre-instantiated component, its settings, and the
//! instances that answer for it.
//!
//! A trusted component's tenants share its instances, each tenant's
//! settings prepared in them once (see [`shared`]). Any other policy has a
//! small pool of configured instances of its own: every call takes an
//! instance from it (or makes one: instantiate, then `configure`; or, with
//! a fresh instance per call, instantiate the component pre-initialized
//! with the settings, see [`crate::preinit`]),
//! packs the request into the instance's buffers, arms the deadline, calls,
//! and puts the instance back only if the call succeeded; an instance that
//! trapped is dropped with its store. What the policy returns is checked
//! before anyone sees it ([`crate::answer`]): size caps, a deny without a
//! reason, a session longer than 24 hours.

use crate::bindings::{Version, World, WorldPre};
use crate::checked;
use crate::compiled::Compiled;
use crate::decision::{Decision, codes};
use crate::host::Artifacts;
use crate::host::{Digest, Host};
use crate::load::LoadError;
use crate::request::{ActionRequest, ApprovalRequest, Buffers, PackedSession, RequestError, StartRequest};
use crate::sandbox::{self, Failure, Limiter};
use chrono::{DateTime, Utc};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use wasmtime::Store;

mod generic;
mod many;
mod schema;
pub(crate) mod shared;
pub use many::MAX_ACTIONS_PER_CALL;
pub use shared::SharedStats;

/// What a policy says about itself (`describe`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PolicyInfo {
    pub name: String,
    pub version: String,
    /// Requirement ids the policy implements.
    pub rules: Vec<String>,
}

/// A policy with its settings, ready to answer. Cheap to clone; safe to
/// call from many threads at once.
#[derive(Debug, Clone)]
pub struct Policy {
    /// On shared instances, the tenant's words there (also held by
    /// `inner`, for its drop): kept beside `inner` rather than read from
    /// it, so that a call loads both at once. With a million tenants each
    /// is a cache miss, and two misses side by side cost about one, where
    /// one behind the other cost two. Declared first, so dropped first:
    /// when `inner` goes, nothing else holds the words.
    tenant: Option<Arc<shared::Prepared>>,
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    host: Host,
    compiled: Arc<Compiled>,
    settings: String,
    /// Shared by every tenant of the component.
    info: Arc<PolicyInfo>,
    runtime: Runtime,
}

/// A tenant on shared instances leaves its handles there to be released
/// ([`shared::Pool::leave`]) once nothing else holds its settings' words.
impl Drop for Inner {
    fn drop(&mut self) {
        let (Runtime::Shared(tenant), Some(pool)) = (&mut self.runtime, self.compiled.pool.get()) else {
            return;
        };
        let words: Vec<u64> = tenant.iter().map(|w| w.load(Ordering::Relaxed)).collect();
        // Dropped first, so that the slots see its owner dead.
        drop(std::mem::replace(tenant, Arc::from(Vec::new())));
        pool.leave(&words);
    }
}

/// Where a policy's calls run.
#[derive(Debug)]
enum Runtime {
    /// In instances of its own.
    Own(Own),
    /// In the component's shared instances, with its settings prepared there.
    Shared(Arc<shared::Prepared>),
}

#[derive(Debug)]
struct Own {
    idle: Mutex<Vec<Instance>>,
    /// The component pre-initialized with `settings` (see [`crate::preinit`]):
    /// with a fresh instance per call, instances of it start configured.
    preinit: Option<Preinit>,
    /// Request buffers of instances that were dropped after their call (a
    /// fresh instance per call), for the next fresh instance: packing then
    /// allocates nothing in this mode either.
    spare: Mutex<Vec<Buffers>>,
}

/// A pre-initialized component, ready to instantiate.
struct Preinit(Arc<Compiled>);

impl std::fmt::Debug for Preinit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Preinit")
    }
}

pub(crate) struct Instance {
    store: Store<Limiter>,
    world: World,
    /// Where requests to this instance are packed, kept between calls.
    buffers: Buffers,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Instance")
    }
}

fn instantiate(host: &Host, pre: &WorldPre) -> Result<Instance, Failure> {
    instantiate_with(host, pre, &host.config().sandbox)
}

fn instantiate_with(host: &Host, pre: &WorldPre, limits: &sandbox::SandboxLimits) -> Result<Instance, Failure> {
    let mut store = sandbox::new_store(host.engine(), limits);
    sandbox::arm(&mut store, host.deadline_ticks());
    match pre.instantiate(&mut store) {
        Ok(world) => Ok(Instance {
            store,
            world,
            buffers: Buffers::default(),
        }),
        Err(e) => Err(sandbox::classify(&store, &e, host.config().sandbox.deadline)),
    }
}

impl Instance {
    /// Runs `f` under the deadline; the error says how the policy failed.
    fn call<R>(
        &mut self,
        host: &Host,
        f: impl FnOnce(&World, &mut Store<Limiter>) -> wasmtime::Result<R>,
    ) -> Result<R, Failure> {
        sandbox::arm(&mut self.store, host.deadline_ticks());
        f(&self.world, &mut self.store).map_err(|e| sandbox::classify(&self.store, &e, host.config().sandbox.deadline))
    }
}

impl Host {
    /// Loads a component with its settings (JSON): compiled once per
    /// sha256, then instantiated, described and configured under the
    /// sandbox's limits.
    ///
    /// With a fresh instance per call (`reuse_instances: false`), the
    /// component is also pre-initialized with the settings when it has the
    /// shape the SDK gives (see [`Policy::preinitialized`]).
    pub fn load(&self, bytes: &[u8], settings: &str) -> Result<Policy, LoadError> {
        let compiled = self.compile(bytes)?;
        self.configure(compiled, settings, Some(bytes), None)
    }

    /// A compiled component, described and configured with `settings`;
    /// pre-initialized too for fresh instances, when its `bytes` are given
    /// (its compiled form from `artifacts` when an earlier process left it).
    pub fn configure(
        &self,
        compiled: Arc<Compiled>,
        settings: &str,
        bytes: Option<&[u8]>,
        artifacts: Option<&dyn Artifacts>,
    ) -> Result<Policy, LoadError> {
        if self.pool(&compiled).is_some() {
            return self.configure_shared(compiled, settings);
        }
        let trapped = |f: Failure| LoadError::Trapped(f.message);
        let mut instance = instantiate(self, &compiled.pre).map_err(trapped)?;
        let info = instance.call(self, |w, s| w.describe(s)).map_err(trapped)?;
        instance
            .call(self, |w, s| w.configure(s, settings))
            .map_err(trapped)?
            .map_err(LoadError::Settings)?;
        let version = compiled.pre.version();
        Ok(Policy {
            tenant: None,
            inner: Arc::new(Inner {
                host: self.clone(),
                settings: settings.to_string(),
                info: Arc::new(PolicyInfo {
                    name: info.name,
                    version: info.version,
                    rules: info.rules,
                }),
                runtime: Runtime::Own(Own {
                    idle: Mutex::new(vec![instance]),
                    spare: Mutex::new(Vec::new()),
                    preinit: bytes
                        .filter(|_| !self.config().reuse_instances)
                        .and_then(|bytes| self.preinitialized(bytes, settings, version, artifacts)),
                }),
                compiled,
            }),
        })
    }

    /// The shared instances of `compiled`, when its tenants share them: a
    /// trusted component (see [`shared`]) built against the current
    /// version, with instances kept between calls.
    fn pool<'a>(&self, compiled: &'a Compiled) -> Option<&'a shared::Pool> {
        let config = self.config();
        let shares = config.reuse_instances
            && config.shared_instances > 0
            && compiled.pre.version() == Version::Current
            && config.shared_digests.contains(&compiled.digest);
        shares.then(|| compiled.pool.get_or_init(|| shared::Pool::new(config.shared_instances)))
    }

    /// A policy on `compiled`'s shared instances: its settings prepared
    /// in one of them now, so that settings it refuses are refused here.
    fn configure_shared(&self, compiled: Arc<Compiled>, settings: &str) -> Result<Policy, LoadError> {
        let pool = self.pool(&compiled).expect("a shared component");
        let tenant = pool.enter();
        let info = pool
            .with(self, &compiled.pre, &tenant, settings, |instance| match pool.info() {
                Some(info) => Ok(info),
                None => {
                    let info = instance.call(self, |w, s| w.describe(s))?;
                    Ok(pool.set_info(PolicyInfo {
                        name: info.name,
                        version: info.version,
                        rules: info.rules,
                    }))
                }
            })
            .map_err(|t| match t {
                shared::Trouble::Refused(problems) => LoadError::Settings(problems),
                shared::Trouble::Failed(f) => LoadError::Trapped(f.message),
            });
        Ok(Policy {
            tenant: Some(tenant.clone()),
            inner: Arc::new(Inner {
                host: self.clone(),
                compiled,
                settings: settings.to_string(),
                info: info?,
                runtime: Runtime::Shared(tenant),
            }),
        })
    }

    /// The component pre-initialized with `settings`, ready to instantiate;
    /// `None` when it cannot be (each fresh instance is then configured),
    /// which is also the case of components of an earlier version of the
    /// package (the rewrite knows the current version's export names).
    ///
    /// The rewritten component is compiled once per sha256, like any other
    /// (so tenants and versions with the same component and settings share
    /// it), and kept in `artifacts` for the next process.
    fn preinitialized(
        &self,
        bytes: &[u8],
        settings: &str,
        compiled_version: Version,
        artifacts: Option<&dyn Artifacts>,
    ) -> Option<Preinit> {
        if compiled_version != Version::Current {
            return None;
        }
        let rewritten = crate::preinit::preinitialize(self, bytes, settings).ok()?;
        let compiled = self.compile_kept(&rewritten, artifacts).ok()?;
        (compiled.pre.version() == compiled_version).then_some(Preinit(compiled))
    }

    /// Loads the built-in default policy with `settings`.
    pub fn load_default(&self, settings: &str) -> Result<Policy, LoadError> {
        self.load(crate::DEFAULT_POLICY, settings)
    }
}

impl Policy {
    pub fn info(&self) -> &PolicyInfo {
        &self.inner.info
    }

    /// The sha256 of the component.
    pub fn digest(&self) -> Digest {
        self.inner.compiled.digest
    }

    /// The settings this policy was configured with.
    pub fn settings(&self) -> &str {
        &self.inner.settings
    }

    /// Whether fresh instances start configured: the component was
    /// rewritten with its memory after `configure` (a fresh instance per
    /// call, loaded from its bytes, in the shape the Rust SDK builds).
    pub fn preinitialized(&self) -> bool {
        matches!(&self.inner.runtime, Runtime::Own(own) if own.preinit.is_some())
    }

    /// May the actor start impersonating the target? `now` stands in for a
    /// request without a time.
    pub fn evaluate_start(&self, request: &StartRequest, now: DateTime<Utc>) -> Decision {
        let limits = &self.inner.host.config().requests;
        let decision = self.evaluate_start_with(|b| request.pack_into(limits, now, b));
        crate::invariants::enforce_start(request, decision)
    }

    /// May the actor, inside the session, do the action?
    pub fn evaluate_action(&self, request: &ActionRequest, now: DateTime<Utc>) -> Decision {
        let limits = &self.inner.host.config().requests;
        self.evaluate_action_with(|b| request.pack_into(limits, now, b))
    }

    /// [`Self::evaluate_action`] for an action in a session packed once
    /// with [`SessionFacts::pack`](crate::request::SessionFacts::pack): the
    /// path for every action of a session after its first.
    pub fn evaluate_action_in(
        &self,
        session: &PackedSession,
        action: &str,
        resource: Option<&str>,
        now: DateTime<Utc>,
    ) -> Decision {
        self.evaluate_action_with(|b| session.pack_action(action, resource, now, b))
    }

    /// May `request.approver` answer (approve or reject) the pending start
    /// `request.start`? The host refuses the actor, whatever the policy
    /// says (see [`crate::invariants::enforce_approval`]).
    pub fn evaluate_approval(&self, request: &ApprovalRequest, now: DateTime<Utc>) -> Decision {
        let limits = &self.inner.host.config().requests;
        let answer = self.ask(
            |b| request.pack_into(limits, now, b),
            |w, s, b| w.evaluate_approval(s, &b.text, &b.words),
        );
        let decision = answer.map_or_else(
            |deny| deny,
            |a| checked::approval_decision(&self.inner.host.config().sandbox, a),
        );
        crate::invariants::enforce_approval(request, decision)
    }

    /// [`Self::evaluate_start`] for a request already packed, for
    /// benchmarks of the call alone. It skips the host's invariants
    /// (which need the request unpacked), so it may allow what
    /// `evaluate_start` refuses: only with the `bench-api` feature.
    #[cfg(feature = "bench-api")]
    pub fn evaluate_start_packed(&self, request: standin_wire::StartRequest) -> Decision {
        self.evaluate_start_with(|b| {
            b.words = request.to_words();
            b.text = request.text;
            Ok(())
        })
    }

    /// [`Self::evaluate_action`] for a request already packed (benchmarks;
    /// the `bench-api` feature).
    #[cfg(feature = "bench-api")]
    pub fn evaluate_action_packed(&self, request: standin_wire::ActionRequest) -> Decision {
        self.evaluate_action_with(|b| {
            b.words = request.to_words();
            b.text = request.text;
            Ok(())
        })
    }

    fn evaluate_start_with(&self, pack: impl FnOnce(&mut Buffers) -> Result<(), RequestError>) -> Decision {
        let answer = self.ask(pack, |w, s, b| w.evaluate_start(s, &b.text, &b.words));
        answer.map_or_else(
            |deny| deny,
            |a| checked::start_decision(&self.inner.host.config().sandbox, a),
        )
    }

    fn evaluate_action_with(&self, pack: impl FnOnce(&mut Buffers) -> Result<(), RequestError>) -> Decision {
        let answer = self.ask(pack, |w, s, b| w.evaluate_action(s, &b.text, &b.words));
        answer.map_or_else(
            |deny| deny,
            |a| checked::action_decision(&self.inner.host.config().sandbox, a),
        )
    }

    /// Whether this policy's calls run on instances shared with other
    /// tenants of its component (the built-in policy, by default: see
    /// [`HostConfig::shared_digests`](crate::HostConfig::shared_digests)).
    pub fn shares_instances(&self) -> bool {
        matches!(self.inner.runtime, Runtime::Shared(_))
    }

    /// What the instances shared by its component's tenants hold; `None`
    /// when it has instances of its own.
    pub fn shared_stats(&self) -> Option<SharedStats> {
        self.inner.compiled.shared_stats().filter(|_| self.shares_instances())
    }

    /// Packs a request into an instance's buffers and asks: a request that
    /// does not pack is denied `invalid-request` before any policy sees it,
    /// and a policy failure is denied as [`Failure::into_decision`] says.
    fn ask<R>(
        &self,
        pack: impl FnOnce(&mut Buffers) -> Result<(), RequestError>,
        f: impl FnOnce(&World, &mut Store<Limiter>, &Buffers) -> wasmtime::Result<R>,
    ) -> Result<R, Decision> {
        let inner = &*self.inner;
        let host = &inner.host;
        let call = |instance: &mut Instance| -> Result<Result<R, Decision>, Failure> {
            if let Err(e) = pack(&mut instance.buffers) {
                return Ok(Err(Decision::host_deny(codes::INVALID_REQUEST, e.to_string())));
            }
            let Instance { store, world, buffers } = instance;
            sandbox::arm(store, host.deadline_ticks());
            // An instance that failed is dropped with its store.
            f(world, store, buffers)
                .map(Ok)
                .map_err(|e| sandbox::classify(store, &e, host.config().sandbox.deadline))
        };
        match (&self.tenant, &inner.runtime) {
            (Some(tenant), _) | (None, Runtime::Shared(tenant)) => {
                let pool = inner.compiled.pool.get().expect("a shared policy's pool");
                match pool.with(host, &inner.compiled.pre, tenant, &inner.settings, call) {
                    Ok(answer) => answer,
                    Err(trouble) => Err(trouble.into_failure().into_decision()),
                }
            }
            (None, Runtime::Own(own)) => {
                let idle = own.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
                let mut instance = match idle {
                    Some(instance) => instance,
                    None => self.fresh(own).map_err(Failure::into_decision)?,
                };
                let answer = call(&mut instance).map_err(Failure::into_decision)?;
                let max = host.config().max_idle_instances;
                if host.config().reuse_instances {
                    let mut idle = own.idle.lock().unwrap_or_else(PoisonError::into_inner);
                    if idle.len() < max {
                        idle.push(instance);
                    }
                } else {
                    let mut spare = own.spare.lock().unwrap_or_else(PoisonError::into_inner);
                    if spare.len() < max {
                        spare.push(instance.buffers);
                    }
                }
                answer
            }
        }
    }

    /// A new configured instance of this policy's own.
    fn fresh(&self, own: &Own) -> Result<Instance, Failure> {
        let inner = &*self.inner;
        let pre = match &own.preinit {
            Some(Preinit(compiled)) => &compiled.pre,
            None => &inner.compiled.pre,
        };
        let mut instance = instantiate(&inner.host, pre)?;
        if let Some(buffers) = own.spare.lock().unwrap_or_else(PoisonError::into_inner).pop() {
            instance.buffers = buffers;
        }
        if own.preinit.is_some() {
            return Ok(instance);
        }
        let settings = inner.settings.as_str();
        match instance.call(&inner.host, |w, s| w.configure(s, settings))? {
            Ok(()) => Ok(instance),
            Err(problems) => Err(Failure::new(
                codes::POLICY_ERROR,
                format!("policy refused settings it had accepted: {}", problems.join("; ")),
            )),
        }
    }
}
