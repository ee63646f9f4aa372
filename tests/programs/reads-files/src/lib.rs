//! A policy of the right world that reads the host's files through WASI.
//! The host denies WASI (every call traps): it loads, and its reads are denied.
#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ path: "../../../wit", world: "policy-world" });

    use exports::standin::policy::policy::Guest;
    use standin::policy::types::*;

    struct ReadsFiles;

    impl Guest for ReadsFiles {
        fn describe() -> PolicyInfo {
            PolicyInfo {
                name: "reads-files".into(),
                version: "0".into(),
                rules: Vec::new(),
            }
        }
        fn configure(_settings: String) -> Result<(), Vec<String>> {
            Ok(())
        }
        fn prepare(_settings: String) -> Result<u32, Vec<String>> {
            Ok(1)
        }
        fn select(_handle: u32) {}
        fn release(_handle: u32) {}
        fn evaluate_start(_text: String, _words: Vec<u64>) -> StartDecision {
            let secret = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
            StartDecision::Deny(vec![Reason {
                code: "leak".into(),
                rule: "X".into(),
                message: secret,
            }])
        }
        fn evaluate_action(_text: String, _words: Vec<u64>) -> ActionDecision {
            ActionDecision::Allow(Vec::new())
        }
        fn evaluate_approval(_text: String, _words: Vec<u64>) -> ApprovalDecision {
            ApprovalDecision::Approve
        }
        fn evaluate_actions(_text: String, _words: Vec<u64>, _actions: Vec<u64>) -> Vec<ActionDecision> {
            Vec::new()
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

    export!(ReadsFiles);
}
