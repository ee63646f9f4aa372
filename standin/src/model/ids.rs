//! Ids the library makes: sessions (`s-`) and token ids (`t-`). Unique
//! without coordination (many replicas make them at once), not secrets.

use std::sync::atomic::{AtomicU64, Ordering};

/// `prefix` and 16 hex digits, from sha256 of the clock, the process, a
/// counter and the process's random hash keys.
pub(crate) fn random_id(prefix: &str) -> String {
    use sha2::{Digest as _, Sha256};
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut random = std::collections::hash_map::RandomState::new().build_hasher();
    random.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(random.finish().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    format!("{prefix}{}", crate::audit::hex(&h.finalize()[..8]))
}
