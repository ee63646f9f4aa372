//! A tenant's activity (the console's overview, `GET .../stats`): counted
//! from the trail by day, only the window's days, and kept up to date by
//! reading only what was appended since the last look.

use crate::common::now;
use crate::sessions::{req, service, trail};
use chrono::{NaiveDate, TimeDelta};
use serde_json::json;

fn day(d: &str) -> NaiveDate {
    d.parse().expect("a day")
}

#[test]
fn activity_counts_the_trail_by_day_and_catches_up_on_what_follows() {
    let (_d, s) = service();
    let acme = s.tenant("acme");
    // Day 1 (2026-11-21): a session, an allowed and a denied action, a refused start.
    let a = acme
        .sessions()
        .start(&req(json!({"ttl_seconds": 86_400})), None, now())
        .expect("start");
    let a = a.session.expect("started");
    acme.sessions()
        .authorize(&a.id, "course.view", None, now())
        .expect("authorize");
    acme.sessions()
        .authorize(&a.id, "billing.purchase", None, now())
        .expect("authorize");
    let mut refused = req(json!({}));
    refused.actor.roles.clear();
    refused.actor.permissions.clear();
    let out = acme.sessions().start(&refused, None, now()).expect("start");
    assert!(out.session.is_none());

    let first = acme
        .audit()
        .activity(day("2026-11-20"), day("2026-11-22"), now())
        .expect("activity");
    assert_eq!(first.days.len(), 3, "every day of the window, empty ones too");
    let d1 = &first.days[1];
    assert_eq!(d1.day, "2026-11-21");
    assert_eq!(
        (
            d1.sessions_started,
            d1.starts_denied,
            d1.actions_allowed,
            d1.actions_denied
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(first.days[0].sessions_started + first.days[2].sessions_started, 0);
    assert_eq!(first.active, 1);
    assert_eq!(first.top_actors[0].key, a.actor);
    let codes: Vec<&str> = first.denials.iter().map(|c| c.key.as_str()).collect();
    assert!(codes.contains(&"forbidden-action"), "{codes:?}");
    assert_eq!(first.through_seq, trail(&s).last().expect("events").seq);

    // The next day (06:00Z): more, and only that is read.
    let later = now() + TimeDelta::hours(20);
    acme.sessions()
        .authorize(&a.id, "course.view", None, later)
        .expect("authorize");
    let second = acme
        .audit()
        .activity(day("2026-11-21"), day("2026-11-22"), later)
        .expect("activity");
    assert_eq!(second.days.len(), 2, "the window decides the days");
    assert_eq!(second.days[0], first.days[1], "a past day does not change");
    assert_eq!(second.days[1].actions_allowed, 1);
    assert!(second.through_seq > first.through_seq);

    // Counts are the trail's, whatever the window.
    let all = acme
        .audit()
        .activity(day("2026-11-01"), day("2026-11-30"), later)
        .expect("activity");
    let allowed: u64 = all.days.iter().map(|d| d.actions_allowed).sum();
    let in_trail = trail(&s).iter().filter(|e| e.event == "action.allowed").count() as u64;
    assert_eq!(allowed, in_trail);
    // Another tenant's view is its own.
    let globex = s
        .tenant("globex")
        .audit()
        .activity(day("2026-11-01"), day("2026-11-30"), later);
    assert_eq!(
        globex
            .expect("activity")
            .days
            .iter()
            .map(|d| d.sessions_started)
            .sum::<u64>(),
        0
    );
    // A window backwards, or over a year, is refused.
    assert!(
        acme.audit()
            .activity(day("2026-11-22"), day("2026-11-21"), later)
            .is_err()
    );
    assert!(
        acme.audit()
            .activity(day("2025-01-01"), day("2026-11-21"), later)
            .is_err()
    );
}
