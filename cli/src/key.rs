//! `standin key ...`: API keys of `standin serve` (create, list, revoke),
//! and the Ed25519 key that signs audit checkpoints (gen-signing).

use crate::{Access, Exit, output};
use anyhow::Result;
use chrono::{DateTime, Utc};
use standin::Standin;
use standin::access::Scope;
use standin::audit::SigningKey;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Make an API key for `standin serve` and print it, once, as JSON
    /// (`{"id", "tenant", "scope", "key"}`); the database keeps only its hash.
    ///
    /// Scopes: `decide` (checks, sessions, authorize, AuthZEN), `audit`
    /// (audit query and verify, outbox read), `admin` (everything of the
    /// tenant, with revoke, policies, notifications and outbox ack).
    Create {
        /// The tenant the key reaches (and no other).
        #[arg(long)]
        tenant: String,
        /// What the key may do.
        #[arg(long, value_parser = parse_scope)]
        scope: Scope,
        /// A label for people (which service holds it).
        #[arg(long)]
        name: Option<String>,
    },
    /// List a tenant's API keys (never their secrets), one JSON line each.
    List {
        /// The tenant.
        #[arg(long)]
        tenant: String,
    },
    /// Revoke an API key: it authenticates nothing from now on.
    Revoke {
        /// The key's id (`k-...`).
        id: String,
    },
    /// Make an Ed25519 signing key for `audit checkpoint` or impersonation
    /// tokens (`--token-key`) in a new file
    /// (mode 0600, never overwritten) and print its public key as JSON.
    ///
    /// Keep the file away from the database: whoever holds it can sign
    /// checkpoints.
    GenSigning {
        /// Where to write the key; must not exist yet.
        #[arg(long, value_name = "KEY_FILE")]
        out: PathBuf,
    },
    /// Print the public keys of impersonation tokens as a JWKS (what
    /// `standin serve` publishes at `/.well-known/jwks.json`): every
    /// `--token-key`, the signing one first.
    Jwks,
}

fn parse_scope(s: &str) -> Result<Scope, String> {
    s.parse().map_err(|e: standin::access::KeyError| e.to_string())
}

impl Command {
    /// Whether the command needs the database, and how.
    pub fn access(&self) -> Option<Access> {
        match self {
            Self::Create { .. } | Self::Revoke { .. } => Some(Access::Write),
            Self::List { .. } => Some(Access::Read),
            Self::GenSigning { .. } | Self::Jwks => None,
        }
    }
}

/// `gen-signing` and `jwks`, which need no database.
pub fn run_offline(command: Command, token_keys: &[PathBuf]) -> Result<Exit> {
    match command {
        Command::Jwks => match standin::access::TokenKeys::read(token_keys)? {
            Some(keys) => {
                output::json(&keys.jwks())?;
                Ok(Exit::Success)
            }
            None => anyhow::bail!("no token key: give `--token-key FILE`"),
        },
        Command::GenSigning { out } => {
            let key = SigningKey::generate()?;
            key.write_new(&out)?;
            output::json(&key.public())?;
            Ok(Exit::Success)
        }
        _ => unreachable!("every other key command opens the database"),
    }
}

pub fn run(command: Command, sessions: &Standin, now: DateTime<Utc>) -> Result<Exit> {
    match command {
        Command::Create { tenant, scope, name } => {
            output::json(&sessions.access().create_key(&tenant, scope, name.as_deref(), now)?)?;
        }
        Command::List { tenant } => {
            for key in sessions.access().keys(&tenant)? {
                output::json(&key)?;
            }
        }
        Command::Revoke { id } => output::json(&sessions.access().revoke_key(&id, now)?)?,
        c @ (Command::GenSigning { .. } | Command::Jwks) => return run_offline(c, &[]),
    }
    Ok(Exit::Success)
}
