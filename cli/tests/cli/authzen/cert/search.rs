//! The certification tests of the Search level, the transport
//! requirements and Discovery, in the scenario's order.

use super::*;

pub(super) const SEARCH_AND_DISCOVERY: &[Test] = &[
    // Search, Core.
    (
        "c-4-1",
        "Search Core",
        "the search endpoints also under `{pdp}/access/v1/search/`",
        |c| {
            let pdp = format!("{}/cert", c.pdp.base());
            let a = c.pdp.post(
                "cert",
                &format!("{pdp}/access/v1/search/subject"),
                &q(json!({"type": "user"}), read(), record_1()).to_string(),
            );
            ensure(a.status == 200 && a.json()["results"].is_array(), a.body)
        },
    ),
    (
        "c-4-2-1",
        "Search Core",
        "subject search: alice and bob may read record-1 (S1)",
        |c| {
            c.finds(
                SUBJECT,
                q(json!({"type": "user"}), read(), record_1()),
                &["alice", "bob"],
            )
        },
    ),
    ("c-4-2-2", "Search Core", "subject search with context", |c| {
        c.finds(
            SUBJECT,
            with(q(json!({"type": "user"}), read(), record_1()), "context", ctx()),
            &["alice", "bob"],
        )
    }),
    (
        "c-4-2-3",
        "Search Core",
        "subject search: a subject id is ignored",
        |c| c.finds(SUBJECT, q(alice(), read(), record_1()), &["alice", "bob"]),
    ),
    (
        "c-4-3-1",
        "Search Core",
        "resource search: alice may read record-1 (S2)",
        |c| c.finds(RESOURCE, q(alice(), read(), json!({"type": "record"})), &["record-1"]),
    ),
    ("c-4-3-2", "Search Core", "resource search with context", |c| {
        c.finds(
            RESOURCE,
            with(q(alice(), read(), json!({"type": "record"})), "context", ctx()),
            &["record-1"],
        )
    }),
    (
        "c-4-3-3",
        "Search Core",
        "resource search: a resource id is ignored",
        |c| c.finds(RESOURCE, q(alice(), read(), record_1()), &["record-1"]),
    ),
    (
        "c-4-4-1",
        "Search Core",
        "action search: alice may read and write record-1 (S3)",
        |c| {
            c.finds(
                ACTION,
                json!({"subject": alice(), "resource": record_1()}),
                &["read", "write"],
            )
        },
    ),
    ("c-4-4-2", "Search Core", "action search with context", |c| {
        c.finds(
            ACTION,
            json!({"subject": alice(), "resource": record_1(), "context": ctx()}),
            &["read", "write"],
        )
    }),
    (
        "c-4-5-1",
        "Search Core",
        "a page limit is accepted; `page`, if any, is an object",
        |c| {
            let a = c.post(
                &c.search[SUBJECT],
                with(
                    q(json!({"type": "user"}), read(), record_1()),
                    "page",
                    json!({"limit": 1}),
                ),
            );
            let page = a.json().get("page").cloned();
            ensure(a.status == 200 && a.json()["results"].is_array(), a.body.clone())?;
            ensure(
                page.as_ref()
                    .is_none_or(|p| p.is_object() && p.get("next_token").is_none_or(Value::is_string)),
                a.body,
            )
        },
    ),
    (
        "c-4-5-2",
        "Search Core",
        "a page token: no next_token is ever given (one page), so nothing to follow",
        |c| {
            let a = c.post(&c.search[SUBJECT], q(json!({"type": "user"}), read(), record_1()));
            let token = a.json()["page"]["next_token"].as_str().unwrap_or("").to_string();
            ensure(token.is_empty(), format!("a next_token `{token}` to follow"))
        },
    ),
    (
        "c-4-5-3",
        "Search Core",
        "the page format: no `page`, or one with a string next_token",
        |c| {
            let a = c.post(&c.search[RESOURCE], q(alice(), read(), json!({"type": "record"})));
            ensure(a.json().get("page").is_none_or(|p| p["next_token"].is_string()), a.body)
        },
    ),
    (
        "c-4-5-4",
        "Search Core",
        "pagination is optional: all results in one response",
        |c| {
            let all = c.found(SUBJECT, q(json!({"type": "user"}), read(), record_1()))?;
            let paged = c.found(
                SUBJECT,
                with(
                    q(json!({"type": "user"}), read(), record_1()),
                    "page",
                    json!({"limit": 1}),
                ),
            )?;
            ensure(all == paged, format!("{all:?} then {paged:?}"))
        },
    ),
    ("c-4-6-1", "Search Core", "an unknown identifier: empty results", |c| {
        let nobody = json!({"type": "user", "id": "nonexistent-user"});
        let got = c.found(ACTION, json!({"subject": nobody, "resource": record_1()}))?;
        let got2 = c.found(RESOURCE, q(nobody, read(), json!({"type": "record"})))?;
        let got3 = c.found(
            SUBJECT,
            q(
                json!({"type": "user"}),
                read(),
                json!({"type": "record", "id": "no-such-record"}),
            ),
        )?;
        ensure(
            got.is_empty() && got2.is_empty() && got3.is_empty(),
            format!("{got:?} {got2:?} {got3:?}"),
        )
    }),
    (
        "c-4-6-2",
        "Search Core",
        "an unknown entity type: empty results, not 400",
        |c| {
            let got = c.found(SUBJECT, q(json!({"type": "spaceship"}), read(), record_1()))?;
            let got2 = c.found(RESOURCE, q(alice(), read(), json!({"type": "spaceship"})))?;
            ensure(got.is_empty() && got2.is_empty(), format!("{got:?} {got2:?}"))
        },
    ),
    ("c-4-7-1", "Search Core", "a missing required field: 400", |c| {
        c.status(
            &c.search[SUBJECT],
            json!({"subject": {"type": "user"}, "resource": record_1()}),
            400,
        )?;
        c.status(
            &c.search[RESOURCE],
            json!({"action": read(), "resource": {"type": "record"}}),
            400,
        )?;
        c.status(&c.search[ACTION], json!({"subject": alice()}), 400)
    }),
    ("c-4-7-2", "Search Core", "an input entity without its id: 400", |c| {
        let body = q(json!({"type": "user"}), read(), json!({"type": "record"}));
        c.status(&c.search[SUBJECT], body.clone(), 400)?;
        c.status(&c.search[RESOURCE], body, 400)?;
        c.status(
            &c.search[ACTION],
            json!({"subject": {"type": "user"}, "resource": record_1()}),
            400,
        )
    }),
    // Search, Properties.
    (
        "c-4-2-4",
        "Search Properties",
        "subject search: bob may write the archived record-2 (S4)",
        |c| c.finds(SUBJECT, q(json!({"type": "user"}), write(), archived()), &["bob"]),
    ),
    (
        "c-4-3-4",
        "Search Properties",
        "resource search: the admin may write record-2 (S5)",
        |c| c.finds(RESOURCE, q(admin(), write(), json!({"type": "record"})), &["record-2"]),
    ),
    (
        "c-4-4-3",
        "Search Properties",
        "action search: the admin may write the archived record-2 (S6)",
        |c| c.finds(ACTION, json!({"subject": admin(), "resource": archived()}), &["write"]),
    ),
    // Transport.
    (
        "c-5-1",
        "Transport",
        "HTTPS with Content-Type: application/json is accepted",
        |c| c.decide(q(alice(), read(), record_1()), Some(true)),
    ),
    (
        "c-5-2",
        "Transport",
        "answers are 200 with Content-Type: application/json",
        |c| {
            json_type(&c.post(&c.many, json!({"evaluations": [q(alice(), read(), record_1())]})))?;
            json_type(&c.post(&c.search[ACTION], json!({"subject": alice(), "resource": record_1()})))
        },
    ),
    ("c-5-3", "Transport", "a missing required field: 400", |c| {
        c.status(&c.one, json!({"subject": alice()}), 400)
    }),
    ("c-5-4", "Transport", "X-Request-ID is echoed on every endpoint", |c| {
        for url in [&c.many, &c.search[ACTION]] {
            let a = c.pdp.send(
                "POST",
                url,
                Some(c.pdp.key("cert")),
                Some((
                    "application/json",
                    &json!({"subject": alice(), "resource": record_1(), "action": read()}).to_string(),
                )),
                &[("X-Request-ID", "r-42")],
            );
            ensure(
                a.header("x-request-id") == Some("r-42"),
                format!("{url}: {:?}", a.header("x-request-id")),
            )?;
        }
        Ok(())
    }),
    ("c-5-5", "Transport", "unknown fields are ignored", |c| {
        c.decide(with(q(alice(), read(), record_1()), "unknown", json!(1)), Some(true))
    }),
    // Discovery.
    (
        "c-6-1",
        "Discovery",
        "the metadata endpoint, the well-known URI of the PDP identifier",
        |c| {
            let a = c
                .pdp
                .send("GET", "/.well-known/authzen-configuration/cert", None, None, &[]);
            ensure(a.status == 200, format!("status {}", a.status))
        },
    ),
    (
        "c-6-2",
        "Discovery",
        "200, Content-Type: application/json, a JSON object",
        |c| {
            let a = c
                .pdp
                .send("GET", "/.well-known/authzen-configuration/cert", None, None, &[]);
            json_type(&a)?;
            ensure(a.json().is_object(), a.body)
        },
    ),
    (
        "c-6-3",
        "Discovery",
        "policy_decision_point and access_evaluation_endpoint present",
        |c| {
            let m = c
                .pdp
                .send("GET", "/.well-known/authzen-configuration/cert", None, None, &[])
                .json();
            ensure(
                m["policy_decision_point"].is_string() && m["access_evaluation_endpoint"].is_string(),
                m.to_string(),
            )
        },
    ),
    (
        "c-6-4",
        "Discovery",
        "optional members: evaluations and search endpoints, capabilities, signed_metadata",
        |c| {
            let m = c
                .pdp
                .send("GET", "/.well-known/authzen-configuration/cert", None, None, &[])
                .json();
            for key in [
                "access_evaluations_endpoint",
                "search_subject_endpoint",
                "search_resource_endpoint",
                "search_action_endpoint",
                "signed_metadata",
            ] {
                ensure(m[key].is_string(), format!("no `{key}`"))?;
            }
            ensure(
                m["capabilities"]
                    .as_array()
                    .is_some_and(|a| a.iter().all(Value::is_string)),
                "capabilities",
            )
        },
    ),
    (
        "c-6-5",
        "Discovery",
        "validation: the identifier matches, HTTPS endpoints, a verifiable signed_metadata with iss",
        |c| {
            let m = c
                .pdp
                .send("GET", "/.well-known/authzen-configuration/cert", None, None, &[])
                .json();
            let pdp = format!("{}/cert", c.pdp.base());
            ensure(
                m["policy_decision_point"] == pdp,
                format!("{} is not {pdp}", m["policy_decision_point"]),
            )?;
            for (key, value) in m.as_object().unwrap() {
                if key.ends_with("_endpoint") {
                    ensure(
                        value.as_str().is_some_and(|u| u.starts_with("https://")),
                        format!("{key}: {value}"),
                    )?;
                }
            }
            let jwks = c.pdp.send("GET", "/.well-known/jwks.json", None, None, &[]).json();
            verifies(m["signed_metadata"].as_str().unwrap_or(""), &jwks)
        },
    ),
];
