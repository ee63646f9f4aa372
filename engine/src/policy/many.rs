//! Several actions of one session, decided in as few calls as possible.
//!
//! Why: a component call costs more than the default policy's action rules
//! (see `BENCHMARKS.md`), and a gateway asks one session many questions at
//! once (the buttons of one page, an AuthZEN `evaluations` request,
//! `authorize_batch`). A policy built against `standin:policy@0.4` or later
//! gets them in one `evaluate-actions` call per [`MAX_ACTIONS_PER_CALL`];
//! an earlier one, one call per action, with the same answers.
//!
//! The host keeps what it enforces on a single action: each action is
//! checked (and refused `invalid-request`) on its own, a call's input stays
//! within the request caps, and each answer is checked like a single
//! action's. An answer list of the wrong length is a broken policy: every
//! action of that call is denied `policy-error`.

use super::Policy;
use crate::bindings::Version;
use crate::checked;
use crate::decision::{Decision, codes};
use crate::request::PackedSession;
use chrono::{DateTime, Utc};

/// At most this many actions cross in one `evaluate-actions` call: a bound
/// on one call's input and output, and on how long it holds an instance.
pub const MAX_ACTIONS_PER_CALL: usize = 256;

impl Policy {
    /// [`Policy::evaluate_action_in`] for each of `actions` (action,
    /// resource), all at `now`: one decision per action, in order.
    pub fn evaluate_actions_in(
        &self,
        session: &PackedSession,
        actions: &[(&str, Option<&str>)],
        now: DateTime<Utc>,
    ) -> Vec<Decision> {
        if self.inner.compiled.pre.version() != Version::Current {
            return actions
                .iter()
                .map(|(action, resource)| self.evaluate_action_in(session, action, *resource, now))
                .collect();
        }
        let max_text = self.inner.host.config().requests.max_text_bytes;
        let mut decisions: Vec<Option<Decision>> = vec![None; actions.len()];
        // The actions that pass the host's checks, in calls whose text fits.
        let mut call: Vec<usize> = Vec::new();
        let mut text = session.text_len();
        for (i, (action, resource)) in actions.iter().enumerate() {
            match session.check_action(action, *resource) {
                Ok(added) => {
                    if call.len() == MAX_ACTIONS_PER_CALL || text + added > max_text {
                        self.decide_call(session, actions, &call, now, &mut decisions);
                        call.clear();
                        text = session.text_len();
                    }
                    call.push(i);
                    text += added;
                }
                Err(e) => decisions[i] = Some(Decision::host_deny(codes::INVALID_REQUEST, e.to_string())),
            }
        }
        self.decide_call(session, actions, &call, now, &mut decisions);
        decisions
            .into_iter()
            .map(|d| d.unwrap_or_else(|| Decision::host_deny(codes::POLICY_ERROR, "an action was not decided")))
            .collect()
    }

    /// One `evaluate-actions` call for `actions[i]` of each `i` of `call`.
    fn decide_call(
        &self,
        session: &PackedSession,
        actions: &[(&str, Option<&str>)],
        call: &[usize],
        now: DateTime<Utc>,
        decisions: &mut [Option<Decision>],
    ) {
        if call.is_empty() {
            return;
        }
        let asked: Vec<(&str, Option<&str>)> = call.iter().map(|&i| actions[i]).collect();
        let answer = self.ask(
            |b| session.pack_actions(&asked, now, b),
            |w, s, b| {
                w.evaluate_actions(s, &b.text, &b.words, &b.actions)
                    .unwrap_or_else(|| Err(wasmtime::format_err!("the component has no `evaluate-actions`")))
            },
        );
        let sandbox = &self.inner.host.config().sandbox;
        let answers = match answer {
            Ok(answers) if answers.len() == call.len() => answers,
            Ok(answers) => {
                let deny = Decision::host_deny(
                    codes::POLICY_ERROR,
                    format!("policy answered {} decisions for {} actions", answers.len(), call.len()),
                );
                for &i in call {
                    decisions[i] = Some(deny.clone());
                }
                return;
            }
            Err(deny) => {
                for &i in call {
                    decisions[i] = Some(deny.clone());
                }
                return;
            }
        };
        for (&i, a) in call.iter().zip(answers) {
            decisions[i] = Some(checked::action_decision(sandbox, a));
        }
    }
}
