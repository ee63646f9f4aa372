//! `standin issuers set|show --tenant T`: the identity providers whose
//! JWTs the tenant's token exchange (`POST /v1/tenants/{t}/oauth/token`,
//! RFC 8693) takes as the target's and the admin's tokens.

use crate::output::json as print;
use crate::{Access, Exit};
use anyhow::{Context as _, Result};
use standin::Standin;
use standin::access::TrustedIssuers;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Replace the tenant's trusted issuers from FILE (`-` for stdin);
    /// prints each as stored, one JSON line per issuer.
    ///
    /// FILE is a JSON list of `{"issuer", "audience", "jwks", "claims"}`:
    /// `issuer` is the tokens' `iss`, exactly; `audience` the `aud` they
    /// must name for Standin; `jwks` the issuer's public keys (RSA, EC
    /// P-256/P-384 or Ed25519; `oct` secrets are refused); `claims`
    /// (optional) JSON pointers to the principal's facts, e.g.
    /// `{"roles": "/realm_access/roles"}` for Keycloak (default `/roles`,
    /// `/permissions`, `/groups`, `/manages`, `/domains`, `/consents`). A
    /// bad issuer is refused naming it (exit 1).
    Set {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// The issuers' file.
        file: PathBuf,
    },
    /// Print the tenant's trusted issuers, one JSON line each.
    Show {
        /// The tenant.
        #[arg(long)]
        tenant: String,
    },
}

impl Command {
    pub fn access(&self) -> Access {
        match self {
            Self::Set { .. } => Access::Write,
            Self::Show { .. } => Access::Read,
        }
    }
}

pub fn run(command: Command, sessions: &Standin) -> Result<Exit> {
    let issuers = match command {
        Command::Set { tenant, file } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading the issuers from stdin")?
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?
            };
            let issuers =
                TrustedIssuers::parse(&text).with_context(|| format!("trusted issuers {}", file.display()))?;
            sessions.access().set_token_issuers(&tenant, &issuers)?;
            issuers
        }
        Command::Show { tenant } => sessions.access().token_issuers(&tenant)?,
    };
    for issuer in issuers.issuers() {
        print(issuer)?;
    }
    Ok(Exit::Success)
}
