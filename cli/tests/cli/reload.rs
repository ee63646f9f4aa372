//! SIGHUP: `standin serve --config FILE` reads its file again. The limits,
//! the log filter and a renewed TLS certificate take effect without a
//! restart; a bad file is refused with a log line and the running
//! settings stay.

use crate::serve::{http, json, run};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `standin serve --config FILE`, its log (JSON lines) in `dir/serve.log`.
fn serve(dir: &Path, config: &Path) -> (Child, String) {
    let log = std::fs::File::create(dir.join("serve.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(config)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", dir)
        .env_remove("STANDIN_DB")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start standin serve");
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    let announced: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("`{line}`: {e}"));
    (child, announced["listening"].as_str().unwrap().to_string())
}

/// Sends SIGHUP and waits for the log line that says what came of it.
fn hangup(dir: &Path, child: &Child, expect: &str) {
    let seen = |text: &str| text.matches(expect).count();
    let before = seen(&std::fs::read_to_string(dir.join("serve.log")).unwrap());
    let sent = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let log = std::fs::read_to_string(dir.join("serve.log")).unwrap();
        if seen(&log) > before {
            return;
        }
        assert!(Instant::now() < deadline, "no `{expect}` after SIGHUP; the log:\n{log}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stop(mut child: Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn sighup_applies_new_limits_and_log_filter_and_refuses_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = json(&run(
        dir.path(),
        &["key", "create", "--tenant", "acme", "--scope", "decide"],
    ))["key"]
        .as_str()
        .unwrap()
        .to_string();
    let config = dir.path().join("standin.toml");
    std::fs::write(&config, "log_level = \"warn\"\n[limits]\nmax_body_bytes = 1024\n").unwrap();
    let (child, addr) = serve(dir.path(), &config);
    // A 2 KiB body: over the first limit, under the second.
    let body = format!(
        "{{\"actor\":{{\"id\":\"u-1\",\"roles\":[\"support\"]}},\"target\":{{\"id\":\"u-42\"}},\"reason\":\"{}\"}}",
        "x".repeat(2048)
    );
    let post = || http(&addr, "POST", "/v1/tenants/acme/sessions", Some(&key), Some(&body)).unwrap();
    assert_eq!(post().0, 413, "max_body_bytes = 1024 at start");
    let debug_lines = || {
        std::fs::read_to_string(dir.path().join("serve.log"))
            .unwrap()
            .lines()
            .filter(|l| l.contains("\"level\":\"DEBUG\""))
            .count()
    };
    assert_eq!(http(&addr, "GET", "/healthz", None, None).unwrap().0, 200);
    assert_eq!(debug_lines(), 0, "log_level = warn: no access line");

    std::fs::write(
        &config,
        "log_level = \"info,standin_server=debug\"\n[limits]\nmax_body_bytes = 65536\n",
    )
    .unwrap();
    hangup(dir.path(), &child, "settings reloaded");
    assert_ne!(post().0, 413, "max_body_bytes = 65536 after SIGHUP");
    assert_eq!(http(&addr, "GET", "/healthz", None, None).unwrap().0, 200);
    assert!(debug_lines() > 0, "the new filter logs access lines at debug");

    // Refused: a field that is no setting, a limit of the wrong type, a
    // filter that is not one. Each time the running settings stay.
    for bad in [
        "[limits]\nmax_body_byte = 1024\n",
        "[limits]\nmax_body_bytes = \"small\"\n",
        "log_level = \"info,[[\"\n[limits]\nmax_body_bytes = 1024\n",
        "[tracing]\nsample_ratio = 2.0\n[limits]\nmax_body_bytes = 1024\n",
    ] {
        std::fs::write(&config, bad).unwrap();
        hangup(dir.path(), &child, "settings refused");
        assert_ne!(post().0, 413, "after refusing {bad:?} the limit is still 65536");
    }
    assert_eq!(
        http(&addr, "GET", "/healthz", None, None).unwrap().0,
        200,
        "still serving"
    );
    stop(child);
}

/// A client that trusts only `root`: whether a handshake with `addr` succeeds.
fn trusts(addr: &str, root: &rcgen::CertifiedKey<rcgen::KeyPair>) -> bool {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(root.cert.der().clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut tls = rustls::Stream::new(&mut conn, &mut sock);
    if tls
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = tls.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

#[test]
fn sighup_presents_a_renewed_certificate_and_keeps_it_when_the_new_files_are_bad() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let write = |c: &rcgen::CertifiedKey<rcgen::KeyPair>| {
        std::fs::write(&cert, c.cert.pem()).unwrap();
        std::fs::write(&key, c.signing_key.serialize_pem()).unwrap();
    };
    let first = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let renewed = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    write(&first);
    let config = dir.path().join("standin.toml");
    std::fs::write(
        &config,
        format!(
            "[tls]\ncert = {:?}\nkey = {:?}\n",
            cert.display().to_string(),
            key.display().to_string()
        ),
    )
    .unwrap();
    let (child, addr) = serve(dir.path(), &config);
    assert!(trusts(&addr, &first));
    assert!(!trusts(&addr, &renewed), "not yet renewed");

    write(&renewed);
    assert!(trusts(&addr, &first), "new files alone change nothing");
    hangup(dir.path(), &child, "settings reloaded");
    assert!(
        trusts(&addr, &renewed),
        "after SIGHUP the renewed certificate is presented"
    );
    assert!(!trusts(&addr, &first));

    // A key that is not the certificate's, then a certificate file that is
    // not PEM: refused, the renewed one stays.
    std::fs::write(&key, first.signing_key.serialize_pem()).unwrap();
    hangup(dir.path(), &child, "settings refused");
    std::fs::write(&cert, "not a certificate").unwrap();
    hangup(dir.path(), &child, "settings refused");
    assert!(trusts(&addr, &renewed), "the running certificate stays");
    stop(child);
}
