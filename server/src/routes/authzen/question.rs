//! The questions of an AuthZEN request: each evaluation's subject, action,
//! resource and context (the request's own as defaults), and which
//! question it is: one of Standin's two impersonation questions, or a
//! generic one for the tenant's policy.

use crate::error::ApiError;
use serde_json::{Map, Value, json};
use standin::authzen::access_request::Bound;
use standin::{Principal, StartRequest};

#[derive(Debug)]
pub(super) struct Question {
    subject: Map<String, Value>,
    action: Map<String, Value>,
    resource: Map<String, Value>,
    context: Map<String, Value>,
}

/// `key` of `item`, else of `defaults`; an object, or a `400`.
fn member(
    item: &Map<String, Value>,
    defaults: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Map<String, Value>, ApiError> {
    match item.get(key).or_else(|| defaults.get(key)) {
        Some(Value::Object(o)) => Ok(o.clone()),
        Some(_) => Err(ApiError::bad_request(format!("`{at}{key}` must be an object"))),
        None => Err(ApiError::bad_request(format!("`{at}{key}` is required"))),
    }
}

pub(super) fn question(
    item: &Map<String, Value>,
    defaults: &Map<String, Value>,
    at: &str,
) -> Result<Question, ApiError> {
    let q = Question {
        subject: member(item, defaults, "subject", at)?,
        action: member(item, defaults, "action", at)?,
        resource: member(item, defaults, "resource", at)?,
        context: match item.get("context").or_else(|| defaults.get("context")) {
            Some(Value::Object(o)) => o.clone(),
            None | Some(Value::Null) => Map::new(),
            Some(_) => return Err(ApiError::bad_request(format!("`{at}context` must be an object"))),
        },
    };
    for (what, object) in [
        ("subject", &q.subject),
        ("resource", &q.resource),
        ("action", &q.action),
    ] {
        if !matches!(object.get("properties"), None | Some(Value::Null | Value::Object(_))) {
            return Err(ApiError::bad_request(format!(
                "`{at}{what}.properties` must be an object"
            )));
        }
    }
    for (what, object, fields) in [
        ("subject", &q.subject, &["type", "id"][..]),
        ("resource", &q.resource, &["type", "id"][..]),
        ("action", &q.action, &["name"][..]),
    ] {
        for field in fields {
            if !object.get(*field).is_some_and(Value::is_string) {
                return Err(ApiError::bad_request(format!(
                    "`{at}{what}.{field}` is required (a string)"
                )));
            }
        }
    }
    Ok(q)
}

impl Question {
    /// Whether the question asks for obligations as the Obligations
    /// profile's objects.
    pub(super) fn objects(&self) -> bool {
        super::obligations::wanted(&self.context)
    }
}

pub(super) fn text<'a>(o: &'a Map<String, Value>, key: &str) -> &'a str {
    o.get(key).and_then(Value::as_str).unwrap_or("")
}

/// What a question is.
pub(super) enum Kind {
    /// `authorize` in session `id`.
    Action {
        session: String,
        action: String,
        resource: Option<String>,
    },
    /// `check start`.
    Start(Box<StartQuestion>),
    /// Any other question: the tenant's policy answers it.
    Generic(Box<standin::authzen::Question>),
    /// A generic question over [`standin::authzen::MAX_QUESTION_BYTES`]: a
    /// `400` naming the cap (in a batch, that item's deny).
    TooLarge(String),
    /// Not a question Standin answers (malformed): a deny saying why.
    Unanswerable(String),
}

/// A start question: the start it asks, what a requestable denial of it
/// binds, and the approval a re-evaluation presents (`context.approval.id`,
/// the Access Request profile).
#[derive(Debug)]
pub(super) struct StartQuestion {
    pub request: StartRequest,
    pub bound: Bound,
    pub approval: Option<String>,
}

impl Question {
    /// The start this question asks, if it is a start question.
    pub(super) fn start(&self, tenant: &str) -> Option<Result<StartQuestion, String>> {
        match classify(tenant, self) {
            Kind::Start(q) => Some(Ok(*q)),
            Kind::Unanswerable(message) => Some(Err(message)),
            _ => None,
        }
    }
}

/// A principal from an AuthZEN entity: its `properties` (unknown ones
/// ignored, as the standard says), its `id` the entity's.
fn principal(entity: &Map<String, Value>) -> Result<Principal, String> {
    const KNOWN: [&str; 11] = [
        "tenant",
        "roles",
        "permissions",
        "groups",
        "manages",
        "domains",
        "active",
        "has_logged_in",
        "consents",
        "attributes",
        "id",
    ];
    let mut props: Map<String, Value> = match entity.get("properties") {
        Some(Value::Object(o)) => o
            .iter()
            .filter(|(k, _)| KNOWN.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err("`properties` must be an object".to_string()),
    };
    props.insert("id".to_string(), Value::String(text(entity, "id").to_string()));
    serde_json::from_value(Value::Object(props)).map_err(|e| format!("`properties` is not a principal: {e}"))
}

pub(super) fn classify(tenant: &str, q: &Question) -> Kind {
    match (
        text(&q.subject, "type"),
        text(&q.action, "name"),
        text(&q.resource, "type"),
    ) {
        ("impersonation_session", action, _) => Kind::Action {
            session: text(&q.subject, "id").to_string(),
            action: action.to_string(),
            resource: Some(text(&q.resource, "id").to_string()).filter(|r| !r.is_empty()),
        },
        ("user", "impersonate", "user") => {
            let start = (|| {
                let ctx = &q.context;
                let mut request = json!({
                    "tenant": tenant,
                    "actor": principal(&q.subject)?,
                    "target": principal(&q.resource)?,
                });
                for key in ["reason", "ttl_seconds", "domain", "consent_on_behalf", "scope"] {
                    if let Some(v) = ctx.get(key).filter(|v| !v.is_null()) {
                        request[key] = v.clone();
                    }
                }
                serde_json::from_value::<StartRequest>(request).map_err(|e| format!("not a start question: {e}"))
            })();
            match start {
                Ok(request) => Kind::Start(Box::new(StartQuestion {
                    request,
                    bound: Bound::new(&q.subject, &q.resource, &q.action, &q.context),
                    approval: q
                        .context
                        .get("approval")
                        .and_then(|a| a.get("id"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                })),
                Err(message) => Kind::Unanswerable(message),
            }
        }
        _ => {
            let question = standin::authzen::Question {
                subject: Value::Object(q.subject.clone()),
                action: Value::Object(q.action.clone()),
                resource: Value::Object(q.resource.clone()),
                context: Value::Object(q.context.clone()),
            };
            let bytes = standin::authzen::question_bytes(&question);
            let cap = standin::authzen::MAX_QUESTION_BYTES;
            if bytes > cap {
                return Kind::TooLarge(format!(
                    "the question's properties and context are {bytes} bytes, over the cap of {cap} bytes"
                ));
            }
            Kind::Generic(Box::new(question))
        }
    }
}
