//! A tenant's route table: which action a gateway's request is, by its
//! method and path (`POST /billing/** -> billing.purchase`), and the
//! gateway's question put to it ([`Access::gate`]): nginx `auth_request`,
//! Caddy `forward_auth` and Traefik `forwardAuth` ask Standin before they
//! pass a request on, so a platform enforces impersonation with no change
//! to its application.
//!
//! Rules are tried in order; the first whose method and pattern match
//! names the action. `*` in a pattern is one path segment, `**` any number
//! (none included); `*` as the method is any method. A path is matched as
//! sent, with its dot segments and encoded slashes refused rather than
//! guessed at (the upstream may read `/a/../b` as `/b`).

use super::Access;
use crate::sessions::{Authorization, SessionError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// At most this many rules per tenant.
pub const MAX_ROUTES: usize = 1000;

/// The code of a gateway's request that no rule names.
pub const NO_ROUTE: &str = "no-route";

/// The action an unrouted request is recorded as (its request line is the
/// resource).
pub const UNROUTED_ACTION: &str = "route.unmatched";

/// One rule: method (or `*`), path pattern, action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub method: String,
    pub path: String,
    pub action: String,
}

/// What forward-auth answers a request that carries no impersonation
/// token, when the gateway names the tenant (`X-Standin-Tenant`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tokenless {
    /// Not an impersonation: passed untouched (the default).
    #[default]
    Pass,
    /// Refused (401): every request through this gateway must be an
    /// impersonation.
    Deny,
}

/// A tenant's route table, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Stored", into = "Stored")]
pub struct RouteTable {
    rules: Vec<Route>,
    tokenless: Tokenless,
}

/// A table as stored: the list of rules alone when `tokenless` is the
/// default (so rows written before it existed read, and tag, the same).
#[derive(Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum Stored {
    List(Vec<Route>),
    Object {
        #[serde(alias = "routes")]
        rules: Vec<Route>,
        #[serde(default)]
        tokenless: Tokenless,
    },
}

impl From<Stored> for RouteTable {
    fn from(s: Stored) -> Self {
        match s {
            Stored::List(rules) => Self {
                rules,
                tokenless: Tokenless::Pass,
            },
            Stored::Object { rules, tokenless } => Self { rules, tokenless },
        }
    }
}

impl From<RouteTable> for Stored {
    fn from(t: RouteTable) -> Self {
        match t.tokenless {
            Tokenless::Pass => Self::List(t.rules),
            tokenless => Self::Object {
                rules: t.rules,
                tokenless,
            },
        }
    }
}

/// Why a route table was refused: the line (from 1) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    #[error("line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("{0}")]
    Table(String),
}

/// Why a request's path is not matched at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the path `{0}` has dot segments or encoded separators; it is not matched (send it normalized)")]
pub struct AmbiguousPath(pub String);

impl RouteTable {
    pub fn rules(&self) -> &[Route] {
        &self.rules
    }

    pub fn tokenless(&self) -> Tokenless {
        self.tokenless
    }

    /// This table with `tokenless` as given.
    pub fn with_tokenless(mut self, tokenless: Tokenless) -> Self {
        self.tokenless = tokenless;
        self
    }

    /// Reads a table: JSON (`[{"method", "path", "action"}]`, or
    /// `{"rules": [...], "tokenless": "deny"}`) or one rule a line, `METHOD
    /// PATTERN -> ACTION`, with `tokenless deny` (or `pass`) on a line of
    /// its own (blank lines and `#` comments skipped). Every rule is
    /// checked; the first bad one is named.
    pub fn parse(text: &str) -> Result<Self, RouteError> {
        let mut tokenless = Tokenless::Pass;
        let trimmed = text.trim_start();
        let rules: Vec<(usize, Route)> = if trimmed.starts_with('[') || trimmed.starts_with('{') {
            let table: RouteTable =
                serde_json::from_str(text).map_err(|e| RouteError::Table(format!("not a JSON route table: {e}")))?;
            tokenless = table.tokenless;
            table.rules.into_iter().enumerate().map(|(i, r)| (i + 1, r)).collect()
        } else {
            let mut rules = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let bad = |message: &str| RouteError::Line {
                    line: i + 1,
                    message: message.to_string(),
                };
                if let Some(choice) = line.strip_prefix("tokenless ") {
                    tokenless = match choice.trim() {
                        "pass" => Tokenless::Pass,
                        "deny" => Tokenless::Deny,
                        _ => return Err(bad("expected `tokenless pass` or `tokenless deny`")),
                    };
                    continue;
                }
                let (left, action) = line
                    .split_once("->")
                    .ok_or_else(|| bad("expected `METHOD PATTERN -> ACTION`"))?;
                let mut words = left.split_whitespace();
                let (Some(method), Some(path), None) = (words.next(), words.next(), words.next()) else {
                    return Err(bad("expected `METHOD PATTERN -> ACTION`"));
                };
                rules.push((
                    i + 1,
                    Route {
                        method: method.to_string(),
                        path: path.to_string(),
                        action: action.trim().to_string(),
                    },
                ));
            }
            rules
        };
        if rules.len() > MAX_ROUTES {
            return Err(RouteError::Table(format!("at most {MAX_ROUTES} rules")));
        }
        let mut checked = Vec::with_capacity(rules.len());
        for (line, mut r) in rules {
            let bad = |message: String| RouteError::Line { line, message };
            r.method = r.method.to_ascii_uppercase();
            if r.method != "*" && (r.method.len() > 16 || !r.method.chars().all(|c| c.is_ascii_uppercase())) {
                return Err(bad(format!("`{}` is no HTTP method (or `*`)", r.method)));
            }
            check_pattern(&r.path).map_err(|m| bad(format!("pattern `{}`: {m}", r.path)))?;
            crate::request::check_id("action", &r.action).map_err(|e| bad(format!("action `{}`: {e}", r.action)))?;
            if r.action.chars().any(char::is_whitespace) {
                return Err(bad(format!("action `{}`: one word (no spaces)", r.action)));
            }
            checked.push(r);
        }
        Ok(Self {
            rules: checked,
            tokenless,
        })
    }

    /// The action of the first rule that matches, if any.
    pub fn action_for(&self, method: &str, path: &str) -> Result<Option<&str>, AmbiguousPath> {
        let segments = segments(path)?;
        Ok(self
            .rules
            .iter()
            .find(|r| (r.method == "*" || r.method.eq_ignore_ascii_case(method)) && matches(&r.path, &segments))
            .map(|r| r.action.as_str()))
    }
}

