//! What several benches measure alike: resident memory, percentiles, and
//! custom components that are the built-in one under another digest.
//! Each bench uses part of it.
#![allow(dead_code)]

use std::time::Duration;

/// Resident set size of this process, in bytes (Linux; 0 elsewhere).
pub fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// The `p` quantile (0 to 1) of `sorted`.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// The built-in component with a custom section naming `i`: a distinct
/// sha256 digest, compiled, cached and instantiated on its own, as a
/// separately built component would be.
pub fn custom_component(i: usize) -> Vec<u8> {
    let name = b"standin-bench";
    let payload = format!("custom component {i}");
    let mut section = vec![name.len() as u8];
    section.extend_from_slice(name);
    section.extend_from_slice(payload.as_bytes());
    let mut bytes = standin::DEFAULT_POLICY.to_vec();
    bytes.push(0); // custom section id
    let mut size = section.len();
    loop {
        let byte = (size & 0x7f) as u8;
        size >>= 7;
        bytes.push(if size == 0 { byte } else { byte | 0x80 });
        if size == 0 {
            break;
        }
    }
    bytes.extend_from_slice(&section);
    bytes
}
