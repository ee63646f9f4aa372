//! `standin principal update`: new facts about a user, and the sessions
//! they are part of asked again (see `standin::session`, re-evaluation).

use crate::Exit;
use crate::input::{self, Kind};
use crate::output::json as print;
use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use standin::Standin;
use standin::request::Principal;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Give the host a principal's new facts (roles, permissions, active,
    /// ...): every active session in which it is the actor or the target is
    /// asked again with its policy version; those no longer allowed end
    /// (`revoked`, with the codes that ended them), the others go on with
    /// the new facts. Prints `{"principal", "kept": [ids], "ended": [sessions]}`.
    Update {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// The principal as JSON (`-`: standard input), as in a start request.
        #[arg(value_name = "PRINCIPAL.json")]
        principal: PathBuf,
    },
}

pub fn run(command: Command, sessions: &Standin, now: DateTime<Utc>) -> Result<Exit> {
    match command {
        Command::Update { tenant, principal } => {
            let bytes = input::read(&principal, Kind::Request)?;
            let parsed: Principal = serde_json::from_slice(&bytes)
                .with_context(|| format!("`{}` is not a valid principal", principal.display()))?;
            print(&sessions.sessions().update_principal(&tenant, &parsed, now)?)?;
        }
    }
    Ok(Exit::Success)
}
