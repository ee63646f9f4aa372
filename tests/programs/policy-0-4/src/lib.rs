//! The default policy's rules, exported as a component of
//! `standin:policy@0.4.0` (`wit/archive/0.4.0`), the version of the package
//! before generic AuthZEN questions: what a tenant built and uploaded
//! before 0.5.0. The host must keep loading it and answering as before,
//! and deny generic questions for it (`tests/all/generic.rs`). The SDK's
//! conversions are written out here as they were.
#![cfg_attr(target_arch = "wasm32", no_std)]

#[cfg(target_arch = "wasm32")]
extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod component {
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use core::cell::UnsafeCell;
    use standin_default_policy::DefaultPolicy;
    use standin_policy_sdk::{
        Action, ActionDecision, ActionRequest, ApprovalDecision, ApprovalRequest, Grant, Policy, Reason, StartDecision,
        StartRequest,
    };

    wit_bindgen::generate!({ path: "../../../wit/archive/0.4.0", world: "policy-world" });

    use exports::standin::policy::policy::Guest;
    use standin::policy::types as wit;

    struct State(UnsafeCell<Option<DefaultPolicy>>);
    // SAFETY: a component instance runs on one thread.
    unsafe impl Sync for State {}
    static STATE: State = State(UnsafeCell::new(None));

    fn policy() -> &'static DefaultPolicy {
        // SAFETY: single-threaded; `configure` is the only writer.
        let slot = unsafe { &mut *STATE.0.get() };
        slot.get_or_insert_with(|| match DefaultPolicy::configure("{}") {
            Ok(p) => p,
            Err(_) => core::arch::wasm32::unreachable(),
        })
    }

    fn reasons(reasons: Vec<Reason>) -> Vec<wit::Reason> {
        reasons
            .into_iter()
            .map(|r| wit::Reason {
                code: r.code,
                rule: r.rule,
                message: r.message,
            })
            .collect()
    }

    fn grant(g: Grant) -> wit::StartGrant {
        wit::StartGrant {
            ttl_seconds: g.ttl_seconds,
            max_ttl_seconds: g.max_ttl_seconds,
            notify_target: g.notify_target,
            read_only: g.read_only,
            obligations: g.obligations,
        }
    }

    struct Old;

    impl Guest for Old {
        fn describe() -> wit::PolicyInfo {
            wit::PolicyInfo {
                name: "standin-default-0.4".to_string(),
                version: DefaultPolicy::VERSION.to_string(),
                rules: DefaultPolicy::RULES.iter().map(|r| r.to_string()).collect(),
            }
        }

        fn configure(settings: String) -> Result<(), Vec<String>> {
            let configured = DefaultPolicy::configure(&settings)?;
            // SAFETY: as in `policy`.
            unsafe { *STATE.0.get() = Some(configured) };
            Ok(())
        }

        fn evaluate_start(text: String, words: Vec<u64>) -> wit::StartDecision {
            let Some(request) = StartRequest::read(&text, &words) else {
                core::arch::wasm32::unreachable()
            };
            match policy().evaluate_start(&request) {
                StartDecision::Allow(g) => wit::StartDecision::Allow(grant(g)),
                StartDecision::Pending(g, a) => wit::StartDecision::Pending(wit::PendingStart {
                    grant: grant(g),
                    approvers: wit::Approvers {
                        roles: a.roles,
                        target: a.target,
                        ttl_seconds: a.ttl_seconds,
                    },
                }),
                StartDecision::Deny(r) => wit::StartDecision::Deny(reasons(r)),
            }
        }

        fn evaluate_action(text: String, words: Vec<u64>) -> wit::ActionDecision {
            let Some(request) = ActionRequest::read(&text, &words) else {
                core::arch::wasm32::unreachable()
            };
            match policy().evaluate_action(&request) {
                ActionDecision::Allow(obligations) => wit::ActionDecision::Allow(obligations),
                ActionDecision::Deny(r) => wit::ActionDecision::Deny(reasons(r)),
            }
        }

        fn evaluate_actions(text: String, words: Vec<u64>, actions: Vec<u64>) -> Vec<wit::ActionDecision> {
            let Some((request, items)) = ActionRequest::read_many(&text, &words, &actions) else {
                core::arch::wasm32::unreachable()
            };
            let items: Vec<Action<'_>> = items;
            policy()
                .evaluate_actions(&request, &items)
                .into_iter()
                .map(|d| match d {
                    ActionDecision::Allow(obligations) => wit::ActionDecision::Allow(obligations),
                    ActionDecision::Deny(r) => wit::ActionDecision::Deny(reasons(r)),
                })
                .collect()
        }

        fn evaluate_approval(text: String, words: Vec<u64>) -> wit::ApprovalDecision {
            let Some(request) = ApprovalRequest::read(&text, &words) else {
                core::arch::wasm32::unreachable()
            };
            match policy().evaluate_approval(&request) {
                ApprovalDecision::Approve => wit::ApprovalDecision::Approve,
                ApprovalDecision::Deny(r) => wit::ApprovalDecision::Deny(reasons(r)),
            }
        }
    }

    export!(Old);
}
