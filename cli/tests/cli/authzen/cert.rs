//! The AuthZEN 1.0 certification scenario (openid/authzen
//! `certification/authorization-api-1_0-scenario.md`), levels Basic,
//! Batch, Search and Discovery, Core and Properties, and the transport
//! requirements: each test written from the scenario's text and named by
//! its id, against tenant `cert` (the fixture component), its endpoints
//! taken from the metadata as the harness does.

use super::Section;
use super::interop::endpoint;
use super::pdp::{Answer, Pdp};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

struct Ctx<'a> {
    pdp: &'a Pdp,
    one: String,
    many: String,
    search: [String; 3],
}

type Check = Result<(), String>;

fn ensure(ok: bool, what: impl Into<String>) -> Check {
    if ok { Ok(()) } else { Err(what.into()) }
}

impl Ctx<'_> {
    fn post(&self, url: &str, body: Value) -> Answer {
        self.pdp.post("cert", url, &body.to_string())
    }

    /// An evaluation: 200, JSON, a boolean `decision` (equal to `want`
    /// when given), a `context` that is an object when present.
    fn decide(&self, body: Value, want: Option<bool>) -> Check {
        decision(&self.post(&self.one, body), want)
    }

    fn status(&self, url: &str, body: Value, want: u16) -> Check {
        let a = self.post(url, body.clone());
        ensure(a.status == want, format!("{body}: {} not {want}", a.status))
    }

    /// A batch's decisions, in order (each checked as [`decision`]).
    fn batch(&self, body: Value) -> Result<Vec<bool>, String> {
        let a = self.post(&self.many, body);
        ensure(a.status == 200, format!("status {}: {}", a.status, a.body))?;
        let items = a.json()["evaluations"]
            .as_array()
            .cloned()
            .ok_or("no `evaluations` array")?;
        items.iter().map(item).collect()
    }

    fn batch_is(&self, body: Value, want: &[bool]) -> Check {
        let got = self.batch(body)?;
        ensure(got == want, format!("{got:?}, not {want:?}"))
    }

    fn found(&self, kind: usize, body: Value) -> Result<Vec<String>, String> {
        let a = self.post(&self.search[kind], body);
        ensure(a.status == 200, format!("status {}: {}", a.status, a.body))?;
        json_type(&a)?;
        let results = a.json()["results"].as_array().cloned().ok_or("no `results` array")?;
        let key = if kind == 2 { "name" } else { "id" };
        results
            .iter()
            .map(|r| {
                r[key]
                    .as_str()
                    .map(str::to_string)
                    .ok_or(format!("a result without `{key}`: {r}"))
            })
            .collect()
    }

    fn finds(&self, kind: usize, body: Value, want: &[&str]) -> Check {
        let got = self.found(kind, body)?;
        let missing: Vec<&&str> = want.iter().filter(|w| !got.iter().any(|g| g == *w)).collect();
        ensure(missing.is_empty(), format!("{missing:?} not in {got:?}"))
    }
}

fn json_type(a: &Answer) -> Check {
    let ct = a.header("content-type").unwrap_or("");
    ensure(ct.starts_with("application/json"), format!("Content-Type `{ct}`"))
}

fn item(i: &Value) -> Result<bool, String> {
    if let Some(c) = i.get("context") {
        ensure(c.is_object(), format!("`context` is not an object: {i}"))?;
    }
    i["decision"].as_bool().ok_or(format!("no boolean `decision`: {i}"))
}

fn decision(a: &Answer, want: Option<bool>) -> Check {
    ensure(a.status == 200, format!("status {}: {}", a.status, a.body))?;
    json_type(a)?;
    let got = item(&a.json())?;
    ensure(want.is_none_or(|w| w == got), format!("decision {got}, not {want:?}"))
}

fn q(subject: Value, action: Value, resource: Value) -> Value {
    json!({"subject": subject, "action": action, "resource": resource})
}

