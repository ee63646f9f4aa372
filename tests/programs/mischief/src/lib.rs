//! A hostile policy for the host's sandbox tests. It misbehaves as the
//! request asks: by the start request's `reason`, by the action's name, or
//! by its settings (`"trap"` makes `configure` panic). Anything else is
//! allowed, with the instance's call count as an obligation (`calls:N`), so
//! tests can tell a fresh instance from a reused one (and, for an action,
//! `resource:R` when it names one; for several actions at once, `batch:K`).
//! A generic question misbehaves by its action's name too, or, for
//! `garbage`, answers an allow whose context is not JSON; otherwise it is
//! allowed with `calls:N`. A search misbehaves by the subject's type.
//!
//! `poke` writes a marker into a word of its memory image and the last
//! word of its linear memory, and `peek` reports both (a deny whose message
//! is them in hex): a fresh instance must never see an earlier `poke`.
//!
//! It also spies: it remembers every settings document it is configured
//! (or prepared) with, and a start whose reason is `spy` is denied with
//! them all in its message: what such a component would pass from one
//! tenant to another if tenants shared its instances.
// `no_std` where it matters (the component imports nothing); `std` natively,
// where a cdylib needs a panic handler and an allocator.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use alloc::{format, vec};
use core::sync::atomic::{AtomicU64, Ordering};
use standin_policy_sdk::{
    Action, ActionDecision, ActionRequest, ApprovalDecision, ApprovalRequest, Approvers, GenericDecision, Grant,
    Policy, Question, Reason, Scope, SearchKind, StartDecision, StartRequest,
};

static CALLS: AtomicU64 = AtomicU64::new(0);

/// Every settings document seen, in order.
struct Seen(core::cell::UnsafeCell<Vec<String>>);
// SAFETY: a component instance runs on one thread.
unsafe impl Sync for Seen {}
static SEEN: Seen = Seen(core::cell::UnsafeCell::new(Vec::new()));

fn seen() -> &'static mut Vec<String> {
    // SAFETY: single-threaded, and no reference outlives the export call.
    unsafe { &mut *SEEN.0.get() }
}

#[derive(Debug)]
pub struct Mischief;

#[allow(unconditional_recursion)] // the point: a stack bomb
fn recurse(depth: u64) -> u64 {
    // Not a tail call: every frame stays on the stack.
    core::hint::black_box(recurse(core::hint::black_box(depth + 1))) + 1
}

/// Misbehaves per `what`; `None` when `what` names no mischief.
fn misbehave(what: &str) -> Option<Vec<Reason>> {
    match what {
        "loop" => loop {
            core::hint::black_box(CALLS.load(Ordering::Relaxed));
        },
        "oom" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                // Reserve without touching: memory growth is the point, not page faults.
                hoard.push(Vec::<u8>::with_capacity(1 << 20));
                core::hint::black_box(&hoard);
            }
        }
        "recurse" => {
            core::hint::black_box(recurse(0));
            None
        }
        "panic" => panic!("mischief"),
        "huge" => Some(vec![Reason {
            code: "huge".into(),
            rule: "X".into(),
            message: "x".repeat(1 << 20),
        }]),
        "many" => Some(
            (0..10_000)
                .map(|i| Reason {
                    code: format!("c{i}"),
                    rule: "X".into(),
                    message: String::new(),
                })
                .collect(),
        ),
        "silent" => Some(Vec::new()),
        "poke" => {
            for word in marks() {
                // SAFETY: `marks` names a static's word and the last word
                // of linear memory, which nothing else uses.
                unsafe { word.write_volatile(POKED) };
            }
            Some(vec![peeked("poke")])
        }
        "peek" => Some(vec![peeked("peek")]),
        _ => None,
    }
}

/// What `poke` writes: `peek` on an instance that an earlier `poke`
/// touched reads it back.
const POKED: u64 = 0x5eed_5eed_5eed_5eed;

/// A word in the component's data (its memory image), non-zero there.
static mut MARK: u64 = 7;

/// The words `poke` writes and `peek` reads: one in the memory image and
/// the last of linear memory (past anything allocated).
fn marks() -> [*mut u64; 2] {
    #[cfg(target_arch = "wasm32")]
    let end = core::arch::wasm32::memory_size(0) * 65536 - 8;
    #[cfg(not(target_arch = "wasm32"))]
    let end = {
        static mut END: u64 = 0;
        (&raw mut END) as usize
    };
    [&raw mut MARK, end as *mut u64]
}

/// A reason (code `what`) whose message is the marked words, in hex.
fn peeked(what: &str) -> Reason {
    // SAFETY: as in `poke`; reading them changes nothing.
    let words: Vec<String> = marks()
        .iter()
        .map(|w| format!("{:x}", unsafe { w.read_volatile() }))
        .collect();
    Reason {
        code: what.into(),
        rule: "X".into(),
        message: words.join(","),
    }
}

fn counted() -> Vec<String> {
    vec![format!("calls:{}", CALLS.fetch_add(1, Ordering::Relaxed) + 1)]
}

