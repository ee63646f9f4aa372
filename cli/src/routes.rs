//! `standin routes set|show --tenant T`: a tenant's route table, which
//! names the action of each request a gateway asks about
//! (`/v1/forward-auth`).

use crate::output::json as print;
use crate::{Access, Exit};
use anyhow::{Context as _, Result};
use standin::Standin;
use standin::access::RouteTable;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Replace the tenant's route table from FILE (`-` for stdin); prints
    /// it as stored.
    ///
    /// One rule a line, `METHOD PATTERN -> ACTION` (`POST /billing/** ->
    /// billing.purchase`); `*` as the method is any method; in a pattern,
    /// `*` is one path segment and `**` any number; the first rule that
    /// matches names the action; `#` starts a comment. A JSON list of
    /// `{"method", "path", "action"}` is read too. A request no rule
    /// matches is denied `no-route` (end with `* /** -> ACTION` for a
    /// default). A bad rule is refused naming its line (exit 1).
    Set {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// The table's file.
        file: PathBuf,
    },
    /// Print the tenant's route table, one JSON line per rule, in order.
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
    match command {
        Command::Set { tenant, file } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin()).context("reading the route table from stdin")?
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?
            };
            let table = RouteTable::parse(&text).with_context(|| format!("route table {}", file.display()))?;
            sessions.access().set_routes(&tenant, &table)?;
            for rule in table.rules() {
                print(rule)?;
            }
        }
        Command::Show { tenant } => {
            for rule in sessions.access().routes(&tenant)?.unwrap_or_default().rules() {
                print(rule)?;
            }
        }
    }
    Ok(Exit::Success)
}
