//! What only PostgreSQL has: a pool of connections ([`pool`]), one
//! sweeper among replicas ([`leader`]), news of other replicas' session
//! changes ([`watch`]), and the copy of a SQLite database into an empty
//! one ([`import`]). The files beside this folder have the same names in
//! every backend, one per trait of `standin::store`.

#[cfg(feature = "sqlite")]
pub(crate) mod import;
pub(crate) mod leader;
pub(crate) mod pool;
pub(crate) mod watch;
