//! AuthZEN 1.0 structure, named by the certification scenario's test ids
//! (openid/authzen `certification/authorization-api-1_0-scenario.md`):
//! a body that is not JSON, per-item errors of a batch, the default paths
//! under the PDP identifier, search, and the metadata (every endpoint,
//! `capabilities`, `signed_metadata`). Decisions of the fixture are the
//! interop harness's (`authzen_suites`).

use crate::support::Server;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use standin::access::Scope::Decide;

fn generic() -> Value {
    json!({
        "subject": {"type": "user", "id": "alice"},
        "action": {"name": "read"},
        "resource": {"type": "record", "id": "record-1"},
    })
}

#[tokio::test]
async fn c_2_4_3_a_body_that_is_not_json_is_400_on_every_authzen_route() {
    let server = Server::start();
    for path in [
        "/v1/tenants/acme/access/v1/evaluation",
        "/v1/tenants/acme/access/v1/evaluations",
        "/v1/tenants/acme/access/v1/search/subject",
        "/acme/access/v1/evaluation",
    ] {
        let response = server
            .http
            .post(server.url(path))
            .bearer_auth(server.key("acme", Decide))
            .header("content-type", "text/plain")
            .body(generic().to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{path}");
    }
    // Elsewhere the API keeps its 415.
    let response = server
        .http
        .post(server.url("/v1/tenants/acme/check/start"))
        .bearer_auth(server.key("acme", Decide))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}

#[tokio::test]
async fn c_3_4_1_under_execute_all_a_malformed_item_is_that_items_deny() {
    let server = Server::start();
    let body = json!({
        "subject": {"type": "user", "id": "alice"},
        "action": {"name": "read"},
        "options": {"evaluations_semantic": "execute_all"},
        "evaluations": [{"resource": {"type": "record", "id": "record-1"}}, {}, "not an object"],
    });
    let (status, answer) = server.acme(Decide, "POST", "/access/v1/evaluations", Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    let items = answer["evaluations"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{answer}");
    for item in &items[1..] {
        assert_eq!(item["decision"], false, "{answer}");
        assert_eq!(item["context"]["error"]["status"], 400, "{answer}");
    }
    assert!(
        items[1]["context"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("evaluations[1].resource")
    );
    // A request malformed as a whole is still a 400.
    let whole = json!({"subject": "alice", "evaluations": [{}]});
    let (status, _) = server.acme(Decide, "POST", "/access/v1/evaluations", Some(whole)).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn c_2_1_the_endpoints_are_served_under_the_pdp_identifier_too() {
    let server = Server::start();
    let (_, meta) = server
        .call("GET", "/.well-known/authzen-configuration/acme", None, None)
        .await;
    let pdp = meta["policy_decision_point"].as_str().unwrap().to_string();
    let path = pdp.strip_prefix(&server.base).unwrap().to_string();
    for (suffix, body) in [
        ("/access/v1/evaluation", generic()),
        ("/access/v1/evaluations", json!({"evaluations": [generic()]})),
        (
            "/access/v1/search/action",
            json!({"subject": {"type": "user", "id": "alice"}, "resource": {"type": "record", "id": "record-1"}}),
        ),
    ] {
        let response = server
            .http
            .post(format!("{pdp}{suffix}"))
            .bearer_auth(server.key("acme", Decide))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}{suffix}");
    }
    // Another tenant's key does not reach it there either.
    let response = server
        .http
        .post(format!("{pdp}/access/v1/evaluation"))
        .bearer_auth(server.key("globex", Decide))
        .json(&generic())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn c_6_the_metadata_lists_every_endpoint_and_capabilities() {
    let server = Server::start();
    let (status, meta) = server
        .call("GET", "/.well-known/authzen-configuration/acme", None, None)
        .await;
    assert_eq!(status, 200);
    for (member, path) in [
        ("access_evaluation_endpoint", "evaluation"),
        ("access_evaluations_endpoint", "evaluations"),
        ("search_subject_endpoint", "search/subject"),
        ("search_resource_endpoint", "search/resource"),
        ("search_action_endpoint", "search/action"),
    ] {
        assert_eq!(
            meta[member],
            format!("{}/v1/tenants/acme/access/v1/{path}", server.base),
            "{meta}"
        );
    }
    assert!(meta["capabilities"].as_array().unwrap().iter().all(Value::is_string));
    // Without a token key there is nothing to sign with.
    assert!(meta.get("signed_metadata").is_none(), "{meta}");
}

#[tokio::test]
async fn c_6_4_signed_metadata_is_a_jwt_of_the_published_key_with_iss() {
    let server = Server::with_tokens(7);
    let (_, meta) = server
        .call("GET", "/.well-known/authzen-configuration/acme", None, None)
        .await;
    let jwt = meta["signed_metadata"].as_str().expect("signed_metadata");
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3);
    let decode = |p: &str| -> Value { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap() };
    let (header, claims) = (decode(parts[0]), decode(parts[1]));
    assert_eq!(header["alg"], "EdDSA");
    assert_eq!(claims["iss"], meta["policy_decision_point"]);
    assert_eq!(claims["access_evaluation_endpoint"], meta["access_evaluation_endpoint"]);
    assert!(claims.get("signed_metadata").is_none());
    let (_, jwks) = server.call("GET", "/.well-known/jwks.json", None, None).await;
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
        .expect("the signing key is published");
    let x: [u8; 32] = URL_SAFE_NO_PAD
        .decode(key["x"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let signature: [u8; 64] = URL_SAFE_NO_PAD.decode(parts[2]).unwrap().try_into().unwrap();
    ed25519_dalek::VerifyingKey::from_bytes(&x)
        .unwrap()
        .verify_strict(
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &ed25519_dalek::Signature::from_bytes(&signature),
        )
        .expect("signed_metadata verifies with the published key");
    assert_eq!(meta["jwks_uri"], format!("{}/.well-known/jwks.json", server.base));
}

#[tokio::test]
async fn c_4_7_search_inputs_must_be_whole_and_c_4_6_nothing_found_is_an_empty_list() {
    let server = Server::start();
    let bad = [
        (
            "subject",
            json!({"subject": {"type": "user"}, "resource": {"type": "record", "id": "record-1"}}),
        ),
        (
            "resource",
            json!({"action": {"name": "read"}, "resource": {"type": "record"}}),
        ),
        ("action", json!({"subject": {"type": "user", "id": "alice"}})),
        (
            "subject",
            json!({"subject": {"type": "user"}, "action": {"name": "read"}, "resource": {"type": "record"}}),
        ),
        (
            "resource",
            json!({"subject": {"type": "user"}, "action": {"name": "read"}, "resource": {"type": "record"}}),
        ),
        (
            "action",
            json!({"subject": {"type": "user"}, "resource": {"type": "record", "id": "record-1"}}),
        ),
    ];
    for (kind, body) in bad {
        let (status, answer) = server
            .acme(Decide, "POST", &format!("/access/v1/search/{kind}"), Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{kind} {body}: {answer}");
    }
    let unknown = json!({"subject": {"type": "spaceship"}, "action": {"name": "read"}, "resource": {"type": "record", "id": "record-1"}, "page": {"limit": 1}});
    let (status, answer) = server
        .acme(Decide, "POST", "/access/v1/search/subject", Some(unknown))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer, json!({"results": []}));
}

#[tokio::test]
async fn g1_a_generic_question_to_a_policy_without_generic_questions_is_a_deny_with_its_error() {
    let server = Server::start();
    let (status, answer) = server
        .acme(Decide, "POST", "/access/v1/evaluation", Some(generic()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["decision"], false, "{answer}");
    assert_eq!(
        answer["context"]["error"]["code"], "generic-questions-unsupported",
        "{answer}"
    );
}

#[tokio::test]
async fn g4_oversized_properties_are_a_400_naming_the_cap() {
    let server = Server::start();
    let cap = standin::authzen::MAX_QUESTION_BYTES;
    let mut body = generic();
    body["resource"]["properties"] = json!({"blob": "x".repeat(cap)});
    let (status, answer) = server
        .acme(Decide, "POST", "/access/v1/evaluation", Some(body.clone()))
        .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]["message"].as_str().unwrap().contains(&cap.to_string()),
        "{answer}"
    );
    // In a batch, that item's deny.
    let batch = json!({"evaluations": [generic(), body]});
    let (status, answer) = server.acme(Decide, "POST", "/access/v1/evaluations", Some(batch)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["evaluations"][1]["context"]["error"]["status"], 400, "{answer}");
    let (status, _) = server
        .acme(
            Decide,
            "POST",
            "/access/v1/search/subject",
            Some(json!({
                "subject": {"type": "user"}, "action": {"name": "read"},
                "resource": {"type": "record", "id": "r", "properties": {"blob": "x".repeat(cap)}},
            })),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn g5_generic_answers_are_audited_like_the_rest() {
    let server = Server::start();
    let (_, answer) = server
        .acme(Decide, "POST", "/access/v1/evaluation", Some(generic()))
        .await;
    assert_eq!(answer["decision"], false);
    let events = server.events("acme", "?event=authzen.denied").await;
    assert_eq!(events, ["authzen.denied"], "{events:?}");
    // And counted like the rest, with the error's code.
    let metrics = server.text("/metrics", None).await;
    assert!(
        metrics.lines().any(|l| l.starts_with("standin_decisions_total")
            && l.contains("\"generic\"")
            && l.contains("generic-questions-unsupported")),
        "{metrics}"
    );
}
