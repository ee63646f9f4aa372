//! The answers of `evaluate-start`, `-action`, `-actions` and `-approval`
//! as the host lifts them: a deny's reasons with their codes and rules
//! taken from a table when they are words of the contract, not copied.
//!
//! **Why.** A one-reason deny cost about 4,000 instructions more than an
//! allow, a third of it on the host lifting the reason's three strings
//! (UTF-8 checks, `malloc`, copies, and the `free`s when the decision is
//! dropped: BENCHMARKS.md, "What a deny costs"). A code and a rule are
//! almost always one of a few dozen words (docs/contract.md, "Reason
//! codes"): lifted as a [`Name`], a word of [`VOCABULARY`] is compared in
//! place and borrowed from the table; anything else is lifted as a
//! `String`, checked as before. Only the message, which is the policy's
//! own text, is always copied.
//!
//! These types shadow the generated ones of the same names in
//! [`super::wit`], so the current version's calls ([`super::lazy`]) and
//! 0.6.0's (whose types are the current ones) lift into them; older
//! versions' answers are converted. [`Name`] implements the canonical ABI's
//! traits for a `string` by delegating to wasmtime's own (`WasmStr`,
//! `String`, `str`), so its layout and checks are theirs.

use std::borrow::Cow;
use std::mem::MaybeUninit;
use std::sync::LazyLock;
use wasmtime::component::__internal::wasmtime_environ::component::StringEncoding;
use wasmtime::component::__internal::{CanonicalAbiInfo, InstanceType, InterfaceType, LiftContext, LowerContext};
use wasmtime::component::{ComponentType, Lift, Lower, WasmStr};

use super::standin::policy::types::{PendingStart, StartGrant};

/// The WIT `start-decision`.
#[derive(wasmtime::component::ComponentType, wasmtime::component::Lift, wasmtime::component::Lower)]
#[component(variant)]
#[derive(Clone, Debug)]
pub enum StartDecision {
    #[component(name = "allow")]
    Allow(StartGrant),
    #[component(name = "pending")]
    Pending(PendingStart),
    #[component(name = "deny")]
    Deny(Vec<Reason>),
}

/// The WIT `action-decision`.
#[derive(wasmtime::component::ComponentType, wasmtime::component::Lift, wasmtime::component::Lower)]
#[component(variant)]
#[derive(Clone, Debug)]
pub enum ActionDecision {
    /// Its obligations, usually words (see [`Name`]).
    #[component(name = "allow")]
    Allow(Vec<Name>),
    #[component(name = "deny")]
    Deny(Vec<Reason>),
}

/// The WIT `approval-decision`.
#[derive(wasmtime::component::ComponentType, wasmtime::component::Lift, wasmtime::component::Lower)]
#[component(variant)]
#[derive(Clone, Debug)]
pub enum ApprovalDecision {
    #[component(name = "approve")]
    Approve,
    #[component(name = "deny")]
    Deny(Vec<Reason>),
}

/// The WIT `reason`.
#[derive(wasmtime::component::ComponentType, wasmtime::component::Lift, wasmtime::component::Lower)]
#[component(record)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// Stable code, e.g. `target-level-not-lower`.
    pub code: Name,
    /// Requirement id, e.g. `E4`.
    pub rule: Name,
    /// For people.
    pub message: String,
}

/// A WIT `string` that is usually a word of [`VOCABULARY`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(pub Cow<'static, str>);

impl Name {
    pub fn into_inner(self) -> Cow<'static, str> {
        self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Strings lifted by an older version's bindings, as names.
pub fn names(strings: Vec<String>) -> Vec<Name> {
    strings.into_iter().map(Name::from).collect()
}

impl From<String> for Name {
    fn from(s: String) -> Self {
        Self(Cow::Owned(s))
    }
}

impl From<&'static str> for Name {
    fn from(s: &'static str) -> Self {
        Self(Cow::Borrowed(s))
    }
}

