//! The component side: bindings of `wit/policy.wit`, generated once here,
//! and the glue that [`crate::export_policy!`] expands to.
//!
//! A policy instance is single-threaded, so its configured state lives in a
//! plain cell. A request arrives as its text and words and is read in
//! place: no string is copied on the way in.

use crate::{ActionDecision, ApprovalDecision, Grant, Policy, Reason, StartDecision};
use alloc::string::ToString;

use core::cell::UnsafeCell;

#[doc(hidden)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "policy-world",
        pub_export_macro: true,
        export_macro_name: "__export_policy_world",
        default_bindings_module: "standin_policy_sdk::guest::bindings",
        runtime_path: "standin_policy_sdk::guest::wit_bindgen::rt",
    });
}

#[doc(hidden)]
pub use wit_bindgen;

use bindings::standin::policy::types as wit;

#[cfg(feature = "runtime")]
#[global_allocator]
static ALLOCATOR: arena::Heap = arena::Heap;

// `memcpy` and friends: on wasip2 they come from wasi-libc. Only those
// objects are linked; none of them imports anything from WASI.
#[cfg(feature = "runtime")]
#[link(name = "c")]
unsafe extern "C" {}

/// `memcmp` a word at a time (see [`crate::compare`]); the linker takes it
/// instead of wasi-libc's byte loop.
///
/// # Safety
/// `a` and `b` are valid for reads of `n` bytes.
#[cfg(feature = "runtime")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the caller's guarantee.
    unsafe { crate::compare::compare(a, b, n) }
}

/// `memcmp` when only equality matters.
///
/// # Safety
/// As [`memcmp`].
#[cfg(feature = "runtime")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the caller's guarantee.
    unsafe { crate::compare::compare(a, b, n) }
}

/// The canonical ABI's allocator: arguments go to the call arena (the
/// module `guest/arena.rs`), anything else (or what does not fit) to Rust's heap. On
/// wasip2 wit-bindgen leaves this to wasi-libc, whose `malloc` is another heap.
///
/// # Safety
/// Called by the host only, with the canonical ABI's arguments.
#[cfg(feature = "runtime")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cabi_realloc(old_ptr: *mut u8, old_len: usize, align: usize, new_len: usize) -> *mut u8 {
    use alloc::alloc::{Layout, alloc, realloc};
    if new_len == 0 {
        return align as *mut u8;
    }
    // SAFETY: the canonical ABI passes a power-of-two `align` and, for a
    // reallocation, the pointer and size of an earlier allocation.
    let ptr = unsafe {
        if old_len == 0 {
            match arena::argument(align, new_len) {
                Some(ptr) => ptr,
                None => alloc(Layout::from_size_align_unchecked(new_len, align)),
            }
        } else {
            realloc(old_ptr, Layout::from_size_align_unchecked(old_len, align), new_len)
        }
    };
    if ptr.is_null() {
        core::arch::wasm32::unreachable();
    }
    ptr
}

#[cfg(feature = "runtime")]
mod arena;
#[cfg(feature = "runtime")]
mod heap;

/// Starts an export whose allocations go to the heap (what lasts).
fn begin_call() {
    #[cfg(feature = "runtime")]
    arena::scratch(false);
}

/// Starts an evaluation: the policy (the defaults configured first, on
/// the heap), then, for a policy that allows it, its allocations in the
/// call arena.
fn begin_evaluation<P: Policy>(state: &State<P>) -> &P {
    begin_call();
    let policy = state.get();
    #[cfg(feature = "runtime")]
    arena::scratch(P::CALL_ARENA);
    policy
}

/// Ends an export call: its arguments are dead; the arena is emptied when
/// the next call's first argument arrives (the answer is read before).
fn end_call() {
    #[cfg(feature = "runtime")]
    arena::end();
}

#[cfg(feature = "runtime")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // The host sees a trap and denies with `policy-error`.
    core::arch::wasm32::unreachable()
}

/// The policy's settings in this instance: the ones `configure` set, and
/// those `prepare` keeps under handles for the tenants sharing the
/// instance (0.7.0), one of which governs at a time.
#[doc(hidden)]
pub struct State<P>(UnsafeCell<Slots<P>>);

