//! A real `standin serve` over HTTPS (a self-signed certificate made here)
//! with the AuthZEN example components uploaded, one tenant each
//! (`cert`: the certification fixture; `todo`: the interop policy), and a
//! small HTTPS client that trusts only that certificate.

use crate::serve::{json, run};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

/// An answer: status, headers (names in lower case), body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

pub(crate) struct Pdp {
    child: Child,
    pub addr: String,
    keys: Vec<(String, String)>,
    tls: Arc<rustls::ClientConfig>,
    _dir: tempfile::TempDir,
}

impl Drop for Pdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn component(path: &str) -> String {
    path.to_string()
}

impl Pdp {
    pub(crate) fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        std::fs::write(d.join("cert.pem"), made.cert.pem()).unwrap();
        std::fs::write(d.join("key.pem"), made.signing_key.serialize_pem()).unwrap();
        json(&run(d, &["key", "gen-signing", "--out", "token.key"]));
        let mut keys = Vec::new();
        for (tenant, policy) in [
            ("cert", component(standin_tests::AUTHZEN_FIXTURE)),
            ("todo", component(standin_tests::AUTHZEN_TODO)),
        ] {
            let set = run(d, &["policy", "set", "--tenant", tenant, &policy]);
            assert_eq!(set.status.code(), Some(0), "{set:?}");
            let key = json(&run(d, &["key", "create", "--tenant", tenant, "--scope", "decide"]));
            keys.push((tenant.to_string(), key["key"].as_str().unwrap().to_string()));
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_standin"))
            .args([
                "--token-key",
                "token.key",
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--log-format",
                "text",
            ])
            .args(["--tls-cert", "cert.pem", "--tls-key", "key.pem"])
            .current_dir(d)
            .env("XDG_CONFIG_HOME", d)
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
        assert_eq!(announced["scheme"], "https", "{announced}");
        let mut roots = rustls::RootCertStore::empty();
        roots.add(made.cert.der().clone()).unwrap();
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Self {
            child,
            addr: announced["listening"].as_str().unwrap().to_string(),
            keys,
            tls: Arc::new(tls),
            _dir: dir,
        }
    }

    /// `https://localhost:PORT`, as the server names itself to callers.
    pub(crate) fn base(&self) -> String {
        let port = self.addr.rsplit(':').next().unwrap();
        format!("https://localhost:{port}")
    }

    pub(crate) fn key(&self, tenant: &str) -> &str {
        &self.keys.iter().find(|(t, _)| t == tenant).unwrap().1
    }

    /// A request with a JSON body (or `content_type` for another) and the
    /// tenant's key.
    pub(crate) fn post(&self, tenant: &str, url: &str, body: &str) -> Answer {
        self.send(
            "POST",
            url,
            Some(self.key(tenant)),
            Some(("application/json", body)),
            &[],
        )
    }

    /// One HTTP/1.1 request over TLS on its own connection. `url` is a
    /// path or an absolute URL of this server.
    pub(crate) fn send(
        &self,
        method: &str,
        url: &str,
        key: Option<&str>,
        body: Option<(&str, &str)>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let base = self.base();
        let path = url.strip_prefix(&base).unwrap_or(url);
        assert!(path.starts_with('/'), "not this server's URL: {url}");
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let mut conn = rustls::ClientConnection::new(self.tls.clone(), name).unwrap();
        let mut sock = std::net::TcpStream::connect(&self.addr).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut tls = rustls::Stream::new(&mut conn, &mut sock);
        let host = base.trim_start_matches("https://");
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        if let Some(key) = key {
            request.push_str(&format!("Authorization: Bearer {key}\r\n"));
        }
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = body.map(|(content_type, body)| {
            request.push_str(&format!("Content-Type: {content_type}\r\n"));
            body
        });
        request.push_str(&format!("Content-Length: {}\r\n\r\n", body.map_or(0, str::len)));
        request.push_str(body.unwrap_or(""));
        tls.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        // A peer that closes without close_notify is still an answer.
        let _ = tls.read_to_end(&mut raw);
        parse(&String::from_utf8_lossy(&raw))
    }
}

fn parse(raw: &str) -> Answer {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.get(9..12))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked { unchunk(body) } else { body.to_string() };
    Answer { status, headers, body }
}

fn unchunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}
