//! Suite files: parsing, named principals, defaults.

use crate::decision::{Approvers, Verdict};
use crate::request::{ActionRequest, ApprovalRequest, StartRequest};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Why a suite cannot be run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SuiteError {
    #[error("cannot read `{path}`: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("suite `{path}`: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("suite `{path}`, case {number} `{case}`: {message}")]
    Case {
        path: PathBuf,
        number: usize,
        case: String,
        message: String,
    },
}

/// What a case expects. Fields left out are not compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expect {
    pub decision: Verdict,
    /// The exact set of reason codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codes: Option<BTreeSet<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_target: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    /// The exact set of obligations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obligations: Option<BTreeSet<String>>,
    /// Who may answer a `pending` start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approvers: Option<Approvers>,
    /// The scope a start is granted (SC1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<standin_engine::Scope>,
    /// The idle timeout a start is granted (IT1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_seconds: Option<u64>,
}

/// The question a case asks.
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    Start(Box<StartRequest>),
    Action(Box<ActionRequest>),
    /// May `approver` answer this pending start? (`allow`: yes.)
    Approval(Box<ApprovalRequest>),
    /// A generic AuthZEN question (`subject`, `action`, `resource`,
    /// `context`, as an AuthZEN request spells them).
    Generic(Box<crate::authzen::Question>),
}

/// One scenario with its expected answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub name: String,
    /// Requirement ids the case covers.
    pub rules: Vec<String>,
    pub question: Question,
    pub expect: Expect,
}

/// A parsed suite, its requests resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Suite {
    pub name: String,
    pub path: PathBuf,
    /// Settings for the policy under test (JSON text).
    pub settings: String,
    pub cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Raw {
    name: String,
    #[serde(default)]
    tenant: Option<String>,
    #[serde(default)]
    now: Option<String>,
    #[serde(default)]
    settings: Option<Value>,
    /// Extension: settings read from this file, relative to the suite.
    #[serde(default)]
    settings_file: Option<PathBuf>,
    #[serde(default)]
    principals: BTreeMap<String, Value>,
    cases: Vec<Value>,
}

