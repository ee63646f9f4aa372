//! A compiled component, ready to instantiate: what the host's compile
//! cache holds (`host`), what loading makes (`load`), and what an
//! [`Artifacts`](crate::Artifacts) keeper keeps between processes. Its own file so that
//! neither of those needs the other's.

use crate::bindings::WorldPre;
use crate::digest::Digest;

/// A compiled, checked component, ready to instantiate.
pub struct Compiled {
    pub(crate) pre: WorldPre,
    pub(crate) digest: Digest,
    /// The instances its tenants share, when it is shared (made on first use).
    pub(crate) pool: std::sync::OnceLock<crate::policy::shared::Pool>,
}

impl Compiled {
    pub(crate) fn new(pre: WorldPre, digest: Digest) -> Self {
        Self {
            pre,
            digest,
            pool: std::sync::OnceLock::new(),
        }
    }

    /// The sha256 of the component's bytes.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// What the instances its tenants share hold; `None` when nobody
    /// shares them.
    pub fn shared_stats(&self) -> Option<crate::SharedStats> {
        self.pool.get().map(|p| p.stats())
    }
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("digest", &self.digest)
            .field("version", &self.pre.version())
            .finish_non_exhaustive()
    }
}