/// Slot 0 is `configure`'s (the policy's defaults until it runs); a
/// handle is a slot from 1 on.
///
/// Policies lie in chunks of [`CHUNK`] slots, in place rather than boxed:
/// with a million tenants on one instance every tenant's settings are a
/// cache miss, and a box is one more (the table's entry, then the box).
/// Here the chunk table is a few KiB that stays in cache, and a handle's
/// policy is one read away. A chunk never moves once full, and only the
/// last one grows: an instance with one tenant holds one short chunk.
struct Slots<P> {
    chunks: Vec<Vec<Option<P>>>,
    /// Released handles, reused first.
    free: Vec<u32>,
    selected: usize,
}

/// Slots per chunk: a power of two.
const CHUNK: usize = 1024;

// SAFETY: a component instance runs on one thread; wasm32 here has no threads.
unsafe impl<P> Sync for State<P> {}

impl<P> core::fmt::Debug for State<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("State")
    }
}

impl<P> Slots<P> {
    fn slot(&mut self, handle: usize) -> Option<&mut Option<P>> {
        self.chunks.get_mut(handle / CHUNK)?.get_mut(handle % CHUNK)
    }

    /// Slot 0, made empty if there is none.
    fn first(&mut self) -> &mut Option<P> {
        if self.chunks.is_empty() {
            self.chunks.push(Vec::new());
        }
        if self.chunks[0].is_empty() {
            self.chunks[0].push(None);
        }
        &mut self.chunks[0][0]
    }

    /// A new slot at the end, holding `policy`: its handle.
    fn push(&mut self, policy: P) -> u32 {
        self.first();
        let full = self.chunks.last().is_some_and(|c| c.len() == CHUNK);
        if full {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let n = self.chunks.len();
        let last = &mut self.chunks[n - 1];
        last.push(Some(policy));
        ((n - 1) * CHUNK + last.len() - 1) as u32
    }
}

impl<P: Policy> State<P> {
    pub const fn new() -> Self {
        Self(UnsafeCell::new(Slots {
            chunks: Vec::new(),
            free: Vec::new(),
            selected: 0,
        }))
    }

    #[allow(clippy::mut_from_ref)]
    fn slots(&self) -> &mut Slots<P> {
        // SAFETY: single-threaded, and no reference from here outlives an
        // export call.
        unsafe { &mut *self.0.get() }
    }

    fn set(&self, policy: P) {
        let s = self.slots();
        *s.first() = Some(policy);
        s.selected = 0;
    }

    fn prepare(&self, policy: P) -> u32 {
        let s = self.slots();
        match s.free.pop() {
            Some(handle) => {
                match s.slot(handle as usize) {
                    Some(slot) => *slot = Some(policy),
                    None => core::arch::wasm32::unreachable(),
                }
                handle
            }
            None => s.push(policy),
        }
    }

    fn select(&self, handle: u32) {
        let s = self.slots();
        // A handle never prepared, or released, is a bug of the host: trap.
        match s.slot(handle as usize) {
            Some(Some(_)) if handle > 0 => s.selected = handle as usize,
            _ => core::arch::wasm32::unreachable(),
        }
    }

    fn release(&self, handle: u32) {
        let s = self.slots();
        if let Some(slot @ Some(_)) = s.slot(handle as usize).filter(|_| handle > 0) {
            *slot = None;
            s.free.push(handle);
            if s.selected == handle as usize {
                s.selected = 0;
            }
        }
    }

