//! Where a session may send the actor back (`return_to`, S2).
//!
//! The banner's Stop button follows `return_to`, so an unchecked value is
//! an open redirect (`https://evil.example/`) or script (`javascript:`)
//! that anyone who can start a session plants in the platform's own page.
//! Accepted: a path on the platform itself (`/admin/users?tab=2`), or an
//! absolute `https://` URL whose origin the tenant allowed.

use super::Access;
use crate::Standin;
use crate::sessions::SessionError;

/// Longest `return_to`, in bytes.
pub const MAX_RETURN_TO_BYTES: usize = 2048;

/// Whether `url` is a path on the platform: one leading `/` (not `//`,
/// which a browser reads as another host), no backslash (which some read
/// as `/`), no control character or space.
fn is_local_path(url: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && !url.contains('\\')
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// The origin (`https://host[:port]`) of an absolute https URL, lowercased;
/// `None` for anything else (another scheme, user info, no host).
pub fn origin_of(url: &str) -> Option<String> {
    if url.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return None;
    }
    let rest = url
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("https://"))
        .map(|_| &url[8..])?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let valid = !authority.is_empty()
        && !authority.contains('@')
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    valid.then(|| format!("https://{}", authority.to_ascii_lowercase()))
}

impl Standin {
    /// Refuses a `return_to` that is neither a local path nor a URL of an
    /// origin `tenant` allowed.
    pub(crate) fn check_return_to(&self, tenant: &str, url: &str) -> Result<(), SessionError> {
        if url.len() <= MAX_RETURN_TO_BYTES {
            if is_local_path(url) {
                return Ok(());
            }
            if let Some(origin) = origin_of(url)
                && self.store.return_origins(tenant)?.contains(&origin)
            {
                return Ok(());
            }
        }
        Err(SessionError::ReturnTo {
            tenant: tenant.to_string(),
            url: url.chars().take(200).collect(),
        })
    }
}

impl Access<'_> {
    /// The origins `tenant` allows as `return_to` besides local paths.
    pub fn return_origins(&self, tenant: &str) -> Result<Vec<String>, SessionError> {
        Ok(self.store.return_origins(tenant)?)
    }

    /// Replaces the origins `tenant` allows as `return_to`; each must be an
    /// `https://host[:port]` origin (no path).
    pub fn set_return_origins(&self, tenant: &str, origins: &[String]) -> Result<Vec<String>, SessionError> {
        crate::request::check_id("tenant", tenant)?;
        let mut clean = Vec::new();
        for o in origins {
            match origin_of(o) {
                Some(origin) if origin.len() == o.trim_end_matches('/').len() => clean.push(origin),
                _ => {
                    return Err(SessionError::ReturnTo {
                        tenant: tenant.to_string(),
                        url: o.chars().take(200).collect(),
                    });
                }
            }
        }
        clean.sort();
        clean.dedup();
        self.store.set_return_origins(tenant, &clean)?;
        Ok(clean)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s2_return_to_is_a_local_path_or_an_https_origin() {
        for ok in ["/admin/users", "/a?b=c#d", "/"] {
            assert!(is_local_path(ok), "{ok}");
        }
        for bad in [
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "admin",
            "/a b",
            "/a\nb",
            "",
        ] {
            assert!(!is_local_path(bad), "{bad:?}");
        }
        assert_eq!(
            origin_of("https://App.Example:8443/x?y").as_deref(),
            Some("https://app.example:8443")
        );
        for bad in [
            "http://app.example/",
            "https://user@app.example/",
            "https:///x",
            "javascript://x",
            "https://a b/",
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
    }
}
