//! A deny is never turned into an allow by an error path: a policy that
//! traps, loops or grants what the host forbids answers deny over HTTP, with
//! its audit row and its metric, and the server goes on serving.

use crate::support::{Server, start_request};
use base64::Engine as _;
use serde_json::json;
use standin::access::Scope::{Admin, Decide};

fn mischief_upload() -> serde_json::Value {
    let bytes = standin_tests::component(standin_tests::MISCHIEF);
    json!({
        "component_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        "activate": true,
        "note": "hostile",
    })
}

#[tokio::test]
async fn a_trapping_policy_denies_with_policy_error_and_the_server_goes_on() {
    let server = Server::start();
    let (status, version) = server.acme(Admin, "POST", "/policies", Some(mischief_upload())).await;
    assert_eq!(status, 201, "{version}");
    assert!(
        version["uploaded_by"].as_str().unwrap().starts_with("key:k-"),
        "{version}"
    );
    let id = server.session("u-42").await;
    for (action, code) in [
        ("panic", "policy-error"),
        ("loop", "policy-timeout"),
        ("oom", "policy-memory"),
    ] {
        let (status, answer) = server.authorize(&id, action).await;
        assert_eq!(status, 200, "{action}: {answer}");
        assert_eq!(answer["decision"], "deny", "{action}: {answer}");
        assert_eq!(answer["reasons"][0]["code"], code, "{action}: {answer}");
        let (_, z) = server
            .acme(
                Decide,
                "POST",
                "/access/v1/evaluation",
                Some(json!({
                    "subject": {"type": "impersonation_session", "id": id},
                    "action": {"name": action}, "resource": {"type": "x", "id": "y"},
                })),
            )
            .await;
        assert_eq!(z["decision"], false, "{action} through AuthZEN: {z}");
    }
    // Still serving, and the same session still answers.
    let (_, fine) = server.authorize(&id, "course.view").await;
    assert_eq!(fine["decision"], "allow");
    let metrics = server.text("/metrics", None).await;
    assert!(
        metrics.contains(r#"standin_policy_errors_total{tenant="acme",code="policy-error"} 2"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"standin_policy_timeouts_total{tenant="acme"} 2"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_policy_cannot_grant_self_impersonation_over_http_e8() {
    let server = Server::start();
    server.acme(Admin, "POST", "/policies", Some(mischief_upload())).await;
    let (status, deny) = server
        .acme(Decide, "POST", "/sessions", Some(start_request("u-1", "U-1")))
        .await;
    assert_eq!(status, 403, "{deny}");
    assert!(
        deny["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["code"] == "self-impersonation")
    );
}

#[tokio::test]
async fn an_upload_refused_is_422_naming_the_step() {
    let server = Server::start();
    let (status, body) = server
        .acme(
            Admin,
            "POST",
            "/policies",
            Some(json!({"component_base64": base64::engine::general_purpose::STANDARD.encode(b"not wasm")})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "upload-refused");
    assert_eq!(body["error"]["step"], "component");
    let (status, body) = server
        .acme(
            Admin,
            "POST",
            "/policies",
            Some(json!({"suites": [{"name": "x", "settings_file": "/etc/passwd", "cases": []}]})),
        )
        .await;
    assert_eq!(status, 400, "a suite over HTTP may not read the server's files: {body}");
}

#[tokio::test]
async fn a_tenant_without_a_policy_gets_no_session_t1() {
    let server = Server::start();
    let made = server
        .sessions
        .access()
        .create_key("initech", Decide, None, chrono::Utc::now())
        .unwrap();
    let mut request = start_request("u-1", "u-2");
    request["tenant"] = json!("initech");
    let (status, deny) = server
        .call("POST", "/v1/tenants/initech/sessions", Some(&made.key), Some(request))
        .await;
    assert_eq!(status, 403, "{deny}");
    assert_eq!(deny["reasons"][0]["code"], "policy-unavailable");
}

#[tokio::test]
async fn past_the_deadline_the_answer_is_503_never_an_allow() {
    let server = Server::with_limits(standin_server::Limits {
        request_timeout: std::time::Duration::from_millis(20),
        ..standin_server::Limits::default()
    });
    server.acme(Admin, "POST", "/policies", Some(mischief_upload())).await;
    // The start itself must beat the short deadline: on a loaded machine
    // it may not at first (its 503 is the same rule; then ask again).
    let mut id = None;
    for _ in 0..100 {
        let (status, body) = server
            .acme(Decide, "POST", "/sessions", Some(start_request("u-1", "u-42")))
            .await;
        if status == 201 {
            id = body["id"].as_str().map(str::to_string);
            break;
        }
        assert_eq!(body["error"]["code"], "deadline-exceeded", "{body}");
    }
    let id = id.expect("a start within the deadline in 100 tries");
    // The policy loops until its own 100 ms deadline: the request's is shorter.
    let (status, answer) = server.authorize(&id, "loop").await;
    assert_eq!(status, 503, "{answer}");
    assert_eq!(answer["error"]["code"], "deadline-exceeded");
    assert!(answer.get("decision").is_none());
}
