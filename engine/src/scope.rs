//! Scoped sessions: what a start asks to be allowed to do, what the
//! policy grants, and what the host holds a session to.
//!
//! A start may ask for a scope (`{"actions": ["report.*"], "resources":
//! ["account:17"]}`); the policy grants it, narrows it or refuses it (SC1).
//! The host then holds the session to it whatever any policy says later
//! (SC2): a grant wider than what the start asked for is refused here
//! (`scope-widened`), and an action outside the granted scope is denied
//! `outside-session-scope` before the policy is asked. A component is
//! trusted to narrow a scope, never to widen one, as with E8.

use crate::request::{MAX_ID_BYTES, RequestError, check_action, check_text};
use serde::{Deserialize, Serialize};
use standin_policy_sdk::Pattern;

/// Most action patterns, and most resources, one scope may name.
pub const MAX_SCOPE_ENTRIES: usize = 32;

/// The reason code of an action outside its session's scope (SC2).
pub const OUTSIDE_SESSION_SCOPE: &str = "outside-session-scope";
/// The reason code of a grant wider than the scope its start asked for (SC2).
pub const SCOPE_WIDENED: &str = "scope-widened";

/// What a session may do: actions matching one of `actions` (patterns,
/// `*` any run of characters), on one of `resources` when it names any
/// (none: any resource, or none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    pub actions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

impl Scope {
    /// Checks the scope as a request carries it (SC3): at least one action
    /// pattern, at most [`MAX_SCOPE_ENTRIES`] of each kind, every pattern a
    /// lowercase action name with `*` and no `**`, every resource a text
    /// shown as it is; each problem names its field (`scope.actions[2]`).
    pub fn check(&self) -> Result<(), RequestError> {
        let bad = |field: String, why: String| RequestError::Scope(format!("`{field}`: {why}"));
        if self.actions.is_empty() {
            return Err(bad("scope.actions".into(), "names no action; a scope needs one".into()));
        }
        for (kind, list) in [("actions", &self.actions), ("resources", &self.resources)] {
            if list.len() > MAX_SCOPE_ENTRIES {
                return Err(bad(
                    format!("scope.{kind}"),
                    format!("holds {} entries, above the cap of {MAX_SCOPE_ENTRIES}", list.len()),
                ));
            }
        }
        for (i, action) in self.actions.iter().enumerate() {
            let field = || format!("scope.actions[{i}]");
            check_action(action).map_err(|e| bad(field(), e.to_string().replace("`action`", "the pattern")))?;
            Pattern::new(action).map_err(|e| bad(field(), e))?;
        }
        for (i, resource) in self.resources.iter().enumerate() {
            check_text("scope.resources[]", resource, MAX_ID_BYTES)
                .map_err(|e| bad(format!("scope.resources[{i}]"), e.to_string()))?;
        }
        Ok(())
    }

    /// Whether the session may do `action` on `resource`: the action
    /// matches one of the patterns and, when the scope names resources, the
    /// resource is one of them (an action on no resource is then outside).
    pub fn allows(&self, action: &str, resource: Option<&str>) -> bool {
        let action_ok = self
            .actions
            .iter()
            .any(|p| Pattern::new(p).is_ok_and(|p| p.matches(action)));
        let resource_ok = self.resources.is_empty() || resource.is_some_and(|r| self.resources.iter().any(|x| x == r));
        action_ok && resource_ok
    }

    /// Why this (granted) scope is wider than `asked`, if it is: an action
    /// pattern no asked pattern covers, or a resource the start did not
    /// name (or none at all where it named some).
    pub fn wider_than(&self, asked: &Scope) -> Option<String> {
        let patterns = |list: &[String]| list.iter().filter_map(|p| Pattern::new(p).ok()).collect::<Vec<_>>();
        let asked_actions = patterns(&asked.actions);
        for granted in &self.actions {
            let covered = Pattern::new(granted).is_ok_and(|g| asked_actions.iter().any(|a| a.covers(&g)));
            if !covered {
                return Some(format!("it grants `{granted}`, which the start did not ask for"));
            }
        }
        if !asked.resources.is_empty() {
            if self.resources.is_empty() {
                return Some("it grants any resource where the start named some".to_string());
            }
            if let Some(r) = self.resources.iter().find(|r| !asked.resources.contains(r)) {
                return Some(format!("it grants resource `{r}`, which the start did not ask for"));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Scope;

    fn scope(actions: &[&str], resources: &[&str]) -> Scope {
        Scope {
            actions: actions.iter().map(|s| s.to_string()).collect(),
            resources: resources.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn sc2_a_scope_allows_only_its_actions_on_its_resources() {
        let s = scope(&["report.*", "ticket.comment"], &["account:17"]);
        assert!(s.allows("report.view", Some("account:17")));
        assert!(s.allows("ticket.comment", Some("account:17")));
        assert!(!s.allows("ticket.close", Some("account:17")));
        assert!(!s.allows("report.view", Some("account:18")));
        assert!(!s.allows("report.view", None));
        let any = scope(&["report.*"], &[]);
        assert!(any.allows("report.view", None));
        assert!(any.allows("report.view", Some("account:18")));
    }

    #[test]
    fn sc2_a_grant_never_widens_the_scope_asked_for() {
        let asked = scope(&["report.*", "ticket.comment"], &["account:17"]);
        assert_eq!(scope(&["report.view"], &["account:17"]).wider_than(&asked), None);
        assert!(scope(&["*"], &["account:17"]).wider_than(&asked).is_some());
        assert!(scope(&["ticket.*"], &["account:17"]).wider_than(&asked).is_some());
        assert!(scope(&["report.view"], &[]).wider_than(&asked).is_some());
        assert!(scope(&["report.view"], &["account:18"]).wider_than(&asked).is_some());
    }

    #[test]
    fn sc3_bad_scopes_are_refused_naming_the_field() {
        let message = |s: Scope| s.check().expect_err("refused").to_string();
        assert!(message(scope(&[], &[])).contains("`scope.actions`"));
        assert!(message(scope(&["report.*", ""], &[])).contains("`scope.actions[1]`"));
        assert!(message(scope(&["report.**"], &[])).contains("`scope.actions[0]`"));
        assert!(message(scope(&["Report.view"], &[])).contains("`scope.actions[0]`"));
        assert!(message(scope(&["report.view"], &["a\u{200b}"])).contains("`scope.resources[0]`"));
        let many: Vec<String> = (0..33).map(|i| format!("a{i}.view")).collect();
        let too_many = Scope {
            actions: many,
            resources: Vec::new(),
        };
        assert!(message(too_many).contains("above the cap of 32"));
        let long = "a".repeat(300);
        assert!(message(scope(&[&long], &[])).contains("`scope.actions[0]`"));
        assert_eq!(scope(&["report.*", "ticket.comment"], &["account:17"]).check(), Ok(()));
    }
}
