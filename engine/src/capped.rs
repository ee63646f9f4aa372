//! Reading a file through a cap: at most `cap` + 1 bytes are ever read, so
//! a huge file or a device such as `/dev/zero` cannot grow memory past it.
//! Shared by every file the library reads (suites, settings files, keys,
//! checkpoints); each caller words its own error.

use std::io::Read as _;
use std::path::Path;

/// The bytes of `path`; `Ok(None)` when it holds more than `cap` bytes.
pub fn read_file(path: &Path, cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(cap + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then_some(bytes))
}
