//! Action and name patterns: `*` matches any run of characters, everything
//! else matches itself.

use alloc::string::{String, ToString};

/// A checked pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(String);

impl Pattern {
    /// Checks `pattern`: it must be non-empty, without white space or
    /// control characters, and without `**` (which would mean the same as
    /// `*` and usually hides a typo).
    pub fn new(pattern: &str) -> Result<Self, String> {
        if pattern.is_empty() {
            return Err("pattern is empty".to_string());
        }
        if let Some(c) = pattern.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(alloc::format!("pattern `{pattern}` contains {c:?}"));
        }
        if pattern.contains("**") {
            return Err(alloc::format!("pattern `{pattern}` contains `**`"));
        }
        Ok(Self(pattern.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        glob(self.0.as_bytes(), text.as_bytes())
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
