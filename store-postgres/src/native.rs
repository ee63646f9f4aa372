//! What only PostgreSQL has: a pool of connections ([`pool`]) and of
//! writer connections with their statements prepared ([`prepared`]), group
//! commits flushed after the chain head is free ([`durable`]), one sweeper
//! among replicas ([`leader`]), and news of other replicas' session
//! changes ([`watch`]). The files beside this folder have the same names in
//! every backend, one per trait of `standin::store`.

pub(crate) mod durable;
pub(crate) mod leader;
pub(crate) mod pool;
pub(crate) mod prepared;
pub(crate) mod watch;
