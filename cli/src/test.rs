//! `standin test`: run suite files against a policy; report in the
//! terminal, as JSON, or as JUnit XML for CI.

use crate::check::{artifact_dir, load_policy, policy_bytes};
use crate::{Exit, input, output};
use anyhow::Result;
use clap::ValueEnum;
use standin::Host;
use standin::harness::{self, SuiteReport};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Each case, failures with expected vs actual, coverage, totals.
    Human,
    /// One JSON document with every case, answer and coverage.
    Json,
    /// JUnit XML, for CI systems.
    Junit,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Suite files (docs/contract.md, "Test suite file").
    #[arg(value_name = "SUITE.json", required = true)]
    suites: Vec<PathBuf>,
    /// The policy under test (`.wasm`); default: the built-in policy.
    #[arg(long, value_name = "FILE.wasm")]
    policy: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Run only the cases whose name contains TEXT (ignoring case).
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
}

pub fn run(args: Args, host_key: Option<&std::path::Path>) -> Result<Exit> {
    // Every suite is checked before any runs: a malformed one is an error.
    let suites = args
        .suites
        .iter()
        .map(|path| input::load_suite(path))
        .collect::<Result<Vec<_>>>()?;
    let host = Host::new()?;
    let component = policy_bytes(args.policy.as_deref())?;
    let cache = artifact_dir(host_key);
    let mut reports = Vec::with_capacity(suites.len());
    for suite in &suites {
        let policy = load_policy(
            &host,
            &component,
            args.policy.as_deref(),
            &suite.settings,
            cache.as_ref(),
        )
        .map_err(|e| e.context(format!("suite `{}`", suite.path.display())))?;
        reports.push(harness::run(&policy, suite, args.filter.as_deref()));
    }
    let passed: usize = reports.iter().map(SuiteReport::passed).sum();
    let failed: usize = reports.iter().map(SuiteReport::failed).sum();
    let out = match args.format {
        Format::Human => human(&reports, passed, failed),
        Format::Json => {
            serde_json::to_string_pretty(&serde_json::json!({"suites": reports, "passed": passed, "failed": failed}))?
        }
        Format::Junit => junit(&reports, passed, failed),
    };
    output::line(&out)?;
    Ok(if failed > 0 { Exit::Failed } else { Exit::Success })
}

fn human(reports: &[SuiteReport], passed: usize, failed: usize) -> String {
    let mut out = String::new();
    for r in reports {
        let _ = writeln!(
            out,
            "{}: {} (policy {} {}, {})",
            r.file.display(),
            r.name,
            r.policy.name,
            r.policy.version,
            r.digest
        );
        for case in &r.cases {
            if case.passed {
                let _ = writeln!(out, "  ok    {}", case.name);
                continue;
            }
            let _ = writeln!(out, "  FAIL  {}", case.name);
            for m in &case.mismatches {
                let _ = writeln!(out, "        {:<14} expected {}, got {}", m.field, m.expected, m.actual);
            }
            let _ = writeln!(out, "        {:<14} {}", "answer", case.actual.to_json());
        }
        let c = &r.coverage;
        let join = |items: &mut dyn Iterator<Item = &String>| items.map(String::as_str).collect::<Vec<_>>().join(" ");
        let _ = writeln!(out, "  rules exercised: {}", join(&mut c.rules.iter()));
        let _ = writeln!(out, "  reason codes seen: {}", join(&mut c.codes.iter()));
        if !c.uncovered_rules.is_empty() {
            let _ = writeln!(
                out,
                "  rules of the policy no case covers: {}",
                join(&mut c.uncovered_rules.iter())
            );
        }
    }
    let _ = write!(out, "{passed} passed, {failed} failed");
    out
}

/// Escapes text for an XML attribute or element.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control characters.
            c if c.is_control() && !matches!(c, '\n' | '\r' | '\t') => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn junit(reports: &[SuiteReport], passed: usize, failed: usize) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"standin\" tests=\"{}\" failures=\"{failed}\">",
        passed + failed
    );
    for r in reports {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" file=\"{}\" tests=\"{}\" failures=\"{}\">",
            xml(&r.name),
            xml(&r.file.display().to_string()),
            r.cases.len(),
            r.failed()
        );
        let _ = writeln!(out, "    <properties>");
        let _ = writeln!(
            out,
            "      <property name=\"policy\" value=\"{} {}\"/>",
            xml(&r.policy.name),
            xml(&r.policy.version)
        );
        let _ = writeln!(out, "      <property name=\"digest\" value=\"{}\"/>", xml(&r.digest));
        let uncovered = r.coverage.uncovered_rules.join(" ");
        let _ = writeln!(
            out,
            "      <property name=\"uncovered_rules\" value=\"{}\"/>",
            xml(&uncovered)
        );
        let _ = writeln!(out, "    </properties>");
        for case in &r.cases {
            let name = xml(&case.name);
            let classname = xml(&r.name);
            if case.passed {
                let _ = writeln!(out, "    <testcase name=\"{name}\" classname=\"{classname}\"/>");
                continue;
            }
            let summary: Vec<String> = case
                .mismatches
                .iter()
                .map(|m| format!("{}: expected {}, got {}", m.field, m.expected, m.actual))
                .collect();
            let _ = writeln!(out, "    <testcase name=\"{name}\" classname=\"{classname}\">");
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"mismatch\">{}</failure>",
                xml(&summary.join("; ")),
                xml(&case.actual.to_json())
            );
            let _ = writeln!(out, "    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>");
    out
}
