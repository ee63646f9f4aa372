//! `standin webhook ...`: an endpoint added (its secret printed once),
//! listed without it, rotated, tested against a receiver that is not
//! there (exit 1, the error printed), its log read, removed; bad URLs and
//! event names refused naming what is wrong; tenants see only their own.

use crate::sessions::{json, standin};
use serde_json::Value;

const T0: &str = "2026-11-21T10:00:00Z";

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect()
}

#[test]
fn wh_cli_endpoints_are_added_rotated_tested_and_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr");
    let url = format!("http://{closed}/hook");
    let out = standin(
        &db,
        T0,
        &[
            "webhook",
            "add",
            "--tenant",
            "acme",
            "--url",
            &url,
            "--event",
            "session.*,action.denied",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let added = json(&out);
    let id = added["id"].as_str().expect("id").to_string();
    let secret = added["secret"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("whsec_"), "{added}");
    assert_eq!(added["events"], serde_json::json!(["session.*", "action.denied"]));

    let out = standin(&db, T0, &["webhook", "list", "--tenant", "acme"]);
    let listed = lines(&out);
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0].get("secret").is_none(),
        "the secret is shown once: {}",
        listed[0]
    );
    assert!(lines(&standin(&db, T0, &["webhook", "list", "--tenant", "globex"])).is_empty());
    let out = standin(&db, T0, &["webhook", "show", "--tenant", "globex", &id]);
    assert_eq!(out.status.code(), Some(1), "another tenant's endpoint: {out:?}");

    let out = standin(
        &db,
        T0,
        &["webhook", "rotate", "--tenant", "acme", &id, "--overlap", "60"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let rotated = json(&out)["secret"].as_str().expect("secret").to_string();
    assert_ne!(rotated, secret);

    let out = standin(
        &db,
        T0,
        &["webhook", "test", "--tenant", "acme", &id, "--allow-private"],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let tested = json(&out);
    assert_eq!(tested["delivered"], false);
    assert!(tested["error"].as_str().expect("error").contains("connect"), "{tested}");
    // Without --allow-private the address is not even tried.
    let out = standin(&db, T0, &["webhook", "test", "--tenant", "acme", &id]);
    assert!(
        json(&out)["error"].as_str().expect("error").contains("allow_private"),
        "{out:?}"
    );

    let out = standin(
        &db,
        T0,
        &["webhook", "deliveries", "--tenant", "acme", &id, "--status", "dead"],
    );
    assert_eq!((out.status.code(), lines(&out).len()), (Some(0), 0), "{out:?}");
    let out = standin(&db, T0, &["webhook", "replay", "--tenant", "acme", &id]);
    assert_eq!(json(&out)["replaying"], 0);

    let out = standin(&db, T0, &["webhook", "remove", "--tenant", "acme", &id]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(lines(&standin(&db, T0, &["webhook", "list", "--tenant", "acme"])).is_empty());

    for (args, why) in [
        (vec!["--url", "http://example.com/x"], "loopback"),
        (
            vec!["--url", "https://example.com/x", "--event", "session.strated"],
            "session.strated",
        ),
    ] {
        let mut all = vec!["webhook", "add", "--tenant", "acme"];
        all.extend(args);
        let out = standin(&db, T0, &all);
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(why), "{out:?}");
    }
}

#[test]
fn routes_set_reads_a_table_and_names_a_bad_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let file = dir.path().join("routes.txt");
    std::fs::write(
        &file,
        "# billing\nPOST /billing/** -> billing.purchase\nGET /** -> course.view\n",
    )
    .expect("write");
    let out = standin(
        &db,
        T0,
        &["routes", "set", "--tenant", "acme", file.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let out = standin(&db, T0, &["routes", "show", "--tenant", "acme"]);
    let rules = lines(&out);
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["action"], "billing.purchase");
    std::fs::write(&file, "GET /a -> read\nGET /a/b** -> read\n").expect("write");
    let out = standin(
        &db,
        T0,
        &["routes", "set", "--tenant", "acme", file.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"), "{out:?}");
    assert_eq!(
        lines(&standin(&db, T0, &["routes", "show", "--tenant", "acme"])).len(),
        2,
        "the old table stays"
    );
}

#[test]
fn issuers_set_reads_a_list_and_names_a_bad_issuer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    let file = dir.path().join("issuers.json");
    let jwks = serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "idp",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]});
    let good = serde_json::json!({"issuer": "https://id.example.com/realms/acme", "audience": "standin",
        "jwks": jwks, "claims": {"roles": "/realm_access/roles"}});
    std::fs::write(&file, serde_json::json!([good]).to_string()).expect("write");
    let set = |file: &std::path::Path| {
        standin(
            &db,
            T0,
            &["issuers", "set", "--tenant", "acme", file.to_str().expect("utf-8")],
        )
    };
    let out = set(&file);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let shown = lines(&standin(&db, T0, &["issuers", "show", "--tenant", "acme"]));
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0]["claims"]["roles"], "/realm_access/roles");
    let secret = serde_json::json!({"issuer": "https://other", "audience": "standin",
        "jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}});
    std::fs::write(&file, serde_json::json!([good, secret]).to_string()).expect("write");
    let out = set(&file);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("issuer 2") && stderr.contains("oct"), "{stderr}");
    assert_eq!(
        lines(&standin(&db, T0, &["issuers", "show", "--tenant", "acme"])).len(),
        1,
        "the old list stays"
    );
}
