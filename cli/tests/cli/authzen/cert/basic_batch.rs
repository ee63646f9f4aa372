//! The certification tests of the Basic and Batch levels, in the
//! scenario's order.

use super::*;

pub(super) const BASIC_AND_BATCH: &[Test] = &[
    // Basic, Core.
    (
        "c-2-1",
        "Basic Core",
        "the evaluation endpoint also at `{pdp}/access/v1/evaluation`",
        |c| {
            let pdp = format!("{}/cert", c.pdp.base());
            decision(
                &c.pdp.post(
                    "cert",
                    &format!("{pdp}/access/v1/evaluation"),
                    &q(alice(), read(), record_1()).to_string(),
                ),
                Some(true),
            )
        },
    ),
    ("c-2-2-1", "Basic Core", "alice read record-1: true (rule 1)", |c| {
        c.decide(q(alice(), read(), record_1()), Some(true))
    }),
    ("c-2-2-2", "Basic Core", "bob write record-1: false (rule 4)", |c| {
        c.decide(q(bob(), write(), record_1()), Some(false))
    }),
    ("c-2-2-3", "Basic Core", "with an optional context: still true", |c| {
        c.decide(with(q(alice(), read(), record_1()), "context", ctx()), Some(true))
    }),
    ("c-2-2-8", "Basic Core", "additional properties: true", |c| {
        c.decide(
            q(
                json!({"type": "user", "id": "alice", "properties": {"department": "Sales", "role": "manager"}}),
                json!({"name": "read", "properties": {"method": "GET"}}),
                json!({"type": "record", "id": "record-1", "properties": {"status": "active", "owner": "bob"}}),
            ),
            Some(true),
        )
    }),
    ("c-2-2-9", "Basic Core", "unknown fields ignored: true", |c| {
        let body = with(
            with(q(alice(), read(), record_1()), "foo", json!("bar")),
            "futureField",
            json!({"nested": true}),
        );
        c.decide(body, Some(true))
    }),
    ("c-2-3-1", "Basic Core", "`decision` is a boolean", |c| {
        c.decide(q(bob(), write(), record_1()), None)
    }),
    ("c-2-3-2", "Basic Core", "`context`, when present, is an object", |c| {
        c.decide(q(alice(), read(), record_1()), None)?;
        c.decide(
            q(json!({"type": "user", "id": "nobody"}), read(), record_1()),
            Some(false),
        )
    }),
    (
        "c-2-4-1",
        "Basic Core",
        "a missing subject, action or resource: 400",
        |c| {
            for key in ["subject", "action", "resource"] {
                c.status(&c.one, without(q(alice(), read(), record_1()), &[key]), 400)?;
            }
            Ok(())
        },
    ),
    ("c-2-4-2", "Basic Core", "a missing type, id or name: 400", |c| {
        for path in [
            &["subject", "type"][..],
            &["subject", "id"],
            &["action", "name"],
            &["resource", "type"],
            &["resource", "id"],
        ] {
            c.status(&c.one, without(q(alice(), read(), record_1()), path), 400)?;
        }
        Ok(())
    }),
    ("c-2-4-3", "Basic Core", "a Content-Type other than JSON: 400", |c| {
        let a = c.pdp.send(
            "POST",
            &c.one,
            Some(c.pdp.key("cert")),
            Some(("text/plain", &q(alice(), read(), record_1()).to_string())),
            &[],
        );
        ensure(a.status == 400, format!("status {}", a.status))
    }),
    ("c-2-4-4", "Basic Core", "malformed JSON: 400", |c| {
        let a = c.pdp.post("cert", &c.one, "{\"subject\": ");
        ensure(a.status == 400, format!("status {}", a.status))
    }),
    ("c-2-4-5", "Basic Core", "an empty body: 400", |c| {
        let a = c.pdp.post("cert", &c.one, "");
        ensure(a.status == 400, format!("status {}", a.status))
    }),
    ("c-2-4-6", "Basic Core", "a field of the wrong type: 400", |c| {
        c.status(&c.one, q(json!("alice"), read(), record_1()), 400)?;
        c.status(&c.one, q(alice(), json!({"name": 123}), record_1()), 400)
    }),
    ("c-2-5-1", "Basic Core", "X-Request-ID is echoed", |c| {
        let id = "bfe9eb29-ab87-4ca3-be83-a1d5d8305716";
        let a = c.pdp.send(
            "POST",
            &c.one,
            Some(c.pdp.key("cert")),
            Some(("application/json", &q(alice(), read(), record_1()).to_string())),
            &[("X-Request-ID", id)],
        );
        ensure(
            a.header("x-request-id") == Some(id),
            format!("{:?}", a.header("x-request-id")),
        )
    }),
    ("c-2-5-2", "Basic Core", "without X-Request-ID: no failure", |c| {
        c.decide(q(alice(), read(), record_1()), Some(true))
    }),
    (
        "c-2-6",
        "Basic Core",
        "the same request five times: the same decision",
        |c| {
            for _ in 0..5 {
                c.decide(q(alice(), read(), record_1()), Some(true))?;
            }
            Ok(())
        },
    ),
    // Basic, Properties.
    (
        "c-2-2-4",
        "Basic Properties",
        "alice write an archived record: false (rule 5)",
        |c| c.decide(q(alice(), write(), archived()), Some(false)),
    ),
    (
        "c-2-2-5",
        "Basic Properties",
        "an admin write an archived record: true (rule 6)",
        |c| c.decide(q(admin(), write(), archived()), Some(true)),
    ),
    (
        "c-2-2-6",
        "Basic Properties",
        "alice soft delete record-1: true (rule 7)",
        |c| {
            c.decide(
                q(
                    alice(),
                    json!({"name": "delete", "properties": {"soft": true}}),
                    record_1(),
                ),
                Some(true),
            )
        },
    ),
    (
        "c-2-2-7",
        "Basic Properties",
        "alice hard delete record-1: false (rule 8)",
        |c| {
            c.decide(
                q(
                    alice(),
                    json!({"name": "delete", "properties": {"soft": false}}),
                    record_1(),
                ),
                Some(false),
            )
        },
    ),
    // Batch, Core.
    (
        "c-3-1",
        "Batch Core",
        "the evaluations endpoint also at `{pdp}/access/v1/evaluations`",
        |c| {
            let pdp = format!("{}/cert", c.pdp.base());
            let a = c.pdp.post(
                "cert",
                &format!("{pdp}/access/v1/evaluations"),
                &json!({"evaluations": [q(alice(), read(), record_1())]}).to_string(),
            );
            ensure(
                a.status == 200 && a.json()["evaluations"][0]["decision"] == true,
                a.body,
            )
        },
    ),
    ("c-3-2-1", "Batch Core", "an evaluations array: two booleans", |c| {
        let got = c.batch(json!({"subject": alice(), "action": read(), "evaluations": [{"resource": record_1()}, {"resource": {"type": "record", "id": "record-2"}}]}))?;
        ensure(got.len() == 2, format!("{got:?}"))
    }),
    (
        "c-3-2-2",
        "Batch Core",
        "bob read, write record-1: [true, false]",
        |c| {
            c.batch_is(json!({"subject": bob(), "resource": record_1(), "evaluations": [{"action": read()}, {"action": write()}]}), &[true, false])
        },
    ),
    ("c-3-2-5", "Batch Core", "fully specified items: [true, false]", |c| {
        c.batch_is(
            json!({"evaluations": [q(alice(), read(), record_1()), q(bob(), write(), record_1())]}),
            &[true, false],
        )
    }),
    (
        "c-3-2-6",
        "Batch Core",
        "context inherited and overridden: accepted",
        |c| {
            let got = c.batch(json!({"subject": alice(), "action": read(), "context": {"time": "2025-06-27T18:03-07:00"},
            "evaluations": [{"resource": record_1()}, {"resource": {"type": "record", "id": "record-2"}, "context": {"time": "2025-06-27T19:00-07:00", "source": "batch-override"}}]}))?;
            ensure(got.len() == 2, format!("{got:?}"))
        },
    ),
    ("c-3-3-1", "Batch Core", "as many answers as evaluations", |c| {
        let got = c.batch(json!({"evaluations": [q(alice(), read(), record_1()), q(bob(), write(), record_1()), q(bob(), read(), record_1())]}))?;
        ensure(got.len() == 3, format!("{got:?}"))
    }),
    ("c-3-3-2", "Batch Core", "answers in the request's order", |c| {
        c.batch_is(
            json!({"evaluations": [q(bob(), write(), record_1()), q(alice(), read(), record_1())]}),
            &[false, true],
        )
    }),
    ("c-3-3-3", "Batch Core", "each answer has a boolean decision", |c| {
        c.batch(json!({"evaluations": [q(alice(), read(), record_1()), q(json!({"type": "user", "id": "x"}), read(), record_1())]})).map(drop)
    }),
    (
        "c-3-3-4",
        "Batch Core",
        "no top-level decision beside evaluations",
        |c| {
            let a = c.post(&c.many, json!({"evaluations": [q(alice(), read(), record_1())]}));
            ensure(a.json().get("decision").is_none(), a.body)
        },
    ),
    (
        "c-3-4-1",
        "Batch Core",
        "execute_all, one item missing its resource: 200, [true, false]",
        |c| {
            c.batch_is(json!({"subject": alice(), "action": read(), "options": {"evaluations_semantic": "execute_all"}, "evaluations": [{"resource": record_1()}, {}]}), &[true, false])
        },
    ),
    (
        "c-3-4-2",
        "Batch Core",
        "without evaluations: one evaluation, {\"decision\": true}",
        |c| {
            let a = c.post(&c.many, q(alice(), read(), record_1()));
            ensure(a.status == 200 && a.json() == json!({"decision": true}), a.body)
        },
    ),
    (
        "c-3-4-3",
        "Batch Core",
        "with an empty evaluations array: {\"decision\": true}",
        |c| {
            let a = c.post(&c.many, with(q(alice(), read(), record_1()), "evaluations", json!([])));
            ensure(a.status == 200 && a.json() == json!({"decision": true}), a.body)
        },
    ),
    // Batch, Properties.
    (
        "c-3-2-3",
        "Batch Properties",
        "alice write active, archived: [true, false]",
        |c| {
            c.batch_is(json!({"subject": alice(), "action": write(), "evaluations": [
            {"resource": {"type": "record", "id": "record-1", "properties": {"status": "active"}}}, {"resource": archived()}]}), &[true, false])
        },
    ),
    (
        "c-3-2-4",
        "Batch Properties",
        "write archived as alice, as an admin: [false, true]",
        |c| {
            c.batch_is(json!({"action": write(), "resource": archived(), "evaluations": [{"subject": alice()}, {"subject": admin()}]}), &[false, true])
        },
    ),
    (
        "c-3-2-7",
        "Batch Properties",
        "top-level defaults, whole-entity override: [true, false]",
        |c| {
            c.batch_is(json!({"subject": alice(), "action": write(), "resource": {"type": "record", "id": "record-1", "properties": {"status": "active"}},
            "evaluations": [{}, {"resource": archived()}]}), &[true, false])
        },
    ),
];