fn time(field: &str, value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{field}` is not an RFC 3339 time (`{value}`): {e}"))
}

struct Context<'a> {
    tenant: &'a str,
    now: DateTime<Utc>,
    principals: &'a BTreeMap<String, Value>,
}

impl Context<'_> {
    /// Replaces a principal's name by the principal itself.
    fn principal(&self, object: &mut Map<String, Value>, field: &str) -> Result<(), String> {
        match object.get(field) {
            Some(Value::String(name)) => {
                let principal = self
                    .principals
                    .get(name)
                    .ok_or_else(|| format!("unknown principal `{name}` in `{field}`"))?;
                object.insert(field.to_string(), principal.clone());
                Ok(())
            }
            Some(Value::Object(_)) => Ok(()),
            Some(_) => Err(format!("`{field}` must name a principal or spell one out")),
            None => Err(format!("missing `{field}`")),
        }
    }

    /// Checks a request's own `now`, or gives it the suite's.
    fn now(&self, object: &mut Map<String, Value>, field: &str, default: DateTime<Utc>) -> Result<(), String> {
        match object.get(field) {
            Some(Value::String(t)) => time(field, t).map(drop),
            Some(Value::Null) | None => {
                object.insert(field.to_string(), Value::String(default.to_rfc3339()));
                Ok(())
            }
            Some(_) => Err(format!("`{field}` must be an RFC 3339 time")),
        }
    }

    fn start(&self, raw: &Value) -> Result<StartRequest, String> {
        let mut object = raw.as_object().cloned().ok_or("`start` must be an object")?;
        object.entry("tenant").or_insert_with(|| self.tenant.into());
        self.principal(&mut object, "actor")?;
        self.principal(&mut object, "target")?;
        self.now(&mut object, "now", self.now)?;
        serde_json::from_value(Value::Object(object)).map_err(|e| format!("`start` is not a start request: {e}"))
    }

    /// A start's fields and an `approver`.
    fn approval(&self, raw: &Value) -> Result<ApprovalRequest, String> {
        let mut object = raw.as_object().cloned().ok_or("`approval` must be an object")?;
        let mut who = Map::new();
        who.insert(
            "approver".to_string(),
            object.remove("approver").ok_or("`approval` needs an `approver`")?,
        );
        self.principal(&mut who, "approver")?;
        let approver = serde_json::from_value(who.remove("approver").unwrap_or_default())
            .map_err(|e| format!("`approver` is not a principal: {e}"))?;
        Ok(ApprovalRequest {
            start: self.start(&Value::Object(object))?,
            approver,
        })
    }

    fn action(&self, raw: &Value, number: usize) -> Result<ActionRequest, String> {
        let mut object = raw.as_object().cloned().ok_or("`action` must be an object")?;
        object.entry("tenant").or_insert_with(|| self.tenant.into());
        self.now(&mut object, "now", self.now)?;
        let mut session = match object.remove("session") {
            Some(Value::Object(session)) => session,
            _ => return Err("`action` needs a `session` object".to_string()),
        };
        session.entry("id").or_insert_with(|| format!("s-case-{number}").into());
        self.principal(&mut session, "actor")?;
        self.principal(&mut session, "target")?;
        self.now(&mut session, "started_at", self.now)?;
        self.now(&mut session, "expires_at", self.now + Duration::hours(1))?;
        object.insert("session".to_string(), Value::Object(session));
        serde_json::from_value(Value::Object(object)).map_err(|e| format!("`action` is not an action request: {e}"))
    }

    fn case(&self, raw: &Value, number: usize) -> Result<Case, (String, String)> {
        let name = raw.get("name").and_then(Value::as_str).unwrap_or("").to_string();
        let fail = |message: String| (name.clone(), message);
        if name.is_empty() {
            return Err(fail("missing `name`".to_string()));
        }
        let rules = match raw.get("rules") {
            None => Vec::new(),
            Some(rules) => serde_json::from_value(rules.clone())
                .map_err(|_| fail("`rules` must be a list of rule ids".to_string()))?,
        };
        let expect = raw.get("expect").ok_or_else(|| fail("missing `expect`".to_string()))?;
        let expect: Expect =
            serde_json::from_value(expect.clone()).map_err(|e| fail(format!("`expect` is not valid: {e}")))?;
        let asked = ["start", "action", "approval", "question"]
            .into_iter()
            .filter(|k| raw.get(*k).is_some())
            .count();
        if asked > 1 {
            return Err(fail(
                "a case asks one of `start`, `action` and `approval` (or a generic `question`)".to_string(),
            ));
        }
        let question = match (
            raw.get("start"),
            raw.get("action"),
            raw.get("approval"),
            raw.get("question"),
        ) {
            (Some(start), ..) => Question::Start(Box::new(self.start(start).map_err(fail)?)),
            (_, Some(action), ..) => Question::Action(Box::new(self.action(action, number).map_err(fail)?)),
            (_, _, Some(approval), _) => Question::Approval(Box::new(self.approval(approval).map_err(fail)?)),
            (_, _, _, Some(question)) => Question::Generic(Box::new(generic(question).map_err(fail)?)),
            _ => {
                return Err(fail(
                    "missing `start`, `action` or `approval` (or a generic `question`)".to_string(),
                ));
            }
        };
        Ok(Case {
            name,
            rules,
            question,
            expect,
        })
    }
}

/// A case's generic question: `subject`, `resource` (objects with `type`
/// and `id`), `action` (with `name`), an optional `context` object.
fn generic(raw: &Value) -> Result<crate::authzen::Question, String> {
    let object = raw.as_object().ok_or("`question` must be an object")?;
    let member = |key: &str, fields: &[&str]| -> Result<Value, String> {
        let value = object.get(key).ok_or_else(|| format!("`question` needs `{key}`"))?;
        for field in fields {
            if !value.get(*field).is_some_and(Value::is_string) {
                return Err(format!("`question.{key}.{field}` must be a string"));
            }
        }
        Ok(value.clone())
    };
    Ok(crate::authzen::Question {
        subject: member("subject", &["type", "id"])?,
        action: member("action", &["name"])?,
        resource: member("resource", &["type", "id"])?,
        context: match object.get("context") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(c @ Value::Object(_)) => c.clone(),
            Some(_) => return Err("`question.context` must be an object".to_string()),
        },
    })
}

impl Suite {
    /// Reads and resolves the suite at `path`.
    pub fn load(path: &Path) -> Result<Self, SuiteError> {
        let text = read_capped(path)?;
        Self::parse(&text, path)
    }

    /// Resolves a suite's text; `path` names it in errors and anchors
    /// `settings_file`.
    pub fn parse(text: &str, path: &Path) -> Result<Self, SuiteError> {
        let invalid = |message: String| SuiteError::Invalid {
            path: path.into(),
            message,
        };
        let raw: Raw = serde_json::from_str(text).map_err(|e| invalid(format!("not a suite: {e}")))?;
        let settings = match (raw.settings, raw.settings_file) {
            (Some(_), Some(_)) => return Err(invalid("give `settings` or `settings_file`, not both".to_string())),
            (Some(settings), None) => settings.to_string(),
            (None, Some(file)) => {
                let file = path.parent().unwrap_or(Path::new(".")).join(file);
                read_capped(&file)?
            }
            (None, None) => "{}".to_string(),
        };
        let now = match &raw.now {
            Some(now) => time("now", now).map_err(invalid)?,
            None => Utc::now(),
        };
        let context = Context {
            tenant: raw.tenant.as_deref().unwrap_or("test"),
            now,
            principals: &raw.principals,
        };
        let cases = raw
            .cases
            .iter()
            .enumerate()
            .map(|(i, case)| {
                context.case(case, i + 1).map_err(|(case, message)| SuiteError::Case {
                    path: path.into(),
                    number: i + 1,
                    case,
                    message,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            name: raw.name,
            path: path.into(),
            settings,
            cases,
        })
    }
}

/// Largest suite or settings file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The text of `path`, read through a cap: a file (or a device such as
/// `/dev/zero`) past [`MAX_FILE_BYTES`] is refused without growing past it.
fn read_capped(path: &Path) -> Result<String, SuiteError> {
    let error = |source| SuiteError::Read {
        path: path.into(),
        source,
    };
    let bytes = standin_engine::read_capped_file(path, MAX_FILE_BYTES)
        .map_err(error)?
        .ok_or_else(|| {
            error(std::io::Error::other(format!(
                "the file is over the cap of {MAX_FILE_BYTES} bytes"
            )))
        })?;
    String::from_utf8(bytes).map_err(|e| error(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}
