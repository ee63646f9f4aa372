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
}

impl Compiled {
    /// The sha256 of the component's bytes.
    pub fn digest(&self) -> Digest {
        self.digest
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
