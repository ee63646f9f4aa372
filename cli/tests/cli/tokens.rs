//! `--token-key`: started sessions carry an EdDSA token, `key jwks` prints
//! the public keys (both while rotating), `session token` reissues one.

use crate::serve::{json, run};

#[test]
fn started_sessions_carry_tokens_and_keys_are_published_while_rotating() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    json(&run(d, &["key", "gen-signing", "--out", "old.key"]));
    json(&run(d, &["key", "gen-signing", "--out", "new.key"]));
    json(&run(d, &["policy", "set", "--tenant", "acme"]));
    std::fs::write(
        d.join("start.json"),
        r#"{"tenant": "acme", "reason": "SUP-1", "actor": {"id": "u-1", "roles": ["super_admin"]},
            "target": {"id": "u-42", "active": true, "has_logged_in": true}}"#,
    )
    .expect("write");
    let started = json(&run(d, &["--token-key", "old.key", "session", "start", "start.json"]));
    let token = started["token"].as_str().expect("a token");
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    let id = started["id"].as_str().expect("id");

    let one = json(&run(d, &["--token-key", "old.key", "key", "jwks"]));
    assert_eq!(one["keys"].as_array().expect("keys").len(), 1);
    let both = json(&run(
        d,
        &["--token-key", "new.key", "--token-key", "old.key", "key", "jwks"],
    ));
    let kids: Vec<&str> = both["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid"))
        .collect();
    assert_eq!(kids.len(), 2);
    assert_eq!(
        kids[1],
        one["keys"][0]["kid"].as_str().expect("kid"),
        "the previous key is still published"
    );

    let fresh = json(&run(d, &["--token-key", "new.key,old.key", "session", "token", id]));
    assert_ne!(fresh["token"], started["token"]);
    let no_key = run(d, &["session", "token", id]);
    assert_eq!(no_key.status.code(), Some(1), "{no_key:?}");
    let plain = json(&run(d, &["session", "status", id]));
    assert!(plain.get("token").is_none());
}