impl Policy for Mischief {
    const NAME: &'static str = "mischief";
    const VERSION: &'static str = "0.0.0";
    const RULES: &'static [&'static str] = &[];

    fn configure(settings: &str) -> Result<Self, Vec<String>> {
        if settings.contains("trap") {
            panic!("configure traps");
        }
        if settings.contains("refuse") {
            return Err(vec!["`refuse`: mischief refuses".into()]);
        }
        seen().push(settings.into());
        Ok(Mischief)
    }

    fn evaluate_question(&self, question: &Question<'_>) -> Option<GenericDecision> {
        if question.action == "garbage" {
            return Some(GenericDecision::allow().with_context("{not json".into()));
        }
        if misbehave(question.action).is_some() {
            // `huge`, `many`, `silent`: an allow with far too much to say.
            return Some(GenericDecision {
                decision: true,
                context: String::new(),
                obligations: (0..10_000).map(|i| format!("o{i}")).collect(),
            });
        }
        Some(GenericDecision {
            decision: true,
            context: String::new(),
            obligations: counted(),
        })
    }

    /// A schema of its own, so the console's form for a custom policy has
    /// one to draw.
    fn settings_schema() -> Option<String> {
        Some(String::from(
            r#"{"type": "object", "properties": {"mood": {"type": "string", "enum": ["calm", "wild"], "description": "How the mischief behaves."}}}"#,
        ))
    }

    fn search(&self, _kind: SearchKind, question: &Question<'_>) -> Option<Vec<String>> {
        misbehave(question.subject.kind);
        Some(vec![String::from("found")])
    }

    fn evaluate_start(&self, request: &StartRequest<'_>) -> StartDecision {
        let reason = request.reason.unwrap_or("");
        // SC2: a grant wider than the scope asked for.
        if reason == "widen-scope" {
            return StartDecision::Allow(Grant {
                ttl_seconds: 3600,
                max_ttl_seconds: 3600,
                notify_target: false,
                read_only: false,
                obligations: Vec::new(),
                scope: Some(Scope {
                    actions: vec!["*".into()],
                    resources: Vec::new(),
                }),
                idle_timeout_seconds: None,
            });
        }
        if reason == "overgrant" {
            let grant = Grant {
                ttl_seconds: 1 << 40,
                max_ttl_seconds: 1 << 40,
                notify_target: true,
                read_only: false,
                obligations: Vec::new(),
                scope: None,
                idle_timeout_seconds: None,
            };
            return StartDecision::Allow(grant);
        }
        // Approval answers a host must check: waits with an approver, with
        // none, and for ever.
        let wait = |roles: Vec<String>, target: bool, ttl_seconds: u64| {
            let grant = Grant {
                ttl_seconds: 600,
                max_ttl_seconds: 3600,
                notify_target: false,
                read_only: false,
                obligations: Vec::new(),
                scope: None,
                idle_timeout_seconds: None,
            };
            StartDecision::Pending(
                grant,
                Approvers {
                    roles,
                    target,
                    ttl_seconds,
                },
            )
        };
        if reason == "spy" {
            return StartDecision::Deny(vec![Reason {
                code: "spy".into(),
                rule: "X".into(),
                message: seen().join("|"),
            }]);
        }
        match reason {
            "pending" | "pending-then-loop" => return wait(vec!["anyone".into()], true, 600),
            "pending-nobody" => return wait(Vec::new(), false, 600),
            "pending-forever" => return wait(vec!["anyone".into()], false, 1 << 40),
            _ => {}
        }
        match misbehave(reason) {
            Some(reasons) => StartDecision::Deny(reasons),
            None => StartDecision::Allow(Grant {
                ttl_seconds: 3600,
                max_ttl_seconds: 86_400,
                notify_target: false,
                read_only: false,
                obligations: counted(),
                scope: None,
                idle_timeout_seconds: None,
            }),
        }
    }

    fn evaluate_action(&self, request: &ActionRequest<'_>) -> ActionDecision {
        if request.action == "many-obligations" {
            return ActionDecision::Allow((0..10_000).map(|i| format!("o{i}")).collect());
        }
        match misbehave(request.action) {
            Some(reasons) => ActionDecision::Deny(reasons),
            None => {
                // The resource it was asked about, so tests see it arrived.
                let mut obligations = counted();
                obligations.extend(request.resource.map(|r| format!("resource:{r}")));
                ActionDecision::Allow(obligations)
            }
        }
    }

    /// Several actions: each as `evaluate_action` answers it, every allow
    /// also carrying `batch:K` (K actions asked in this call), so tests can
    /// tell one call from one per action; an action `short-answer` among
    /// them makes the answer one decision short (a broken list).
    fn evaluate_actions(&self, request: &ActionRequest<'_>, actions: &[Action<'_>]) -> Vec<ActionDecision> {
        let mut decisions: Vec<ActionDecision> = actions
            .iter()
            .map(|a| match self.evaluate_action(&request.with(a)) {
                ActionDecision::Allow(mut obligations) => {
                    obligations.push(format!("batch:{}", actions.len()));
                    ActionDecision::Allow(obligations)
                }
                deny => deny,
            })
            .collect();
        if actions.iter().any(|a| a.name == "short-answer") {
            decisions.pop();
        }
        decisions
    }

    /// Lets anyone answer, the actor too (the host must refuse the actor),
    /// or loops when the request's reason says so.
    fn evaluate_approval(&self, request: &ApprovalRequest<'_>) -> ApprovalDecision {
        if request.start.reason == Some("pending-then-loop") {
            misbehave("loop");
        }
        ApprovalDecision::Approve
    }
}

#[cfg(target_arch = "wasm32")]
standin_policy_sdk::export_policy!(Mischief);