/// The reason codes, rules and obligations of docs/contract.md: what most
/// reasons and allows say. Anything outside it is lifted as an owned
/// string, so the table only ever saves work.
pub const VOCABULARY: &[&str] = &[
    // Obligations: an allowed action usually carries one, and a batch of
    // actions lifted one `String` each (about 800 instructions with its
    // `malloc`, UTF-8 check and `free`, a sixth of an action's cost).
    "revert-consent",
    "deliver-to-target",
    "do-not-persist",
    "change-digest",
    "do-not-track",
    // Codes of the built-in policy and of the host.
    "approver-is-actor",
    "approver-not-allowed",
    "cross-tenant",
    "domain-not-shared",
    "domain-required",
    "forbidden-action",
    "invalid-request",
    "nested-impersonation",
    "not-permitted",
    "outside-session-scope",
    "policy-error",
    "policy-memory",
    "policy-timeout",
    "policy-unavailable",
    "read-only-session",
    "reason-pattern-mismatch",
    "reason-required",
    "reserved-for-target",
    "scope-not-grantable",
    "scope-required",
    "scope-widened",
    "self-impersonation",
    "session-ended",
    "session-expired",
    "target-consent-missing",
    "target-has-wider-access",
    "target-inactive",
    "target-level-not-lower",
    "target-never-logged-in",
    "target-out-of-scope",
    // Rules.
    "host",
    "AP1",
    "DT1",
    "IT1",
    "ST1",
    "SC1",
    "SC2",
    "N1",
    "N2",
    "E1",
    "E2",
    "E3",
    "E4",
    "E5",
    "E6",
    "E7",
    "E8",
    "E9",
    "E10",
    "F1",
    "F2",
    "F3",
    "F4",
    "F5",
    "F6",
    "S1",
    "S2",
    "S3",
    "S6",
    "S7",
];

/// Slots of [`TABLE`]: a power of two, four times the words, so a
/// lookup usually probes one slot.
const SLOTS: usize = 256;

/// [`VOCABULARY`] in an open-addressed table by [`slot`]: a lookup costs a
/// few loads and one comparison, where a search through the sorted words
/// cost about 270 instructions (callgrind).
static TABLE: LazyLock<[Option<&'static str>; SLOTS]> = LazyLock::new(|| {
    let mut table = [None; SLOTS];
    for word in VOCABULARY {
        let mut at = slot(word.as_bytes());
        while table[at].is_some() {
            at = (at + 1) % SLOTS;
        }
        table[at] = Some(*word);
    }
    table
});

/// Where a lookup of `bytes` starts: from its length and three of its
/// bytes, which tell the words apart well enough.
fn slot(bytes: &[u8]) -> usize {
    let n = bytes.len();
    let (first, middle, last) = match n {
        0 => (0, 0, 0),
        _ => (bytes[0], bytes[n / 2], bytes[n - 1]),
    };
    (n.wrapping_mul(0x9e37)
        ^ usize::from(first).wrapping_mul(0x2f)
        ^ usize::from(middle).wrapping_mul(0x11)
        ^ usize::from(last).wrapping_mul(0x61))
        % SLOTS
}

/// The word of [`VOCABULARY`] that `bytes` spell, if any.
pub fn word(bytes: &[u8]) -> Option<&'static str> {
    let table = &*TABLE;
    let mut at = slot(bytes);
    loop {
        match table[at] {
            Some(word) if word.as_bytes() == bytes => return Some(word),
            Some(_) => at = (at + 1) % SLOTS,
            None => return None,
        }
    }
}

