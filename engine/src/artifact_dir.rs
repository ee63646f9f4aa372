//! Compiled components kept in a directory between processes: what makes a
//! one-shot command (`standin check`) fast after its first run.
//!
//! Compiling the built-in policy takes a third of a second; reading back
//! what an earlier process compiled takes a few milliseconds. Deserialized
//! code runs unverified, so a file is only used when its tag proves that
//! this host key sealed it for this component and this engine (the same
//! [`HostKey`] scheme as artifacts in the store); anything else is ignored
//! and compiled again. Every failure here costs speed, never a decision:
//! a directory that cannot be read or written means compiling.

use crate::compiled::Compiled;
use crate::digest::Digest;
use crate::host::Artifacts;
use crate::host::Host;
use crate::hostkey::HostKey;
use crate::load::LoadError;
use crate::policy::Policy;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A directory of compiled components, sealed with a host key.
#[derive(Debug)]
pub struct ArtifactDir {
    dir: PathBuf,
    key: HostKey,
}

impl ArtifactDir {
    pub fn new(dir: impl Into<PathBuf>, key: HostKey) -> Self {
        Self { dir: dir.into(), key }
    }

    /// Where the CLI keeps it when told nothing: `$XDG_CACHE_HOME/standin`,
    /// else `$HOME/.cache/standin`.
    pub fn default_path() -> Option<PathBuf> {
        Some(crate::hostkey::user_dir("XDG_CACHE_HOME", ".cache")?.join("standin"))
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The file of a component for an engine: both hashed into its name, so
    /// an engine upgrade never finds (nor overwrites) another's.
    fn file(&self, digest: &str, engine: &str) -> PathBuf {
        let name = Digest::of(format!("{digest}\n{engine}").as_bytes()).to_string();
        let name = name.trim_start_matches("sha256:");
        self.dir.join(format!("{}.cwasm", &name[..32.min(name.len())]))
    }
}

impl Artifacts for ArtifactDir {
    fn compiled(&self, host: &Host, digest: Digest) -> Option<Arc<Compiled>> {
        let sealed = std::fs::read(self.file(&digest.to_string(), host.engine_key())).ok()?;
        self.key.open_compiled(host, digest, &sealed)
    }

    fn keep(&self, host: &Host, compiled: &Compiled) {
        let Some(sealed) = self.key.seal_compiled(host, compiled) else {
            return;
        };
        let file = self.file(&compiled.digest().to_string(), host.engine_key());
        // Written aside, then renamed: a reader never sees half a file.
        let partial = file.with_extension(format!("{}.partial", std::process::id()));
        let written = std::fs::create_dir_all(&self.dir)
            .and_then(|()| std::fs::write(&partial, sealed))
            .and_then(|()| std::fs::rename(&partial, &file));
        if written.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
    }
}

impl Host {
    /// [`Host::load`], with the compiled component read from `dir` when an
    /// earlier process of the same key and engine left it there, and left
    /// there when it had to be compiled. So is the component
    /// pre-initialized with `settings`, for fresh instances.
    pub fn load_cached(&self, bytes: &[u8], settings: &str, dir: &ArtifactDir) -> Result<Policy, LoadError> {
        let compiled = self.compile_kept(bytes, Some(dir))?;
        self.configure(compiled, settings, Some(bytes), Some(dir))
    }
}
