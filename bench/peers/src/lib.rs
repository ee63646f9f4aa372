//! Standin's default policy against the same rules written in Cedar and in
//! Rego, decided in one process on the same requests (issue 14, item 3).
//!
//! Each engine gets a module that loads its policy once and answers a
//! start or an action request from the host's typed request
//! ([`standin::StartRequest`], [`standin::ActionRequest`]): [`standin_side`]
//! (the default policy natively and as a component), [`cedar`] and
//! [`rego`]. Every engine's answer also converts into an [`Outcome`], the
//! common ground the equivalence test (`tests/equivalence.rs`) compares on
//! the requests of [`cases`]; the benchmark (`benches/peers.rs`) times the
//! engines' own answers, without that conversion.

pub mod cases;
pub mod cedar;
pub mod rego;
pub mod requests;
pub mod standin_side;

/// What every engine's answer comes down to.
///
/// `codes` are the reason codes of a deny (Standin's codes, Cedar's `@code`
/// annotations of the forbids that held, Rego's `reasons` set), sorted and
/// without repeats; `ttl_seconds` is the granted time of a start allow;
/// `obligations` those of an allow, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub allow: bool,
    pub codes: Vec<String>,
    pub ttl_seconds: Option<u64>,
    pub obligations: Vec<String>,
}

impl Outcome {
    /// A deny for `codes`, in any order, repeats allowed.
    pub fn deny(codes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            allow: false,
            codes: sorted(codes),
            ttl_seconds: None,
            obligations: Vec::new(),
        }
    }

    /// An allow granting `ttl_seconds` (starts) with `obligations`.
    pub fn allow(ttl_seconds: Option<u64>, obligations: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            allow: true,
            codes: Vec::new(),
            ttl_seconds,
            obligations: sorted(obligations),
        }
    }
}

fn sorted(items: impl IntoIterator<Item = impl Into<String>>) -> Vec<String> {
    let mut items: Vec<String> = items.into_iter().map(Into::into).collect();
    items.sort();
    items.dedup();
    items
}
