//! `audit query` output: JSON lines, CSV or a table, in either view (A3, A4).
//!
//! What the trail holds came from requests and policies, so every format
//! is safe to open whatever a field contains:
//! - JSON lines: serde_json escapes everything.
//! - CSV (RFC 4180) and the table: control characters (a raw ESC would
//!   talk to the terminal that `cat`s the file, a newline would make a row
//!   for a reader that splits lines), format and invisible characters
//!   (bidirectional overrides, zero-width ones, line separators) are shown
//!   escaped (`\n`, `\u{1b}`; a backslash as `\\`, so the escape is never
//!   ambiguous), the same over HTTP as from the CLI.
//! - CSV then quotes fields with a separator or quote; a field a
//!   spreadsheet would run as a formula (first character `=`, `+`, `-`,
//!   `@`) gets a leading `'` and is quoted (OWASP, "CSV Injection"), so
//!   `=HYPERLINK(...)` stays text. CSV cells keep their whole length.
//! - The table cuts a cell at [`TABLE_CELL_CHARS`] characters with a
//!   visible `…(+N chars)`: the table is for people, the full values are
//!   in JSON lines and CSV.

use super::{AuditEvent, events};
use crate::request::is_invisible;
use serde::Serialize;
use std::borrow::Cow;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// One JSON object per line.
    #[default]
    Jsonl,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// Aligned columns for people.
    Table,
}

/// Whose name each event is shown under; both identities stay in the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Under the actor, the target as detail (Restaurant365, 004).
    Impersonator,
    /// Under the target, the actor as detail (Docebo, 003).
    Impersonated,
}

/// An event with the view's `user` and `detail`.
#[derive(Debug, Serialize)]
struct Viewed<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
    #[serde(flatten)]
    event: &'a AuditEvent,
}

fn user_detail(e: &AuditEvent, view: Option<View>) -> (Option<&str>, Option<String>) {
    match view {
        None => (None, None),
        // Nobody is impersonated: under whoever uploaded it, in both views.
        Some(_) if e.event == events::POLICY_UPLOADED => (
            Some(&e.actor),
            Some(format!("uploaded policy version {}", e.policy.version)),
        ),
        Some(View::Impersonator) => (Some(&e.actor), Some(format!("impersonating {}", e.target))),
        Some(View::Impersonated) => (Some(&e.target), Some(format!("impersonated by {}", e.actor))),
    }
}

/// A CSV field: escaped as [`shown`] does, formula-like text neutralised
/// with a leading `'`, then quoted when it holds a separator (`,`, or `;`
/// for spreadsheets set to it) or a quote, or was neutralised.
fn csv_field(s: &str) -> String {
    let s = shown(s);
    let formula = s.starts_with(['=', '+', '-', '@']);
    if formula || s.contains([',', ';', '"']) {
        let quote = if formula { "'" } else { "" };
        format!("\"{quote}{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// The longest a table cell is shown, in characters.
pub const TABLE_CELL_CHARS: usize = 256;

/// A table cell: [`shown`], and at most [`TABLE_CELL_CHARS`] characters of
/// the text (plus the note of what was cut).
fn table_cell(s: &str) -> String {
    match s.char_indices().nth(TABLE_CELL_CHARS) {
        None => shown(s).into_owned(),
        Some((i, _)) => {
            let rest = s[i..].chars().count();
            format!("{}…(+{rest} chars)", shown(&s[..i]))
        }
    }
}

/// `s` with nothing in it that can start a line, move the cursor, talk to
/// a terminal or hide itself: control, format and invisible characters
/// and backslashes escaped (borrowed, without a copy, when it holds none).
pub fn shown(s: &str) -> Cow<'_, str> {
    let plain = |c: char| c != '\\' && !c.is_control() && !is_invisible(c);
    if s.chars().all(plain) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if plain(c) => out.push(c),
            c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

fn columns(e: &AuditEvent, view: Option<View>) -> Vec<String> {
    let (user, detail) = user_detail(e, view);
    let mut row = Vec::new();
    if view.is_some() {
        row.push(user.unwrap_or_default().to_string());
        row.push(detail.unwrap_or_default());
    }
    row.extend([
        e.seq.to_string(),
        e.tenant.clone(),
        e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        e.event.clone(),
        e.session.clone().unwrap_or_default(),
        e.actor.clone(),
        e.target.clone(),
        e.action.clone().unwrap_or_default(),
        e.resource.clone().unwrap_or_default(),
        e.reason.clone().unwrap_or_default(),
        e.codes.join(" "),
        e.end_reason.clone().unwrap_or_default(),
        e.policy.version.to_string(),
        e.policy.digest.clone(),
        e.hash.clone(),
    ]);
    row
}

fn header(view: Option<View>) -> Vec<&'static str> {
    let mut h = Vec::new();
    if view.is_some() {
        h.extend(["user", "detail"]);
    }
    h.extend([
        "seq",
        "tenant",
        "at",
        "event",
        "session",
        "actor",
        "target",
        "action",
        "resource",
        "reason",
        "codes",
        "end_reason",
        "policy_version",
        "policy_digest",
        "hash",
    ]);
    h
}

/// The events as text in `format`, shown in `view` (none: the stored form).
pub fn render(events: &[AuditEvent], format: Format, view: Option<View>) -> String {
    let mut out = String::new();
    match format {
        Format::Jsonl => {
            for e in events {
                let (user, detail) = user_detail(e, view);
                let line = serde_json::to_string(&Viewed { user, detail, event: e }).unwrap_or_default();
                out.push_str(&line);
                out.push('\n');
            }
        }
        Format::Csv => {
            out.push_str(&header(view).join(","));
            out.push('\n');
            for e in events {
                let row: Vec<String> = columns(e, view).iter().map(|c| csv_field(c)).collect();
                out.push_str(&row.join(","));
                out.push('\n');
            }
        }
        Format::Table => {
            // People read who, when, what and why; the hashes stay in jsonl/csv.
            let keep: &[&str] = &[
                "user",
                "detail",
                "seq",
                "tenant",
                "at",
                "event",
                "actor",
                "target",
                "action",
                "codes",
                "end_reason",
            ];
            let head = header(view);
            let idx: Vec<usize> = (0..head.len()).filter(|&i| keep.contains(&head[i])).collect();
            let rows: Vec<Vec<String>> = std::iter::once(head.iter().map(|h| h.to_uppercase()).collect())
                .chain(events.iter().map(|e| columns(e, view)))
                .map(|r| idx.iter().map(|&i| table_cell(&r[i])).collect())
                .collect();
            let widths: Vec<usize> = (0..idx.len())
                .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
                .collect();
            for r in rows {
                // Padded by hand: `format!("{cell:<w$}")` panics on a width
                // over u16::MAX (65,535), which cells were before they were capped.
                let mut line = String::new();
                for (i, (cell, w)) in r.iter().zip(&widths).enumerate() {
                    if i > 0 {
                        line.push_str("  ");
                    }
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.chars().count())));
                }
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
    }
    out
}
