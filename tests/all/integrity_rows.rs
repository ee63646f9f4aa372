//! Row tags beyond sessions and policies: API keys, allowed `return_to`
//! origins and notification settings. With the host key, a database writer
//! who inserts or edits such a row gets nothing from it (a key does not
//! authenticate, an origin is not allowed, the target is still told) and
//! `audit verify` names the row. Each scenario runs on a SQLite file and,
//! when a server can be started, on PostgreSQL, with raw SQL as the
//! database writer and a second handle as another process.

use crate::common::*;
use crate::integrity::{assert_reported, assert_verifies, open, pg_sessions, second};
use crate::sessions::req;
use chrono::TimeDelta;
use serde_json::json;
use standin::access::{Scope, key_hash};
use standin::model::{Notifications, kinds};
use standin::store::StoreError;
use standin::{SessionError, Standin};
use std::path::Path;

/// A database writer: runs `sql` (statements separated by `;`).
type Writer<'a> = &'a dyn Fn(&str);

/// A fresh handle on the same database, as another process.
type Fresh<'a> = &'a dyn Fn() -> Standin;

fn sqlite_writer(path: &Path) -> impl Fn(&str) + '_ {
    move |sql: &str| {
        let conn = rusqlite::Connection::open(path).expect("open sqlite");
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .expect("busy timeout");
        conn.execute_batch(sql).expect("the database writer's SQL");
    }
}

/// Runs `scenario` on a keyed SQLite file.
fn on_sqlite(scenario: fn(&Standin, Fresh<'_>, Writer<'_>, &str)) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let s = open(&path, true);
    scenario(&s, &|| second(&path, true), &sqlite_writer(&path), "sqlite");
}

/// Runs `scenario` on a keyed PostgreSQL database, when a server can be
/// started (required with `STANDIN_REQUIRE_POSTGRES=1`).
fn on_postgres(db: &str, scenario: fn(&Standin, Fresh<'_>, Writer<'_>, &str)) {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let url = pg.create_database(db);
    let s = pg_sessions(&url, true);
    scenario(&s, &|| pg_sessions(&url, true), &|sql| pg.sql(db, sql), "postgres");
}

#[track_caller]
fn assert_forged<T: std::fmt::Debug>(r: &Result<T, SessionError>, what: &str) {
    assert!(
        matches!(r, Err(SessionError::Store(StoreError::Forged(_)))),
        "{what}: expected a refusal (not authenticated by the host key), got {r:?}"
    );
}

// ---------------------------------------------------------------- API keys

const FORGED_SECRET: &str = "stn_forged-by-the-database-writer";

fn inserted_admin_key(s: &Standin, fresh: Fresh<'_>, sql: Writer<'_>, name: &str) {
    let real = s
        .access()
        .create_key("acme", Scope::Decide, Some("ci"), now())
        .expect("create key");
    assert!(
        s.access().authenticate(&real.key).expect("authenticate").is_some(),
        "{name}: a key made by the host authenticates"
    );
    assert_verifies(s, &format!("{name}: a keyed API key"));

    // Admin keys of a known secret: one without a tag, one with the real
    // key's tag copied, one for a tenant that has nothing else.
    let hash = key_hash(FORGED_SECRET);
    sql(&format!(
        "INSERT INTO api_keys (id, tenant, scope, name, hash, created_at, revoked_at, tag) VALUES \
         ('k-forged', 'acme', 'admin', 'ops', '{hash}', 1795000000, NULL, NULL);
         INSERT INTO api_keys (id, tenant, scope, name, hash, created_at, revoked_at, tag) \
         SELECT 'k-copied', 'acme', 'admin', name, '{hash}-2', created_at, NULL, tag FROM api_keys WHERE id = '{}';
         INSERT INTO api_keys (id, tenant, scope, name, hash, created_at, revoked_at, tag) VALUES \
         ('k-initech', 'initech', 'admin', NULL, '{hash}-3', 1795000000, NULL, NULL);",
        real.id
    ));
    let other = fresh();
    for (who, sessions) in [("this process", s), ("another process", &other)] {
        assert_forged(
            &sessions.access().authenticate(FORGED_SECRET),
            &format!("{name}, {who}: an admin key hash inserted by SQL"),
        );
        assert!(
            sessions
                .access()
                .authenticate(&real.key)
                .expect("authenticate")
                .is_some(),
            "{name}, {who}: the real key still authenticates"
        );
    }
    assert_reported(
        s,
        &[
            "API key `k-forged` is not authenticated by the host key",
            "API key `k-copied` is not authenticated by the host key",
            "API key `k-initech` is not authenticated by the host key",
        ],
    );
}

