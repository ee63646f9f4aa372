//! `standin session ...`, `standin sweep` and `standin authorize`.

use crate::input::{self, Kind};
use crate::output::{self, json as print};
use crate::{Access, Exit};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use standin::{Standin, StartRequest};
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Start a session if the tenant's active policy allows it.
    ///
    /// Prints the session (exit 0) or the deny decision (exit 2); a start
    /// that needs approval prints the session, `pending`, with `"decision":
    /// "pending"` and its `approvers` (exit 4). The host fills
    /// `actor_session` from its store and uses its clock (`--now`) as the
    /// request's time.
    Start {
        /// The start request, as docs/contract.md's JSON (`-` reads standard input).
        #[arg(value_name = "START_REQUEST.json")]
        request: PathBuf,
        /// Where to send the actor when the session ends (kept with the session).
        #[arg(long, value_name = "URL")]
        return_to: Option<String>,
    },
    /// Print the banner facts: who, as whom, time left, expiring soon.
    Status {
        /// The session id.
        id: String,
    },
    /// End the session (the actor stops); prints it, with `return_to`.
    End {
        /// The session id.
        id: String,
    },
    /// Ask the policy to extend the session to now + TTL (never past its
    /// `max_expires_at`, never shorter than it runs already: then the answer
    /// says `"kept_expiry": true`); exit 0 extended, 2 refused.
    Extend {
        /// The session id.
        id: String,
        /// Seconds from now.
        #[arg(long, value_name = "SECONDS")]
        ttl: u64,
    },
    /// Approve a pending session as APPROVER (a principal, as in a start
    /// request): the policy judges the approver (never the actor). Prints the
    /// session, active from now (exit 0), or the refusal (exit 2; the
    /// request keeps waiting).
    Approve {
        /// The session id.
        id: String,
        /// The approver as JSON (`-`: standard input).
        #[arg(long, value_name = "PRINCIPAL.json")]
        approver: PathBuf,
    },
    /// Reject a pending session as APPROVER: it ends `rejected`. Prints the
    /// session (exit 0), or the refusal (exit 2).
    Reject {
        /// The session id.
        id: String,
        /// The approver as JSON (`-`: standard input).
        #[arg(long, value_name = "PRINCIPAL.json")]
        approver: PathBuf,
        /// Why (kept in the session and the audit trail).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// End someone's session, saying why.
    Revoke {
        /// The session id (or, instead, `--tenant` and `--actor`).
        #[arg(required_unless_present = "actor", conflicts_with = "actor")]
        id: Option<String>,
        /// With `--actor`: the tenant whose sessions are revoked.
        #[arg(long, requires = "actor")]
        tenant: Option<String>,
        /// Revoke every active session of this actor (with `--tenant`);
        /// prints each one ended, one JSON line each.
        #[arg(long, requires = "tenant", value_name = "ID")]
        actor: Option<String>,
        /// Why (kept in the session and the audit trail).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Issue a fresh impersonation token for an active session (after
    /// `extend`, its `exp` is the new deadline); prints `{"token"}`. Needs
    /// `--token-key`.
    Token {
        /// The session id.
        id: String,
    },
    /// List a tenant's sessions, newest first, one JSON line each.
    List {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// Only sessions not ended (active, or pending approval).
        #[arg(long)]
        active: bool,
    },
    /// The origins a session's `--return-to` may name besides paths on the
    /// platform (`/...`): prints them; with `--allow` or `--clear`, sets them.
    Origins {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// An `https://host[:port]` origin to allow (repeatable; replaces the list).
        #[arg(long, value_name = "ORIGIN")]
        allow: Vec<String>,
        /// Allow no origin: only paths on the platform.
        #[arg(long, conflicts_with = "allow")]
        clear: bool,
    },
}

impl Command {
    /// `status` and `list` only read (see [`Sessions::peek_status`](standin::sessions::Sessions::peek_status)).
    pub fn access(&self) -> Access {
        match self {
            Self::Status { .. } | Self::List { .. } => Access::Read,
            Self::Origins { allow, clear, .. } if allow.is_empty() && !clear => Access::Read,
            Self::Origins { .. } => Access::Write,
            Self::Start { .. }
            | Self::End { .. }
            | Self::Extend { .. }
            | Self::Revoke { .. }
            | Self::Token { .. }
            | Self::Approve { .. }
            | Self::Reject { .. } => Access::Write,
        }
    }
}

pub fn run(command: Command, sessions: &Standin, now: DateTime<Utc>) -> Result<Exit> {
    match command {
        Command::Start { request, return_to } => {
            let bytes = input::read(&request, Kind::Request)?;
            let parsed: StartRequest = serde_json::from_slice(&bytes)
                .with_context(|| format!("`{}` is not a valid start request", request.display()))?;
            let outcome = sessions.sessions().start(&parsed, return_to.as_deref(), now)?;
            match outcome.session {
                Some(session) if session.is_pending() => {
                    let mut answer = serde_json::to_value(&session)?;
                    answer["decision"] = "pending".into();
                    answer["approvers"] = serde_json::to_value(outcome.decision.approvers())?;
                    print(&answer)?;
                    Ok(Exit::Pending)
                }
                Some(session) => {
                    let mut answer = serde_json::to_value(&session)?;
                    if let Some(token) = sessions.access().token_for(&session, now) {
                        answer["token"] = token.into();
                    }
                    print(&answer)?;
                    Ok(Exit::Success)
                }
                None => {
                    // The contract's decision, naming the version that decided.
                    let mut decision = serde_json::to_value(&outcome.decision)?;
                    decision["policy"] = serde_json::to_value(&outcome.policy)?;
                    print(&decision)?;
                    Ok(Exit::Deny)
                }
            }
        }
        // Read-only: a session past its deadline is shown as its expiry will
        // be recorded, without recording it (see `Sessions::peek_status`).
        Command::Status { id } => {
            print(&sessions.sessions().peek_status(&id, now)?)?;
            Ok(Exit::Success)
        }
        Command::Token { id } => match sessions.access().token(&id, now)? {
            Some(token) => {
                print(&serde_json::json!({ "token": token }))?;
                Ok(Exit::Success)
            }
            None => anyhow::bail!("no token key: give `--token-key FILE` (made by `standin key gen-signing`)"),
        },
        Command::End { id } => {
            print(&sessions.sessions().end(&id, now)?)?;
            Ok(Exit::Success)
        }
        Command::Approve { id, approver } => {
            let approver = principal(&approver)?;
            answered(sessions, sessions.sessions().approve(&id, &approver, now)?, now)
        }
        Command::Reject { id, approver, reason } => {
            let approver = principal(&approver)?;
            answered(sessions, sessions.sessions().reject(&id, &approver, &reason, now)?, now)
        }
        Command::Extend { id, ttl } => {
            let outcome = sessions.sessions().extend(&id, ttl, now)?;
            if outcome.decision.is_allow() {
                // An extension never shortens: say so when it kept the expiry.
                let mut answer = serde_json::to_value(&outcome.session)?;
                if outcome.kept_expiry {
                    answer["kept_expiry"] = true.into();
                }
                print(&answer)?;
                Ok(Exit::Success)
            } else {
                output::line(&outcome.decision.to_json())?;
                Ok(Exit::Deny)
            }
        }
        Command::Revoke {
            id,
            tenant,
            actor,
            reason,
        } => {
            match (id, tenant, actor) {
                (Some(id), _, _) => print(&sessions.sessions().revoke(&id, &reason, now)?)?,
                (None, Some(tenant), Some(actor)) => {
                    for ended in sessions.sessions().revoke_actor(&tenant, &actor, &reason, now)? {
                        print(&ended)?;
                    }
                }
                _ => anyhow::bail!("name a session, or `--tenant` and `--actor`"),
            }
            Ok(Exit::Success)
        }
        Command::List { tenant, active } => {
            // Page by page: a long list streams in bounded memory.
            let mut after = None;
            loop {
                let (page, next) =
                    sessions
                        .sessions()
                        .peek_page(&tenant, active, after.as_deref(), output::PAGE, now)?;
                for s in page {
                    print(&s)?;
                }
                match next {
                    Some(n) => after = Some(n),
                    None => return Ok(Exit::Success),
                }
            }
        }
        Command::Origins { tenant, allow, clear } => {
            let origins = if clear || !allow.is_empty() {
                sessions.access().set_return_origins(&tenant, &allow)?
            } else {
                sessions.access().return_origins(&tenant)?
            };
            print(&serde_json::json!({"tenant": tenant, "return_origins": origins}))?;
            Ok(Exit::Success)
        }
    }
}

/// The exit code of a decision: allow 0, deny 2, pending 4.
pub fn exit_of(decision: &standin::Decision) -> Exit {
    match decision.verdict() {
        standin::Verdict::Allow => Exit::Success,
        standin::Verdict::Pending => Exit::Pending,
        _ => Exit::Deny,
    }
}

fn principal(path: &std::path::Path) -> Result<standin::Principal> {
    let bytes = input::read(path, Kind::Request)?;
    serde_json::from_slice(&bytes).with_context(|| format!("`{}` is not a valid principal", path.display()))
}

/// An approval's answer: the session (with its token once approved), or
/// the refusal.
fn answered(sessions: &Standin, outcome: standin::ApprovalOutcome, now: DateTime<Utc>) -> Result<Exit> {
    if !outcome.decision.is_allow() {
        output::line(&outcome.decision.to_json())?;
        return Ok(Exit::Deny);
    }
    let mut answer = serde_json::to_value(&outcome.session)?;
    if let Some(token) = sessions.access().token_for(&outcome.session, now) {
        answer["token"] = token.into();
    }
    print(&answer)?;
    Ok(Exit::Success)
}

/// `standin sweep`: record every session past its deadline as expired.
pub fn sweep(sessions: &Standin, now: DateTime<Utc>) -> Result<Exit> {
    for s in sessions.sessions().sweep(now)? {
        print(&s)?;
    }
    Ok(Exit::Success)
}

#[derive(Debug, clap::Args)]
pub struct AuthorizeArgs {
    /// The session the actor acts in.
    session: String,
    /// The action, a dotted name (`billing.purchase`, `course.view`, ...).
    action: String,
    /// What the action is on.
    #[arg(long, value_name = "R")]
    resource: Option<String>,
}

/// `standin authorize`: the decision plus `acting_as` and `on_behalf_of`.
pub fn authorize(args: AuthorizeArgs, sessions: &Standin, now: DateTime<Utc>) -> Result<Exit> {
    let answer = sessions
        .sessions()
        .authorize(&args.session, &args.action, args.resource.as_deref(), now)?;
    print(&answer)?;
    Ok(if answer.decision.is_allow() {
        Exit::Success
    } else {
        Exit::Deny
    })
}
