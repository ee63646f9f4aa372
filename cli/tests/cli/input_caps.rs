//! Input is size-capped *while* it is read (docs/contract.md, "Hardening
//! rules"): every file or standard input the CLI reads is taken at most to
//! its cap (1 MiB for requests, settings and suites; the host's 24 MiB for
//! components) and refused past it, naming the file and the cap, so
//! `/dev/zero` ends at once and never grows the process.

use crate::sessions::standin;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const T0: &str = "2026-11-21T10:00:00Z";

/// The peak resident memory a run may reach, in KiB: the host (wasmtime,
/// the built-in policy compiled) needs some tens of MiB; reading
/// `/dev/zero` whole would pass this within a second.
const MAX_RSS_KIB: u64 = 512 * 1024;

/// The resident set of `pid` in KiB (Linux; `None` elsewhere or once gone).
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `command` watching it: it must end within `deadline` and stay
/// under [`MAX_RSS_KIB`]; otherwise it is killed and the test fails.
fn run_watched(mut command: Command, stdin: Option<&[u8]>, deadline: Duration) -> Output {
    let mut child = command
        .env_remove("STANDIN_DB")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn standin");
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin");
        let bytes = bytes.to_vec();
        // The child stops reading at its cap: the rest meets a closed pipe.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let start = Instant::now();
    let mut peak = 0;
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            break;
        }
        peak = peak.max(rss_kib(child.id()).unwrap_or(0));
        if peak > MAX_RSS_KIB || start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "killed after {:?} at {peak} KiB resident: the input was not capped while read",
                start.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    if let Some(f) = feeder {
        let _ = f.join();
    }
    child.wait_with_output().expect("output")
}

fn standin_cmd(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_standin"));
    c.args(["--db", db.to_str().expect("utf-8"), "--now", T0])
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples"));
    c
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A file of `len` bytes: `{"tenant": "aaaa…"}`, valid JSON were it not so long.
fn big_json(dir: &Path, name: &str, len: usize) -> PathBuf {
    let path = dir.join(name);
    let mut text = String::from(r#"{"tenant": ""#);
    text.push_str(&"a".repeat(len - text.len() - 2));
    text.push_str(r#""}"#);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn input_check_request_from_dev_zero_is_an_invalid_request_deny_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("unused.db");
    for kind in ["start", "action"] {
        let out = run_watched(
            standin_cmd(&db, &["check", kind, "/dev/zero"]),
            None,
            Duration::from_secs(20),
        );
        // As for a malformed request: an `invalid-request` deny on stdout,
        // the reason on stderr, exit 1.
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let d: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a deny on stdout");
        assert_eq!(d["decision"], "deny");
        assert_eq!(d["reasons"][0]["code"], "invalid-request");
        let err = stderr(&out);
        assert!(err.contains("`/dev/zero`") && err.contains("1 MiB cap"), "{err}");
    }
    assert!(!db.exists(), "check needs no database");
}

#[test]
fn input_session_start_from_dev_zero_and_stdin_is_refused_at_the_cap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    assert_eq!(
        standin(&db, T0, &["policy", "set", "--tenant", "acme"]).status.code(),
        Some(0)
    );
    let out = run_watched(
        standin_cmd(&db, &["session", "start", "/dev/zero"]),
        None,
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("`/dev/zero` is over the 1 MiB cap"), "{out:?}");
    // Standard input: 3 MiB offered, at most 1 MiB + 1 byte taken.
    let offered = vec![b' '; 3 << 20];
    let out = run_watched(
        standin_cmd(&db, &["session", "start", "-"]),
        Some(&offered),
        Duration::from_secs(20),
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr(&out).contains("standard input` is over the 1 MiB cap"),
        "{out:?}"
    );
    // Nothing was started.
    let out = standin(&db, T0, &["audit", "query", "--event", "session.started"]);
    assert!(out.stdout.is_empty(), "{out:?}");
}

#[test]
fn input_large_request_settings_and_suite_files_are_refused_naming_file_and_cap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let big = big_json(dir.path(), "big.json", (1 << 20) + 1);
    let big = big.to_str().expect("utf-8");
    let fits = big_json(dir.path(), "fits.json", 1 << 20);
    let cases: [(&[&str], &str); 6] = [
        (&["check", "start", big], "requests"),
        (
            &["check", "start", "--settings", big, "requests/start-allow.json"],
            "settings",
        ),
        (&["session", "start", big], "requests"),
        (&["policy", "set", "--tenant", "acme", "--settings", big], "settings"),
        (&["policy", "upload", "--tenant", "acme", "--suite", big], "suites"),
        (&["test", big], "suites"),
    ];
    for (args, kind) in cases {
        let out = standin(&db, T0, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("`{big}` is over the 1 MiB cap of {kind}")),
            "{args:?}: {err}"
        );
    }
    // At the cap exactly, the file is read (and refused for what it says).
    let out = standin(&db, T0, &["check", "start", fits.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("missing field `actor`"), "{out:?}");
    // Nothing was stored.
    let out = standin(&db, T0, &["policy", "list", "--tenant", "acme"]);
    assert!(out.stdout.is_empty(), "{out:?}");
}

#[test]
fn input_component_over_the_host_cap_is_refused_at_the_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let cap = standin::HostConfig::default().max_component_bytes as u64;
    let path = dir.path().join("big.wasm");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(cap + 1).expect("sparse file");
    let p = path.to_str().expect("utf-8");
    for (args, says) in [
        (&["check", "start", "--policy", p, "requests/start-allow.json"][..], ""),
        (&["test", "--policy", p, "suites/docebo-style.json"][..], ""),
        (&["policy", "set", "--tenant", "acme", "--policy", p][..], ""),
        (
            &["policy", "upload", "--tenant", "acme", p][..],
            "upload refused at step `size`: ",
        ),
    ] {
        let out = run_watched(standin_cmd(&db, args), None, Duration::from_secs(60));
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{says}`{p}` is over the 24 MiB cap of policy components")),
            "{args:?}: {err}"
        );
    }
}
