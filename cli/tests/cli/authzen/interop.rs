//! The OpenID AuthZEN interop decision files, run as their runners do:
//! the endpoints from the PDP's metadata, each evaluation's `decision`
//! compared with the expected one, each batch's `evaluations` compared
//! whole, each search's `results` compared as a set.

use super::Section;
use super::pdp::Pdp;
use serde_json::Value;
use std::path::Path;

fn data(path: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/authzen-interop")
        .join(path);
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    serde_json::from_str(&text).unwrap()
}

/// The tenant's metadata member `name` (an endpoint URL).
pub(crate) fn endpoint(pdp: &Pdp, tenant: &str, name: &str) -> String {
    let meta = pdp.send(
        "GET",
        &format!("/.well-known/authzen-configuration/{tenant}"),
        None,
        None,
        &[],
    );
    meta.json()[name]
        .as_str()
        .unwrap_or_else(|| panic!("no `{name}` in {}", meta.body))
        .to_string()
}

fn id(entity: &Value) -> String {
    format!(
        "{}:{}",
        entity["type"].as_str().unwrap_or(""),
        entity.get("id").and_then(Value::as_str).unwrap_or("*")
    )
}

fn evaluations(pdp: &Pdp, title: &str, intro: &str, file: &str) -> Section {
    let one = endpoint(pdp, "todo", "access_evaluation_endpoint");
    let many = endpoint(pdp, "todo", "access_evaluations_endpoint");
    let mut section = Section::new(title, intro, &["subject", "action", "resource", "expected", "answer"]);
    let cases = data(file);
    for case in cases["evaluation"].as_array().unwrap() {
        let r = &case["request"];
        let answer = pdp.post("todo", &one, &r.to_string());
        let got = answer.json()["decision"].clone();
        let mut resource = id(&r["resource"]);
        if let Some(p) = r["resource"].get("properties") {
            resource.push_str(&format!(" {p}"));
        }
        section.row(
            vec![
                id(&r["subject"]),
                r["action"]["name"].as_str().unwrap_or("").to_string(),
                resource,
                case["expected"].to_string(),
                format!("{} {got}", answer.status),
            ],
            answer.status == 200 && got == case["expected"],
        );
    }
    for case in cases.get("evaluations").and_then(Value::as_array).into_iter().flatten() {
        let r = &case["request"];
        let answer = pdp.post("todo", &many, &r.to_string());
        let got = answer.json()["evaluations"].clone();
        let resources: Vec<String> = r["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", id(&e["resource"]), e["resource"]["properties"]))
            .collect();
        section.row(
            vec![
                id(&r["subject"]),
                format!("{} (evaluations)", r["action"]["name"].as_str().unwrap_or("")),
                resources.join(", "),
                case["expected"].to_string(),
                format!("{} {got}", answer.status),
            ],
            answer.status == 200 && got == case["expected"],
        );
    }
    section
}

fn sorted(results: &Value) -> Vec<String> {
    let mut out: Vec<String> = results
        .as_array()
        .map(|r| r.iter().map(Value::to_string).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn search(pdp: &Pdp, kind: &str) -> Section {
    let url = endpoint(pdp, "todo", &format!("search_{kind}_endpoint"));
    let mut section = Section::new(
        &format!("Search: {kind}"),
        &format!("`search/{kind}/results.json`: results compared as a set."),
        &["subject", "action", "resource", "expected", "answer"],
    );
    for case in data(&format!("search/{kind}/results.json"))["evaluation"]
        .as_array()
        .unwrap()
    {
        let r = &case["request"];
        let answer = pdp.post("todo", &url, &r.to_string());
        let got = &answer.json()["results"];
        let names = |v: &Value| -> String {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .map(|e| {
                            e.get("id")
                                .or_else(|| e.get("name"))
                                .and_then(Value::as_str)
                                .unwrap_or("?")
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default()
        };
        section.row(
            vec![
                id(&r["subject"]),
                r.get("action")
                    .map_or("*".to_string(), |a| a["name"].as_str().unwrap_or("").to_string()),
                id(&r["resource"]),
                names(&case["expected"]["results"]),
                format!("{} {}", answer.status, names(got)),
            ],
            answer.status == 200 && sorted(got) == sorted(&case["expected"]["results"]),
        );
    }
    section
}

pub(crate) fn run(pdp: &Pdp) -> Vec<Section> {
    vec![
        evaluations(
            pdp,
            "Todo (Authorization API 1.0, draft 01)",
            "`todo/decisions-authorization-api-1_0-01.json`: 40 evaluations.",
            "todo/decisions-authorization-api-1_0-01.json",
        ),
        evaluations(
            pdp,
            "Todo (Authorization API 1.0, draft 02)",
            "`todo/decisions-authorization-api-1_0-02.json`: 40 evaluations and 3 batches, compared whole.",
            "todo/decisions-authorization-api-1_0-02.json",
        ),
        evaluations(
            pdp,
            "API gateway",
            "`api-gateway/decisions.json`: 25 route questions.",
            "api-gateway/decisions.json",
        ),
        search(pdp, "subject"),
        search(pdp, "resource"),
        search(pdp, "action"),
    ]
}
