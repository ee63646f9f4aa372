//! The console as a tenant admin would choose it (issue 35): the settings
//! as a form made from the schema, checked before upload, replayed, then
//! activated (E1 through `impersonator_roles`); a session's story in order
//! with its export; and every page checked by axe-core, wide and at 375 px.

use super::browser::Browser;
use super::signed_in;
use crate::support::Server;
use serde_json::{Value, json};
use standin::access::Scope::{Admin, Decide};

async fn policies_page(b: &Browser) {
    b.click("nav button[data-page='policies']").await;
    b.wait("#set-impersonator-roles").await;
}

#[tokio::test]
async fn e1_the_settings_form_changes_who_may_impersonate_with_a_replay_before_activating() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    signed_in(&b, &server, Admin).await;
    policies_page(&b).await;
    // Each field says what it does and which rules it drives.
    let help = b.text("#set-impersonator-roles-help").await;
    assert!(help.contains("E1") && help.contains("super_admin"), "{help}");
    b.fill("#set-impersonator-roles", "super_admin\nhr_admin").await;
    b.click("#settings-form button[type=submit]").await;
    b.until(
        "the replay is shown",
        "return !document.getElementById('policies-diff').hidden && \
         document.getElementById('diff-summary').textContent.includes('would change')",
    )
    .await;
    b.until(
        "the activate button is offered",
        "return !document.getElementById('settings-activate').hidden",
    )
    .await;
    b.screenshot("console-settings").await;
    let (_, versions) = server.acme(Admin, "GET", "/policies", None).await;
    let stored = versions["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["note"] == "settings form")
        .expect("stored as a version")
        .clone();
    assert_eq!(stored["active"], false, "not active before the admin says so");

    b.click("#settings-activate").await;
    b.until("the dialog is open", "return document.getElementById('confirm').open")
        .await;
    b.click("#confirm-ok").await;
    b.until(
        "activated",
        "return document.getElementById('status').textContent.includes('is active')",
    )
    .await;
    let (_, versions) = server.acme(Admin, "GET", "/policies", None).await;
    let active = versions["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["active"] == true)
        .expect("an active version")
        .clone();
    assert_eq!(active["version"], stored["version"]);
    let settings: Value = serde_json::from_str(active["settings"].as_str().unwrap()).unwrap();
    assert_eq!(
        settings,
        json!({"impersonator_roles": ["super_admin", "hr_admin"]}),
        "exactly what the form changed"
    );
    // And it holds: an hr_admin may now start.
    let mut start = crate::support::start_request("u-7", "u-42");
    start["actor"]["roles"] = json!(["hr_admin"]);
    let (status, body) = server.acme(Decide, "POST", "/sessions", Some(start)).await;
    assert_eq!(status, 201, "{body}");
    b.close().await;
}

#[tokio::test]
async fn s1_a_wrong_value_is_refused_in_the_form_naming_the_field_before_anything_is_sent() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    signed_in(&b, &server, Admin).await;
    policies_page(&b).await;
    let before = server.acme(Admin, "GET", "/policies", None).await.1["versions"]
        .as_array()
        .map_or(0, Vec::len);
    b.fill("#set-default-ttl-seconds", "90000").await;
    b.click("#settings-form button[type=submit]").await;
    b.until(
        "the field says why",
        "return document.getElementById('set-default-ttl-seconds-error').textContent.includes('at most 86400')",
    )
    .await;
    let invalid = b
        .run("return document.getElementById('set-default-ttl-seconds').getAttribute('aria-invalid')")
        .await;
    assert_eq!(invalid, json!("true"));
    let focused = b.run("return document.activeElement.id").await;
    assert_eq!(focused, json!("set-default-ttl-seconds"), "focus goes to the field");
    // Within its own bounds but above the maximum: named too.
    b.fill("#set-default-ttl-seconds", "7200").await;
    b.fill("#set-max-ttl-seconds", "3600").await;
    b.click("#settings-form button[type=submit]").await;
    b.until(
        "the pair is named",
        "return document.getElementById('set-default-ttl-seconds-error').textContent.includes('max_ttl_seconds')",
    )
    .await;
    let after = server.acme(Admin, "GET", "/policies", None).await.1["versions"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(after, before, "nothing was uploaded");
    b.close().await;
}

#[tokio::test]
async fn a4_a_sessions_story_lists_its_events_in_order_and_exports_them() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    let id = server.session("u-42").await;
    for action in ["course.view", "billing.purchase", "report.export"] {
        let (status, _) = server.authorize(&id, action).await;
        assert_eq!(status, 200);
    }
    let (status, _) = server.acme(Decide, "POST", &format!("/sessions/{id}/end"), None).await;
    assert_eq!(status, 200);
    signed_in(&b, &server, Admin).await;
    b.click("#sessions-open").await;
    b.click("#sessions-filter button[type=submit]").await;
    b.click(&format!("tr[data-session='{id}'] button.story")).await;
    b.until(
        "the story is shown",
        "return document.querySelectorAll('#timeline-events li').length >= 5",
    )
    .await;
    let lines: Vec<String> = serde_json::from_value(
        b.run("return [...document.querySelectorAll('#timeline-events li')].map((li) => li.textContent)")
            .await,
    )
    .unwrap();
    let expected = [
        "u-1 started acting as u-42",
        "allowed course.view",
        "denied billing.purchase (forbidden-action)",
        "allowed report.export",
        "ended (stopped)",
    ];
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, want) in lines.iter().zip(expected) {
        assert!(line.contains(want), "{line:?} should say {want:?}: {lines:#?}");
    }
    let seqs: Vec<u64> = serde_json::from_value(
        b.run("return [...document.querySelectorAll('#timeline-events li')].map((li) => Number(li.dataset.seq))")
            .await,
    )
    .unwrap();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");
    b.screenshot("console-story").await;

    b.click("#timeline-jsonl").await;
    let jsonl = b.downloaded(&format!("session-{id}.jsonl")).await;
    let events: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(events.len(), 5);
    assert!(
        events.iter().all(|e| e["session"] == id.as_str()),
        "only this session's"
    );
    b.click("#timeline-csv").await;
    let csv = b.downloaded(&format!("session-{id}.csv")).await;
    assert!(csv.starts_with("seq,at,event,actor,target,action"), "{csv}");
    assert_eq!(csv.lines().count(), 6, "{csv}");

    // A scoped session's story says what it was limited to (SC1), and an
    // action outside it is told as the host's refusal (SC2).
    let mut request = crate::support::start_request("u-2", "u-43");
    request["scope"] = json!({"actions": ["report.*"], "resources": ["account:17"]});
    let (status, scoped) = server.acme(Decide, "POST", "/sessions", Some(request)).await;
    assert_eq!(status, 201, "{scoped}");
    let scoped = scoped["id"].as_str().expect("id").to_string();
    let (status, _) = server.authorize(&scoped, "course.view").await;
    assert_eq!(status, 200);
    b.click("#sessions-filter button[type=submit]").await;
    b.click(&format!("tr[data-session='{scoped}'] button.story")).await;
    b.until(
        "the scoped story is shown",
        "return document.getElementById('timeline-facts').textContent.includes('only report.* on account:17')",
    )
    .await;
    b.until(
        "the refusal is told",
        "return [...document.querySelectorAll('#timeline-events li')].some((li) => li.textContent.includes('outside-session-scope'))",
    )
    .await;
    b.close().await;
}

