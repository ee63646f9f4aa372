//! Where a call's time went: the phases of one question (the policy's
//! resolution, its call, the audit commit), for a server that traces.
//!
//! Why a recorder and not spans: the library answers on whatever thread
//! calls it (a blocking pool, the server's batch threads), decides many
//! requests in one call, and must cost nothing when nobody traces. So it
//! depends on no tracing library; a caller that traces turns recording on
//! for its thread ([`recorded`]), and gets back the [`Phase`]s, which it
//! turns into spans of its own (the server: OpenTelemetry spans, children
//! of the request's). With recording off, each phase point is one
//! thread-local read and a branch.
//!
//! A phase names no secret: codes, versions, digests and counts, never a
//! reason's text, a key or a token.

use std::cell::{Cell, RefCell};
use std::time::Instant;

/// One phase of a question, as a span: a name, its time and attributes.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Phase {
    /// `policy.resolve`, `policy.call` or `audit.commit`.
    pub name: &'static str,
    /// In a batch, the index of the call it belongs to; `None` for what
    /// the whole batch shares (its commit) or outside a batch.
    pub call: Option<usize>,
    pub start: Instant,
    pub end: Instant,
    pub attributes: Vec<(&'static str, Attr)>,
}

/// An attribute's value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Attr {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl From<&str> for Attr {
    fn from(v: &str) -> Self {
        Attr::Str(v.to_string())
    }
}

impl From<String> for Attr {
    fn from(v: String) -> Self {
        Attr::Str(v)
    }
}

impl From<i64> for Attr {
    fn from(v: i64) -> Self {
        Attr::Int(v)
    }
}

impl From<bool> for Attr {
    fn from(v: bool) -> Self {
        Attr::Bool(v)
    }
}

thread_local! {
    static PHASES: RefCell<Option<Vec<Phase>>> = const { RefCell::new(None) };
    static CALL: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Runs `f` with recording on for this thread and returns what it
/// recorded with its result. Nested calls record into the outer one.
pub fn recorded<R>(f: impl FnOnce() -> R) -> (R, Vec<Phase>) {
    let outer = PHASES.with(|p| p.borrow_mut().replace(Vec::new()));
    // Restored even if `f` unwinds, so a caught panic leaves no recorder on.
    struct Restore(Option<Option<Vec<Phase>>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(outer) = self.0.take() {
                PHASES.with(|p| *p.borrow_mut() = outer);
                CALL.with(|c| c.set(None));
            }
        }
    }
    let mut restore = Restore(Some(outer));
    let result = f();
    let mine = PHASES.with(|p| p.borrow_mut().take()).unwrap_or_default();
    if let Some(Some(mut outer)) = restore.0.take() {
        outer.extend(mine.iter().cloned());
        PHASES.with(|p| *p.borrow_mut() = Some(outer));
    }
    drop(restore);
    (result, mine)
}

/// When recording, the time now (a phase's start); else `None`, and the
/// phase that follows records nothing.
#[inline]
pub(crate) fn start() -> Option<Instant> {
    if PHASES.with(|p| p.borrow().is_some()) {
        Some(Instant::now())
    } else {
        None
    }
}

/// Records a phase begun at `start` (from [`start`]) and ending now.
pub(crate) fn phase(
    name: &'static str,
    start: Option<Instant>,
    attributes: impl FnOnce() -> Vec<(&'static str, Attr)>,
) {
    let Some(start) = start else { return };
    let end = Instant::now();
    let call = CALL.with(Cell::get);
    PHASES.with(|p| {
        if let Some(phases) = p.borrow_mut().as_mut() {
            phases.push(Phase {
                name,
                call,
                start,
                end,
                attributes: attributes(),
            });
        }
    });
}

/// Marks the phases recorded from now on as call `call`'s of a batch
/// (`None`: the batch's own).
#[inline]
pub(crate) fn at_call(call: Option<usize>) {
    CALL.with(|c| c.set(call));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_recorded_unless_asked() {
        let t = start();
        assert!(t.is_none());
        phase("policy.call", Some(Instant::now()), Vec::new);
        let ((), phases) = recorded(|| ());
        assert!(phases.is_empty());
    }

    #[test]
    fn phases_carry_their_call_and_nest_into_the_outer_recording() {
        let ((), outer) = recorded(|| {
            let ((), inner) = recorded(|| {
                at_call(Some(3));
                phase("policy.call", start(), || vec![("standin.decision", "allow".into())]);
                at_call(None);
                phase("audit.commit", start(), || vec![("standin.audit.rows", 2i64.into())]);
            });
            assert_eq!(inner.len(), 2);
            assert_eq!(inner[0].call, Some(3));
            assert_eq!(inner[1].call, None);
        });
        assert_eq!(outer.len(), 2);
        assert!(start().is_none(), "recording is off again");
    }
}