fn check_pattern(p: &str) -> Result<(), String> {
    if !p.starts_with('/') {
        return Err("starts with `/`".into());
    }
    if p.len() > 1024 {
        return Err("at most 1024 bytes".into());
    }
    for s in p.split('/').skip(1) {
        if s == "." || s == ".." {
            return Err("no `.` or `..` segments".into());
        }
        if s.contains('*') && s != "*" && s != "**" {
            return Err(format!("`{s}`: `*` and `**` stand alone as a segment"));
        }
        if s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
        {
            return Err(format!("`{s}`: no spaces, `?` or `#`"));
        }
    }
    Ok(())
}

/// The path's segments (no query), refusing what an upstream could read
/// differently: dot segments, encoded `/`, `\`, `.` and `%`.
fn segments(path: &str) -> Result<Vec<&str>, AmbiguousPath> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let ambiguous = || AmbiguousPath(path.to_string());
    if !path.starts_with('/') {
        return Err(ambiguous());
    }
    let lower = path.to_ascii_lowercase();
    if ["%2f", "%5c", "%2e", "%25", "\\"].iter().any(|x| lower.contains(x)) {
        return Err(ambiguous());
    }
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Err(ambiguous());
    }
    Ok(segments)
}

fn matches(pattern: &str, path: &[&str]) -> bool {
    let pattern: Vec<&str> = pattern.split('/').skip(1).collect();
    fn go(p: &[&str], s: &[&str]) -> bool {
        match p.split_first() {
            None => s.is_empty(),
            Some((&"**", rest)) => (0..=s.len()).any(|i| go(rest, &s[i..])),
            Some((&seg, rest)) => s
                .split_first()
                .is_some_and(|(first, tail)| (seg == "*" || seg == *first) && go(rest, tail)),
        }
    }
    go(&pattern, path)
}

/// What a gateway's question came to ([`Access::gate`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Gate {
    /// No impersonation token: not Standin's request; pass it untouched.
    Pass,
    /// A token Standin issued that does not hold (forged, expired, another
    /// server's key) or whose session is not active.
    Unauthenticated(&'static str),
    /// No rule of the tenant's table names the request (recorded in the
    /// session's trail as `route.unmatched`, the request line its resource).
    NoRoute(String),
    /// The session's policy answered (allow or deny, audited).
    Decided(Authorization),
}

