//! The one place that generates host bindings for `wit/policy.wit`.
//!
//! Everything else in the host speaks the SDK's wire types and the
//! contract's JSON types. A request crosses as its text and words
//! (`standin_policy_sdk::wire::words`), so nothing here converts requests;
//! the answers are converted where they are checked (`policy`).

wasmtime::component::bindgen!({
    path: "../wit",
    world: "policy-world",
});

pub(crate) use self::standin::policy::types as wit;
