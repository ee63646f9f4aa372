//! The outbox over HTTP (N1): listing, acknowledging all or nothing,
//! claims by consumers, and lists read page by page.

use crate::support::{Server, start_request};
use serde_json::json;
use standin::access::Scope::{Admin, Audit, Decide};

#[tokio::test]
async fn the_outbox_lists_acknowledged_messages_on_request_and_refuses_unknown_ids_n1() {
    let server = Server::start();
    let id = server.session("u-42").await;
    let (_, outbox) = server.acme(Audit, "GET", "/outbox", None).await;
    let first = outbox["messages"][0]["id"].as_i64().unwrap();
    let (status, body) = server
        .acme(Admin, "POST", "/outbox/ack", Some(json!({"ids": [first, 999_999]})))
        .await;
    assert_eq!(status, 404, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("999999"));
    let (_, still) = server.acme(Audit, "GET", "/outbox", None).await;
    assert_eq!(still["messages"].as_array().unwrap().len(), 1, "all or nothing: {id}");
    server
        .acme(Admin, "POST", "/outbox/ack", Some(json!({"ids": [first]})))
        .await;
    let (_, pending) = server.acme(Audit, "GET", "/outbox", None).await;
    assert!(pending["messages"].as_array().unwrap().is_empty());
    let (_, all) = server.acme(Audit, "GET", "/outbox?all=true", None).await;
    assert!(all["messages"][0]["acked_at"].is_string(), "{all}");
}

#[tokio::test]
async fn outbox_claims_hold_messages_for_one_consumer_until_acknowledged_n1() {
    let server = Server::start();
    server.session("u-42").await;
    let (status, _) = server
        .acme(Decide, "POST", "/sessions", Some(start_request("u-7", "u-43")))
        .await;
    assert_eq!(status, 201);
    let (status, first) = server
        .acme(
            Admin,
            "POST",
            "/outbox/claim",
            Some(json!({"limit": 1, "lease_seconds": 300})),
        )
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["messages"].as_array().unwrap().len(), 1, "{first}");
    assert!(first["claimed_until"].is_string(), "{first}");
    let (_, second) = server.acme(Admin, "POST", "/outbox/claim", Some(json!({}))).await;
    let second = second["messages"].as_array().unwrap().clone();
    assert_eq!(second.len(), 1, "the held message is skipped: {second:?}");
    assert_ne!(second[0]["id"], first["messages"][0]["id"]);
    let (_, none) = server.acme(Admin, "POST", "/outbox/claim", Some(json!({}))).await;
    assert!(none["messages"].as_array().unwrap().is_empty(), "{none}");
    // Listing still shows both: claimed is not delivered.
    let (_, pending) = server.acme(Audit, "GET", "/outbox", None).await;
    assert_eq!(pending["messages"].as_array().unwrap().len(), 2);
    let (status, _) = server
        .acme(Admin, "POST", "/outbox/claim", Some(json!({"limit": 0})))
        .await;
    assert_eq!(status, 400, "a claim of nothing is refused");
    let (status, _) = server.acme(Audit, "POST", "/outbox/claim", Some(json!({}))).await;
    assert_eq!(status, 403, "claiming takes the admin scope");
}

#[tokio::test]
async fn sessions_and_the_outbox_list_page_by_page_with_a_cursor() {
    let server = Server::start();
    let mut started = Vec::new();
    for i in 0..5 {
        let (status, body) = server
            .acme(
                Decide,
                "POST",
                "/sessions",
                Some(start_request(&format!("a-{i}"), "u-42")),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        started.push(body["id"].as_str().unwrap().to_string());
    }
    let (_, whole) = server.acme(Audit, "GET", "/sessions", None).await;
    assert!(whole.get("next").is_none(), "no `next` without `limit`: {whole}");
    let whole: Vec<String> = whole["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    let mut paged = Vec::new();
    let mut path = "/sessions?limit=2".to_string();
    loop {
        let (status, page) = server.acme(Audit, "GET", &path, None).await;
        assert_eq!(status, 200, "{page}");
        paged.extend(
            page["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_string()),
        );
        match page["next"].as_str() {
            Some(next) => path = format!("/sessions?limit=2&after={next}"),
            None => break,
        }
    }
    assert_eq!(paged, whole);
    let (_, first) = server.acme(Audit, "GET", "/outbox?limit=3", None).await;
    assert_eq!(first["messages"].as_array().unwrap().len(), 3);
    let next = first["next"].as_i64().unwrap();
    let (_, rest) = server
        .acme(Audit, "GET", &format!("/outbox?limit=3&after={next}"), None)
        .await;
    assert_eq!(rest["messages"].as_array().unwrap().len(), 2);
    assert!(rest["next"].is_null(), "{rest}");
    let (status, _) = server.acme(Audit, "GET", "/sessions?limit=0", None).await;
    assert_eq!(status, 400);
}
