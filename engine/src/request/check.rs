//! The text rules every request meets before a policy sees it: ids,
//! action names and reasons hold no control, format or invisible
//! characters and no surrounding whitespace, and have caps; ids and action
//! names hold no compatibility forms (`ｕ-1` is not a second name of
//! `u-1`), and action names no uppercase letters (docs/contract.md,
//! "Hardening rules").

use super::unicode::{COMPATIBILITY, INVISIBLE, contains};
use super::{ActionRequest, ApprovalRequest, Principal, RequestError, SessionFacts, StartRequest};
use chrono::{DateTime, Utc};

/// Longest id (tenant, principal, session, domain) and action name, in bytes.
pub const MAX_ID_BYTES: usize = 256;
/// Longest reason, in bytes.
pub const MAX_REASON_BYTES: usize = 1024;

/// Checks one id, action name or reason: not empty, at most `max` bytes,
/// no control character (a newline would forge a row of a report, a NUL
/// cut a C string), no format or invisible character (`u-1\u{200b}` and
/// `bill\u{200b}ing.purchase` look like `u-1` and `billing.purchase`; a
/// bidirectional override reorders what is shown), no leading or trailing
/// whitespace (`u-1 ` must not be a second name of `u-1`).
pub fn check_text(field: &'static str, s: &str, max: usize) -> Result<(), RequestError> {
    checked_text(field, s, max).map(drop)
}

/// [`check_text`], answering whether `s` is printable ASCII (then it holds
/// no character of the Unicode tables either, and callers skip them).
fn checked_text(field: &'static str, s: &str, max: usize) -> Result<bool, RequestError> {
    non_empty(field, s)?;
    if s.len() > max {
        return Err(RequestError::FieldTooLong {
            field,
            actual: s.len(),
            max,
        });
    }
    // Nearly every id and reason: printable ASCII, whose only white space
    // is the space (tabs and newlines are controls).
    let bytes = s.as_bytes();
    if printable_ascii(bytes) {
        if bytes[0] == b' ' || bytes[bytes.len() - 1] == b' ' {
            return Err(RequestError::SurroundingWhitespace(field));
        }
        return Ok(true);
    }
    shown_as_is(field, s)?;
    if s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace) {
        return Err(RequestError::SurroundingWhitespace(field));
    }
    Ok(false)
}

const LOW: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether `marks` flags a byte of `s` (it answers a word of eight bytes
/// with the high bit of each flagged byte set), eight bytes at a time, as
/// packing checks every id and action name of every request: the tail as
/// the last eight bytes (overlapping what was checked), 4 to 7 bytes as
/// their first and last four, fewer padded with `a`, which is printable
/// and lowercase (no test here flags it).
fn any_byte(s: &[u8], marks: impl Fn(u64) -> u64) -> bool {
    let word = |at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    let half = |at: usize| u64::from(u32::from_le_bytes(s[at..at + 4].try_into().unwrap_or([0; 4])));
    let n = s.len();
    if n >= 8 {
        let mut at = 0;
        while at + 8 <= n {
            if marks(word(at)) != 0 {
                return true;
            }
            at += 8;
        }
        return at != n && marks(word(n - 8)) != 0;
    }
    let x = if n >= 4 {
        half(0) | (half(n - 4) << 32)
    } else {
        s.iter().enumerate().fold(LOW * u64::from(b'a'), |x, (i, &b)| {
            (x & !(0xff << (8 * i))) | (u64::from(b) << (8 * i))
        })
    };
    marks(x) != 0
}

/// Whether every byte of `s` is printable ASCII (`0x20..=0x7e`).
fn printable_ascii(s: &[u8]) -> bool {
    // A byte of `x` is below `n` (`n` <= 0x80, every byte of `x` ASCII):
    // the classic has-less-than test, exact for "any byte".
    let below = |x: u64, n: u64| x.wrapping_sub(LOW * n) & !x & HIGH;
    !any_byte(s, |x| (x & HIGH) | below(x, 0x20) | below(x ^ (LOW * 0x7f), 1))
}

/// Whether printable ASCII `s` holds an uppercase letter.
fn ascii_uppercase(s: &[u8]) -> bool {
    // Each byte of `x` at least `n` (every byte ASCII, `n` <= 0x80): with
    // its high bit set first, no byte borrows from the next, so the flag
    // of each byte is exact.
    let at_least = |x: u64, n: u8| ((x | HIGH) - LOW * u64::from(n)) & HIGH;
    any_byte(s, |x| at_least(x, b'A') & !at_least(x, b'Z' + 1))
}

/// No control character and no format or invisible one in `s`.
fn shown_as_is(field: &'static str, s: &str) -> Result<(), RequestError> {
    // ASCII text (nearly every request) has no character of either table
    // but the controls: one pass over the bytes.
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_control()) {
            return Err(RequestError::ControlCharacter(field));
        }
        return Ok(());
    }
    for c in s.chars() {
        if c.is_control() {
            return Err(RequestError::ControlCharacter(field));
        }
        if is_invisible(c) {
            return Err(RequestError::InvisibleCharacter {
                field,
                code: u32::from(c),
            });
        }
    }
    Ok(())
}