/// The word at `ptr` and `len` of the instance's memory, when its strings
/// are UTF-8 (a word's bytes mean the same in Latin-1, but nothing in
/// UTF-16) and the bytes are in bounds and one of the words.
fn known(cx: &LiftContext<'_>, ptr: u32, len: u32) -> Option<&'static str> {
    if !matches!(cx.options().string_encoding, StringEncoding::Utf8) {
        return None;
    }
    let start = usize::try_from(ptr).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    word(cx.memory().get(start..end)?)
}

// SAFETY: a `string` in every respect: `WasmStr`'s lowered form, layout
// and type check.
unsafe impl ComponentType for Name {
    type Lower = <WasmStr as ComponentType>::Lower;

    const ABI: CanonicalAbiInfo = <WasmStr as ComponentType>::ABI;

    fn typecheck(ty: &InterfaceType, types: &InstanceType<'_>) -> wasmtime::Result<()> {
        <WasmStr as ComponentType>::typecheck(ty, types)
    }
}

// SAFETY: reads the pointer and length where `WasmStr` does, reads memory
// only through the bounds-checked slice, and otherwise is `String`'s lift.
unsafe impl Lift for Name {
    fn linear_lift_from_flat(cx: &mut LiftContext<'_>, ty: InterfaceType, src: &Self::Lower) -> wasmtime::Result<Self> {
        if let Some(word) = known(cx, src[0].get_u32(), src[1].get_u32()) {
            return Ok(Self(Cow::Borrowed(word)));
        }
        String::linear_lift_from_flat(cx, ty, src).map(Self::from)
    }

    fn linear_lift_from_memory(cx: &mut LiftContext<'_>, ty: InterfaceType, bytes: &[u8]) -> wasmtime::Result<Self> {
        let pair = |at: usize| {
            bytes
                .get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map(u32::from_le_bytes)
        };
        if let (Some(ptr), Some(len)) = (pair(0), pair(4))
            && let Some(word) = known(cx, ptr, len)
        {
            return Ok(Self(Cow::Borrowed(word)));
        }
        String::linear_lift_from_memory(cx, ty, bytes).map(Self::from)
    }
}

// SAFETY: `str`'s lowering of the same text.
unsafe impl Lower for Name {
    fn linear_lower_to_flat<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        dst: &mut MaybeUninit<Self::Lower>,
    ) -> wasmtime::Result<()> {
        <str as Lower>::linear_lower_to_flat(&self.0, cx, ty, dst)
    }

    fn linear_lower_to_memory<T>(
        &self,
        cx: &mut LowerContext<'_, T>,
        ty: InterfaceType,
        offset: usize,
    ) -> wasmtime::Result<()> {
        <str as Lower>::linear_lower_to_memory(&self.0, cx, ty, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first column (in backquotes) of the contract's table rows
    /// between `from` and `to`.
    fn first_column(from: &str, to: &str) -> Vec<&'static str> {
        let contract = include_str!("../../../docs/contract.md");
        let section = contract.split(from).nth(1).expect("the contract has the section");
        let section = section.split(to).next().expect("a section");
        section
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|row| row.split('`').nth(1).expect("a word in backquotes"))
            .collect()
    }

    /// Every code and rule of docs/contract.md's reason code tables is a
    /// word (the tables' first column, and the rules named in the second).
    #[test]
    fn e9_every_reason_code_of_the_contract_is_a_word() {
        let codes = first_column("### Reason codes", "\n## ");
        for code in &codes {
            assert_eq!(word(code.as_bytes()), Some(*code), "`{code}` is not in the vocabulary");
        }
        assert!(codes.len() >= 26, "the tables were read ({} codes)", codes.len());
        for rule in ["E1", "E10", "SC1", "host"] {
            assert_eq!(word(rule.as_bytes()), Some(rule));
        }
        for other in ["", "E", "e1", "E11", "not-permitte", "not-permitted "] {
            assert_eq!(word(other.as_bytes()), None, "{other:?}");
        }
        // Each word with one byte changed, wherever it starts its probe.
        for w in VOCABULARY {
            for at in 0..w.len() {
                let mut other = w.as_bytes().to_vec();
                other[at] = b'#';
                assert_eq!(word(&other), None, "{w} with byte {at} changed");
            }
        }
    }

    /// Every obligation of docs/contract.md's table is a word, so an allow
    /// that carries one lifts no string (F5, F6, E3, N2, DT1).
    #[test]
    fn f5_every_obligation_of_the_contract_is_a_word() {
        let obligations = first_column("| obligation | rule | the platform must |", "\n\n");
        for obligation in &obligations {
            assert_eq!(
                word(obligation.as_bytes()),
                Some(*obligation),
                "`{obligation}` is not a word"
            );
        }
        assert!(
            obligations.len() >= 5,
            "the table was read ({} obligations)",
            obligations.len()
        );
    }

    #[test]
    fn the_vocabulary_has_no_word_twice() {
        let mut words = VOCABULARY.to_vec();
        words.sort_unstable();
        words.dedup();
        assert_eq!(words.len(), VOCABULARY.len());
        assert!(
            VOCABULARY.len() < SLOTS / 2,
            "the table keeps free slots, so a miss ends"
        );
    }
}
