//! Paths of the hostile test components, built by this package's build
//! script from `tests/programs/`.

/// Misbehaves as the request asks (see `programs/mischief`).
pub const MISCHIEF: &str = env!("STANDIN_TEST_MISCHIEF");
/// Implements another world.
pub const WRONG_WORLD: &str = env!("STANDIN_TEST_WRONG_WORLD");
/// Links `std` and reads files, so imports `wasi:filesystem`.
pub const READS_FILES: &str = env!("STANDIN_TEST_READS_FILES");

/// The bytes of a test component.
pub fn component(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read test component `{path}`: {e}"))
}