/// Whether `c` is a format or invisible character (the text rules refuse
/// them in ids, action names, reasons and resources; output that shows
/// text escapes them).
pub fn is_invisible(c: char) -> bool {
    !c.is_ascii() && contains(INVISIBLE, c)
}

/// An id (see [`check_text`]), at most [`MAX_ID_BYTES`], with no
/// compatibility form: no character that NFKC changes on its own
/// (fullwidth `ｕ`, mathematical `𝐮`, the Kelvin sign, a non-breaking
/// space, ...). Such a character looks like, or is, another one that a
/// platform may fold it into, so it would make a second name of an id:
/// it is refused rather than folded (ids are compared as given; E8 and AP1
/// up to case).
pub fn check_id(field: &'static str, s: &str) -> Result<(), RequestError> {
    checked_id(field, s).map(drop)
}

/// [`check_id`], answering whether `s` is printable ASCII.
fn checked_id(field: &'static str, s: &str) -> Result<bool, RequestError> {
    if checked_text(field, s, MAX_ID_BYTES)? {
        return Ok(true);
    }
    if let Some(c) = s.chars().find(|&c| !c.is_ascii() && contains(COMPATIBILITY, c)) {
        return Err(RequestError::CompatibilityCharacter {
            field,
            code: u32::from(c),
        });
    }
    Ok(false)
}

/// An action name: an id (see [`check_id`]) with no uppercase or titlecase
/// letter. Policies match action names as given (`billing.*` does not
/// match `BILLING.purchase`), and a platform that compares them up to
/// case would run `BILLING.purchase` as `billing.purchase`: action names
/// are lowercase, so there is one spelling of each.
pub fn check_action(s: &str) -> Result<(), RequestError> {
    let letter = if checked_id("action", s)? {
        // Printable ASCII (nearly every name): its bytes are its letters.
        ascii_uppercase(s.as_bytes())
            .then(|| s.bytes().find(u8::is_ascii_uppercase).map(char::from))
            .flatten()
    } else {
        s.chars().find(|&c| has_lowercase(c))
    };
    match letter {
        Some(letter) => Err(RequestError::Uppercase {
            field: "action",
            letter,
        }),
        None => Ok(()),
    }
}

/// Whether lowercasing changes `c` (an uppercase or titlecase letter).
fn has_lowercase(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    !c.to_lowercase().eq(core::iter::once(c))
}

fn check_opt(field: &'static str, s: &Option<String>, max: usize) -> Result<(), RequestError> {
    s.as_deref().map_or(Ok(()), |s| check_text(field, s, max))
}

fn check_opt_id(field: &'static str, s: &Option<String>) -> Result<(), RequestError> {
    s.as_deref().map_or(Ok(()), |s| check_id(field, s))
}

/// A resource names anything the platform likes, but holds no control,
/// format or invisible character (it is shown in reports).
pub(super) fn check_resource(resource: Option<&str>) -> Result<(), RequestError> {
    match resource {
        Some(r) if !printable_ascii(r.as_bytes()) => shown_as_is("resource", r),
        _ => Ok(()),
    }
}

impl Principal {
    /// Checks the principal's id and tenant (`side` is `actor`, `target`, ...).
    pub(super) fn check(&self, id: &'static str, tenant: &'static str) -> Result<(), RequestError> {
        check_id(id, &self.id)?;
        check_opt_id(tenant, &self.tenant)
    }
}