    fn get(&self) -> &P {
        let s = self.slots();
        let selected = s.selected;
        let slot = match selected {
            0 => s.first(),
            _ => match s.slot(selected) {
                Some(slot) => slot,
                None => core::arch::wasm32::unreachable(),
            },
        };
        // Unconfigured: the policy's defaults. Defaults that fail are a bug
        // of the policy, and the trap says so.
        slot.get_or_insert_with(|| match P::configure("{}") {
            Ok(policy) => policy,
            Err(_) => panic!("default settings refused"),
        })
    }
}

impl<P: Policy> Default for State<P> {
    fn default() -> Self {
        Self::new()
    }
}

pub fn describe<P: Policy>() -> wit::PolicyInfo {
    begin_call();
    wit::PolicyInfo {
        name: P::NAME.to_string(),
        version: P::VERSION.to_string(),
        rules: P::RULES.iter().map(|r| r.to_string()).collect(),
    }
}

pub fn configure<P: Policy>(state: &State<P>, settings: String) -> Result<(), Vec<String>> {
    begin_call();
    let configured = P::configure(&settings);
    drop(settings);
    end_call();
    state.set(configured?);
    Ok(())
}

pub fn prepare<P: Policy>(state: &State<P>, settings: String) -> Result<u32, Vec<String>> {
    begin_call();
    let configured = P::configure(&settings);
    drop(settings);
    end_call();
    Ok(state.prepare(configured?))
}

pub fn select<P: Policy>(state: &State<P>, handle: u32) {
    begin_call();
    state.select(handle);
}

pub fn release<P: Policy>(state: &State<P>, handle: u32) {
    begin_call();
    state.release(handle);
}

pub fn settings_schema<P: Policy>() -> Option<String> {
    begin_call();
    P::settings_schema()
}

pub fn evaluate_start<P: Policy>(state: &State<P>, text: String, words: Vec<u64>) -> wit::StartDecision {
    let policy = begin_evaluation(state);
    // Words the host did not lay out are a bug of the host: trap.
    let Some(request) = crate::StartRequest::read(&text, &words) else {
        core::arch::wasm32::unreachable()
    };
    let decision = policy.evaluate_start(&request);
    drop((text, words));
    end_call();
    match decision {
        StartDecision::Allow(g) => wit::StartDecision::Allow(grant(g)),
        StartDecision::Pending(g, a) => wit::StartDecision::Pending(wit::PendingStart {
            grant: grant(g),
            approvers: wit::Approvers {
                roles: a.roles,
                target: a.target,
                ttl_seconds: a.ttl_seconds,
            },
        }),
        StartDecision::Deny(reasons) => wit::StartDecision::Deny(reasons.into_iter().map(reason).collect()),
    }
}

fn grant(g: Grant) -> wit::StartGrant {
    wit::StartGrant {
        ttl_seconds: g.ttl_seconds,
        max_ttl_seconds: g.max_ttl_seconds,
        notify_target: g.notify_target,
        read_only: g.read_only,
        obligations: g.obligations,
        scope: g.scope.map(|s| wit::Scope {
            actions: s.actions,
            resources: s.resources,
        }),
        idle_timeout_seconds: g.idle_timeout_seconds,
    }
}

pub fn evaluate_approval<P: Policy>(state: &State<P>, text: String, words: Vec<u64>) -> wit::ApprovalDecision {
    let policy = begin_evaluation(state);
    let Some(request) = crate::ApprovalRequest::read(&text, &words) else {
        core::arch::wasm32::unreachable()
    };
    let decision = policy.evaluate_approval(&request);
    drop((text, words));
    end_call();
    match decision {
        ApprovalDecision::Approve => wit::ApprovalDecision::Approve,
        ApprovalDecision::Deny(reasons) => wit::ApprovalDecision::Deny(reasons.into_iter().map(reason).collect()),
    }
}

pub fn evaluate_action<P: Policy>(state: &State<P>, text: String, words: Vec<u64>) -> wit::ActionDecision {
    let policy = begin_evaluation(state);
    let Some(request) = crate::ActionRequest::read(&text, &words) else {
        core::arch::wasm32::unreachable()
    };
    let decision = policy.evaluate_action(&request);
    drop((text, words));
    end_call();
    action_decision(decision)
}

pub fn evaluate_actions<P: Policy>(
    state: &State<P>,
    text: String,
    words: Vec<u64>,
    actions: Vec<u64>,
) -> Vec<wit::ActionDecision> {
    let policy = begin_evaluation(state);
    let Some((request, items)) = crate::ActionRequest::read_many(&text, &words, &actions) else {
        core::arch::wasm32::unreachable()
    };
    let decisions = policy.evaluate_actions(&request, &items);
    drop(items);
    drop((text, words, actions));
    end_call();
    decisions.into_iter().map(action_decision).collect()
}

fn action_decision(decision: ActionDecision) -> wit::ActionDecision {
    match decision {
        ActionDecision::Allow(obligations) => wit::ActionDecision::Allow(obligations),
        ActionDecision::Deny(reasons) => wit::ActionDecision::Deny(reasons.into_iter().map(reason).collect()),
    }
}

fn entity(e: &wit::Entity) -> crate::Entity<'_> {
    crate::Entity {
        kind: &e.type_,
        id: &e.id,
        properties: &e.properties,
    }
}

