//! `standin`: check impersonation requests against a policy component.
//!
//! Exit codes tell a refusal from a failure: 0 allow (or every test case
//! passed), 2 deny, 3 some test case failed, 4 pending (a start that waits
//! for approval), 1 error (bad input, unloadable policy) with the reason on
//! stderr. Usage errors (an unknown flag, a
//! missing argument) are errors too: exit 1, never 2, which means deny.
//!
//! Inputs are size-capped while they are read ([`input`]); output goes
//! through [`output`], so a closed standard output ends quietly; commands
//! that only read open the database read-only and never create it.

mod audit;
mod check;
mod input;
mod issuers;
mod key;
mod migrate;
mod open;
mod outbox;
mod output;
mod policy_cmd;
mod principal;
mod progress;
mod routes;
mod scaffold;
mod scaffold_py;
mod scaffold_ts;
mod serve;
mod session;
mod test;
mod webhook;

use clap::{Parser, Subcommand};
use open::{Access, Db, open as sessions};
use std::process::ExitCode;

/// What the process tells its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success: allowed, done, or every case passed.
    Success = 0,
    /// Bad input or an unloadable policy.
    Error = 1,
    /// Denied.
    Deny = 2,
    /// Some test case failed.
    Failed = 3,
    /// A start that waits for approval (stored `pending`).
    Pending = 4,
}

#[derive(Debug, Parser)]
#[command(name = "standin", version, about = "Impersonation policies as WebAssembly components", long_about = None)]
struct Cli {
    /// The host's clock (RFC 3339): the time of session, policy, sweep and authorize
    /// commands, and of `check` requests that name no time; default: now.
    #[arg(long, global = true, value_name = "RFC3339", env = "STANDIN_NOW")]
    now: Option<chrono::DateTime<chrono::Utc>>,
    /// The session database (SQLite; default `standin.db`): created when
    /// missing by commands that write; opened read-only by those that only read.
    #[arg(long, global = true, value_name = "PATH", env = "STANDIN_DB")]
    db: Option<std::path::PathBuf>,
    /// A PostgreSQL database (`postgres://user@host:port/db`) instead of
    /// `--db`: sessions, policies and one audit chain per tenant shared by
    /// every process and `serve` replica that names it.
    #[arg(long, global = true, value_name = "URL", env = "STANDIN_DATABASE_URL")]
    database_url: Option<String>,
    /// With `--database-url`: when a group commit of actions waits for its
    /// WAL flush. `after-commit` (default): once the tenant's audit chain is
    /// free again, so a slow disk or a synchronous standby does not hold
    /// every replica's appends; `in-commit`: under the chain's lock (less
    /// database CPU where a flush is quick). Give every replica the same.
    #[arg(long, global = true, value_name = "WHEN", env = "STANDIN_DATABASE_FLUSH",
          value_parser = ["after-commit", "in-commit"])]
    database_flush: Option<String>,
    /// Let tenants that never stored a policy run on the built-in one with its
    /// defaults (version 0). Off: their starts are denied `policy-unavailable` (T1).
    #[arg(long, global = true, env = "STANDIN_BUILTIN_FALLBACK")]
    builtin_fallback: bool,
    /// The host key (32 bytes, made on first use): it keys the audit chain,
    /// tags the rows the host acts on and seals compiled policies; keep it
    /// outside the database, and give every replica the same file.
    /// Default: `$XDG_CONFIG_HOME/standin/host.key` or `~/.config/standin/host.key`.
    #[arg(long, global = true, value_name = "FILE", env = "STANDIN_HOST_KEY_FILE")]
    host_key: Option<std::path::PathBuf>,
    /// An Ed25519 key file (`standin key gen-signing`) that signs
    /// impersonation tokens: started sessions then carry `token`. Give it
    /// again with the previous key while rotating: the first signs, every
    /// one is published (`key jwks`) and accepted.
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "STANDIN_TOKEN_KEY",
        value_delimiter = ','
    )]
    token_key: Vec<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Ask a policy one question and print its decision as JSON.
    ///
    /// Exit 0 when allowed, 2 when denied, 4 when a start waits for
    /// approval, 1 on bad input or an unloadable policy. A request the host
    /// cannot read is also printed as a deny with `invalid-request`.
    ///
    /// The compiled policy is kept for the next run in
    /// `$XDG_CACHE_HOME/standin` (`STANDIN_CACHE_DIR`; set it empty to turn
    /// that off), sealed with the host key: a file it did not seal is
    /// compiled again, never run.
    Check(check::Args),
    /// Run suite files against a policy: every case's answer against its
    /// expectation, with coverage.
    ///
    /// Exit 0 when every case passed, 3 when some failed, 1 when a suite is
    /// malformed (the file and case are named) or the policy cannot be loaded.
    Test(test::Args),
    /// Tenants' policy versions (in `--db`): set, upload (checked and
    /// tested), activate, rollback, list, show, and diff (what-if replay
    /// of the audit trail against a version).
    #[command(subcommand)]
    Policy(policy_cmd::Command),
    /// Impersonation sessions: start, status (the banner), end, extend,
    /// revoke (one, or every session of an actor), list.
    ///
    /// Exit 0 done, 2 refused by the policy (the deny is printed), 1 error
    /// (unknown or already ended session, bad input).
    #[command(subcommand)]
    Session(session::Command),
    /// Record every session past its deadline as ended (expired) at its
    /// deadline; prints each one.
    Sweep,
    /// Principals (users): `update` gives new facts about one, and every
    /// active session it is part of is asked again.
    #[command(subcommand)]
    Principal(principal::Command),
    /// May the actor do ACTION inside the session? Prints the decision with
    /// `acting_as` (the target) and `on_behalf_of` (the actor); exit 0
    /// allowed, 2 denied. Ended or expired sessions are denied.
    Authorize(session::AuthorizeArgs),
    /// The audit trail: query it, verify it (its hash chain, the sessions
    /// and policy versions against it, signed checkpoints), sign
    /// checkpoints of it.
    #[command(subcommand)]
    Audit(audit::Command),
    /// Keys: API keys of `standin serve` (create, list, revoke), and the
    /// Ed25519 key that signs audit checkpoints (gen-signing).
    #[command(subcommand)]
    Key(key::Command),
    /// Messages to impersonated users: list, acknowledge, configure.
    #[command(subcommand)]
    Outbox(outbox::Command),
    /// Webhook endpoints: add, list, show, remove, rotate the secret,
    /// test, read the delivery log, replay dead letters. `standin serve`
    /// delivers the tenant's audit events to them, signed as Standard
    /// Webhooks say.
    #[command(subcommand)]
    Webhook(webhook::Command),
    /// Route tables: which action each request a gateway asks about
    /// (`/v1/forward-auth`: nginx auth_request, Caddy forward_auth,
    /// Traefik forwardAuth) is, by method and path.
    #[command(subcommand)]
    Routes(routes::Command),
    /// Trusted issuers: the identity providers whose JWTs the token
    /// exchange (`POST /v1/tenants/{t}/oauth/token`, RFC 8693) takes as
    /// the target's and the admin's tokens, each with its JWKS.
    #[command(subcommand)]
    Issuers(issuers::Command),
    /// Move a SQLite database into an empty PostgreSQL one, chain and all:
    /// `--from sqlite:PATH --to postgres://...`.
    ///
    /// Copies every table in one transaction (nothing is written when it
    /// fails), then verifies each tenant's chain on the target against the
    /// source's; prints what it copied and found. Exit 0 when every chain
    /// is intact and the same on both, 1 otherwise.
    Migrate(migrate::Args),
    /// Serve the HTTP API (JSON, API keys, AuthZEN 1.0, OpenAPI, metrics)
    /// until SIGTERM or SIGINT, then drain and exit 0.
    ///
    /// With no option it serves `standin.db` on 127.0.0.1:8080. Make keys
    /// with `standin key create`.
    Serve(serve::Args),
}

