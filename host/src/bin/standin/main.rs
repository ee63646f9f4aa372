//! `standin`: check impersonation requests against a policy component.
//!
//! Exit codes tell a refusal from a failure: 0 allow (or every test case
//! passed), 2 deny, 3 some test case failed, 1 error (bad input, unloadable
//! policy) with the reason on stderr.

mod check;
mod test;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// What the process tells its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Allowed, or every case passed.
    Allow = 0,
    /// Bad input or an unloadable policy.
    Error = 1,
    /// Denied.
    Deny = 2,
    /// Some test case failed.
    Failed = 3,
}

#[derive(Debug, Parser)]
#[command(name = "standin", version, about = "Impersonation policies as WebAssembly components", long_about = None)]
struct Cli {
    /// The host's clock (RFC 3339), for requests that name no time; default: now.
    #[arg(long, global = true, value_name = "RFC3339", env = "STANDIN_NOW")]
    now: Option<chrono::DateTime<chrono::Utc>>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ask a policy one question and print its decision as JSON.
    ///
    /// Exit 0 when allowed, 2 when denied, 1 on bad input or an unloadable
    /// policy. A request the host cannot read is also printed as a deny
    /// with `invalid-request`.
    Check(check::Args),
    /// Run suite files against a policy: every case's answer against its
    /// expectation, with coverage.
    ///
    /// Exit 0 when every case passed, 3 when some failed, 1 when a suite is
    /// malformed (the file and case are named) or the policy cannot be loaded.
    Test(test::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let now = cli.now.unwrap_or_else(chrono::Utc::now);
    let result = match cli.command {
        Command::Check(args) => check::run(args, now),
        Command::Test(args) => test::run(args),
    };
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(Exit::Error as u8)
        }
    }
}