pub(super) fn unix(field: &'static str, t: DateTime<Utc>) -> Result<u64, RequestError> {
    u64::try_from(t.timestamp()).map_err(|_| RequestError::TimeBeforeEpoch(field))
}

pub(super) fn non_empty(field: &'static str, s: &str) -> Result<(), RequestError> {
    if s.is_empty() {
        Err(RequestError::Empty(field))
    } else {
        Ok(())
    }
}

impl StartRequest {
    /// Checks the request's ids and texts (see [`check_text`]), before any
    /// policy sees it.
    pub fn check(&self) -> Result<(), RequestError> {
        check_id("tenant", &self.tenant)?;
        self.actor.check("actor.id", "actor.tenant")?;
        self.target.check("target.id", "target.tenant")?;
        check_opt("reason", &self.reason, MAX_REASON_BYTES)?;
        check_opt_id("domain", &self.domain)?;
        if let Some(s) = &self.actor_session {
            check_id("actor_session.id", &s.id)?;
            check_id("actor_session.target", &s.target)?;
        }
        self.scope.as_ref().map_or(Ok(()), crate::Scope::check)
    }
}

impl ApprovalRequest {
    /// As [`StartRequest::check`], and the approver's ids.
    pub fn check(&self) -> Result<(), RequestError> {
        self.start.check()?;
        self.approver.check("approver.id", "approver.tenant")
    }
}

impl SessionFacts {
    /// Checks the session's ids and texts (see [`check_text`]).
    pub fn check(&self) -> Result<(), RequestError> {
        check_id("session.id", &self.id)?;
        self.actor.check("session.actor.id", "session.actor.tenant")?;
        self.target.check("session.target.id", "session.target.tenant")?;
        check_opt("session.reason", &self.reason, MAX_REASON_BYTES)?;
        check_opt_id("session.domain", &self.domain)
    }
}

impl ActionRequest {
    /// The session a stateless question describes is one the host could
    /// have started: begun by `now`, ending no earlier than it began, at
    /// most 24 hours long (S1), and not of a user with themselves (E8, up
    /// to case as the host compares ids). A platform that sends otherwise
    /// sends a session no policy should judge.
    pub(super) fn check_session(&self, now: DateTime<Utc>) -> Result<(), RequestError> {
        let s = &self.session;
        if s.started_at > now {
            return Err(RequestError::SessionNotBegun);
        }
        if s.expires_at < s.started_at {
            return Err(RequestError::SessionEndsBeforeStart);
        }
        let seconds = (s.expires_at - s.started_at).num_seconds();
        let max = crate::checked::HARD_MAX_TTL_SECONDS;
        if u64::try_from(seconds).is_ok_and(|secs| secs > max) {
            return Err(RequestError::SessionTooLong {
                seconds: seconds.unsigned_abs(),
                max,
            });
        }
        if same_user(&s.actor.id, &s.target.id) {
            return Err(RequestError::SessionOfSelf);
        }
        Ok(())
    }
}

/// Whether two ids name one user up to case, as E8 compares them
/// (`crate::invariants`).
fn same_user(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

#[cfg(test)]
mod tests {
    use super::{ascii_uppercase, printable_ascii};

    #[test]
    fn printable_ascii_is_every_byte_in_0x20_to_0x7e_at_every_length_and_place() {
        for len in 1..20 {
            for place in 0..len {
                for b in 0..=255u8 {
                    let mut s = vec![b'a'; len];
                    s[place] = b;
                    let expected = (0x20..0x7f).contains(&b);
                    assert_eq!(printable_ascii(&s), expected, "byte {b:#x} at {place} of {len}");
                }
            }
        }
    }

    #[test]
    fn uppercase_is_found_in_printable_ascii_at_every_length_and_place() {
        for len in 1..20 {
            for place in 0..len {
                for b in 0x20..0x7fu8 {
                    let mut s = vec![b'a'; len];
                    s[place] = b;
                    assert_eq!(
                        ascii_uppercase(&s),
                        b.is_ascii_uppercase(),
                        "byte {b:#x} at {place} of {len}"
                    );
                }
            }
        }
    }
}