fn alice() -> Value {
    json!({"type": "user", "id": "alice"})
}
fn bob() -> Value {
    json!({"type": "user", "id": "bob"})
}
fn admin() -> Value {
    json!({"type": "user", "id": "bob", "properties": {"role": "admin"}})
}
fn read() -> Value {
    json!({"name": "read"})
}
fn write() -> Value {
    json!({"name": "write"})
}
fn record_1() -> Value {
    json!({"type": "record", "id": "record-1"})
}
fn archived() -> Value {
    json!({"type": "record", "id": "record-2", "properties": {"status": "archived"}})
}
fn ctx() -> Value {
    json!({"time": "2025-06-27T18:03-07:00", "ip": "192.168.1.1"})
}
fn with(mut body: Value, key: &str, value: Value) -> Value {
    body[key] = value;
    body
}
fn without(mut body: Value, path: &[&str]) -> Value {
    let (last, parents) = path.split_last().unwrap();
    let mut at = &mut body;
    for p in parents {
        at = &mut at[*p];
    }
    at.as_object_mut().unwrap().remove(*last);
    body
}

const SUBJECT: usize = 0;
const RESOURCE: usize = 1;
const ACTION: usize = 2;

type Test = (&'static str, &'static str, &'static str, fn(&Ctx<'_>) -> Check);

mod basic_batch;
mod search;

pub(crate) fn run(pdp: &Pdp) -> Vec<Section> {
    let c = Ctx {
        pdp,
        one: endpoint(pdp, "cert", "access_evaluation_endpoint"),
        many: endpoint(pdp, "cert", "access_evaluations_endpoint"),
        search: [
            endpoint(pdp, "cert", "search_subject_endpoint"),
            endpoint(pdp, "cert", "search_resource_endpoint"),
            endpoint(pdp, "cert", "search_action_endpoint"),
        ],
    };
    let mut sections: Vec<Section> = Vec::new();
    let all = basic_batch::BASIC_AND_BATCH.iter().chain(search::SEARCH_AND_DISCOVERY);
    for (id, level, what, test) in all {
        let title = format!("Certification: {level}");
        if sections.last().is_none_or(|s| s.title != title) {
            sections.push(Section::new(
                &title,
                "From `certification/authorization-api-1_0-scenario.md`, each test by its id.",
                &["test", "what"],
            ));
        }
        let outcome = test(&c);
        let mut what = what.to_string();
        if let Err(why) = &outcome {
            what.push_str(&format!(" (failed: {why})"));
        }
        sections
            .last_mut()
            .unwrap()
            .row(vec![id.to_string(), what], outcome.is_ok());
    }
    sections
}

/// Whether `jwt` is signed by a key of `jwks` (EdDSA) and carries `iss`.
fn verifies(jwt: &str, jwks: &Value) -> Check {
    let parts: Vec<&str> = jwt.split('.').collect();
    ensure(parts.len() == 3, "not three parts")?;
    let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|e| e.to_string());
    let header: Value = serde_json::from_slice(&decode(parts[0])?).map_err(|e| e.to_string())?;
    let claims: Value = serde_json::from_slice(&decode(parts[1])?).map_err(|e| e.to_string())?;
    ensure(claims["iss"].is_string(), "no `iss`")?;
    let key = jwks["keys"]
        .as_array()
        .and_then(|k| k.iter().find(|k| k["kid"] == header["kid"]))
        .ok_or("its key is not published")?;
    let x: [u8; 32] = decode(key["x"].as_str().unwrap_or(""))?
        .try_into()
        .map_err(|_| "bad key")?;
    let sig: [u8; 64] = decode(parts[2])?.try_into().map_err(|_| "bad signature")?;
    ed25519_dalek::VerifyingKey::from_bytes(&x)
        .map_err(|e| e.to_string())?
        .verify_strict(
            format!("{}.{}", parts[0], parts[1]).as_bytes(),
            &ed25519_dalek::Signature::from_bytes(&sig),
        )
        .map_err(|e| e.to_string())
}
