//! How the command line itself is read: usage errors are errors (exit 1,
//! never 2, which means deny: docs/contract.md, "Hardening rules"), help and
//! version are answers (exit 0), and every flag says what it is for.

use std::process::{Command, Output};

fn standin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(args)
        .env_remove("STANDIN_DB")
        .env_remove("STANDIN_NOW")
        .output()
        .expect("run standin")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn cli_usage_error_exits_1_not_deny() {
    for (args, says) in [
        // An unknown flag.
        (
            &["check", "start", "--bogus", "requests/start-allow.json"][..],
            "--bogus",
        ),
        // A missing argument.
        (&["check", "start"][..], "REQUEST.json"),
        // A missing required flag.
        (&["session", "list"][..], "--tenant"),
        // A value that does not parse.
        (&["--now", "yesterday", "sweep"][..], "--now"),
        (&["audit", "query", "--format", "xml"][..], "xml"),
        // No command at all.
        (&[][..], "Usage"),
        (&["nonsense"][..], "nonsense"),
    ] {
        let out = standin(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {out:?}");
        assert!(stderr(&out).contains(says), "{args:?} should name {says}: {out:?}");
    }
}

#[test]
fn cli_help_and_version_exit_0_on_stdout() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["check", "--help"],
        &["audit", "query", "-h"],
        &["--version"],
        &["help"],
    ] {
        let out = standin(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert!(!out.stdout.is_empty(), "{args:?}: {out:?}");
        assert!(out.stderr.is_empty(), "{args:?}: {out:?}");
    }
}

/// The lines of `section` ("Commands:", "Options:", "Arguments:") of a help text.
fn section<'a>(help: &'a str, section: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|l| *l != section)
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect()
}

/// Every visible command path: `[]`, `["check"]`, `["policy", "set"]`, ...
fn command_paths(path: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("-h");
    let help = String::from_utf8(standin(&args).stdout).expect("utf-8 help");
    out.push(path.clone());
    for line in section(&help, "Commands:") {
        let name = line.split_whitespace().next().expect("a command name");
        if name != "help" {
            let mut sub = path.clone();
            sub.push(name.to_string());
            command_paths(sub, out);
        }
    }
}

#[test]
fn cli_every_flag_and_argument_has_a_help_line() {
    let mut paths = Vec::new();
    command_paths(Vec::new(), &mut paths);
    assert!(paths.len() > 20, "{paths:?}");
    let mut missing = Vec::new();
    for path in &paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("-h");
        let help = String::from_utf8(standin(&args).stdout).expect("utf-8 help");
        for line in section(&help, "Options:")
            .into_iter()
            .chain(section(&help, "Arguments:"))
        {
            // `      --tenant <TENANT>  The tenant`: the entry, two spaces,
            // its help; continuation lines are indented to the help column.
            let entry = line.trim();
            let indent = line.len() - line.trim_start().len();
            if indent > 6 || !entry.starts_with(['-', '<', '[']) {
                continue;
            }
            if !entry.contains("  ") {
                missing.push(format!("standin {} {entry}", path.join(" ")));
            }
        }
    }
    assert!(missing.is_empty(), "flags without a help line:\n{}", missing.join("\n"));
}

#[test]
fn cli_an_error_says_each_cause_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let missing = dir.path().join("no-such-settings.json");
    let out = standin(&[
        "--db",
        db.to_str().expect("path"),
        "policy",
        "set",
        "--tenant",
        "acme",
        "--settings",
        missing.to_str().expect("path"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = stderr(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains("no-such-settings.json"), "{text}");
    assert_eq!(text.matches("No such file").count(), 1, "a cause repeated: {text}");
}
