//! The console and the banner in a real headless Chromium: what a tenant
//! admin and an impersonating admin see and do, checked through the API
//! (S2, S3, S4, A4, T1, WH8).

mod browser;
mod story;
mod webhooks;

use crate::support::{Server, start_request};
use browser::Browser;
use serde_json::{Value, json};
use standin::access::Scope::{Admin, Audit, Decide};

/// Signs in to the console of `server` as acme with a key of `scope`.
async fn signed_in(b: &Browser, server: &Server, scope: standin::access::Scope) {
    b.goto(&format!("{}/console", server.base)).await;
    b.fill("#tenant", "acme").await;
    b.fill("#key", server.key("acme", scope)).await;
    b.click("#sign-in-form button[type=submit]").await;
    b.until("signed in", "return !document.getElementById('app').hidden")
        .await;
    // The overview comes first; these tests start from the sessions.
    b.click("nav button[data-page='sessions']").await;
}

#[tokio::test]
async fn s2_the_console_shows_a_session_started_through_the_api_and_revokes_it() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    let id = server.session("u-42").await;
    signed_in(&b, &server, Admin).await;
    let row = format!("tr[data-session='{id}']");
    b.wait(&row).await;
    let text = b.text(&row).await;
    assert!(
        text.contains("u-1") && text.contains("u-42") && text.contains("active"),
        "{text}"
    );
    // The countdown runs: 1 h granted, so between 59:xx and 60:00.
    let left = b.text(&format!("{row} td.left")).await;
    assert!(left.starts_with("59:") || left.starts_with("60:"), "{left}");
    b.screenshot("console-sessions").await;

    b.click(&format!("{row} td.actions button:nth-of-type(2)")).await;
    b.until("the dialog is open", "return document.getElementById('confirm').open")
        .await;
    b.fill("#confirm-reason", "left the company").await;
    b.click("#confirm-ok").await;
    // Revoked, it leaves the list of open sessions; all sessions show it ended.
    b.until("the row is gone", &format!("return !document.querySelector(\"{row}\")"))
        .await;
    b.click("#sessions-open").await;
    b.click("#sessions-filter button[type=submit]").await;
    b.until(
        "the row says revoked",
        &format!(
            "const c = document.querySelector(\"{row} td.state\"); return !!c && c.textContent === 'ended (revoked)'"
        ),
    )
    .await;
    let (status, session) = server.acme(Audit, "GET", &format!("/sessions/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(session["end_reason"], "revoked", "{session}");
    assert_eq!(session["revoke_reason"], "left the company");
    b.close().await;
}

#[tokio::test]
async fn t1_a_wrong_or_missing_key_sees_nothing_and_an_audit_key_cannot_act() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    let id = server.session("u-42").await;
    b.goto(&format!("{}/console", server.base)).await;
    assert_eq!(b.run("return document.getElementById('app').hidden").await, json!(true));
    b.fill("#tenant", "acme").await;
    b.fill("#key", "sk-not-a-key").await;
    b.click("#sign-in-form button[type=submit]").await;
    b.until(
        "the refusal is shown",
        "return document.getElementById('status').textContent.includes('does not open')",
    )
    .await;
    assert_eq!(b.run("return document.getElementById('app').hidden").await, json!(true));
    assert_eq!(
        b.run("return document.querySelectorAll('#sessions-rows tr').length")
            .await,
        json!(0)
    );
    // Another tenant's key does not open acme either.
    b.fill("#key", server.key("globex", Admin)).await;
    b.click("#sign-in-form button[type=submit]").await;
    b.until(
        "refused again",
        "return document.getElementById('status').textContent.includes('does not open')",
    )
    .await;
    // An audit key reads, but revoking is refused by the API and said so.
    signed_in(&b, &server, Audit).await;
    let row = format!("tr[data-session='{id}']");
    b.click(&format!("{row} td.actions button:nth-of-type(2)")).await;
    b.fill("#confirm-reason", "try").await;
    b.click("#confirm-ok").await;
    b.until(
        "the 403 is shown",
        "return document.getElementById('status').textContent.startsWith('Not allowed')",
    )
    .await;
    let (_, session) = server.acme(Audit, "GET", &format!("/sessions/{id}"), None).await;
    assert_eq!(session["state"], "active");
    b.close().await;
}

