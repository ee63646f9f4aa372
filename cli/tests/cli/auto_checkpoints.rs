//! Signed checkpoints on a schedule (A1): `standin serve --checkpoint-key
//! --checkpoint-every --checkpoint-dir` signs every tenant's chain head
//! that moved and writes it where `audit verify --checkpoint` reads it, so
//! a tail cut after the fact is found without anyone having run `audit
//! checkpoint` by hand; it takes a last round at shutdown, and a broken
//! chain is not vouched for (nor does it stop the server).

use crate::serve::{http, json, run, serve_with, sigterm, wait};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// A tenant with a policy, a decide key and an active session, made on the
/// command line: the key and the session id.
fn tenant(d: &Path) -> (String, String) {
    json(&run(d, &["policy", "set", "--tenant", "acme"]));
    let key = json(&run(d, &["key", "create", "--tenant", "acme", "--scope", "decide"]))["key"]
        .as_str()
        .unwrap()
        .to_string();
    std::fs::write(
        d.join("start.json"),
        r#"{"tenant": "acme", "reason": "ticket SUP-1", "actor": {"id": "u-1", "roles": ["super_admin"]},
            "target": {"id": "u-42", "active": true, "has_logged_in": true}}"#,
    )
    .unwrap();
    let session = json(&run(d, &["session", "start", "start.json"]))["id"]
        .as_str()
        .unwrap()
        .to_string();
    (key, session)
}

/// A new signing key at `d/checkpoint.key`: its file and its public key.
fn signing_key(d: &Path) -> (PathBuf, String) {
    let file = d.join("checkpoint.key");
    let public = json(&run(d, &["key", "gen-signing", "--out", file.to_str().unwrap()]));
    (file, public["public_key"].as_str().unwrap().to_string())
}

/// The serve options that turn checkpoints on.
fn options<'a>(key: &'a Path, every: &'a str, dir: &'a Path) -> [&'a str; 6] {
    [
        "--checkpoint-key",
        key.to_str().unwrap(),
        "--checkpoint-every",
        every,
        "--checkpoint-dir",
        dir.to_str().unwrap(),
    ]
}

/// acme's last `seq`, as `audit verify` counts it.
fn last_seq(d: &Path) -> u64 {
    json(&run(d, &["audit", "verify", "--tenant", "acme"]))["events"]
        .as_u64()
        .unwrap()
}

/// One allowed action over HTTP (one more audit event).
fn act(addr: &str, key: &str, session: &str) {
    let path = format!("/v1/tenants/acme/sessions/{session}/authorize");
    let body = r#"{"action": "course.view", "resource": "r-1"}"#;
    let (status, answer) = http(addr, "POST", &path, Some(key), Some(body)).unwrap();
    assert_eq!(status, 200, "{answer}");
}

/// `file` read as a checkpoint, or `None` while there is none.
fn read(file: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(file).ok()?;
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("`{text}`: {e}")))
}