/// Every page in dark mode (the console follows the system's colour
/// scheme): no WCAG 2.1 A/AA problem axe-core can find, contrast included.
#[tokio::test]
async fn every_page_passes_the_accessibility_check_in_dark_mode() {
    let Some(b) = Browser::start_dark().await else { return };
    let server = Server::start();
    let id = server.session("u-42").await;
    b.goto(&format!("{}/console", server.base)).await;
    assert_eq!(
        b.run("return matchMedia('(prefers-color-scheme: dark)').matches").await,
        json!(true),
        "the page is dark"
    );
    let mut problems = Vec::new();
    for p in b.accessibility().await {
        problems.push(format!("sign-in: {p}"));
    }
    signed_in(&b, &server, Admin).await;
    for page in ["overview", "sessions", "audit", "policies", "notifications", "webhooks"] {
        b.click(&format!("nav button[data-page='{page}']")).await;
        b.until(
            "the page is shown",
            &format!("return !document.getElementById('{page}').hidden"),
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        for p in b.accessibility().await {
            problems.push(format!("{page}, dark: {p}"));
        }
    }
    b.click("nav button[data-page='sessions']").await;
    b.click(&format!("tr[data-session='{id}'] button.story")).await;
    b.wait("#timeline-events li").await;
    for p in b.accessibility().await {
        problems.push(format!("story, dark: {p}"));
    }
    assert!(problems.is_empty(), "{problems:#?}");
    b.close().await;
}

/// Every page, wide and at 375 px: no WCAG 2.1 A/AA
/// problem axe-core can find.
#[tokio::test]
async fn every_page_passes_the_accessibility_check() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    let id = server.session("u-42").await;
    b.goto(&format!("{}/console", server.base)).await;
    let mut problems = Vec::new();
    for p in b.accessibility().await {
        problems.push(format!("sign-in: {p}"));
    }
    signed_in(&b, &server, Admin).await;
    for width in [1280, 375] {
        b.resize(width, 900).await;
        for page in ["overview", "sessions", "audit", "policies", "notifications", "webhooks"] {
            b.click(&format!("nav button[data-page='{page}']")).await;
            b.until(
                "the page is shown",
                &format!("return !document.getElementById('{page}').hidden"),
            )
            .await;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            for p in b.accessibility().await {
                problems.push(format!("{page} at {width}px: {p}"));
            }
        }
        b.click("nav button[data-page='sessions']").await;
        b.click(&format!("tr[data-session='{id}'] button.story")).await;
        b.wait("#timeline-events li").await;
        for p in b.accessibility().await {
            problems.push(format!("story at {width}px: {p}"));
        }
        if width == 375 {
            // Nothing wider than the screen but the tables, which scroll.
            let wide = b
                .run(
                    "return [...document.querySelectorAll('main *')].filter((e) => \
                     !e.closest('table') && e.getBoundingClientRect().right > window.innerWidth + 1 \
                     && e.offsetParent !== null).map((e) => e.tagName + '#' + e.id).slice(0, 5)",
                )
                .await;
            assert_eq!(wide, json!([]), "elements wider than 375 px");
            b.screenshot("console-narrow").await;
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    b.close().await;
}

/// The overview after a scripted day: its figures are the API's (`/stats`),
/// which are the trail's.
#[tokio::test]
async fn a4_the_overview_shows_the_days_activity_as_the_api_counts_it() {
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    let mut ids = Vec::new();
    for (actor, target) in [("u-1", "u-42"), ("u-2", "u-43"), ("u-1", "u-44")] {
        if actor == "u-1" && target == "u-44" {
            // u-1 ends its first session before its next.
            let (status, _) = server
                .acme(Decide, "POST", &format!("/sessions/{}/end", ids[0]), None)
                .await;
            assert_eq!(status, 200);
        }
        let start = crate::support::start_request(actor, target);
        let (status, body) = server.acme(Decide, "POST", "/sessions", Some(start)).await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    for (id, action) in [
        (&ids[2], "course.view"),
        (&ids[2], "billing.purchase"),
        (&ids[1], "course.view"),
        (&ids[1], "payment.refund"),
        (&ids[2], "guide.dismiss"),
    ] {
        let (status, _) = server.authorize(id, action).await;
        assert_eq!(status, 200);
    }
    // A refused start (no role to impersonate with).
    let mut refused = crate::support::start_request("u-9", "u-42");
    refused["actor"]["roles"] = json!([]);
    let (status, _) = server.acme(Decide, "POST", "/sessions", Some(refused)).await;
    assert_eq!(status, 403);
    let (status, stats) = server.acme(Admin, "GET", "/stats", None).await;
    assert_eq!(status, 200, "{stats}");
    let today = stats["days"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(today["sessions_started"], 3, "{stats}");
    assert_eq!(today["starts_denied"], 1, "{stats}");
    assert_eq!(today["actions_allowed"], 2, "{stats}");
    assert_eq!(today["actions_denied"], 3, "{stats}");
    assert_eq!(stats["active"], 2);
    assert_eq!(
        stats["top_actors"],
        json!([{"key": "u-1", "count": 2}, {"key": "u-2", "count": 1}])
    );
    assert_eq!(
        stats["denials"][0],
        json!({"key": "forbidden-action", "count": 2}),
        "{stats}"
    );

    b.goto(&format!("{}/console", server.base)).await;
    b.fill("#tenant", "acme").await;
    b.fill("#key", server.key("acme", Admin)).await;
    b.click("#sign-in-form button[type=submit]").await;
    b.wait("#fig-decisions svg").await;
    assert_eq!(b.text("#overview-active").await, "2");
    assert_eq!(b.text("#overview-started").await, "3");
    assert_eq!(b.text("#overview-decisions").await, "2 allowed, 3 denied");
    // The tables beside the charts hold the same numbers.
    let cells = b
        .run(
            "const rows = [...document.querySelectorAll('#fig-decisions tbody tr')]; \
             const last = rows[rows.length - 1]; return [...last.children].map((c) => c.textContent)",
        )
        .await;
    assert_eq!(cells, json!([today["day"], "2", "3"]));
    let denials = b
        .run("return [...document.querySelectorAll('#fig-denials tbody tr')].map((r) => r.textContent)")
        .await;
    assert!(
        denials[0].as_str().unwrap().starts_with("forbidden-action"),
        "{denials}"
    );
    let label = b
        .run("return document.querySelector('#fig-decisions svg').getAttribute('aria-labelledby')")
        .await;
    assert!(
        label.as_str().is_some_and(|l| l.contains("chart-decisions-t")),
        "{label}"
    );
    b.screenshot("console-overview").await;
    b.close().await;
}

/// A custom component that publishes its settings' schema gets the same
/// form (issue 35): its fields, not the built-in policy's, and the new
/// settings are stored for the same component (by its digest).
#[tokio::test]
async fn a_custom_component_s_own_schema_makes_its_settings_form() {
    use base64::Engine as _;
    let Some(b) = Browser::start().await else { return };
    let server = Server::start();
    let bytes = standin_tests::component(standin_tests::MISCHIEF);
    let upload = json!({
        "component_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        "activate": true,
    });
    let (status, version) = server.acme(Admin, "POST", "/policies", Some(upload)).await;
    assert_eq!(status, 201, "{version}");
    signed_in(&b, &server, Admin).await;
    b.click("nav button[data-page='policies']").await;
    b.wait("#set-mood").await;
    assert!(
        b.run("return !document.getElementById('set-impersonator-roles')").await == json!(true),
        "not the built-in policy's fields"
    );
    let help = b.text("#set-mood-help").await;
    assert!(help.contains("How the mischief behaves"), "{help}");
    b.run("const s = document.getElementById('set-mood'); s.value = 'wild'; return true")
        .await;
    b.click("#settings-form button[type=submit]").await;
    b.until(
        "the activate button is offered",
        "return !document.getElementById('settings-activate').hidden",
    )
    .await;
    let (_, versions) = server.acme(Admin, "GET", "/policies", None).await;
    let stored = versions["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["note"] == "settings form")
        .expect("stored as a version")
        .clone();
    assert_eq!(stored["digest"], version["digest"], "the same component");
    let settings: Value = serde_json::from_str(stored["settings"].as_str().unwrap()).unwrap();
    assert_eq!(settings, json!({"mood": "wild"}));
    b.close().await;
}