#[tokio::test]
async fn a4_the_audit_page_filters_and_downloads_csv() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    let mine = server.session("u-42").await;
    server.authorize(&mine, "course.view").await;
    server.authorize(&mine, "billing.purchase").await;
    let (status, other) = server
        .acme(Decide, "POST", "/sessions", Some(start_request("u-7", "u-43")))
        .await;
    assert_eq!(status, 201, "{other}");
    signed_in(&b, &server, Audit).await;
    b.click("nav button[data-page=audit]").await;
    b.wait("#audit-rows tr").await;
    b.fill("#audit-actor", "u-1").await;
    b.click("#audit-filter button[type=submit]").await;
    b.until(
        "only u-1's events",
        "const rows = [...document.querySelectorAll('#audit-rows tr')]; \
         return rows.length === 3 && rows.every(r => r.children[2].textContent === 'u-1')",
    )
    .await;
    let verify = b.text("#audit-verify").await;
    assert!(verify.starts_with("Chain intact"), "{verify}");
    b.screenshot("console-audit").await;
    b.click("#audit-csv").await;
    let csv = b.downloaded("audit-acme.csv").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("seq,"), "{csv}");
    assert_eq!(lines.len(), 4, "a header and u-1's three events: {csv}");
    assert!(csv.contains("billing.purchase") && !csv.contains("u-43"), "{csv}");
    b.close().await;
}

#[tokio::test]
async fn t1_the_policies_page_replays_a_candidate_and_activates_it() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    let id = server.session("u-42").await;
    server.authorize(&id, "course.view").await;
    let strict = json!({"settings": {"forbidden_actions": ["course.*"]}, "note": "no course changes"});
    let (status, v2) = server.acme(Admin, "POST", "/policies", Some(strict)).await;
    assert_eq!(status, 201, "{v2}");
    let version = v2["version"].as_u64().expect("version");
    signed_in(&b, &server, Admin).await;
    b.click("nav button[data-page=policies]").await;
    let row = format!("tr[data-version='{version}']");
    b.click(&format!("{row} td.actions button:nth-of-type(2)")).await;
    b.until(
        "the replay is shown",
        "return document.getElementById('diff-summary').textContent.includes('1 would change')",
    )
    .await;
    let change = b.text("#diff-rows tr").await;
    assert!(
        change.contains("allow-to-deny") && change.contains("forbidden-action"),
        "{change}"
    );
    b.screenshot("console-policies").await;
    b.click(&format!("{row} td.actions button:nth-of-type(3)")).await;
    b.click("#confirm-ok").await;
    b.until(
        "the version is active",
        &format!(
            "const c = document.querySelector(\"{row} td:nth-child(2)\"); return !!c && c.textContent === 'active'"
        ),
    )
    .await;
    let (_, versions) = server.acme(Admin, "GET", "/policies", None).await;
    let active: Vec<&Value> = versions["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .filter(|v| v["active"] == true)
        .collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["version"], version);
    // A refused upload names its step.
    b.fill("#upload-settings", r#"{"max_ttl_seconds": 999999}"#).await;
    b.click("#upload-form button[type=submit]").await;
    b.until(
        "the refusal names the step",
        "return document.getElementById('upload-result').textContent.startsWith('Refused at step \"settings\"')",
    )
    .await;
    b.close().await;
}

