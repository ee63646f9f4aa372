//! A replica killed (SIGKILL) mid-load on one PostgreSQL: no acknowledged
//! authorize is lost, the other replica goes on serving, and every
//! tenant's chain verifies after (A3, A4).

use super::{database, start_request};
use crate::serve::{http, json, run, serve, sigterm, wait};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Acknowledged calls: (replica, tenant, resource).
type Acks = Arc<Mutex<Vec<(usize, String, String)>>>;

fn count(acks: &Acks, replica: usize) -> usize {
    acks.lock().expect("acks").iter().filter(|a| a.0 == replica).count()
}

#[test]
fn a3_a4_a_replica_killed_under_load_loses_no_acknowledged_event_and_chains_verify() {
    let Some((_pg, url, dir)) = database("kill") else {
        return;
    };
    let d = dir.path();
    let db = ["--database-url", url.as_str()];
    let mut tenants = Vec::new();
    for tenant in ["acme", "globex"] {
        json(&run(d, &[&db[..], &["policy", "set", "--tenant", tenant]].concat()));
        let key = json(&run(
            d,
            &[&db[..], &["key", "create", "--tenant", tenant, "--scope", "decide"]].concat(),
        ))["key"]
            .as_str()
            .expect("key")
            .to_string();
        start_request(d, "start.json", "u-1", "u-42");
        let request = std::fs::read_to_string(d.join("start.json")).expect("read");
        std::fs::write(
            d.join("start.json"),
            request.replace("\"acme\"", &format!("\"{tenant}\"")),
        )
        .expect("write");
        let session = json(&run(d, &[&db[..], &["session", "start", "start.json"]].concat()))["id"]
            .as_str()
            .expect("id")
            .to_string();
        tenants.push((tenant.to_string(), key, session));
    }
    let (mut a, addr_a) = serve(d, &db);
    let (mut b, addr_b) = serve(d, &db);

    let acks: Acks = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for (replica, addr) in [addr_a, addr_b].into_iter().enumerate() {
        for (tenant, key, session) in &tenants {
            for w in 0..2 {
                let (addr, acks, stop) = (addr.clone(), acks.clone(), stop.clone());
                let (tenant, key, session) = (tenant.clone(), key.clone(), session.clone());
                workers.push(std::thread::spawn(move || {
                    for n in 0.. {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        let resource = format!("r-{replica}-{w}-{n}");
                        let body = format!(r#"{{"action": "course.view", "resource": "{resource}"}}"#);
                        let path = format!("/v1/tenants/{tenant}/sessions/{session}/authorize");
                        // A refused connection or a cut answer was not acknowledged.
                        if let Ok((200, answer)) = http(&addr, "POST", &path, Some(&key), Some(&body)) {
                            let v: Value = serde_json::from_str(&answer).expect("json");
                            assert_eq!(v["decision"], "allow", "{answer}");
                            acks.lock().expect("acks").push((replica, tenant.clone(), resource));
                        }
                    }
                }));
            }
        }
    }
    let until = |replica: usize, n: usize| {
        let started = Instant::now();
        while count(&acks, replica) < n && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    until(0, 200);
    a.kill().expect("SIGKILL replica A");
    a.wait().expect("reap A");
    let b_at_kill = count(&acks, 1);
    until(1, b_at_kill + 200);
    stop.store(true, Ordering::Relaxed);
    workers.into_iter().for_each(|w| w.join().expect("worker"));
    assert!(count(&acks, 0) >= 200, "replica A answered {} calls", count(&acks, 0));
    assert!(
        count(&acks, 1) >= b_at_kill + 200,
        "replica B stopped serving when A was killed"
    );
    sigterm(&b);
    assert_eq!(wait(&mut b, Duration::from_secs(30)), Some(0));

    for (tenant, _, _) in &tenants {
        let trail = run(
            d,
            &[
                &db[..],
                &["audit", "query", "--tenant", tenant, "--event", "action.allowed"],
            ]
            .concat(),
        );
        let recorded: HashSet<String> = String::from_utf8_lossy(&trail.stdout)
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).expect("event")["resource"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        let acks = acks.lock().expect("acks");
        let lost: Vec<&String> = acks
            .iter()
            .filter(|(_, t, r)| t == tenant && !recorded.contains(r))
            .map(|(_, _, r)| r)
            .collect();
        assert!(
            lost.is_empty(),
            "{tenant}: {} acknowledged calls lost: {lost:?}",
            lost.len()
        );
    }
    let verify = run(d, &[&db[..], &["audit", "verify"]].concat());
    assert_eq!(verify.status.code(), Some(0), "every tenant's chain: {verify:?}");
}
