//! A compiled component, ready to instantiate: what the host's compile
//! cache holds (`engine`), what loading makes (`load`). Its own file so
//! that neither of those needs the other's.

use crate::bindings::WorldPre;
use crate::digest::Digest;

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
