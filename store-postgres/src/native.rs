//! What only PostgreSQL has: a pool of connections ([`pool`]), one
//! sweeper among replicas ([`leader`]), and news of other replicas'
//! session changes ([`watch`]). The files beside this folder have the same names in
//! every backend, one per trait of `standin::store`.

pub(crate) mod leader;
pub(crate) mod pool;
pub(crate) mod watch;
