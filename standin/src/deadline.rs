//! The caller's deadline, for the store.
//!
//! A server answers `503 deadline-exceeded` when a call takes too long,
//! but the call goes on on its own thread; if its audit rows were then
//! committed, the trail would record a decision (an allow, even) that its
//! caller was told had timed out. So the server runs each call
//! [`within`] its deadline, the call's action records carry it
//! ([`ActionRecord::answer_by`](crate::store::ActionRecord::answer_by)),
//! and a store commits no rows of a call whose deadline has passed
//! ([`ActionAppended::Late`](crate::store::ActionAppended::Late)). A
//! thread-local, so the library's signatures stay as they are for callers
//! without a deadline.

use std::cell::Cell;
use std::time::Instant;

thread_local! {
    static ANSWER_BY: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Runs `f` with `by` as the deadline of the calls it makes on this thread.
pub fn within<R>(by: Instant, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Instant>);
    impl Drop for Restore {
        fn drop(&mut self) {
            ANSWER_BY.with(|d| d.set(self.0));
        }
    }
    let _restore = Restore(ANSWER_BY.with(|d| d.replace(Some(by))));
    f()
}

/// The deadline of the call running on this thread, if it has one.
pub fn current() -> Option<Instant> {
    ANSWER_BY.with(Cell::get)
}

/// Whether `by` has passed.
pub fn passed(by: Option<Instant>) -> bool {
    by.is_some_and(|by| Instant::now() >= by)
}
