//! A compiled component, ready to instantiate: what the host's compile
//! cache holds (`engine`), what loading makes (`load`). Its own file so
//! that neither of those needs the other's.

use crate::bindings::PolicyWorldPre;
use crate::digest::Digest;
use crate::sandbox::Limiter;

/// A compiled, checked component, ready to instantiate.
pub(crate) struct Compiled {
    pub pre: PolicyWorldPre<Limiter>,
    pub digest: Digest,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}
