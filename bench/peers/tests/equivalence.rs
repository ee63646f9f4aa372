//! The four engines decide alike: Standin native, Standin's component,
//! Cedar and Rego (interpreter and RVM) give the same allow or deny, the
//! same reason codes, and for allows the same granted time and obligations,
//! on every request of `cases`. Native and component must also agree on
//! each reason's rule id. A rule removed from the Cedar or Rego policy
//! changes at least one answer here: every rule has a case it decides alone.

use standin_peers_bench::cases::{self, Case};
use standin_peers_bench::cedar::Cedar;
use standin_peers_bench::rego::{self, Rego};
use standin_peers_bench::standin_side::{self, Component, Native};
use standin_peers_bench::{Outcome, requests};
use std::collections::BTreeSet;

struct Engines {
    native: Native,
    component: Component,
    cedar: Cedar,
    rego: Rego,
}

fn engines() -> Engines {
    Engines {
        native: Native::default(),
        component: Component::default(),
        cedar: Cedar::default(),
        rego: Rego::default(),
    }
}

/// Each engine's outcome, by name; the first is Standin native's.
type Outcomes = Vec<(&'static str, Outcome)>;

/// Mismatches of one case: against the expected codes, and of any engine
/// against Standin native.
fn compare<R>(case: &Case<R>, outcomes: &Outcomes, problems: &mut Vec<String>) {
    let native = &outcomes[0].1;
    let expected = Outcome::deny(case.codes.iter().copied()).codes;
    if native.allow != case.codes.is_empty() || native.codes != expected {
        problems.push(format!(
            "{}: Standin native gave {native:?}, the case expects {expected:?}",
            case.name
        ));
    }
    for (engine, outcome) in &outcomes[1..] {
        if outcome != native {
            problems.push(format!(
                "{}: {engine} gave {outcome:?}, Standin native {native:?}",
                case.name
            ));
        }
    }
}

/// Fails with every disagreement, and how many of the cases (`names`)
/// have one.
fn report(what: &str, problems: &[String], names: &[&str]) {
    let failing = names
        .iter()
        .filter(|n| problems.iter().any(|p| p.starts_with(&format!("{n}: "))))
        .count();
    assert!(
        problems.is_empty(),
        "{} disagreements in {failing} of {} {what} cases:\n{}",
        problems.len(),
        names.len(),
        problems.join("\n")
    );
}

#[test]
fn every_engine_decides_every_start_alike() {
    let mut e = engines();
    let cases = cases::starts();
    let mut problems = Vec::new();
    for case in &cases {
        let r = &case.request;
        let native = e.native.start(r);
        let component = e.component.start(r);
        let rules = |reasons: Vec<(String, String)>| reasons;
        let native_rules = match &native {
            standin_policy_sdk::StartDecision::Deny(reasons) => {
                rules(reasons.iter().map(|x| (x.code.clone(), x.rule.clone())).collect())
            }
            _ => Vec::new(),
        };
        let component_rules: Vec<_> = component
            .reasons()
            .iter()
            .map(|x| (x.code.to_string(), x.rule.to_string()))
            .collect();
        if native_rules != component_rules {
            problems.push(format!(
                "{}: reasons native {native_rules:?}, component {component_rules:?}",
                case.name
            ));
        }
        let outcomes = vec![
            ("Standin native", standin_side::start_outcome(&native)),
            ("Standin component", standin_side::decision_outcome(&component)),
            ("Cedar", e.cedar.outcome(&e.cedar.start(r))),
            (
                "Rego interpreter",
                rego::outcome(&e.rego.interpret_start(rego::start_input(r))),
            ),
            ("Rego RVM", rego::outcome(&e.rego.start(r))),
        ];
        compare(case, &outcomes, &mut problems);
    }
    report("start", &problems, &cases.iter().map(|c| c.name).collect::<Vec<_>>());
}

#[test]
fn every_engine_decides_every_action_alike() {
    let mut e = engines();
    let cases = cases::actions();
    let mut problems = Vec::new();
    for case in &cases {
        let r = &case.request;
        let native = e.native.action(r);
        let component = e.component.action(r);
        let native_rules: Vec<_> = match &native {
            standin_policy_sdk::ActionDecision::Deny(reasons) => {
                reasons.iter().map(|x| (x.code.clone(), x.rule.clone())).collect()
            }
            _ => Vec::new(),
        };
        let component_rules: Vec<_> = component
            .reasons()
            .iter()
            .map(|x| (x.code.to_string(), x.rule.to_string()))
            .collect();
        if native_rules != component_rules {
            problems.push(format!(
                "{}: reasons native {native_rules:?}, component {component_rules:?}",
                case.name
            ));
        }
        let outcomes = vec![
            ("Standin native", standin_side::action_outcome(&native)),
            ("Standin component", standin_side::decision_outcome(&component)),
            ("Cedar", e.cedar.outcome(&e.cedar.action(r))),
            (
                "Rego interpreter",
                rego::outcome(&e.rego.interpret_action(rego::action_input(r))),
            ),
            ("Rego RVM", rego::outcome(&e.rego.action(r))),
        ];
        compare(case, &outcomes, &mut problems);
    }
    report("action", &problems, &cases.iter().map(|c| c.name).collect::<Vec<_>>());
}

/// Enough cases, allows and denies, and every code alone in some case: the
/// case that catches its rule's removal.
#[test]
fn the_cases_cover_every_rule_alone() {
    let (starts, actions) = (cases::starts(), cases::actions());
    assert!(
        starts.len() >= 20 && actions.len() >= 15,
        "{} starts, {} actions",
        starts.len(),
        actions.len()
    );
    let alone = |codes: Vec<&'static [&'static str]>| -> BTreeSet<&'static str> {
        codes.into_iter().filter(|c| c.len() == 1).map(|c| c[0]).collect()
    };
    let start_alone = alone(starts.iter().map(|c| c.codes).collect());
    let action_alone = alone(actions.iter().map(|c| c.codes).collect());
    for code in [
        "self-impersonation",
        "cross-tenant",
        "target-inactive",
        "target-never-logged-in",
        "target-consent-missing",
        "target-level-not-lower",
        "target-out-of-scope",
        "nested-impersonation",
    ] {
        assert!(start_alone.contains(code), "no start case denied by `{code}` alone");
    }
    for code in [
        "cross-tenant",
        "session-expired",
        "read-only-session",
        "forbidden-action",
        "reserved-for-target",
    ] {
        assert!(action_alone.contains(code), "no action case denied by `{code}` alone");
    }
    // `not-permitted` never decides alone with these settings: an actor
    // without an impersonator role has level 0, so E4 refuses too. The
    // codes compared catch its removal instead.
    assert!(starts.iter().any(|c| c.codes.contains(&"not-permitted")));
    assert!(starts.iter().any(|c| c.codes.is_empty()) && actions.iter().any(|c| c.codes.is_empty()));
}

#[test]
fn the_cedar_policies_validate_against_their_schema() {
    assert_eq!(Cedar::validate(), Vec::<String>::new());
}

#[test]
fn the_settings_are_the_benches() {
    let settings = requests::full_settings();
    assert_eq!(settings["role_levels"]["hr_admin"], 50);
    assert_eq!(settings["forbidden_actions"][0], "billing.*");
}
