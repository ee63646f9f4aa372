//! `standin outbox list|ack|configure`: messages to impersonated users.

use crate::Exit;
use anyhow::Result;
use chrono::{DateTime, Utc};
use standin::Sessions;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print messages not yet acknowledged, oldest first, one JSON line each.
    List {
        /// Only this tenant.
        #[arg(long)]
        tenant: Option<String>,
        /// Include acknowledged messages.
        #[arg(long)]
        all: bool,
    },
    /// Mark messages delivered.
    Ack {
        /// Message ids.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<i64>,
    },
    /// Switch a tenant's notifications and set their texts; prints the result.
    ///
    /// Placeholders: `{actor}`, `{target}`, `{reason}`, `{session}`,
    /// `{expires_at}`, and in the ended text `{end_reason}`.
    Configure {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// Send messages to impersonated users at all.
        #[arg(long, value_name = "true|false")]
        enabled: Option<bool>,
        /// Text of `impersonation.started`.
        #[arg(long, value_name = "TEXT")]
        started_template: Option<String>,
        /// Text of `impersonation.ended`.
        #[arg(long, value_name = "TEXT")]
        ended_template: Option<String>,
    },
}

pub fn run(command: Command, sessions: &Sessions, now: DateTime<Utc>) -> Result<Exit> {
    match command {
        Command::List { tenant, all } => {
            for m in sessions.outbox(tenant.as_deref(), all)? {
                println!("{}", serde_json::to_string(&m)?);
            }
        }
        Command::Ack { ids } => {
            let n = sessions.ack(&ids, now)?;
            println!("{}", serde_json::json!({"acked": n}));
        }
        Command::Configure {
            tenant,
            enabled,
            started_template,
            ended_template,
        } => {
            let mut n = sessions.notifications(&tenant)?;
            if let Some(e) = enabled {
                n.enabled = e;
            }
            if let Some(t) = started_template {
                n.started_template = t;
            }
            if let Some(t) = ended_template {
                n.ended_template = t;
            }
            sessions.set_notifications(&tenant, &n)?;
            println!("{}", serde_json::to_string(&n)?);
        }
    }
    Ok(Exit::Allow)
}
