//! `standin serve` as a process: the embedded default with no config,
//! keys made on the command line, and SIGTERM under load: every answered
//! `authorize` is in the trail, the chain verifies, the exit is 0.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir)
        .env_remove("STANDIN_DB")
        .output()
        .expect("run standin")
}

pub(crate) fn json(out: &std::process::Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"))
}

/// Starts `standin serve` on a free port; the process and its address.
pub(crate) fn serve(dir: &Path, extra: &[&str]) -> (Child, String) {
    serve_with(dir, extra, &[])
}

/// [`serve`], with `extra` before `serve` (global options) and `options`
/// after it (`serve`'s own).
pub(crate) fn serve_with(dir: &Path, extra: &[&str], options: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(extra)
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "text"])
        .args(options)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir)
        .env_remove("STANDIN_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start standin serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let announced: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("`{line}`: {e}"));
    (child, announced["listening"].as_str().unwrap().to_string())
}

/// One HTTP/1.1 request on its own connection: the status and the body.
pub(crate) fn http(
    addr: &str,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let auth = key
        .map(|k| format!("Authorization: Bearer {k}\r\n"))
        .unwrap_or_default();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    let status = answer
        .get(9..12)
        .and_then(|c| c.parse().ok())
        .ok_or(std::io::ErrorKind::InvalidData)?;
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

pub(crate) fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

pub(crate) fn wait(child: &mut Child, limit: Duration) -> Option<i32> {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("standin serve did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_with_no_config_uses_the_embedded_sqlite_default() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = serve(dir.path(), &[]);
    let (status, body) = http(&addr, "GET", "/readyz", None, None).unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(
        dir.path().join("standin.db").exists(),
        "no standin.db in the working directory"
    );
    sigterm(&child);
    assert_eq!(wait(&mut child, Duration::from_secs(30)), Some(0));
}

#[test]
fn key_create_list_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let made = json(&run(
        dir.path(),
        &[
            "key", "create", "--tenant", "acme", "--scope", "audit", "--name", "siem",
        ],
    ));
    assert_eq!(
        (made["tenant"].as_str(), made["scope"].as_str()),
        (Some("acme"), Some("audit"))
    );
    let secret = made["key"].as_str().unwrap();
    let id = made["id"].as_str().unwrap();
    let listed = run(dir.path(), &["key", "list", "--tenant", "acme"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains(id) && !text.contains(secret), "{text}");
    let db = std::fs::read(dir.path().join("standin.db")).unwrap();
    assert!(
        !db.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the secret is in the database"
    );
    let revoked = json(&run(dir.path(), &["key", "revoke", id]));
    assert!(revoked["revoked_at"].is_string());
    assert_eq!(run(dir.path(), &["key", "revoke", "k-nope"]).status.code(), Some(1));
    let bad = run(dir.path(), &["key", "create", "--tenant", "acme", "--scope", "root"]);
    assert_eq!(bad.status.code(), Some(1), "a bad scope is a usage error");
}

#[test]
fn sigterm_under_load_loses_no_acknowledged_authorize() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
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
    let (mut child, addr) = serve(d, &[]);

    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (addr, key, session) = (addr.clone(), key.clone(), session.clone());
            let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
            std::thread::spawn(move || {
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let resource = format!("r-{w}-{n}");
                    let body = format!(r#"{{"action": "course.view", "resource": "{resource}"}}"#);
                    let path = format!("/v1/tenants/acme/sessions/{session}/authorize");
                    // Anything but a 200 (refused while shutting down, the
                    // connection closed) was not acknowledged.
                    if let Ok((200, answer)) = http(&addr, "POST", &path, Some(&key), Some(&body)) {
                        let v: Value = serde_json::from_str(&answer).unwrap();
                        assert_eq!(v["decision"], "allow", "{answer}");
                        acknowledged.lock().unwrap().push(resource);
                    }
                }
            })
        })
        .collect();
    // Load for a while, then the signal while requests are in flight.
    let started = Instant::now();
    while acknowledged.lock().unwrap().len() < 300 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    sigterm(&child);
    let code = wait(&mut child, Duration::from_secs(60));
    stop.store(true, Ordering::Relaxed);
    workers.into_iter().for_each(|w| w.join().unwrap());
    assert_eq!(code, Some(0), "serve exits 0 after draining");

    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 300, "only {} calls answered", acknowledged.len());
    let trail = run(d, &["audit", "query", "--tenant", "acme", "--event", "action.allowed"]);
    let recorded: std::collections::HashSet<String> = String::from_utf8_lossy(&trail.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["resource"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|r| !recorded.contains(*r)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged calls are not in the trail: {lost:?}",
        lost.len()
    );
    let verify = run(d, &["audit", "verify", "--tenant", "acme"]);
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");
}
