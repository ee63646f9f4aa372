//! A throwaway PostgreSQL server for tests, from the system's binaries
//! (Debian's `postgresql` package: `initdb` and `pg_ctl` under
//! `/usr/lib/postgresql/*/bin`, or `STANDIN_PG_BIN`): a fresh cluster in a
//! temporary folder on a free loopback port, stopped and deleted when the
//! [`PgServer`] is dropped. PostgreSQL refuses to run as root, so as root
//! it runs as the `postgres` user.
//!
//! Where no PostgreSQL is installed, [`PgServer::start`] answers `None`
//! and the PostgreSQL half of a suite is skipped with a note, unless
//! `STANDIN_REQUIRE_POSTGRES=1` (CI sets it), which makes that a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running server; stopped and deleted on drop.
#[derive(Debug)]
pub struct PgServer {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

/// The folder of `initdb` and `pg_ctl`, if PostgreSQL is installed.
fn bin_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("STANDIN_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    found.sort();
    found.pop()
}

/// Whether a missing PostgreSQL is a failure (`STANDIN_REQUIRE_POSTGRES=1`).
pub fn required() -> bool {
    std::env::var("STANDIN_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

impl PgServer {
    /// Starts a fresh server; `None` when PostgreSQL is not installed (a
    /// panic instead when [`required`]).
    pub fn start() -> Option<Self> {
        let Some(bin) = bin_dir() else {
            assert!(
                !required(),
                "STANDIN_REQUIRE_POSTGRES=1 but no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)"
            );
            eprintln!("note: PostgreSQL is not installed; its half of this test is skipped");
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("standin-pg")
            .tempdir()
            .expect("temp dir");
        let as_postgres = is_root();
        if as_postgres {
            // The cluster's folder must belong to the user that runs it.
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success(), "cannot give the cluster folder to `postgres`");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let server = Self {
            bin,
            dir,
            port,
            as_postgres,
        };
        let data = server.data();
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "standin",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--no-instructions",
            ],
        );
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            server.dir.path().display()
        );
        let log = server.dir.path().join("server.log").display().to_string();
        server.run(
            "pg_ctl",
            &["-D", &data, "-o", &options, "-l", &log, "-w", "-t", "60", "start"],
        );
        Some(server)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).output().expect("run a PostgreSQL tool");
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        assert!(
            out.status.success(),
            "{tool} failed: {}\n{}\n{log}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The URL of database `name` (made by [`Self::create_database`]).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://standin@127.0.0.1:{}/{name}", self.port)
    }

    /// Makes an empty database and answers its URL.
    pub fn create_database(&self, name: &str) -> String {
        self.sql("postgres", &format!("CREATE DATABASE \"{name}\""));
        self.url(name)
    }

    /// Runs `sql` in database `name` (as a database writer would, around
    /// Standin); panics when it fails.
    pub fn sql(&self, name: &str, sql: &str) {
        self.run(
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "standin",
                "-d",
                name,
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
        );
    }

    /// The cluster's folder (its log is `server.log` there).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl")
            .args(["-D", &data, "-m", "immediate", "-w", "stop"])
            .output();
    }
}
