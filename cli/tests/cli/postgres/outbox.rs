//! Two processes delivering one tenant's outbox on one PostgreSQL (`standin
//! outbox claim`): no message goes to both, none is left out (N1).

use super::{database, standin, start_request};
use crate::serve::{json, run};
use serde_json::Value;
use std::collections::HashSet;

/// The ids of the messages a command printed, one JSON line each.
fn ids(out: &std::process::Output) -> Vec<i64> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("message")["id"]
                .as_i64()
                .expect("id")
        })
        .collect()
}

#[test]
fn n1_two_outbox_consumers_in_two_processes_never_get_the_same_message() {
    let Some((_pg, url, dir)) = database("consumers") else {
        return;
    };
    let d = dir.path();
    json(&run(d, &["--database-url", &url, "policy", "set", "--tenant", "acme"]));
    for i in 0..8 {
        start_request(d, &format!("start-{i}.json"), &format!("a-{i}"), &format!("u-{i}"));
        json(&run(
            d,
            &["--database-url", &url, "session", "start", &format!("start-{i}.json")],
        ));
    }
    let pending = run(d, &["--database-url", &url, "outbox", "list", "--tenant", "acme"]);
    let all: HashSet<i64> = ids(&pending).into_iter().collect();
    assert_eq!(all.len(), 8, "one `impersonation.started` per session");

    // Each consumer claims two at a time until nothing is left, and
    // acknowledges what it claimed.
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let (url, dir) = (url.clone(), d.to_path_buf());
            std::thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    let out = standin(
                        &dir,
                        &url,
                        &["outbox", "claim", "--tenant", "acme", "--limit", "2", "--lease", "300"],
                    )
                    .output()
                    .expect("claim");
                    assert_eq!(out.status.code(), Some(0), "{out:?}");
                    let ids = ids(&out);
                    if ids.is_empty() {
                        return got;
                    }
                    let mut ack = vec!["outbox".to_string(), "ack".into(), "--tenant".into(), "acme".into()];
                    ack.extend(ids.iter().map(i64::to_string));
                    let ack: Vec<&str> = ack.iter().map(String::as_str).collect();
                    let out = standin(&dir, &url, &ack).output().expect("ack");
                    assert_eq!(out.status.code(), Some(0), "{out:?}");
                    got.extend(ids);
                }
            })
        })
        .collect();
    let claimed: Vec<Vec<i64>> = consumers.into_iter().map(|c| c.join().expect("consumer")).collect();
    let mut seen = HashSet::new();
    for id in claimed.iter().flatten() {
        assert!(
            seen.insert(*id),
            "message {id} delivered by both consumers: {claimed:?}"
        );
    }
    assert_eq!(seen, all, "every message delivered once");
    let left = run(d, &["--database-url", &url, "outbox", "list", "--tenant", "acme"]);
    assert!(left.stdout.is_empty(), "all acknowledged");
}