#[tokio::test]
async fn s3_the_banner_counts_down_warns_shows_the_scope_and_stop_ends_the_session() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::with_tokens(9);
    let mut request = start_request("u-1", "u-42");
    request["ttl_seconds"] = json!(240);
    request["return_to"] = json!("/console/?stopped=1");
    request["scope"] = json!({"actions": ["course.view", "report.*"]});
    let (status, started) = server.acme(Decide, "POST", "/sessions", Some(request)).await;
    assert_eq!(status, 201, "{started}");
    let (id, token) = (started["id"].as_str().unwrap(), started["token"].as_str().unwrap());
    // A platform's page: the snippet of the README, on another page of the server.
    b.goto(&format!("{}/console/", server.base)).await;
    let snippet = format!(
        "document.body.innerHTML = '<standin-banner tenant=\"acme\" session=\"{id}\" token=\"{token}\"></standin-banner>'; \
         const s = document.createElement('script'); s.src = '/console/banner.js'; document.head.append(s); return true"
    );
    b.run(&snippet).await;
    let shadow = "document.querySelector('standin-banner').shadowRoot";
    b.until(
        "the banner names both",
        &format!(
            "const r = {shadow}; return !!r && r.textContent.includes('acting as u-42 (signed in as u-1, only course.view, report.*)')"
        ),
    )
    .await;
    // 240 s left: inside the last five minutes, so it warns.
    b.until(
        "it warns",
        "return document.querySelector('standin-banner').hasAttribute('expiring-soon')",
    )
    .await;
    let first = b
        .run(&format!("return {shadow}.querySelector('[part=left]').textContent"))
        .await;
    let first = first.as_str().expect("text").to_string();
    assert!(first.contains("ending soon"), "{first}");
    // The countdown runs: the text changes (waited for, not timed).
    b.until(
        "the countdown runs",
        &format!("return {shadow}.querySelector('[part=left]').textContent !== {first:?}"),
    )
    .await;
    b.screenshot("banner").await;
    // The token opens its own session's routes, not another session's, nor others of its own.
    let (_, other) = server
        .acme(Decide, "POST", "/sessions", Some(start_request("u-7", "u-43")))
        .await;
    let other = other["id"].as_str().expect("another session");
    for path in [format!("/sessions/{other}/banner"), format!("/sessions/{id}")] {
        let (status, _) = server
            .call("GET", &format!("/v1/tenants/acme{path}"), Some(token), None)
            .await;
        assert_eq!(status, 401, "{path}");
    }
    b.run(&format!("{shadow}.querySelector('button').click(); return true"))
        .await;
    b.until("back at return_to", "return location.search === '?stopped=1'")
        .await;
    let (_, session) = server.acme(Audit, "GET", &format!("/sessions/{id}"), None).await;
    assert_eq!(session["end_reason"], "stopped", "{session}");
    // The token opens that session's banner only, and not once it ended.
    let (status, _) = server
        .call(
            "GET",
            &format!("/v1/tenants/acme/sessions/{id}/banner"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 401);
    b.close().await;
}

#[tokio::test]
async fn n1_the_notifications_page_previews_and_saves_the_templates() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    signed_in(&b, &server, Admin).await;
    b.click("nav button[data-page=notifications]").await;
    b.until(
        "the templates are loaded",
        "return document.getElementById('started-template').value.length > 0",
    )
    .await;
    b.fill(
        "#started-template",
        "{actor} is helping you ({reason}) until {expires_at}",
    )
    .await;
    b.until(
        "the preview follows the typing",
        "return document.getElementById('preview-started').textContent === \
         'u-1 is helping you (ticket SUP-1234) until 2026-11-21T11:00:00Z'",
    )
    .await;
    b.screenshot("console-notifications").await;
    b.click("#notifications-form button[type=submit]").await;
    b.until(
        "saved",
        "return document.getElementById('notifications-result').textContent === 'Saved.'",
    )
    .await;
    let (status, n) = server.acme(Admin, "GET", "/notifications", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        n["started_template"],
        "{actor} is helping you ({reason}) until {expires_at}"
    );
    b.close().await;
}
