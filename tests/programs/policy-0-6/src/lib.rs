//! A component of `standin:policy@0.6.0` (`wit/archive/0.6.0`), the version
//! of the package before prepared settings: what a tenant built (in Rust,
//! or with the TypeScript SDK) before 0.7.0. It has no `prepare`, so the
//! host gives each tenant instances of its own, configured once, even
//! where it would share the component's (`tests/all/shared.rs`). It allows
//! every start, with its settings as an obligation.
#![cfg_attr(target_arch = "wasm32", no_std)]

#[cfg(target_arch = "wasm32")]
extern crate alloc;

#[cfg(target_arch = "wasm32")]
mod component {
    use alloc::string::String;
    use alloc::vec;
    use alloc::vec::Vec;
    use core::cell::UnsafeCell;
    // Its allocator and panic handler.
    use standin_policy_sdk as _;

    wit_bindgen::generate!({ path: "../../../wit/archive/0.6.0", world: "policy-world" });

    use exports::standin::policy::policy::Guest;
    use standin::policy::types::*;

    struct Settings(UnsafeCell<String>);
    // SAFETY: a component instance runs on one thread.
    unsafe impl Sync for Settings {}
    static SETTINGS: Settings = Settings(UnsafeCell::new(String::new()));

    fn settings() -> String {
        // SAFETY: single-threaded; `configure` is the only writer.
        unsafe { (*SETTINGS.0.get()).clone() }
    }

    struct Policy06;

    impl Guest for Policy06 {
        fn describe() -> PolicyInfo {
            PolicyInfo {
                name: "policy-0-6".into(),
                version: "0.6.0".into(),
                rules: Vec::new(),
            }
        }
        fn configure(settings: String) -> Result<(), Vec<String>> {
            // SAFETY: as in `settings`.
            unsafe { *SETTINGS.0.get() = settings };
            Ok(())
        }
        fn evaluate_start(_text: String, _words: Vec<u64>) -> StartDecision {
            StartDecision::Allow(StartGrant {
                ttl_seconds: 600,
                max_ttl_seconds: 3600,
                notify_target: false,
                read_only: false,
                obligations: vec![settings()],
                scope: None,
                idle_timeout_seconds: None,
            })
        }
        fn evaluate_action(_text: String, _words: Vec<u64>) -> ActionDecision {
            ActionDecision::Allow(vec![settings()])
        }
        fn evaluate_approval(_text: String, _words: Vec<u64>) -> ApprovalDecision {
            ApprovalDecision::Approve
        }
        fn evaluate_actions(_text: String, _words: Vec<u64>, actions: Vec<u64>) -> Vec<ActionDecision> {
            (0..actions.len() / 3)
                .map(|_| ActionDecision::Allow(vec![settings()]))
                .collect()
        }
        fn evaluate_question(_question: Question) -> Option<GenericDecision> {
            None
        }
        fn search(_kind: SearchKind, _question: Question) -> Option<Vec<String>> {
            None
        }
        fn settings_schema() -> Option<String> {
            None
        }
    }

    export!(Policy06);
}
