//! `standin migrate --from sqlite:PATH --to postgres://...`: a working
//! SQLite database moves to PostgreSQL with its chain, sessions, policy
//! history, keys and outbox as they were, and goes on there (A4).

use super::{database, start_request};
use crate::serve::{json, run};

/// The same command's standard output on SQLite and on PostgreSQL.
fn same(d: &std::path::Path, url: &str, args: &[&str]) -> String {
    let sqlite = run(d, args);
    let postgres = run(d, &[&["--database-url", url][..], args].concat());
    assert_eq!(sqlite.status.code(), Some(0), "{sqlite:?}");
    assert_eq!(postgres.status.code(), Some(0), "{postgres:?}");
    let (a, b) = (
        String::from_utf8_lossy(&sqlite.stdout).to_string(),
        String::from_utf8_lossy(&postgres.stdout).to_string(),
    );
    assert_eq!(a, b, "`{}` differs after the move", args.join(" "));
    a
}

#[test]
fn a4_migrate_moves_a_sqlite_database_to_postgres_chain_and_all() {
    let Some((_pg, url, dir)) = database("moved") else {
        return;
    };
    let d = dir.path();
    // A database with some history: two policy versions and a rollback,
    // sessions ended and open, actions, a key, an acknowledged message.
    for tenant in ["acme", "globex"] {
        json(&run(d, &["policy", "set", "--tenant", tenant]));
    }
    std::fs::write(
        d.join("settings.json"),
        r#"{"max_ttl_seconds": 600, "default_ttl_seconds": 600}"#,
    )
    .expect("write settings");
    json(&run(
        d,
        &["policy", "set", "--tenant", "acme", "--settings", "settings.json"],
    ));
    json(&run(d, &["policy", "rollback", "--tenant", "acme"]));
    let mut ids = Vec::new();
    for i in 0..3 {
        start_request(d, "start.json", &format!("a-{i}"), &format!("u-{i}"));
        ids.push(
            json(&run(d, &["session", "start", "start.json"]))["id"]
                .as_str()
                .expect("id")
                .to_string(),
        );
    }
    for id in &ids {
        run(d, &["authorize", id, "course.view"]);
        run(d, &["authorize", id, "billing.purchase"]);
    }
    json(&run(d, &["session", "end", &ids[0]]));
    json(&run(
        d,
        &[
            "key", "create", "--tenant", "acme", "--scope", "audit", "--name", "auditor",
        ],
    ));
    let first = run(d, &["outbox", "list", "--tenant", "acme"]);
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&first.stdout)
            .lines()
            .next()
            .expect("a message"),
    )
    .expect("json");
    json(&run(
        d,
        &["outbox", "ack", "--tenant", "acme", &first["id"].to_string()],
    ));

    let out = run(d, &["migrate", "--from", "sqlite:standin.db", "--to", &url]);
    let report = json(&out);
    assert_eq!(report["same_as_source"], true, "{report}");
    assert_eq!(report["tables"]["sessions"], 3, "{report}");
    assert_eq!(report["tables"]["policies"], 3, "{report}");
    assert!(report["tables"]["audit"].as_u64().expect("rows") > 10, "{report}");

    // Everything reads the same from both.
    same(d, &url, &["audit", "query"]);
    same(d, &url, &["session", "list", "--tenant", "acme"]);
    same(d, &url, &["policy", "list", "--tenant", "acme"]);
    same(d, &url, &["outbox", "list", "--all"]);
    same(d, &url, &["key", "list", "--tenant", "acme"]);
    let verify = run(d, &["--database-url", &url, "audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");

    // And it goes on there: the open session, the chain's next seq, the
    // activation history (rolling back once more reaches version 1's
    // predecessor: nothing, so exit 1), the outbox's ids.
    let pg = |args: &[&str]| run(d, &[&["--database-url", url.as_str()][..], args].concat());
    assert_eq!(pg(&["authorize", &ids[1], "course.view"]).status.code(), Some(0));
    assert_eq!(
        pg(&["authorize", &ids[0], "course.view"]).status.code(),
        Some(2),
        "ended stays ended"
    );
    assert_eq!(pg(&["policy", "rollback", "--tenant", "acme"]).status.code(), Some(1));
    start_request(d, "start.json", "a-9", "u-9");
    json(&pg(&["session", "start", "start.json"]));
    let verify = pg(&["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");
    let ids_now: Vec<i64> = String::from_utf8_lossy(&pg(&["outbox", "list", "--all"]).stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["id"]
                .as_i64()
                .expect("id")
        })
        .collect();
    let mut unique = ids_now.clone();
    unique.dedup();
    assert_eq!(unique, ids_now, "a new message reused a copied id");

    // A second move into the same database is refused, and changes nothing.
    let again = run(d, &["migrate", "--from", "sqlite:standin.db", "--to", &url]);
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("not empty"),
        "{again:?}"
    );
}