#[test]
fn inserted_admin_key_does_not_authenticate_and_is_reported() {
    on_sqlite(inserted_admin_key);
}

#[test]
fn inserted_admin_key_does_not_authenticate_and_is_reported_postgres() {
    on_postgres("forged_key", inserted_admin_key);
}

fn raised_key_scope(s: &Standin, fresh: Fresh<'_>, sql: Writer<'_>, name: &str) {
    let made = s
        .access()
        .create_key("acme", Scope::Audit, None, now())
        .expect("create key");
    sql(&format!("UPDATE api_keys SET scope = 'admin' WHERE id = '{}'", made.id));
    for (who, sessions) in [("this process", s), ("another process", &fresh())] {
        assert_forged(
            &sessions.access().authenticate(&made.key),
            &format!("{name}, {who}: an audit key raised to admin by SQL"),
        );
    }
    assert_reported(
        s,
        &[&format!("API key `{}` is not authenticated by the host key", made.id)],
    );
}

#[test]
fn key_scope_raised_to_admin_by_sql_is_refused() {
    on_sqlite(raised_key_scope);
}

#[test]
fn key_scope_raised_to_admin_by_sql_is_refused_postgres() {
    on_postgres("raised_key", raised_key_scope);
}

fn unrevoked_key(s: &Standin, fresh: Fresh<'_>, sql: Writer<'_>, name: &str) {
    let made = s
        .access()
        .create_key("acme", Scope::Admin, None, now())
        .expect("create key");
    let revoked = s
        .access()
        .revoke_key(&made.id, now() + TimeDelta::minutes(1))
        .expect("revoke");
    assert_eq!(revoked.revoked_at, Some(now() + TimeDelta::minutes(1)), "{name}");
    // The revoke wrote the row's new tag: nothing to report, and the key is
    // refused as revoked (not as forged).
    assert_verifies(s, &format!("{name}: after a revoke"));
    assert!(
        s.access()
            .authenticate(&made.key)
            .expect("a revoked key is no error")
            .is_none(),
        "{name}: a revoked key authenticated"
    );
    sql(&format!(
        "UPDATE api_keys SET revoked_at = NULL WHERE id = '{}'",
        made.id
    ));
    for (who, sessions) in [("this process", s), ("another process", &fresh())] {
        assert_forged(
            &sessions.access().authenticate(&made.key),
            &format!("{name}, {who}: a revoked key set back to unrevoked by SQL"),
        );
    }
    assert_reported(
        s,
        &[&format!("API key `{}` is not authenticated by the host key", made.id)],
    );
}

#[test]
fn revoked_key_set_back_to_unrevoked_by_sql_is_refused() {
    on_sqlite(unrevoked_key);
}

#[test]
fn revoked_key_set_back_to_unrevoked_by_sql_is_refused_postgres() {
    on_postgres("unrevoked_key", unrevoked_key);
}

// ---------------------------------------------------------------- return_to origins

fn inserted_origin(s: &Standin, fresh: Fresh<'_>, sql: Writer<'_>, name: &str) {
    s.access()
        .set_return_origins("acme", &["https://app.example".to_string()])
        .expect("set origins");
    let out = s
        .sessions()
        .start(&req(json!({})), Some("https://app.example/back"), now())
        .expect("a start with an allowed origin");
    assert_allow(&out.decision);
    assert_verifies(s, &format!("{name}: keyed origins"));

    // One origin without a tag, one with the allowed origin's tag copied.
    sql(
        "INSERT INTO return_origins (tenant, origin, tag) VALUES ('acme', 'https://evil.example', NULL);
         INSERT INTO return_origins (tenant, origin, tag) \
         SELECT tenant, 'https://evil2.example', tag FROM return_origins WHERE origin = 'https://app.example';",
    );
    let other = fresh();
    for (who, sessions) in [("this process", s), ("another process", &other)] {
        for (i, url) in ["https://evil.example/phish", "https://evil2.example/"]
            .into_iter()
            .enumerate()
        {
            let request = start_request(
                patch(actor(), json!({ "id": format!("u-{who}-{i}").replace(' ', "-") })),
                target(),
                json!({}),
            );
            let out = sessions
                .sessions()
                .start(&request, Some(url), now() + TimeDelta::minutes(1));
            assert!(
                matches!(out, Err(SessionError::ReturnTo { .. })),
                "{name}, {who}: a start returning to {url}, an origin inserted by SQL: {out:?}"
            );
        }
        assert_eq!(
            sessions.access().return_origins("acme").expect("origins"),
            vec!["https://app.example".to_string()],
            "{name}, {who}: the origins in force"
        );
    }
    assert_reported(
        s,
        &[
            "the `return_to` origin `https://evil.example` of tenant `acme` is not authenticated by the host key",
            "the `return_to` origin `https://evil2.example` of tenant `acme` is not authenticated by the host key",
        ],
    );
}

