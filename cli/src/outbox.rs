//! `standin outbox list|claim|ack|configure`: messages to impersonated users.

use crate::output::json as print;
use crate::{Access, Exit};
use anyhow::Result;
use chrono::{DateTime, Utc};
use standin::Standin;

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
    /// Claim messages to deliver: up to `--limit` unacknowledged messages
    /// no other consumer holds, oldest first, one JSON line each.
    ///
    /// No other consumer (another `claim`, `standin serve`'s
    /// `outbox/claim`, any replica) gets them for `--lease` seconds; one
    /// not acknowledged by then can be claimed again.
    Claim {
        /// Only this tenant.
        #[arg(long)]
        tenant: Option<String>,
        /// At most this many messages.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        limit: u32,
        /// Seconds the messages are held for this consumer.
        #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        lease: u64,
    },
    /// Mark the tenant's messages delivered; prints `{"acked": N}`.
    ///
    /// All or nothing: when some id is not one of the tenant's messages (no
    /// such message, or another tenant's), none is acknowledged and the
    /// unknown ids are named on stderr (exit 1).
    Ack {
        /// The tenant whose messages these are: an id of another tenant is
        /// refused. Without it, ids of any tenant (the operator's form).
        #[arg(long)]
        tenant: Option<String>,
        /// Message ids (as `outbox list` prints them).
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

impl Command {
    /// `list` only reads.
    pub fn access(&self) -> Access {
        match self {
            Self::List { .. } => Access::Read,
            Self::Claim { .. } | Self::Ack { .. } | Self::Configure { .. } => Access::Write,
        }
    }
}

pub fn run(command: Command, sessions: &Standin, now: DateTime<Utc>) -> Result<Exit> {
    match command {
        Command::List { tenant, all } => {
            // Page by page: a long outbox streams in bounded memory.
            let mut after = None;
            loop {
                let page = sessions
                    .outbox()
                    .page(tenant.as_deref(), all, after, crate::output::PAGE)?;
                for m in &page {
                    print(m)?;
                }
                match page.last() {
                    Some(m) if page.len() == crate::output::PAGE => after = Some(m.id),
                    _ => break,
                }
            }
        }
        Command::Claim { tenant, limit, lease } => {
            let lease = std::time::Duration::from_secs(lease);
            for m in sessions.outbox().claim(tenant.as_deref(), limit as usize, lease, now)? {
                print(&m)?;
            }
        }
        Command::Ack { tenant, ids } => {
            let acked = match &tenant {
                Some(t) => sessions.outbox().ack(t, &ids, now)?,
                None => sessions.outbox().ack_any(&ids, now)?,
            };
            if !acked.unknown.is_empty() {
                let unknown: Vec<String> = acked.unknown.iter().map(i64::to_string).collect();
                let whose = tenant.map_or("any tenant".to_string(), |t| format!("tenant `{t}`"));
                anyhow::bail!(
                    "not messages of {whose}: {}; nothing was acknowledged",
                    unknown.join(", ")
                );
            }
            print(&serde_json::json!({"acked": acked.acked}))?;
        }
        Command::Configure {
            tenant,
            enabled,
            started_template,
            ended_template,
        } => {
            let mut n = sessions.outbox().notifications(&tenant)?;
            if let Some(e) = enabled {
                n.enabled = e;
            }
            if let Some(t) = started_template {
                n.started_template = t;
            }
            if let Some(t) = ended_template {
                n.ended_template = t;
            }
            sessions.outbox().set_notifications(&tenant, &n)?;
            print(&n)?;
        }
    }
    Ok(Exit::Success)
}
