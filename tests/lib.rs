//! Paths of the test components, built by this package's build script from
//! `tests/programs/` (hostile policies) and `examples/policies/`.

pub mod postgres;

/// Misbehaves as the request asks (see `programs/mischief`).
pub const MISCHIEF: &str = env!("STANDIN_MISCHIEF");
/// Implements another world.
pub const WRONG_WORLD: &str = env!("STANDIN_WRONG_WORLD");
/// Exports the policy interface with `evaluate-start` of another type.
pub const WRONG_TYPES: &str = env!("STANDIN_WRONG_TYPES");
/// Links `std` and reads files, so imports `wasi:filesystem`.
pub const READS_FILES: &str = env!("STANDIN_READS_FILES");

/// The default policy's rules as a component of `standin:policy@0.2.0`,
/// the version before approval (see `programs/policy-0-2`).
pub const POLICY_0_2: &str = env!("STANDIN_POLICY_0_2");

/// The default policy's rules as a component of `standin:policy@0.3.0`,
/// the version before `evaluate-actions` (see `programs/policy-0-3`).
pub const POLICY_0_3: &str = env!("STANDIN_POLICY_0_3");

/// The default policy's rules as a component of `standin:policy@0.4.0`,
/// the version before generic questions (see `programs/policy-0-4`).
pub const POLICY_0_4: &str = env!("STANDIN_POLICY_0_4");

/// A component of `standin:policy@0.6.0`, the version before prepared
/// settings (see `programs/policy-0-6`).
pub const POLICY_0_6: &str = env!("STANDIN_POLICY_0_6");

/// The example custom policy (`examples/policies/business-hours`).
pub const BUSINESS_HOURS: &str = env!("STANDIN_BUSINESS_HOURS");

/// The AuthZEN certification fixture (`examples/policies/authzen-fixture`).
pub const AUTHZEN_FIXTURE: &str = env!("STANDIN_AUTHZEN_FIXTURE");

/// The AuthZEN interop policy (`examples/policies/authzen-todo`).
pub const AUTHZEN_TODO: &str = env!("STANDIN_AUTHZEN_TODO");

/// The bytes of a test component.
pub fn component(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read test component `{path}`: {e}"))
}
