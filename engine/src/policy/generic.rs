//! [`Policy`] asked generic AuthZEN questions and searches (see
//! [`crate::generic`]): components built before `standin:policy@0.5.0` are
//! not even instantiated for them.

use super::Policy;
use crate::bindings::Version;
use crate::decision::{Decision, codes};
use crate::generic::{self, Answer, Question, SearchKind, UNSUPPORTED};

impl Policy {
    fn generic_questions(&self) -> bool {
        matches!(
            self.inner.compiled.pre.version(),
            Version::Current | Version::V0_6 | Version::V0_5
        )
    }

    /// A generic AuthZEN question. Anything but the policy's own answer
    /// (built before generic questions, answering `none`, a failure, a
    /// question over [`generic::MAX_QUESTION_BYTES`]) is a deny with an
    /// error code.
    pub fn evaluate_question(&self, question: &Question) -> Answer {
        if !self.generic_questions() {
            return Answer::error(
                UNSUPPORTED,
                format!(
                    "policy `{}` is built against an earlier standin:policy than 0.5.0, which has no generic questions",
                    self.info().name
                ),
            );
        }
        let lowered = match generic::lower(question) {
            Ok(q) => q,
            Err(message) => return Answer::error(codes::INVALID_REQUEST, message),
        };
        let answer = self.ask(
            |_| Ok(()),
            |w, s, _| w.evaluate_question(s, &lowered).unwrap_or(Ok(None)),
        );
        match answer {
            Ok(Some(d)) => generic::checked(&self.inner.host.config().sandbox, d),
            Ok(None) => Answer::error(
                UNSUPPORTED,
                format!("policy `{}` answers no generic questions", self.info().name),
            ),
            Err(deny) => Answer::failed(&deny),
        }
    }

    /// What the policy knows that `question` would allow: ids of subjects
    /// or resources of the question's type, or action names. Nothing when
    /// the policy does not search, or fails.
    pub fn search(&self, kind: SearchKind, question: &Question) -> Result<Vec<String>, Decision> {
        if !self.generic_questions() {
            return Ok(Vec::new());
        }
        let lowered = generic::lower(question).map_err(|m| Decision::host_deny(codes::INVALID_REQUEST, m))?;
        let answer = self.ask(
            |_| Ok(()),
            |w, s, _| w.search(s, generic::kind(kind), &lowered).unwrap_or(Ok(None)),
        )?;
        Ok(answer.map_or_else(Vec::new, |r| generic::found(&self.inner.host.config().sandbox, r)))
    }
}
