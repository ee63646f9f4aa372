//! Action and name patterns: `*` matches any run of characters, everything
//! else matches itself.

use alloc::string::{String, ToString};

/// A checked pattern, split at its first and last `*` when it is made:
/// most patterns are a literal (`guide.dismiss`) or a prefix or suffix
/// with one star (`billing.*`, `*.view`), and those match with two
/// comparisons instead of a walk of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    /// Bytes before the first `*` (the whole pattern when it has none).
    prefix: usize,
    /// Bytes after the last `*`.
    suffix: usize,
    stars: usize,
    /// The pattern's first byte (`*` when it starts with a star), kept
    /// beside the lengths: a list of patterns is mostly misses, and most
    /// misses are settled by it without reading the pattern's text.
    first: u8,
}

impl Pattern {
    /// Checks `pattern`: it must be non-empty, without white space or
    /// control characters, and without `**` (which would mean the same as
    /// `*` and usually hides a typo).
    pub fn new(pattern: &str) -> Result<Self, String> {
        Self::from_string(pattern.to_string())
    }

    /// [`Self::new`] for a pattern already owned (as settings parse them),
    /// without copying it.
    pub fn from_string(pattern: String) -> Result<Self, String> {
        if pattern.is_empty() {
            return Err("pattern is empty".to_string());
        }
        // One pass over the bytes: settings are checked again by every
        // fresh instance, so this is on a hot path.
        let bytes = pattern.as_bytes();
        let (mut stars, mut first, mut last) = (0, None, 0);
        let (mut odd, mut double) = (false, false);
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'*' {
                double |= i > 0 && bytes[i - 1] == b'*';
                first = first.or(Some(i));
                last = i;
                stars += 1;
            }
            odd |= !b.is_ascii() || b.is_ascii_whitespace() || b.is_ascii_control();
        }
        if odd && let Some(c) = pattern.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(alloc::format!("pattern `{pattern}` contains {c:?}"));
        }
        if double {
            return Err(alloc::format!("pattern `{pattern}` contains `**`"));
        }
        let (prefix, suffix) = match first {
            Some(first) => (first, bytes.len() - last - 1),
            None => (bytes.len(), 0),
        };
        Ok(Self {
            first: bytes[0],
            text: pattern,
            prefix,
            suffix,
            stars,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether every text `other` matches, this pattern matches too
    /// (`billing.*` covers `billing.refund.*` and `billing.view`). It
    /// answers `false` when it cannot tell cheaply (patterns of several
    /// stars each), so a scope checked with it is never wider than the one
    /// it is checked against: in doubt, not covered.
    pub fn covers(&self, other: &Pattern) -> bool {
        if other.stars == 0 {
            return self.matches(other.as_str());
        }
        if self.stars != 1 {
            return self.text == other.text;
        }
        // One star here: every text `other` matches starts with its prefix
        // and ends with its suffix, and those are all that `self` asks.
        let (p, o) = (self.text.as_bytes(), other.text.as_bytes());
        let (prefix, suffix) = (&p[..self.prefix], &p[p.len() - self.suffix..]);
        o[..other.prefix].starts_with(prefix) && o[o.len() - other.suffix..].ends_with(suffix)
    }

    /// Whether `text` matches.
    #[inline]
    pub fn matches(&self, text: &str) -> bool {
        // A pattern that starts with a literal byte misses every text that
        // does not start with it: most patterns of a list, asked in place.
        if self.first != b'*' && text.as_bytes().first() != Some(&self.first) {
            return false;
        }
        self.matches_after_first(text)
    }

    /// [`Self::matches`] once the first byte did not settle it.
    #[inline(never)]
    fn matches_after_first(&self, text: &str) -> bool {
        let (p, t) = (self.text.as_bytes(), text.as_bytes());
        if self.stars == 0 {
            return p == t;
        }
        let (prefix, suffix) = (self.prefix, self.suffix);
        if t.len() < prefix + suffix {
            return false;
        }
        if t[..prefix] != p[..prefix] || t[t.len() - suffix..] != p[p.len() - suffix..] {
            return false;
        }
        // One star matches whatever lies between; more need the walk,
        // over the middle only (it starts and ends with a star).
        self.stars == 1 || glob(&p[prefix..p.len() - suffix], &t[prefix..t.len() - suffix])
    }
}

/// Iterative glob with `*` only: linear in practice, no recursion, so a
/// hostile pattern cannot blow the stack.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        Pattern::new(p).map(|p| p.matches(t)).unwrap_or(false)
    }

    fn covers(a: &str, b: &str) -> bool {
        Pattern::new(a).expect("a").covers(&Pattern::new(b).expect("b"))
    }

    #[test]
    fn sc1_a_pattern_covers_only_what_it_surely_matches() {
        assert!(covers("report.*", "report.view"));
        assert!(covers("report.*", "report.export.*"));
        assert!(covers("*", "a*b*c"));
        assert!(covers("*.view", "report.*.view"));
        assert!(covers("ticket.comment", "ticket.comment"));
        assert!(!covers("ticket.comment", "ticket.*"));
        assert!(!covers("report.view", "report.*"));
        assert!(!covers("report.*", "*"));
        assert!(!covers("report.*", "reports.*"));
        assert!(!covers("*.view", "*.viewer"));
        // Several stars: only the same pattern, in doubt.
        assert!(covers("a*b*", "a*b*"));
        assert!(covers("a*b*", "abx"));
    }

    #[test]
    fn star_matches_any_run() {
        assert!(m("billing.*", "billing.purchase"));
        assert!(m("billing.*", "billing."));
        assert!(!m("billing.*", "billing"));
        assert!(m("*.view", "course.view"));
        assert!(!m("*.view", "course.viewer"));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b*c", "axxbyy"));
        assert!(m("*", ""));
        assert!(m("user.password.*", "user.password.change"));
        assert!(!m("user.password.*", "user.passwords"));
    }

    #[test]
    fn star_in_the_middle_and_at_both_ends() {
        assert!(m("a*c", "ac"));
        assert!(m("a*c", "abbbc"));
        assert!(!m("a*c", "abcd"));
        assert!(!m("ab*bc", "abc"));
        assert!(m("ab*bc", "abbc"));
        assert!(m("*b*", "abc"));
        assert!(!m("*x*", "abc"));
        assert!(m("*a*b*c*", "xaybzc"));
        assert!(!m("*a*b*c*", "xaybz"));
        assert!(m("*.*.view", "a.b.view"));
        assert!(!m("*.*.view", "a.view"));
    }

    #[test]
    fn exact_without_star() {
        assert!(m("guide.dismiss", "guide.dismiss"));
        assert!(!m("guide.dismiss", "guide.dismissed"));
    }

    #[test]
    fn nonsense_patterns_are_refused() {
        assert!(Pattern::new("").is_err());
        assert!(Pattern::new("billing .x").is_err());
        assert!(Pattern::new("billing.**").is_err());
    }
}
