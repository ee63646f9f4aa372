//! The console's overview on a long trail: a tenant's activity
//! (`TenantAudit::activity`, `GET .../stats`) over a trail of N events
//! (default 1,000,000 actions in one session), first look (the rollup
//! reads the whole trail once) and later looks (it reads only what was
//! appended since):
//!
//! ```sh
//! cargo bench -p standin --bench activity                 # 1,000,000 events
//! cargo bench -p standin --bench activity -- --events 100000
//! ```

use chrono::{NaiveDate, TimeDelta};
use serde_json::json;
use standin::{ActionCall, Host, Standin, StartRequest};
use standin_store_sqlite::SqliteStore;
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let events: usize = args
        .iter()
        .position(|a| a == "--events")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(dir.path().join("standin.db")).expect("open");
    let s = Standin::new(Host::new().expect("host"), Arc::new(store)).with_builtin_fallback(true);
    let now: chrono::DateTime<chrono::Utc> = "2026-11-21T10:00:00Z".parse().expect("time");
    let request: StartRequest = serde_json::from_value(json!({
        "tenant": "acme", "reason": "ticket SUP-1",
        "actor": {"id": "u-1", "roles": ["super_admin"], "active": true, "has_logged_in": true},
        "target": {"id": "u-42", "active": true, "has_logged_in": true},
        "ttl_seconds": 86400,
    }))
    .expect("request");
    let session = s
        .sessions()
        .start(&request, None, now)
        .expect("start")
        .session
        .expect("started");
    let filling = Instant::now();
    let batch = 4096;
    let mut written = 0;
    while written < events {
        let n = batch.min(events - written);
        // Spread over the session's day, a second per 4096 actions.
        let at = now + TimeDelta::seconds((written / batch) as i64);
        let calls: Vec<ActionCall> = (0..n)
            .map(|i| {
                let action = if i % 5 == 0 { "billing.purchase" } else { "course.view" };
                ActionCall::new(&session.id, action, None, at)
            })
            .collect();
        s.sessions().authorize_batch(&calls).expect("batch");
        written += n;
    }
    println!(
        "trail: {events} actions written in {:.1} s",
        filling.elapsed().as_secs_f64()
    );
    let day = |d: &str| d.parse::<NaiveDate>().expect("day");
    let look = |label: &str| {
        let t = Instant::now();
        let a = s
            .tenant("acme")
            .audit()
            .activity(day("2026-10-23"), day("2026-11-21"), now)
            .expect("activity");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let total: u64 = a.days.iter().map(|d| d.actions_allowed + d.actions_denied).sum();
        println!(
            "{label:<40} {ms:>10.2} ms   ({total} decisions counted, through seq {})",
            a.through_seq
        );
    };
    look("first look (reads the whole trail)");
    look("second look (nothing new)");
    let later = now + TimeDelta::hours(2);
    let calls: Vec<ActionCall> = (0..100)
        .map(|_| ActionCall::new(&session.id, "course.view", None, later))
        .collect();
    s.sessions().authorize_batch(&calls).expect("batch");
    look("after 100 more events");
}
