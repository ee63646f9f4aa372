//! `standin audit query|verify|checkpoint`.

use crate::{Access, Exit, output};
use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use clap::ValueEnum;
use standin::Standin;
use standin::audit::{CheckpointError, Format, NamedCheckpoint, PublicKey, SigningKey, VerifyOptions, View, render};
use standin::store::AuditFilter;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// Aligned columns for people.
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ViewArg {
    /// Each event under the actor, the target as detail.
    Impersonator,
    /// Each event under the target, the actor as detail.
    Impersonated,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print audit events matching every filter given, by tenant and seq.
    Query {
        /// Only this tenant.
        #[arg(long)]
        tenant: Option<String>,
        /// Only events of this actor (the impersonator).
        #[arg(long, value_name = "ID")]
        actor: Option<String>,
        /// Only events of this target (the impersonated user).
        #[arg(long, value_name = "ID")]
        target: Option<String>,
        /// Only this event (`session.started`, `action.denied`, ...).
        #[arg(long, value_name = "E")]
        event: Option<String>,
        /// Only this session.
        #[arg(long, value_name = "ID")]
        session: Option<String>,
        /// Events at or after this time (RFC 3339).
        #[arg(long, value_name = "T")]
        since: Option<DateTime<Utc>>,
        /// Events before this time (RFC 3339).
        #[arg(long, value_name = "T")]
        until: Option<DateTime<Utc>>,
        /// Output format.
        #[arg(long, value_enum, default_value = "jsonl")]
        format: FormatArg,
        /// Show each event under the actor or under the target (adds `user` and `detail`).
        #[arg(long, value_enum)]
        view: Option<ViewArg>,
        /// Include the request each decision was made on (JSON lines only).
        #[arg(long)]
        with_request: bool,
    },
    /// Recompute each tenant's hash chain, compare its sessions and policy
    /// versions with it, and check signed checkpoints: exit 0 intact, 3
    /// broken (every problem is named on stderr).
    Verify {
        /// Only this tenant.
        #[arg(long)]
        tenant: Option<String>,
        /// A checkpoint (from `audit checkpoint`) the chain must still hold:
        /// its signature, tenant, seq and hash. Repeatable.
        #[arg(long, value_name = "FILE")]
        checkpoint: Vec<PathBuf>,
        /// Every checkpoint must be signed by this public key (base64url, as
        /// `key gen-signing` prints it). base64url may begin with `-`: the
        /// value is taken as given.
        #[arg(long, value_name = "KEY", allow_hyphen_values = true)]
        public_key: Option<String>,
    },
    /// Sign the tenant's chain head (seq and hash) with an Ed25519 key kept
    /// outside the database, and print the checkpoint as JSON; keep it
    /// elsewhere for `audit verify --checkpoint`. Exit 3 when the chain is
    /// broken (nothing is signed).
    Checkpoint {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// The signing key file (`key gen-signing`).
        #[arg(long, value_name = "KEY_FILE")]
        key: PathBuf,
    },
}

impl Command {
    /// All only read.
    pub fn access(&self) -> Access {
        Access::Read
    }
}

/// `audit checkpoint`: the checkpoint on stdout, or exit 3 for a broken chain.
fn checkpoint(sessions: &Standin, tenant: &str, key: &std::path::Path, now: DateTime<Utc>) -> Result<Exit> {
    let key = SigningKey::read(key)?;
    match sessions.audit().checkpoint(tenant, &key, now) {
        Ok(c) => {
            output::json(&c)?;
            Ok(Exit::Success)
        }
        Err(e @ CheckpointError::Broken(_)) => {
            output::error_line(&e.to_string());
            Ok(Exit::Failed)
        }
        Err(e) => Err(e.into()),
    }
}

pub fn run(command: Command, sessions: &Standin, now: DateTime<Utc>) -> Result<Exit> {
    match command {
        Command::Query {
            tenant,
            actor,
            target,
            event,
            session,
            since,
            until,
            format,
            view,
            with_request,
        } => {
            let filter = AuditFilter {
                tenant,
                actor,
                target,
                event,
                session,
                since,
                until,
                ..AuditFilter::default()
            };
            let mut events = sessions.audit().query(&filter)?;
            if !with_request {
                events.iter_mut().for_each(|e| e.request = None);
            }
            let format = match format {
                FormatArg::Jsonl => Format::Jsonl,
                FormatArg::Csv => Format::Csv,
                FormatArg::Table => Format::Table,
            };
            let view = view.map(|v| match v {
                ViewArg::Impersonator => View::Impersonator,
                ViewArg::Impersonated => View::Impersonated,
            });
            output::write(render(&events, format, view).as_bytes())?;
            Ok(Exit::Success)
        }
        Command::Verify {
            tenant,
            checkpoint,
            public_key,
        } => {
            let checkpoints = checkpoint
                .iter()
                .map(|p| NamedCheckpoint::read(p))
                .collect::<Result<Vec<_>, _>>()?;
            let trusted = public_key
                .as_deref()
                .map(PublicKey::parse)
                .transpose()
                .context("`--public-key`")?;
            let chains = sessions.audit().verify_with(&VerifyOptions {
                tenant: tenant.as_deref(),
                checkpoints: &checkpoints,
                trusted_key: trusted.as_ref(),
            })?;
            let mut exit = Exit::Success;
            for chain in chains {
                output::json(&chain)?;
                for problem in &chain.problems {
                    output::error_line(&problem.to_string());
                }
                if chain.broken.is_some() {
                    exit = Exit::Failed;
                }
            }
            Ok(exit)
        }
        Command::Checkpoint { tenant, key } => checkpoint(sessions, &tenant, &key, now),
    }
}
