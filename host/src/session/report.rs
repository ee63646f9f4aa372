//! `audit query` output: JSON lines, CSV or a table, in either view (A3, A4).

use crate::store::AuditEvent;
use serde::Serialize;

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
        Some(View::Impersonator) => (Some(&e.actor), Some(format!("impersonating {}", e.target))),
        Some(View::Impersonated) => (Some(&e.target), Some(format!("impersonated by {}", e.actor))),
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
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
                .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
                .collect();
            let widths: Vec<usize> = (0..idx.len())
                .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
                .collect();
            for r in rows {
                let line: Vec<String> = r.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
                out.push_str(line.join("  ").trim_end());
                out.push('\n');
            }
        }
    }
    out
}
