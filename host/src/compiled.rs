//! A compiled component, ready to instantiate: what the host's compile
//! cache holds (`engine`), what loading makes (`load`). Its own file so
//! that neither of those needs the other's.

use crate::bindings::WorldPre;
use crate::digest::Digest;
use std::sync::Arc;

/// A compiled, checked component, ready to instantiate.
pub(crate) struct Compiled {
    pub pre: WorldPre,
    pub digest: Digest,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("digest", &self.digest)
            .field("version", &self.pre.version())
            .finish_non_exhaustive()
    }
}

/// Where compiled components outlive the process (the store's artifacts,
/// an [`ArtifactDir`](crate::ArtifactDir)), sealed with a host key: a
/// component pre-initialized with a tenant's settings is compiled once,
/// not at every start.
pub(crate) trait Artifacts {
    /// The compiled component of `digest`, when one this host key sealed
    /// for this engine is there.
    fn compiled(&self, host: &crate::Host, digest: Digest) -> Option<Arc<Compiled>>;

    /// Keeps `compiled` for the next process (best effort).
    fn keep(&self, host: &crate::Host, compiled: &Compiled);
}
