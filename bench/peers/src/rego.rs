//! Rego's side: `policies/standin.rego` run by regorus, with the settings
//! as `data.settings` and the request as `input`.
//!
//! regorus offers two prepared forms, and both are timed: the interpreter's
//! [`CompiledPolicy`] (parsed and compiled once, one entry rule; each call
//! makes an interpreter from it) and the RVM, a register VM running the
//! policy compiled to bytecode once, reused across calls.
//!
//! What Rego needs prebuilt, per request: `input` as a regorus value (the
//! whole request, as the host packs the whole of it), each principal's
//! tenant filled in from the request's (the host does the same), times as
//! Unix seconds, and optional fields left out rather than null (a null
//! `actor_session` would count as a session). The rest is Rego: role levels
//! (`max` over a comprehension), action patterns (`glob.match` with no
//! delimiters, the same as `*` in Standin's patterns for the names used
//! here), the granted time, obligations.

use crate::Outcome;
use crate::requests::{full_settings, unix};
use regorus::rvm::RegoVM;
use regorus::rvm::program::Program;
use regorus::{CompiledPolicy, Engine, Rc, Value};
use standin::{ActionRequest, Principal, StartRequest};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The policy, in Rego.
pub const POLICY: &str = include_str!("../policies/standin.rego");

const START: &str = "data.standin.start";
const ACTION: &str = "data.standin.action";

/// One question's prepared forms.
#[derive(Debug)]
struct Question {
    compiled: CompiledPolicy,
    vm: RegoVM,
}

impl Question {
    fn new(rule: &str) -> Self {
        let mut engine = Engine::new();
        engine
            .add_policy("standin.rego".to_string(), POLICY.to_string())
            .expect("the Rego policy parses");
        let data = Value::from(serde_json::json!({ "settings": full_settings() }));
        engine.add_data(data.clone()).expect("data is an object");
        let compiled = engine
            .compile_with_entrypoint(&rule.into())
            .expect("the policy compiles");
        let program: Arc<Program> =
            regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[rule])
                .expect("the policy compiles to RVM bytecode");
        let mut vm = RegoVM::new();
        vm.load_program(program);
        vm.set_data(data).expect("data fits the program");
        Self { compiled, vm }
    }

    fn interpret(&self, input: Value) -> Value {
        self.compiled.eval_with_input(input).expect("the interpreter evaluates")
    }

    fn run(&mut self, input: Value) -> Value {
        self.vm.set_input(input);
        self.vm.execute().expect("the VM runs")
    }
}

/// The policy, prepared both ways for both questions.
#[derive(Debug)]
pub struct Rego {
    start: Question,
    action: Question,
}

impl Default for Rego {
    fn default() -> Self {
        Self {
            start: Question::new(START),
            action: Question::new(ACTION),
        }
    }
}

fn string(s: &str) -> Value {
    Value::String(Rc::from(s))
}

fn strings(items: &[String]) -> Value {
    Value::from(items.iter().map(|s| string(s)).collect::<Vec<_>>())
}

