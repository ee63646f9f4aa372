//! Obligations in the two forms AuthZEN answers carry them: Standin's
//! strings (`"deliver-to-target"`), as every existing caller reads them,
//! or the Obligations profile's objects (`{"id", "type", "properties"}`),
//! for a PEP that asks for them. Negotiated per question, as the profile
//! negotiates: a question whose `context` carries `supported_obligations`
//! (an array) is answered with objects; any other with strings.
//!
//! The mapping: `deliver-to-target` is a `notification` to the target; the
//! end of a session (an in-session question denied `session-ended` or
//! `session-expired`) adds a `session_termination` of that session; every
//! other obligation is `custom`, its string as `properties.name`.

use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::{Map, Value, json};

/// The obligation types the profile form may carry (metadata's
/// `supported_obligations`).
pub(super) const SUPPORTED: [&str; 3] = ["notification", "session_termination", "custom"];

/// Whether a question's context asks for the profile's objects.
pub(super) fn wanted(context: &Map<String, Value>) -> bool {
    context.get("supported_obligations").is_some_and(Value::is_array)
}

/// Obligations to write in one of the two forms: a decision's
/// (`Cow<'static, str>`, usually words of the contract) or a generic
/// answer's (`String`).
pub(super) struct Obligations<'a, S = String> {
    pub list: &'a [S],
    /// The profile's form: the impersonated user (`to` of a
    /// notification), and the session to end, if it ended.
    pub objects: Option<Profile<'a>>,
}

#[derive(Clone, Copy)]
pub(super) struct Profile<'a> {
    pub target: &'a str,
    pub ended_session: Option<&'a str>,
}

fn object(i: usize, name: &str, target: &str) -> Value {
    let id = format!("obl-{}", i + 1);
    match name {
        "deliver-to-target" if !target.is_empty() => json!({
            "id": id, "type": "notification",
            "properties": {
                "to": target, "topic": "deliver-to-target",
                "body": "send the result of this action to the impersonated user, not to the actor",
            },
        }),
        _ => json!({"id": id, "type": "custom", "properties": {"name": name}}),
    }
}

impl<O: AsRef<str> + Serialize> Serialize for Obligations<'_, O> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some(profile) = self.objects else {
            return self.list.serialize(serializer);
        };
        let mut seq = serializer.serialize_seq(None)?;
        for (i, name) in self.list.iter().enumerate() {
            seq.serialize_element(&object(i, name.as_ref(), profile.target))?;
        }
        if let Some(session) = profile.ended_session {
            seq.serialize_element(&json!({
                "id": format!("obl-{}", self.list.len() + 1),
                "type": "session_termination",
                "properties": {"subject": session},
            }))?;
        }
        seq.end()
    }
}