impl Access<'_> {
    /// The tenant's route table, if it set one.
    pub fn routes(&self, tenant: &str) -> Result<Option<RouteTable>, SessionError> {
        crate::request::check_id("tenant", tenant)?;
        Ok(self.store.routes(tenant)?)
    }

    /// Replaces the tenant's route table.
    pub fn set_routes(&self, tenant: &str, table: &RouteTable) -> Result<(), SessionError> {
        crate::request::check_id("tenant", tenant)?;
        Ok(self.store.set_routes(tenant, table)?)
    }

    /// A gateway's question: may the request `method path`, carrying
    /// `token` (its bearer token, if any), go on? `tenant`: the tenant the
    /// gateway says it serves, if it says. A token Standin did not issue
    /// is not an impersonation: [`Gate::Pass`], unless that tenant's table
    /// says `tokenless deny`. One it issued must verify, be that tenant's
    /// and its session be active; then the tenant's route table names the
    /// action and the session is asked (`authorize`, audited).
    pub fn gate(
        &self,
        token: Option<&str>,
        tenant: Option<&str>,
        method: &str,
        path: &str,
        now: DateTime<Utc>,
    ) -> Result<Gate, SessionError> {
        let Some(token) = token.filter(|t| is_impersonation_token(t)) else {
            let refused = match tenant {
                Some(t) => self.routes(t)?.is_some_and(|table| table.tokenless == Tokenless::Deny),
                None => false,
            };
            return Ok(if refused {
                Gate::Unauthenticated("this tenant's gateway takes impersonated requests only (`tokenless deny`)")
            } else {
                Gate::Pass
            });
        };
        let Some(keys) = &self.tokens else {
            return Ok(Gate::Unauthenticated("this server verifies no impersonation tokens"));
        };
        let Ok(claims) = keys.verify(token) else {
            return Ok(Gate::Unauthenticated("the token is not signed by this server's keys"));
        };
        if tenant.is_some_and(|t| t != claims.aud) {
            return Ok(Gate::Unauthenticated(
                "the token is another tenant's than the gateway's",
            ));
        }
        if !self.introspect(&claims.aud, token, now)?.active {
            return Ok(Gate::Unauthenticated("the token's session is not active"));
        }
        let request_line = format!("{method} {path}");
        let unrouted = |why: String| -> Result<Gate, SessionError> {
            // Recorded in the session's trail as any refused action is.
            let deny = crate::decision::Decision::host_deny(NO_ROUTE, why.clone());
            self.sessions()
                .deny_by_host(&claims.sid, UNROUTED_ACTION, Some(&request_line), deny, now)?;
            Ok(Gate::NoRoute(why))
        };
        let Some(table) = self.routes(&claims.aud)? else {
            return unrouted(format!("tenant `{}` has no route table", claims.aud));
        };
        let action = match table.action_for(method, path) {
            Ok(Some(action)) => action.to_string(),
            Ok(None) => return unrouted(format!("no route of tenant `{}` matches {method} {path}", claims.aud)),
            Err(e) => return unrouted(e.to_string()),
        };
        Ok(Gate::Decided(self.sessions().authorize(
            &claims.sid,
            &action,
            None,
            now,
        )?))
    }
}

/// Whether `token` says Standin issued it (`iss`): only such a token is an
/// impersonation; anything else is the platform's own business (a
/// gateway's question about it is answered without asking the store).
pub fn is_impersonation_token(token: &str) -> bool {
    use base64::Engine as _;
    let Some(payload) = token.split('.').nth(1) else {
        return false;
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload) else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|c| c["iss"] == super::ISSUER)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "# billing is its own action\nPOST /billing/** -> billing.purchase\n\
                         GET /reports/*/pdf -> report.export\nGET /** -> course.view\n";

    #[test]
    fn first_match_wins_with_one_and_any_segments() {
        let t = RouteTable::parse(TABLE).unwrap();
        assert_eq!(
            t.action_for("POST", "/billing/charge").unwrap(),
            Some("billing.purchase")
        );
        assert_eq!(
            t.action_for("post", "/billing").unwrap(),
            Some("billing.purchase"),
            "** takes none too"
        );
        assert_eq!(
            t.action_for("GET", "/reports/7/pdf?x=1").unwrap(),
            Some("report.export")
        );
        assert_eq!(t.action_for("GET", "/reports/7/8/pdf").unwrap(), Some("course.view"));
        assert_eq!(t.action_for("GET", "/billing/charge").unwrap(), Some("course.view"));
        assert_eq!(t.action_for("DELETE", "/reports").unwrap(), None, "unmatched");
    }

    #[test]
    fn ambiguous_paths_are_not_matched() {
        let t = RouteTable::parse("* /** -> read").unwrap();
        for bad in ["/a/../billing", "/a/./b", "/a%2fb", "/a%2E%2E/b", "/a\\b", "relative"] {
            assert!(t.action_for("GET", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_tables_name_the_line() {
        for (text, line) in [
            ("GET /a -> read\nGET a -> read", 2),
            ("GET /a read", 1),
            ("G3T /a -> read", 1),
            ("GET /a/b** -> read", 1),
            ("GET /a/../b -> read", 1),
            ("GET /a -> has space", 1),
        ] {
            match RouteTable::parse(text) {
                Err(RouteError::Line { line: l, .. }) => assert_eq!(l, line, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        let json = RouteTable::parse(r#"[{"method": "get", "path": "/**", "action": "read"}]"#).unwrap();
        assert_eq!(json.rules()[0].method, "GET");
        assert!(matches!(
            RouteTable::parse("GET /a -> read\ntokenless maybe"),
            Err(RouteError::Line { line: 2, .. })
        ));
    }

    #[test]
    fn tokenless_is_stored_only_when_it_is_not_the_default() {
        let pass = RouteTable::parse("GET /a -> read").unwrap();
        assert_eq!(
            serde_json::to_value(&pass).unwrap()[0]["action"],
            "read",
            "a list, as before"
        );
        let deny = RouteTable::parse("tokenless deny\nGET /a -> read").unwrap();
        assert_eq!(deny.tokenless(), Tokenless::Deny);
        let stored = serde_json::to_string(&deny).unwrap();
        assert_eq!(RouteTable::parse(&stored).unwrap(), deny, "{stored}");
        let api = r#"{"routes": [{"method": "GET", "path": "/a", "action": "read"}], "tokenless": "deny"}"#;
        assert_eq!(RouteTable::parse(api).unwrap(), deny);
    }
}
