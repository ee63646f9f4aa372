//! A component of `standin:policy@0.7.0` whose `evaluate-start` answers a
//! number where the package says a start decision: every name is there,
//! one type is not. The host must refuse it at load, before any call could
//! read an answer of one type as another.
#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ path: "wit", world: "policy-world" });

    use exports::standin::policy::policy::{
        ActionDecision, ApprovalDecision, GenericDecision, Guest, PolicyInfo, Question, SearchKind,
    };

    struct WrongTypes;

    impl Guest for WrongTypes {
        fn describe() -> PolicyInfo {
            PolicyInfo {
                name: "wrong-types".into(),
                version: "1.0.0".into(),
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

        fn evaluate_start(_text: String, _words: Vec<u64>) -> u32 {
            1
        }

        fn evaluate_action(_text: String, _words: Vec<u64>) -> ActionDecision {
            ActionDecision::Allow(Vec::new())
        }

        fn evaluate_approval(_text: String, _words: Vec<u64>) -> ApprovalDecision {
            ApprovalDecision::Approve
        }

        fn evaluate_actions(_text: String, _words: Vec<u64>, actions: Vec<u64>) -> Vec<ActionDecision> {
            actions.iter().map(|_| ActionDecision::Allow(Vec::new())).collect()
        }

        fn evaluate_question(_question: Question) -> Option<GenericDecision> {
            None
        }

        fn settings_schema() -> Option<String> {
            None
        }

        fn search(_kind: SearchKind, _question: Question) -> Option<Vec<String>> {
            None
        }
    }

    export!(WrongTypes);
}
