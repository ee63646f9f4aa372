//! `standin key gen-signing`: the Ed25519 key that signs audit checkpoints.

use crate::{Exit, output};
use anyhow::Result;
use standin::session::SigningKey;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Make an Ed25519 signing key for `audit checkpoint` in a new file
    /// (mode 0600, never overwritten) and print its public key as JSON.
    ///
    /// Keep the file away from the database: whoever holds it can sign
    /// checkpoints.
    GenSigning {
        /// Where to write the key; must not exist yet.
        #[arg(long, value_name = "KEY_FILE")]
        out: PathBuf,
    },
}

pub fn run(command: Command) -> Result<Exit> {
    match command {
        Command::GenSigning { out } => {
            let key = SigningKey::generate()?;
            key.write_new(&out)?;
            output::json(&key.public())?;
            Ok(Exit::Allow)
        }
    }
}