#[test]
fn inserted_origin_is_not_allowed_for_return_to_and_is_reported() {
    on_sqlite(inserted_origin);
}

#[test]
fn inserted_origin_is_not_allowed_for_return_to_and_is_reported_postgres() {
    on_postgres("forged_origin", inserted_origin);
}

// ---------------------------------------------------------------- notifications

/// Whether `s` wrote the message that tells the target session `id` started.
fn told(s: &Standin, tenant: &str, id: &str) -> bool {
    s.outbox()
        .list(Some(tenant), true)
        .expect("outbox")
        .iter()
        .any(|m| m.session == id && m.kind == kinds::STARTED && m.to == "u-42")
}

fn start_in(s: &Standin, tenant: &str, actor_id: &str) -> String {
    let request = start_request(
        patch(actor(), json!({ "id": actor_id })),
        target(),
        json!({ "tenant": tenant }),
    );
    let out = s.sessions().start(&request, None, now()).expect("start");
    assert_allow(&out.decision);
    out.session.expect("a session").id
}

fn silenced_notifications(s: &Standin, fresh: Fresh<'_>, sql: Writer<'_>, name: &str) {
    // The premise: settings the host wrote do silence (globex turned off).
    let off = Notifications {
        enabled: false,
        ..Notifications::default()
    };
    s.outbox().set_notifications("globex", &off).expect("set notifications");
    let id = start_in(s, "globex", "u-quiet");
    assert!(!told(s, "globex", &id), "{name}: notifications turned off by the host");

    // acme's own settings, then turned off by SQL; initech's inserted off.
    let custom = Notifications {
        started_template: "{actor} is acting as you".to_string(),
        ..Notifications::default()
    };
    s.outbox()
        .set_notifications("acme", &custom)
        .expect("set notifications");
    assert_verifies(s, &format!("{name}: keyed notification settings"));
    sql("UPDATE notifications SET enabled = FALSE WHERE tenant = 'acme';
         INSERT INTO notifications (tenant, enabled, started_template, ended_template) \
         VALUES ('initech', FALSE, 'x', 'y');");
    let other = fresh();
    for (who, sessions) in [("this process", s), ("another process", &other)] {
        for tenant in ["acme", "initech"] {
            let id = start_in(sessions, tenant, &format!("u-{}", who.replace(' ', "-")));
            assert!(
                told(sessions, tenant, &id),
                "{name}, {who}: notification settings turned off by SQL silenced {tenant}'s target"
            );
            // The settings in force are the defaults (which notify).
            assert_eq!(
                sessions.outbox().notifications(tenant).expect("notifications"),
                Notifications::default(),
                "{name}, {who}: {tenant}'s settings in force"
            );
        }
    }
    assert_reported(
        s,
        &[
            "the notification settings of tenant `acme` is not authenticated by the host key",
            "the notification settings of tenant `initech` is not authenticated by the host key",
        ],
    );
}

#[test]
fn notifications_disabled_by_sql_do_not_silence_the_target_and_are_reported() {
    on_sqlite(silenced_notifications);
}

#[test]
fn notifications_disabled_by_sql_do_not_silence_the_target_and_are_reported_postgres() {
    on_postgres("silenced", silenced_notifications);
}

// ---------------------------------------------------------------- unkeyed

/// A store without the host key writes no tags and reads rows without
/// them, as before.
#[test]
fn unkeyed_store_uses_untagged_keys_origins_and_notifications() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("standin.db");
    let s = open(&path, false);
    let made = s
        .access()
        .create_key("acme", Scope::Admin, None, now())
        .expect("create key");
    assert!(s.access().authenticate(&made.key).expect("authenticate").is_some());
    s.access()
        .set_return_origins("acme", &["https://app.example".to_string()])
        .expect("set origins");
    assert_eq!(
        s.access().return_origins("acme").expect("origins"),
        vec!["https://app.example"]
    );
    let off = Notifications {
        enabled: false,
        ..Notifications::default()
    };
    s.outbox().set_notifications("acme", &off).expect("set notifications");
    assert_eq!(s.outbox().notifications("acme").expect("notifications"), off);
    let out = s
        .sessions()
        .start(&req(json!({})), Some("https://app.example/x"), now())
        .expect("start");
    assert_allow(&out.decision);
    let id = out.session.expect("a session").id;
    assert!(!told(&s, "acme", &id), "notifications turned off");
    assert_verifies(&s, "an unkeyed store");
}

