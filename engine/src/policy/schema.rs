//! [`Policy`] asked for the JSON Schema of its settings (`settings-schema`,
//! `standin:policy@0.6.0`), so the console draws a form for a custom
//! policy as it does for the built-in one.

use super::Policy;
use serde_json::Value;

/// Longest schema a policy may publish, in bytes.
pub(crate) const MAX_SCHEMA_BYTES: usize = 256 * 1024;

impl Policy {
    /// The schema the policy publishes: `None` when it publishes none, was
    /// built before 0.6.0, fails, or answers something other than a JSON
    /// object of at most 256 KiB (`MAX_SCHEMA_BYTES`; a form is a convenience:
    /// without one the console edits the settings as JSON).
    pub fn settings_schema(&self) -> Option<Value> {
        let answer = self
            .ask(|_| Ok(()), |w, s, _| w.settings_schema(s).unwrap_or(Ok(None)))
            .ok()??;
        if answer.len() > MAX_SCHEMA_BYTES {
            return None;
        }
        serde_json::from_str::<Value>(&answer).ok().filter(Value::is_object)
    }
}
