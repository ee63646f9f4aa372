//! Running a suite: ask, compare, and count what was covered.

use super::suite::{Case, Expect, Question, Suite};
use crate::decision::Decision;
use chrono::Utc;
use serde::Serialize;
use standin_engine::{Policy, PolicyInfo};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// One field where the answer differs from the expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub field: &'static str,
    pub expected: String,
    pub actual: String,
}

/// A case and the policy's answer.
#[derive(Debug, Clone, Serialize)]
pub struct CaseOutcome {
    pub name: String,
    pub rules: Vec<String>,
    pub passed: bool,
    pub expected: Expect,
    pub actual: Decision,
    pub mismatches: Vec<Mismatch>,
}

/// What a suite exercised.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Rule ids named by the cases or by the reasons of the answers.
    pub rules: BTreeSet<String>,
    /// Reason codes the answers carried.
    pub codes: BTreeSet<String>,
    /// Rules the policy says it implements that no case exercised.
    pub uncovered_rules: Vec<String>,
}

/// The result of one suite.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteReport {
    pub name: String,
    pub file: PathBuf,
    pub policy: PolicyInfo,
    pub digest: String,
    pub cases: Vec<CaseOutcome>,
    pub coverage: Coverage,
}

impl SuiteReport {
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }

    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }
}

/// As JSON, the way suites spell it.
fn show<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn compare<T: PartialEq + Serialize>(out: &mut Vec<Mismatch>, field: &'static str, expected: Option<&T>, actual: &T) {
    if let Some(expected) = expected.filter(|e| *e != actual) {
        out.push(Mismatch {
            field,
            expected: show(expected),
            actual: show(actual),
        });
    }
}

fn mismatches(expect: &Expect, actual: &Decision) -> Vec<Mismatch> {
    let mut out = Vec::new();
    compare(&mut out, "decision", Some(&expect.decision), &actual.verdict());
    let codes: BTreeSet<String> = actual.codes().map(str::to_string).collect();
    compare(&mut out, "codes", expect.codes.as_ref(), &codes);
    compare(
        &mut out,
        "ttl_seconds",
        expect.ttl_seconds.map(Some).as_ref(),
        &actual.lease().map(|l| l.ttl_seconds()),
    );
    compare(
        &mut out,
        "notify_target",
        expect.notify_target.map(Some).as_ref(),
        &actual.lease().map(|l| l.notify_target()),
    );
    compare(
        &mut out,
        "read_only",
        expect.read_only.map(Some).as_ref(),
        &actual.lease().map(|l| l.read_only()),
    );
    let obligations: BTreeSet<String> = actual.obligations().iter().map(|o| o.to_string()).collect();
    compare(&mut out, "obligations", expect.obligations.as_ref(), &obligations);
    compare(
        &mut out,
        "approvers",
        expect.approvers.as_ref().map(Some).as_ref(),
        &actual.approvers(),
    );
    let grant = match actual {
        Decision::Allow(g) | Decision::Pending(g, _) => Some(g),
        Decision::Deny(_) => None,
    };
    compare(
        &mut out,
        "scope",
        expect.scope.as_ref().map(Some).as_ref(),
        &grant.and_then(|g| g.scope.as_deref()),
    );
    compare(
        &mut out,
        "idle_timeout_seconds",
        expect.idle_timeout_seconds.map(Some).as_ref(),
        &grant.and_then(|g| g.idle_timeout_seconds),
    );
    out
}

fn ask(policy: &Policy, case: &Case) -> Decision {
    // Every request of a resolved suite names its time; the clock is never read.
    match &case.question {
        Question::Start(request) => policy.evaluate_start(request, Utc::now()),
        Question::Action(request) => policy.evaluate_action(request, Utc::now()),
        Question::Approval(request) => policy.evaluate_approval(request, Utc::now()),
        Question::Generic(question) => policy.evaluate_question(question).to_decision(),
    }
}

/// Runs the cases of `suite` whose name contains `filter` (ignoring case)
/// against `policy`, which must be configured with the suite's settings.
pub fn run(policy: &Policy, suite: &Suite, filter: Option<&str>) -> SuiteReport {
    let filter = filter.map(str::to_lowercase);
    let mut coverage = Coverage::default();
    let cases: Vec<CaseOutcome> = suite
        .cases
        .iter()
        .filter(|c| filter.as_deref().is_none_or(|f| c.name.to_lowercase().contains(f)))
        .map(|case| {
            let actual = ask(policy, case);
            coverage.rules.extend(case.rules.iter().cloned());
            coverage
                .rules
                .extend(actual.reasons().iter().map(|r| r.rule.to_string()));
            coverage.codes.extend(actual.codes().map(str::to_string));
            if !actual.is_granted() {
                // E9 is exercised by every deny: it names its reasons.
                coverage.rules.insert("E9".to_string());
            }
            let mismatches = mismatches(&case.expect, &actual);
            CaseOutcome {
                name: case.name.clone(),
                rules: case.rules.clone(),
                passed: mismatches.is_empty(),
                expected: case.expect.clone(),
                actual,
                mismatches,
            }
        })
        .collect();
    coverage.uncovered_rules = policy
        .info()
        .rules
        .iter()
        .filter(|r| !coverage.rules.contains(*r))
        .cloned()
        .collect();
    SuiteReport {
        name: suite.name.clone(),
        file: suite.path.clone(),
        policy: policy.info().clone(),
        digest: policy.digest().to_string(),
        cases,
        coverage,
    }
}