/// Parses the command line. `--help` and `--version` print and exit 0;
/// every other parse error prints clap's message on stderr and exits 1
/// (clap's own exit is 2, which here means deny).
fn parse() -> Result<Cli, ExitCode> {
    use clap::error::ErrorKind;
    Cli::try_parse().map_err(|e| {
        // Help and version go to stdout, errors to stderr; a closed stream is no panic.
        let _ = e.print();
        match e.kind() {
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => ExitCode::SUCCESS,
            _ => ExitCode::from(Exit::Error as u8),
        }
    })
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(exit) => return exit,
    };
    let now = cli.now.unwrap_or_else(chrono::Utc::now);
    let db = Db {
        path: cli.db.clone().unwrap_or_else(|| "standin.db".into()),
        url: cli.database_url.clone(),
        flush: cli.database_flush.clone(),
        builtin_fallback: cli.builtin_fallback,
        host_key: cli.host_key.clone(),
        token_keys: cli.token_key.clone(),
        test_clock: cli.now.is_some(),
    };
    let result = match cli.command {
        Command::Check(args) => check::run(args, now, cli.host_key.as_deref()),
        Command::Test(args) => test::run(args, cli.host_key.as_deref()),
        Command::Policy(policy_cmd::Command::New { name, dir, lang }) => policy_cmd::new_crate(&name, &dir, lang),
        Command::Policy(policy_cmd::Command::Schema) => policy_cmd::schema(),
        Command::Policy(c) => sessions(&db, c.access()).and_then(|s| policy_cmd::run(c, &s, now)),
        Command::Session(c) => sessions(&db, c.access()).and_then(|s| session::run(c, &s, now)),
        Command::Sweep => sessions(&db, Access::Write).and_then(|s| session::sweep(&s, now)),
        Command::Principal(c) => sessions(&db, Access::Write).and_then(|s| principal::run(c, &s, now)),
        Command::Authorize(a) => sessions(&db, Access::Write).and_then(|s| session::authorize(a, &s, now)),
        Command::Audit(c) => sessions(&db, c.access()).and_then(|s| audit::run(c, &s, now)),
        Command::Key(c) => match c.access() {
            Some(access) => sessions(&db, access).and_then(|s| key::run(c, &s, now)),
            None => key::run_offline(c, &db.token_keys),
        },
        Command::Outbox(c) => sessions(&db, c.access()).and_then(|s| outbox::run(c, &s, now)),
        Command::Webhook(c) => sessions(&db, c.access()).and_then(|s| webhook::run(c, &s, now)),
        Command::Routes(c) => sessions(&db, c.access()).and_then(|s| routes::run(c, &s)),
        Command::Issuers(c) => sessions(&db, c.access()).and_then(|s| issuers::run(c, &s)),
        Command::Migrate(args) => migrate::run(args, cli.host_key.as_deref()),
        Command::Serve(_) if cli.now.is_some() => Err(anyhow::anyhow!(
            "`--now` does not apply to `serve`: a server answers on the real clock"
        )),
        Command::Serve(args) => serve::run(
            args,
            serve::Globals {
                db: cli.db,
                database_url: cli.database_url,
                database_flush: cli.database_flush,
                builtin_fallback: cli.builtin_fallback,
                host_key: cli.host_key,
                token_keys: cli.token_key,
            },
        ),
    };
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(e) => {
            output::error_line(&format!("error: {}", output::describe(&e)));
            ExitCode::from(Exit::Error as u8)
        }
    }
}
