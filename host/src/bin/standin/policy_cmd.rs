//! `standin policy set|show`: a tenant's stored policy.

use crate::Exit;
use crate::check::read_input;
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use standin::Sessions;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Store and activate a tenant's policy (a new version); running
    /// sessions keep the version they started with.
    ///
    /// The policy is loaded first: settings it refuses, or a component
    /// that does not load, are an error (exit 1) and nothing is stored.
    Set {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// A policy component (`.wasm`); default: the built-in policy.
        #[arg(long, value_name = "FILE.wasm")]
        policy: Option<PathBuf>,
        /// The policy's settings (JSON); default: `{}`, the policy's defaults.
        #[arg(long, value_name = "FILE.json")]
        settings: Option<PathBuf>,
    },
    /// Print a tenant's active policy (version 0: the built-in one with its defaults).
    Show {
        /// The tenant.
        #[arg(long)]
        tenant: String,
    },
}

pub fn run(command: Command, sessions: &Sessions, now: DateTime<Utc>) -> Result<Exit> {
    match command {
        Command::Set {
            tenant,
            policy,
            settings,
        } => {
            let settings = match &settings {
                Some(path) => String::from_utf8(read_input(path)?)
                    .with_context(|| format!("settings `{}` are not UTF-8", path.display()))?,
                None => "{}".to_string(),
            };
            let component = policy.as_deref().map(read_input).transpose()?;
            let stored = sessions.set_policy(&tenant, component.as_deref(), &settings, now)?;
            println!("{}", serde_json::to_string(&stored)?);
        }
        Command::Show { tenant } => match sessions.active_policy(&tenant)? {
            Some(stored) => println!("{}", serde_json::to_string(&stored)?),
            None => println!(
                "{}",
                serde_json::json!({"tenant": tenant, "version": 0, "settings": "{}", "builtin": true})
            ),
        },
    }
    Ok(Exit::Allow)
}
