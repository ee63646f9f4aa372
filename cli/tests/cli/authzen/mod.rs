//! The AuthZEN suites against a real `standin serve` over HTTPS (issue 31):
//! every case of the OpenID interop decision files (`tests/authzen-interop`:
//! Todo drafts 01 and 02, the API gateway, search) and every test of the
//! certification scenario's Basic, Batch, Search and Discovery levels
//! (`cert.rs`, each named by its id), with the example components
//! uploaded. The results are written to `docs/authzen-results.md`, in the
//! interop sites' table form, so the checked-in page is what this run saw.

mod cert;
mod interop;
mod pdp;

use pdp::Pdp;
use std::fmt::Write as _;
use std::path::Path;

/// One table of the results page.
#[derive(Debug, Default)]
pub(crate) struct Section {
    pub title: String,
    pub intro: String,
    pub columns: Vec<&'static str>,
    /// The cells, and whether the row passed.
    pub rows: Vec<(Vec<String>, bool)>,
}

impl Section {
    pub(crate) fn new(title: &str, intro: &str, columns: &[&'static str]) -> Self {
        Self {
            title: title.to_string(),
            intro: intro.to_string(),
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>, passed: bool) {
        self.rows.push((cells, passed));
    }

    fn passed(&self) -> usize {
        self.rows.iter().filter(|(_, p)| *p).count()
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn page(sections: &[Section]) -> String {
    let mut out = String::from(
        "# AuthZEN results\n\n\
         Standin as an OpenID AuthZEN 1.0 Policy Decision Point: the interop\n\
         scenarios' decision files and the certification scenario's tests, run\n\
         over HTTPS against `standin serve` with `examples/policies/authzen-fixture`\n\
         (tenant `cert`) and `examples/policies/authzen-todo` (tenant `todo`).\n\
         Written by `cargo test -p standin-cli --test cli authzen` (`cli/tests/cli/authzen/`);\n\
         do not edit by hand.\n\n| suite | passed |\n|---|---|\n",
    );
    for s in sections {
        let _ = writeln!(out, "| {} | {} of {} |", s.title, s.passed(), s.rows.len());
    }
    for s in sections {
        let _ = write!(
            out,
            "\n## {}\n\n{}\n\n| {} | result |\n|",
            s.title,
            s.intro,
            s.columns.join(" | ")
        );
        for _ in 0..=s.columns.len() {
            out.push_str("---|");
        }
        out.push('\n');
        for (cells, passed) in &s.rows {
            let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
            let mark = if *passed { "✅ pass" } else { "❌ fail" };
            let _ = writeln!(out, "| {} | {mark} |", cells.join(" | "));
        }
    }
    out
}

#[test]
fn authzen_interop_suites_and_certification_tests_pass_over_https() {
    let pdp = Pdp::start();
    let mut sections = interop::run(&pdp);
    sections.extend(cert::run(&pdp));
    let text = page(&sections);
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/authzen-results.md");
    std::fs::write(&docs, &text).expect("write docs/authzen-results.md");
    let failed: Vec<String> = sections
        .iter()
        .flat_map(|s| {
            s.rows
                .iter()
                .filter(|(_, p)| !p)
                .map(move |(cells, _)| format!("{}: {}", s.title, cells.join(" | ")))
        })
        .collect();
    assert!(failed.is_empty(), "{} failed:\n{}", failed.len(), failed.join("\n"));
}