fn object(fields: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::from(
        fields
            .into_iter()
            .map(|(k, v)| (string(k), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// A principal as Rego reads it; attributes other than strings become
/// their JSON text, as the host packs them.
fn principal(p: &Principal, tenant: &str) -> Value {
    let attributes = p.attributes.iter().map(|(k, v)| {
        let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        (string(k), Value::String(Rc::from(v)))
    });
    object([
        ("id", string(&p.id)),
        ("tenant", string(p.tenant.as_deref().unwrap_or(tenant))),
        ("roles", strings(&p.roles)),
        ("permissions", strings(&p.permissions)),
        ("groups", strings(&p.groups)),
        ("manages", strings(&p.manages)),
        ("domains", strings(&p.domains)),
        ("consents", strings(&p.consents)),
        ("active", Value::Bool(p.active)),
        ("has_logged_in", Value::Bool(p.has_logged_in)),
        ("attributes", Value::from(attributes.collect::<BTreeMap<_, _>>())),
    ])
}

/// Optional strings, present only when set.
fn optional<'a>(fields: impl IntoIterator<Item = (&'static str, &'a Option<String>)>) -> Vec<(&'static str, Value)> {
    fields
        .into_iter()
        .filter_map(|(k, v)| Some((k, string(v.as_deref()?))))
        .collect()
}

/// A start request as Rego's `input`.
pub fn start_input(r: &StartRequest) -> Value {
    let mut fields = vec![
        ("tenant", string(&r.tenant)),
        ("actor", principal(&r.actor, &r.tenant)),
        ("target", principal(&r.target, &r.tenant)),
        ("consent_on_behalf", Value::Bool(r.consent_on_behalf)),
        ("now", Value::from(unix(r.now))),
    ];
    fields.extend(optional([("reason", &r.reason), ("domain", &r.domain)]));
    if let Some(ttl) = r.ttl_seconds {
        fields.push(("ttl_seconds", Value::from(ttl)));
    }
    if let Some(s) = &r.actor_session {
        fields.push((
            "actor_session",
            object([("id", string(&s.id)), ("target", string(&s.target))]),
        ));
    }
    object(fields)
}

/// An action request as Rego's `input`.
pub fn action_input(r: &ActionRequest) -> Value {
    let s = &r.session;
    let mut session = vec![
        ("id", string(&s.id)),
        ("actor", principal(&s.actor, &r.tenant)),
        ("target", principal(&s.target, &r.tenant)),
        ("started_at", Value::from(s.started_at.timestamp())),
        ("expires_at", Value::from(s.expires_at.timestamp())),
        ("read_only", Value::Bool(s.read_only)),
    ];
    session.extend(optional([("domain", &s.domain), ("reason", &s.reason)]));
    let mut fields = vec![
        ("tenant", string(&r.tenant)),
        ("session", object(session)),
        ("action", string(&r.action)),
        ("now", Value::from(unix(r.now))),
    ];
    fields.extend(optional([("resource", &r.resource)]));
    object(fields)
}

impl Rego {
    /// Interpreter, input prebuilt.
    pub fn interpret_start(&self, input: Value) -> Value {
        self.start.interpret(input)
    }

    /// Interpreter, input prebuilt.
    pub fn interpret_action(&self, input: Value) -> Value {
        self.action.interpret(input)
    }

    /// RVM, input prebuilt.
    pub fn run_start(&mut self, input: Value) -> Value {
        self.start.run(input)
    }

    /// RVM, input prebuilt.
    pub fn run_action(&mut self, input: Value) -> Value {
        self.action.run(input)
    }

    /// Builds the input and decides a start with the RVM: the timed path.
    pub fn start(&mut self, request: &StartRequest) -> Value {
        self.start.run(start_input(request))
    }

    /// Builds the input and decides an action with the RVM: the timed path.
    pub fn action(&mut self, request: &ActionRequest) -> Value {
        self.action.run(action_input(request))
    }
}

/// A decision object of the policy (`start` or `action`) as an [`Outcome`].
pub fn outcome(decision: &Value) -> Outcome {
    let strings = |key: &str| -> Vec<String> {
        let items = decision[key].as_set().map(|s| s.iter().cloned().collect::<Vec<_>>());
        let items = items.unwrap_or_else(|_| panic!("`{key}` is a set in {decision}"));
        items
            .iter()
            .map(|v| v.as_string().expect("a string").to_string())
            .collect()
    };
    let allow = decision["allow"]
        .as_bool()
        .unwrap_or_else(|_| panic!("no `allow` in {decision}"));
    if !*allow {
        return Outcome::deny(strings("reasons"));
    }
    let ttl = match &decision["ttl_seconds"] {
        Value::Undefined => None,
        v => Some(v.as_u64().expect("a whole number of seconds")),
    };
    Outcome::allow(ttl, strings("obligations"))
}