/// A database writer points a tenant's webhook endpoint at their own
/// server: with the host key the edited row is never leased, so no
/// deliverer sends it anything, and listing it is refused as forged.
fn redirected_webhook(s: &Standin, _fresh: Fresh<'_>, sql: Writer<'_>, name: &str) {
    use standin::webhooks::NewEndpoint;
    let new = NewEndpoint {
        url: "https://hooks.example/acme".into(),
        events: vec!["*".into()],
        description: None,
    };
    let (endpoint, _) = s.webhooks().add("acme", new, now()).expect("add");
    start_in(s, "acme", "a-wh5");
    let until = now() + TimeDelta::seconds(30);
    // Unedited, it is leased (then released for the scenario).
    assert_eq!(
        s.store().lease_webhooks("d", now(), until, 10).expect("lease").len(),
        1,
        "{name}"
    );
    sql(&format!(
        "UPDATE webhooks SET url = 'https://attacker.example/', lease_holder = NULL, lease_until = NULL WHERE id = '{}'",
        endpoint.id
    ));
    assert!(
        s.store()
            .lease_webhooks("d", now(), until, 10)
            .expect("lease")
            .is_empty(),
        "{name}: a redirected endpoint was leased"
    );
    assert!(
        matches!(
            s.webhooks().list("acme"),
            Err(standin::webhooks::WebhookError::Store(StoreError::Forged(_)))
        ),
        "{name}: a redirected endpoint was listed as genuine"
    );
}

#[test]
fn wh5_a_webhook_endpoint_redirected_by_sql_receives_nothing() {
    on_sqlite(redirected_webhook);
}

#[test]
fn wh5_a_webhook_endpoint_redirected_by_sql_receives_nothing_postgres() {
    on_postgres("wh5", redirected_webhook);
}

/// A database writer remaps a tenant's billing route to an action the
/// policy allows: with the host key the table is refused (forward-auth
/// then answers 503, never an allow).
fn remapped_routes(s: &Standin, fresh: Fresh<'_>, sql: Writer<'_>, name: &str) {
    let table = standin::access::RouteTable::parse("POST /billing/** -> billing.purchase\n* /** -> course.view")
        .expect("a table");
    s.access().set_routes("acme", &table).expect("set");
    assert_eq!(fresh().access().routes("acme").expect("read"), Some(table), "{name}");
    sql("UPDATE routes SET rules = replace(rules, 'billing.purchase', 'course.view') WHERE tenant = 'acme'");
    assert_forged(
        &fresh().access().routes("acme"),
        &format!("{name}: a remapped route table"),
    );
}

#[test]
fn routes_remapped_by_sql_are_refused() {
    on_sqlite(remapped_routes);
}

#[test]
fn routes_remapped_by_sql_are_refused_postgres() {
    on_postgres("routes", remapped_routes);
}

fn issuers_edited(s: &Standin, fresh: Fresh<'_>, sql: Writer<'_>, name: &str) {
    let jwks = serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "idp",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]});
    let issuers = serde_json::json!([{"issuer": "https://id.example.com", "audience": "standin", "jwks": jwks}]);
    let issuers = standin::access::TrustedIssuers::parse(&issuers.to_string()).expect("issuers");
    s.access().set_token_issuers("acme", &issuers).expect("set");
    assert_eq!(fresh().access().token_issuers("acme").expect("read"), issuers, "{name}");
    // A database writer swaps in an issuer of its own, keeping the keys.
    sql(
        "UPDATE token_issuers SET issuers = replace(issuers, 'id.example.com', 'evil.example.com') WHERE tenant = 'acme'",
    );
    assert_forged(
        &fresh().access().token_issuers("acme"),
        &format!("{name}: an issuer swapped in"),
    );
}

#[test]
fn token_issuers_edited_by_sql_are_refused() {
    on_sqlite(issuers_edited);
}

#[test]
fn token_issuers_edited_by_sql_are_refused_postgres() {
    on_postgres("issuers", issuers_edited);
}