/// Waits (at most 20 s) for `file` to vouch for event `seq`.
fn wait_for(file: &Path, seq: u64) -> Value {
    let started = Instant::now();
    loop {
        if let Some(c) = read(file)
            && c["seq"].as_u64() == Some(seq)
        {
            return c;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no checkpoint of event {seq} in {} within 20 s (found {:?})",
            file.display(),
            read(file)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The checkpointer's count of `outcome` in `metrics`.
fn count(metrics: &str, outcome: &str) -> u64 {
    let series = format!("standin_audit_checkpoints_total{{outcome=\"{outcome}\"}} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0, |n| n.parse().unwrap())
}

/// `/metrics` once `done` holds for it (at most 20 s).
fn metrics_once(addr: &str, done: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        let (status, body) = http(addr, "GET", "/metrics", None, None).unwrap();
        assert_eq!(status, 200, "{body}");
        if done(&body) {
            return body;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{body}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn verify(d: &Path, checkpoint: &Path, public: &str) -> Output {
    let c = checkpoint.to_str().unwrap();
    run(
        d,
        &[
            "audit",
            "verify",
            "--tenant",
            "acme",
            "--checkpoint",
            c,
            "--public-key",
            public,
        ],
    )
}

#[test]
fn a1_serve_signs_checkpoints_on_a_schedule_and_they_find_a_cut_tail() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (key, session) = tenant(d);
    let (signing, public) = signing_key(d);
    let ckpts = d.join("checkpoints");
    let before = last_seq(d);
    let (mut child, addr) = serve_with(d, &[], &options(&signing, "1s", &ckpts));
    let latest = ckpts.join("acme").join("latest.json");
    wait_for(&latest, before);
    act(&addr, &key, &session);

    // A round after the action signs it, while the server runs.
    let c = wait_for(&latest, before + 1);
    assert_eq!(
        (c["tenant"].as_str(), c["public_key"].as_str()),
        (Some("acme"), Some(public.as_str()))
    );
    let numbered = ckpts.join("acme").join(format!("{}.json", before + 1));
    let text = std::fs::read_to_string(&numbered).unwrap();
    assert!(
        text.ends_with('\n') && text.lines().count() == 1,
        "one JSON line: {text:?}"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        c,
        "latest.json is the last one"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&numbered).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }
    sigterm(&child);
    assert_eq!(wait(&mut child, Duration::from_secs(30)), Some(0));

    let out = verify(d, &latest, &public);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // Whoever holds the database cuts the last event off: the chain that
    // is left holds, the checkpoint finds the cut.
    let conn = rusqlite::Connection::open(d.join("standin.db")).unwrap();
    let cut = conn
        .execute(
            "DELETE FROM audit WHERE tenant = 'acme' AND seq = (SELECT MAX(seq) FROM audit WHERE tenant = 'acme')",
            [],
        )
        .unwrap();
    assert_eq!(cut, 1);
    drop(conn);
    let plain = run(d, &["audit", "verify", "--tenant", "acme"]);
    assert_eq!(
        plain.status.code(),
        Some(0),
        "the chain alone cannot see a cut tail: {plain:?}"
    );
    let out = verify(d, &latest, &public);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("tail was cut off"),
        "{out:?}"
    );
}

#[test]
fn a1_serve_signs_the_head_it_starts_with_and_the_one_it_stops_at() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (key, session) = tenant(d);
    let (signing, public) = signing_key(d);
    let ckpts = d.join("checkpoints");
    let before = last_seq(d);
    // An hour apart: only the round at start and the one at shutdown run.
    let (mut child, addr) = serve_with(d, &[], &options(&signing, "1h", &ckpts));
    let latest = ckpts.join("acme").join("latest.json");
    wait_for(&latest, before);
    act(&addr, &key, &session);
    sigterm(&child);
    assert_eq!(wait(&mut child, Duration::from_secs(30)), Some(0));
    let c = read(&latest).expect("latest.json");
    assert_eq!(
        c["seq"].as_u64(),
        Some(before + 1),
        "the last head is signed at shutdown: {c}"
    );
    assert!(ckpts.join("acme").join(format!("{before}.json")).exists());
    let out = verify(d, &latest, &public);
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // A restart with nothing new signs nothing new.
    let (mut child, _) = serve_with(d, &[], &options(&signing, "1h", &ckpts));
    sigterm(&child);
    assert_eq!(wait(&mut child, Duration::from_secs(30)), Some(0));
    let files = std::fs::read_dir(ckpts.join("acme")).unwrap().count();
    assert_eq!(files, 3, "{before}.json, {}.json and latest.json", before + 1);
}

#[test]
fn a1_serve_does_not_sign_a_broken_chain_and_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    tenant(d);
    let (signing, _) = signing_key(d);
    let ckpts = d.join("checkpoints");
    let conn = rusqlite::Connection::open(d.join("standin.db")).unwrap();
    conn.execute("DELETE FROM audit WHERE tenant = 'acme' AND seq = 1", [])
        .unwrap();
    drop(conn);
    let (mut child, addr) = serve_with(d, &[], &options(&signing, "1s", &ckpts));
    // Refused at start and again a round later: the worker goes on.
    let metrics = metrics_once(&addr, |m| count(m, "broken") >= 2);
    assert_eq!(count(&metrics, "written"), 0, "{metrics}");
    assert_eq!(count(&metrics, "failed"), 0, "{metrics}");
    let (status, _) = http(&addr, "GET", "/readyz", None, None).unwrap();
    assert_eq!(status, 200);
    sigterm(&child);
    assert_eq!(wait(&mut child, Duration::from_secs(30)), Some(0));
    assert!(!ckpts.join("acme").exists(), "a broken chain is not signed");
}

#[test]
fn a1_serve_does_not_sign_over_a_tail_it_checkpointed_and_lost() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (key, session) = tenant(d);
    let (signing, public) = signing_key(d);
    let ckpts = d.join("checkpoints");
    let (mut child, addr) = serve_with(d, &[], &options(&signing, "1h", &ckpts));
    act(&addr, &key, &session);
    sigterm(&child);
    assert_eq!(wait(&mut child, Duration::from_secs(30)), Some(0));
    let latest = ckpts.join("acme").join("latest.json");
    let signed = read(&latest).expect("latest.json");
    let last = last_seq(d);
    assert_eq!(signed["seq"].as_u64(), Some(last));

    // The tail cut, and the chain grown past it again with the host key.
    let conn = rusqlite::Connection::open(d.join("standin.db")).unwrap();
    conn.execute("DELETE FROM audit WHERE tenant = 'acme' AND seq = ?1", [last])
        .unwrap();
    drop(conn);
    for _ in 0..2 {
        json(&run(d, &["authorize", &session, "course.view"]));
    }
    assert_eq!(last_seq(d), last + 1, "the chain alone holds");

    let (mut child, addr) = serve_with(d, &[], &options(&signing, "1h", &ckpts));
    let metrics = metrics_once(&addr, |m| count(m, "broken") >= 1);
    sigterm(&child);
    assert_eq!(wait(&mut child, Duration::from_secs(30)), Some(0));
    assert_eq!(count(&metrics, "written"), 0, "the new head was signed: {metrics}");
    assert_eq!(read(&latest), Some(signed), "latest.json still names the lost head");
    let out = verify(d, &latest, &public);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
}

#[test]
fn a1_serve_checkpoint_options_go_together() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let half = run(d, &["serve", "--listen", "127.0.0.1:0", "--checkpoint-every", "1s"]);
    assert_eq!(half.status.code(), Some(1), "{half:?}");
    assert!(
        String::from_utf8_lossy(&half.stderr).contains("go together"),
        "{half:?}"
    );
    let bad = run(d, &["serve", "--listen", "127.0.0.1:0", "--checkpoint-every", "1d"]);
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("`1d`"), "{bad:?}");
    let ckpts = d.join("checkpoints");
    let no_key = d.join("no.key");
    let opts = options(&no_key, "1s", &ckpts);
    let mut args = vec!["serve", "--listen", "127.0.0.1:0"];
    args.extend(opts);
    let missing = run(d, &args);
    assert_eq!(missing.status.code(), Some(1), "{missing:?}");
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("checkpoint key"),
        "{missing:?}"
    );
}
