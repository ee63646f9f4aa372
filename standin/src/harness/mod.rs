//! The policy test harness: prove a policy on scenario files before any
//! tenant runs it (`standin test`).
//!
//! A suite (docs/contract.md, "Test suite file") names principals once and asks
//! questions with expected answers. [`Suite::load`] resolves it into real
//! requests, refusing malformed suites with the file and case named (a
//! malformed suite is an error, never a failing case); [`run`] asks the
//! policy and compares, and [`Coverage`] says which rules and reason codes the
//! suite exercised and which rules of the policy no case covers.

mod run;
mod suite;

pub use run::{CaseOutcome, Coverage, Mismatch, SuiteReport, run};
pub use suite::{Case, Expect, Question, Suite, SuiteError};
