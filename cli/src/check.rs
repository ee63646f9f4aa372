//! `standin check start|action`: one request, one decision.

use crate::input::{self, InputError};
use crate::{Exit, output};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use clap::ValueEnum;
use standin::decision::codes;
use standin::{ActionRequest, ArtifactDir, Decision, Host, HostKey, Policy, StartRequest};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    /// May the actor start impersonating the target? (a start request)
    Start,
    /// May the actor do this inside the session? (an action request)
    Action,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which question REQUEST asks.
    kind: Kind,
    /// The request, as docs/contract.md's JSON (`-` reads standard input).
    #[arg(value_name = "REQUEST.json")]
    request: PathBuf,
    /// A policy component (`.wasm`); default: the built-in policy.
    #[arg(long, value_name = "FILE.wasm")]
    policy: Option<PathBuf>,
    /// The policy's settings (JSON); default: `{}`, the policy's defaults.
    #[arg(long, value_name = "FILE.json")]
    settings: Option<PathBuf>,
}

/// The component of `--policy` (capped at the host's component size), or the built-in one.
pub fn policy_bytes(policy: Option<&Path>) -> Result<Cow<'static, [u8]>> {
    match policy {
        Some(path) => Ok(Cow::Owned(input::read(path, input::Kind::Component)?)),
        None => Ok(Cow::Borrowed(standin::DEFAULT_POLICY)),
    }
}

/// Loads `component` with `settings`; `policy` names it in errors.
/// Where `check` and `test` keep compiled components between runs, sealed
/// with the host key (`--host-key`, else its default path): the built-in
/// policy compiles once per machine, not once per command. `None` (compile
/// every time) when `STANDIN_CACHE_DIR` is set empty or no key can be had.
pub fn artifact_dir(host_key: Option<&Path>) -> Option<ArtifactDir> {
    let dir = match std::env::var_os("STANDIN_CACHE_DIR") {
        Some(dir) if dir.is_empty() => return None,
        Some(dir) => PathBuf::from(dir),
        None => ArtifactDir::default_path()?,
    };
    let key = host_key
        .map(Path::to_path_buf)
        .or_else(standin::default_host_key_path)?;
    Some(ArtifactDir::new(dir, HostKey::load_or_create(&key).ok()?))
}

pub fn load_policy(
    host: &Host,
    component: &[u8],
    policy: Option<&Path>,
    settings: &str,
    cache: Option<&ArtifactDir>,
) -> Result<Policy> {
    let loaded = match cache {
        Some(dir) => host.load_cached(component, settings, dir),
        None => host.load(component, settings),
    };
    loaded.with_context(|| match policy {
        Some(path) => format!("cannot load policy `{}`", path.display()),
        None => "cannot load the built-in policy".to_string(),
    })
}

pub fn run(args: Args, now: DateTime<Utc>, host_key: Option<&Path>) -> Result<Exit> {
    let settings = match &args.settings {
        Some(path) => Some(input::read_text(path, input::Kind::Settings)?),
        None => None,
    };
    // A request over the cap is not a request: like a malformed one, it is
    // answered with an `invalid-request` deny (below). One that cannot be
    // read at all (a missing file) is an error.
    let request = match input::read(&args.request, input::Kind::Request) {
        Ok(bytes) => Ok(bytes),
        Err(e @ InputError::TooLarge { .. }) => Err(e.to_string()),
        Err(e) => return Err(e.into()),
    };
    let host = Host::new()?;
    let component = policy_bytes(args.policy.as_deref())?;
    let policy = load_policy(
        &host,
        &component,
        args.policy.as_deref(),
        settings.as_deref().unwrap_or("{}"),
        artifact_dir(host_key).as_ref(),
    )?;
    let kind = match args.kind {
        Kind::Start => "start",
        Kind::Action => "action",
    };
    let parsed = request.and_then(|request| {
        match args.kind {
            Kind::Start => serde_json::from_slice::<StartRequest>(&request).map(|r| policy.evaluate_start(&r, now)),
            Kind::Action => serde_json::from_slice::<ActionRequest>(&request).map(|r| policy.evaluate_action(&r, now)),
        }
        .map_err(|e| format!("`{}` is not a valid {kind} request: {e}", args.request.display()))
    });
    match parsed {
        // A request the host refused as malformed (a text rule, a cap, a
        // session no host could have started) is bad input like one that
        // does not parse: exit 1, the reason on stderr, never 2 (a deny).
        Ok(decision) if decision.codes().any(|c| c == codes::INVALID_REQUEST) => {
            output::line(&decision.to_json())?;
            for reason in decision.reasons().iter().filter(|r| r.code == codes::INVALID_REQUEST) {
                output::error_line(&format!("error: {}", reason.message));
            }
            Ok(Exit::Error)
        }
        Ok(decision) => {
            output::line(&decision.to_json())?;
            Ok(crate::session::exit_of(&decision))
        }
        Err(message) => {
            // Fail closed and say so: a deny on stdout, the reason on stderr.
            output::line(&Decision::host_deny(codes::INVALID_REQUEST, message.clone()).to_json())?;
            output::error_line(&format!("error: {message}"));
            Ok(Exit::Error)
        }
    }
}
