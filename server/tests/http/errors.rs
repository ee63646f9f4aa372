//! Every bad input gets its 4xx and a JSON error, never a decision.

use crate::support::{Server, start_request};
use serde_json::{Value, json};
use standin::access::Scope::Decide;
use standin_server::Limits;

async fn raw(server: &Server, path: &str, content_type: Option<&str>, body: Vec<u8>) -> (u16, Value) {
    let mut request = server
        .http
        .post(server.url(path))
        .bearer_auth(server.key("acme", Decide))
        .body(body);
    if let Some(ct) = content_type {
        request = request.header("content-type", ct);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn code(body: &Value) -> &str {
    body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("not an error body: {body}"))
}

#[tokio::test]
async fn malformed_json_is_400_naming_the_problem() {
    let server = Server::start();
    let (status, body) = raw(
        &server,
        "/v1/tenants/acme/check/start",
        Some("application/json"),
        b"{\"tenant\": ".to_vec(),
    )
    .await;
    assert_eq!((status, code(&body)), (400, "invalid-request"));
    assert!(body["error"]["message"].as_str().unwrap().contains("EOF"), "{body}");
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let server = Server::start();
    let body = serde_json::to_vec(&start_request("u-1", "u-2")).unwrap();
    let (status, answer) = raw(
        &server,
        "/v1/tenants/acme/check/start",
        Some("text/plain"),
        body.clone(),
    )
    .await;
    assert_eq!((status, code(&answer)), (415, "unsupported-media-type"));
    let (status, _) = raw(&server, "/v1/tenants/acme/check/start", None, body).await;
    assert_eq!(status, 415);
}

#[tokio::test]
async fn an_oversized_body_is_413_while_it_is_read_h2() {
    let server = Server::with_limits(Limits {
        max_body_bytes: 4096,
        ..Limits::default()
    });
    let mut request = start_request("u-1", "u-2");
    request["reason"] = json!("x".repeat(8192));
    let (status, body) = raw(
        &server,
        "/v1/tenants/acme/check/start",
        Some("application/json"),
        serde_json::to_vec(&request).unwrap(),
    )
    .await;
    assert_eq!((status, code(&body)), (413, "body-too-large"));
    // Without a length announced (chunked), the cap holds while reading:
    // the server answers 413 once past it, whatever else is on its way.
    use std::io::{Read, Write};
    let mut sock = std::net::TcpStream::connect(server.addr).unwrap();
    let head = format!(
        "POST /v1/tenants/acme/check/start HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        server.key("acme", Decide)
    );
    sock.write_all(head.as_bytes()).unwrap();
    for _ in 0..64 {
        if sock
            .write_all(&[b"400\r\n".as_slice(), &[b' '; 1024], b"\r\n"].concat())
            .is_err()
        {
            break;
        }
    }
    let mut answer = vec![0u8; 512];
    let n = sock.read(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn a_body_naming_another_tenant_is_400_e8() {
    let server = Server::start();
    let mut request = start_request("u-1", "u-2");
    request["tenant"] = json!("globex");
    for path in ["/check/start", "/sessions"] {
        let (status, body) = server.acme(Decide, "POST", path, Some(request.clone())).await;
        assert_eq!((status, code(&body)), (400, "tenant-mismatch"), "{path}");
    }
}

#[tokio::test]
async fn unknown_fields_are_refused_naming_the_field_h3() {
    let server = Server::start();
    let mut request = start_request("u-1", "u-2");
    request["actor"]["rolez"] = json!(["super_admin"]);
    let (status, body) = server.acme(Decide, "POST", "/sessions", Some(request)).await;
    assert_eq!((status, code(&body)), (400, "invalid-request"));
    assert!(body["error"]["message"].as_str().unwrap().contains("rolez"), "{body}");
    let id = server.session("u-3").await;
    let (status, body) = server
        .acme(
            Decide,
            "POST",
            &format!("/sessions/{id}/authorize"),
            Some(json!({"action": "x.y", "as": "root"})),
        )
        .await;
    assert_eq!((status, code(&body)), (400, "invalid-request"));
}

#[tokio::test]
async fn ids_with_control_characters_are_denied_invalid_request_h1() {
    let server = Server::start();
    // A request that parses but breaks the host's rules is a deny, audited.
    let (status, body) = server
        .acme(Decide, "POST", "/sessions", Some(start_request("u-1\n", "u-2")))
        .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["reasons"][0]["code"], "invalid-request");
    let (status, body) = server
        .acme(Decide, "POST", "/check/start", Some(start_request("u-1", "u-2\u{7}")))
        .await;
    assert_eq!((status, body["decision"].as_str()), (200, Some("deny")), "{body}");
    assert_eq!(body["reasons"][0]["code"], "invalid-request");
}

#[tokio::test]
async fn unknown_sessions_routes_and_methods_are_json_errors() {
    let server = Server::start();
    let (status, body) = server.acme(Decide, "GET", "/sessions/s-0000000000000000", None).await;
    assert_eq!((status, code(&body)), (404, "not-found"));
    let (status, body) = server.call("GET", "/v2/nothing", None, None).await;
    assert_eq!((status, code(&body)), (404, "not-found"));
    let (status, body) = server.call("DELETE", "/healthz", None, None).await;
    assert_eq!((status, code(&body)), (405, "method-not-allowed"));
    // Another tenant's session is unknown, not forbidden.
    let id = server.session("u-2").await;
    let key = server.key("globex", Decide).to_string();
    let (status, _) = server
        .call("GET", &format!("/v1/tenants/globex/sessions/{id}"), Some(&key), None)
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_request_id_is_echoed_or_made_up() {
    let server = Server::start();
    let response = server
        .http
        .get(server.url("/healthz"))
        .header("x-request-id", "req-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "req-42");
    let a = server.http.get(server.url("/healthz")).send().await.unwrap();
    let b = server.http.get(server.url("/healthz")).send().await.unwrap();
    let (a, b) = (&a.headers()["x-request-id"], &b.headers()["x-request-id"]);
    assert!(!a.is_empty());
    assert_ne!(a, b);
}
