//! What only SQLite has: the write-ahead log made durable apart from the
//! commit ([`sync`]), its copy back into the database file off the
//! writer's thread ([`wal`]), and how the group-commit writer thread
//! answers its callers ([`cells`]). The files beside this folder have
//! the same names in every backend, one per trait of `standin::store`.

pub(crate) mod cells;
pub(crate) mod sync;
pub(crate) mod wal;