fn question(q: &wit::Question) -> crate::Question<'_> {
    crate::Question {
        subject: entity(&q.subject),
        action: &q.action,
        action_properties: &q.action_properties,
        resource: entity(&q.resource),
        context: &q.context,
    }
}

pub fn evaluate_question<P: Policy>(state: &State<P>, q: wit::Question) -> Option<wit::GenericDecision> {
    let policy = begin_evaluation(state);
    let decision = policy.evaluate_question(&question(&q));
    drop(q);
    end_call();
    decision.map(|d| wit::GenericDecision {
        decision: d.decision,
        context: d.context,
        obligations: d.obligations,
    })
}

pub fn search<P: Policy>(state: &State<P>, kind: wit::SearchKind, q: wit::Question) -> Option<Vec<String>> {
    let policy = begin_evaluation(state);
    let kind = match kind {
        wit::SearchKind::Subject => crate::SearchKind::Subject,
        wit::SearchKind::Resource => crate::SearchKind::Resource,
        wit::SearchKind::Action => crate::SearchKind::Action,
    };
    let found = policy.search(kind, &question(&q));
    drop(q);
    end_call();
    found
}

fn reason(r: Reason) -> wit::Reason {
    wit::Reason {
        code: r.code,
        rule: r.rule,
        message: r.message,
    }
}

/// Makes `$policy` (a type implementing [`Policy`](crate::Policy)) the
/// component's `standin:policy/policy` export.
///
/// ```ignore
/// struct MyPolicy;
/// impl standin_policy_sdk::Policy for MyPolicy { /* ... */ }
/// standin_policy_sdk::export_policy!(MyPolicy);
/// ```
#[macro_export]
macro_rules! export_policy {
    ($policy:ty) => {
        const _: () = {
            use $crate::guest::bindings::exports::standin::policy::policy as __exports;
            use $crate::guest::bindings::standin::policy::types as __wit;

            static STATE: $crate::guest::State<$policy> = $crate::guest::State::new();
            struct Export;

            impl __exports::Guest for Export {
                fn describe() -> __wit::PolicyInfo {
                    $crate::guest::describe::<$policy>()
                }
                fn configure(settings: $crate::guest::String) -> Result<(), $crate::guest::Vec<$crate::guest::String>> {
                    $crate::guest::configure(&STATE, settings)
                }
                fn prepare(settings: $crate::guest::String) -> Result<u32, $crate::guest::Vec<$crate::guest::String>> {
                    $crate::guest::prepare(&STATE, settings)
                }
                fn select(handle: u32) {
                    $crate::guest::select(&STATE, handle)
                }
                fn release(handle: u32) {
                    $crate::guest::release(&STATE, handle)
                }
                fn evaluate_start(text: $crate::guest::String, words: $crate::guest::Vec<u64>) -> __wit::StartDecision {
                    $crate::guest::evaluate_start(&STATE, text, words)
                }
                fn evaluate_action(
                    text: $crate::guest::String,
                    words: $crate::guest::Vec<u64>,
                ) -> __wit::ActionDecision {
                    $crate::guest::evaluate_action(&STATE, text, words)
                }
                fn evaluate_approval(
                    text: $crate::guest::String,
                    words: $crate::guest::Vec<u64>,
                ) -> __wit::ApprovalDecision {
                    $crate::guest::evaluate_approval(&STATE, text, words)
                }
                fn evaluate_actions(
                    text: $crate::guest::String,
                    words: $crate::guest::Vec<u64>,
                    actions: $crate::guest::Vec<u64>,
                ) -> $crate::guest::Vec<__wit::ActionDecision> {
                    $crate::guest::evaluate_actions(&STATE, text, words, actions)
                }
                fn evaluate_question(question: __wit::Question) -> Option<__wit::GenericDecision> {
                    $crate::guest::evaluate_question(&STATE, question)
                }
                fn settings_schema() -> Option<$crate::guest::String> {
                    $crate::guest::settings_schema::<$policy>()
                }
                fn search(
                    kind: __wit::SearchKind,
                    question: __wit::Question,
                ) -> Option<$crate::guest::Vec<$crate::guest::String>> {
                    $crate::guest::search(&STATE, kind, question)
                }
            }

    $crate::guest::bindings::__export_policy_world!(Export with_types_in $crate::guest::bindings);
        };
    };
}

#[doc(hidden)]
pub use alloc::{string::String, vec::Vec};
