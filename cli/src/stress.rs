//! `standin-stress`: a test aid and load generator, kept out of the
//! product binary.
//!
//! Runs `--count` sessions one after the other against `--db`, for
//! synthetic actors and targets of tenant `--tenant` (the built-in policy
//! unless the tenant set one): start, `--actions` authorizes (resources
//! `r-<i>-<j>`, alternating an allowed `course.view` and a forbidden
//! `billing.purchase`; with `--batch`, one `authorize_batch` of them), end. Each call's acknowledgement is printed and
//! flushed as soon as the call returned:
//!
//! ```text
//! started <session>
//! authorized <session> <resource> allow|deny
//! ended <session>
//! ```
//!
//! The SIGKILL durability test (`cli/tests/cli/durability.rs`) kills it
//! mid-stream and checks that every printed line is in the audit trail.

// The product binary's output helper: a closed stdout ends quietly.
#[allow(dead_code)]
mod output;

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use clap::Parser as _;
use standin::store::AuditMode;
use standin::{ActionCall, Authorization, Host, Standin, StartRequest};
use standin_store_sqlite::SqliteStore;
use std::path::Path;
use std::sync::Arc;

/// A stream of sessions (start, authorizes, end) against `--db`, printing
/// each acknowledgement as soon as its call returned.
#[derive(Debug, clap::Parser)]
#[command(name = "standin-stress", version)]
pub struct Args {
    /// The session database (SQLite), created when missing.
    #[arg(long, value_name = "PATH", default_value = "standin.db")]
    db: std::path::PathBuf,
    /// The clock of every call (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339")]
    now: Option<DateTime<Utc>>,
    /// How many sessions.
    #[arg(long, default_value_t = 100)]
    count: u64,
    /// Authorize calls per session.
    #[arg(long, default_value_t = 4)]
    actions: u64,
    /// The tenant.
    #[arg(long, default_value = "stress")]
    tenant: String,
    /// Prefix of the synthetic user ids (one run per prefix).
    #[arg(long, default_value = "run")]
    run: String,
    /// Acknowledge authorizes before their audit rows are committed (batched
    /// mode), to show what the durability test catches.
    #[arg(long)]
    batched: bool,
    /// Send each session's authorizes as one `authorize_batch`, printing
    /// their acknowledgements when the batch returned.
    #[arg(long)]
    batch: bool,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            output::error_line(&format!("error: {}", output::describe(&e)));
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    let now = args.now.unwrap_or_else(Utc::now);
    let db: &Path = &args.db;
    let mode = if args.batched {
        AuditMode::Batched
    } else {
        AuditMode::Durable
    };
    let store = SqliteStore::open_with(db, mode)
        .with_context(|| format!("cannot open the session database `{}`", db.display()))?;
    // The CLI's host key, so the rows it writes are tagged as the CLI's
    // are and `standin audit verify` checks them with the same key.
    let mut sessions = Standin::new(Host::new()?, Arc::new(store)).with_test_clock(args.now.is_some());
    if let Some(key) = standin::default_host_key_path() {
        sessions = sessions.with_host_key(standin::HostKey::load_or_create(&key)?);
    }
    // A tenant without a policy gets no sessions (T1): give it the built-in one.
    if sessions.policies().active(&args.tenant)?.is_none() {
        sessions.policies().set(&args.tenant, None, "{}", now)?;
    }
    for i in 0..args.count {
        if output::closed() {
            // Nobody reads the acknowledgements any more: stop the load.
            break;
        }
        let request: StartRequest = serde_json::from_value(serde_json::json!({
            "tenant": args.tenant,
            "actor": {"id": format!("{}-a{i}", args.run), "roles": ["super_admin"], "active": true, "has_logged_in": true},
            "target": {"id": format!("{}-t{i}", args.run), "active": true, "has_logged_in": true},
            "reason": "stress",
        }))?;
        let started = sessions.sessions().start(&request, None, now)?;
        let Some(session) = started.session else {
            anyhow::bail!("start {i} was denied: {}", started.decision.to_json());
        };
        output::line(&format!("started {}", session.id))?;
        let resources: Vec<String> = (0..args.actions).map(|j| format!("r-{i}-{j}")).collect();
        let calls: Vec<ActionCall<'_>> = resources
            .iter()
            .enumerate()
            .map(|(j, r)| {
                let action = if j % 2 == 0 { "course.view" } else { "billing.purchase" };
                ActionCall::new(&session.id, action, Some(r), now)
            })
            .collect();
        if args.batch {
            for (c, answer) in calls.iter().zip(sessions.sessions().authorize_batch(&calls)?) {
                acknowledge(c, &answer?)?;
            }
        } else {
            // One at a time, each acknowledged as soon as it returned.
            for c in &calls {
                let answer = sessions.sessions().authorize(c.session, c.action, c.resource, c.now)?;
                acknowledge(c, &answer)?;
            }
        }
        sessions.sessions().end(&session.id, now)?;
        output::line(&format!("ended {}", session.id))?;
    }
    Ok(())
}

/// Prints (and flushes) `authorized <session> <resource> allow|deny` for an answered call.
fn acknowledge(call: &ActionCall<'_>, answer: &Authorization) -> Result<()> {
    let verdict = if answer.decision.is_allow() { "allow" } else { "deny" };
    output::line(&format!(
        "authorized {} {} {verdict}",
        call.session,
        call.resource.unwrap_or_default()
    ))?;
    Ok(())
}
