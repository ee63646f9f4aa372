//! Health, readiness, metrics and TLS.

use crate::support::Server;
use serde_json::json;
use standin::access::Scope::{Admin, Decide};

#[tokio::test]
async fn health_and_readiness_answer_without_a_key() {
    let server = Server::start();
    let (status, body) = server.call("GET", "/healthz", None, None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = server.call("GET", "/readyz", None, None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
}

#[tokio::test]
async fn metrics_count_decisions_by_tenant_outcome_and_code() {
    let server = Server::start();
    let id = server.session("u-42").await;
    for action in ["course.view", "billing.purchase", "billing.purchase"] {
        server.authorize(&id, action).await;
    }
    let text = server.text("/metrics", None).await;
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in\n{text}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    assert_eq!(
        line(r#"standin_decisions_total{tenant="acme",kind="action",decision="allow",code="none"}"#),
        1.0
    );
    assert_eq!(
        line(r#"standin_decisions_total{tenant="acme",kind="action",decision="deny",code="forbidden-action"}"#),
        2.0
    );
    assert_eq!(
        line(r#"standin_decisions_total{tenant="acme",kind="start",decision="allow",code="none"}"#),
        1.0
    );
    assert!(line(r#"standin_decision_duration_seconds_count{kind="action"}"#) >= 3.0);
    assert!(line("standin_audit_commit_duration_seconds_count") >= 1.0);
    assert!(line("standin_audit_rows_total") >= 3.0);
    assert!(text.contains("standin_audit_queue_depth "));
    // acme runs the built-in policy: its settings are prepared in a shared instance.
    assert!(line("standin_policy_shared_instances") >= 1.0);
    assert!(line("standin_policy_prepared_settings") >= 1.0);
    assert!(line("standin_policy_prepares_total") >= 1.0);
    assert!(text.contains(
        r#"standin_http_request_duration_seconds_bucket{route="/v1/tenants/{t}/sessions/{id}/authorize",le="#
    ));
}

#[tokio::test]
async fn notifications_can_be_read_and_changed_by_an_admin_n1() {
    let server = Server::start();
    let (status, n) = server
        .acme(Admin, "PUT", "/notifications", Some(json!({"enabled": false})))
        .await;
    assert_eq!(status, 200);
    assert_eq!(n["enabled"], false);
    assert!(n["started_template"].as_str().unwrap().contains("{actor}"), "kept: {n}");
    let id = server.session("u-42").await;
    server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    let (_, outbox) = server.acme(Admin, "GET", "/outbox", None).await;
    assert!(
        outbox["messages"].as_array().unwrap().is_empty(),
        "switched off, nothing is sent"
    );
}

#[test]
fn tls_serves_https_from_pem_files() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let server = Server::start();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = standin_server::Config {
        tls: Some(standin_server::config::TlsFiles {
            cert: cert_path.clone(),
            key: key_path.clone(),
        }),
        ..standin_server::Config::default()
    };
    let sessions = server.sessions.clone();
    let addr = rt.block_on(async {
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = tcp.local_addr().unwrap();
        tokio::spawn(standin_server::serve_on(
            tcp,
            config,
            sessions,
            standin_server::telemetry::Telemetry::off(),
            std::future::pending(),
            |_| {},
        ));
        addr
    });
    // A real TLS client that trusts only this certificate.
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let config = tokio_rustls::rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let mut conn = tokio_rustls::rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    let mut tls = tokio_rustls::rustls::Stream::new(&mut conn, &mut sock);
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    let _ = tls.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"status\":\"ok\""));
    // Plain HTTP on the TLS port gets no answer.
    let mut plain = std::net::TcpStream::connect(addr).unwrap();
    plain.set_read_timeout(Some(std::time::Duration::from_secs(5))).unwrap();
    plain.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 64];
    let n = plain.read(&mut buf).unwrap_or(0);
    assert!(!String::from_utf8_lossy(&buf[..n]).contains("200"));
    drop(rt);
}

#[tokio::test]
async fn a4_a_gzip_audit_export_arrives_whole() {
    // Browsers ask for gzip: the streamed export must end cleanly through
    // the compression layer (it once panicked after its last page).
    let server = Server::start();
    let id = server.session("u-42").await;
    server.authorize(&id, "course.view").await;
    let response = server
        .http
        .get(server.url("/v1/tenants/acme/audit?format=csv"))
        .bearer_auth(server.key("acme", standin::access::Scope::Audit))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let body = response.bytes().await.expect("the whole body arrives");
    assert_eq!(&body[..2], [0x1f, 0x8b], "gzip");
}
