//! The host key: a secret kept outside the store that authenticates the
//! compiled artifacts the host writes there.
//!
//! Deserializing a compiled artifact loads native code, so an artifact is
//! only as trustworthy as whoever could write it. A checksum stored beside
//! the bytes proves nothing (whoever rewrites one rewrites the other), so
//! each artifact carries an HMAC-SHA256 tag made with this key and bound to
//! the component's digest and the engine configuration: a database writer
//! without the key can neither forge an artifact nor move one to another
//! component. An artifact whose tag does not hold is ignored and the
//! component is compiled again from its bytes (whose sha256 is checked).
//!
//! The key is 32 random bytes in a file (mode 0600), made on first use.

use crate::compiled::Compiled;
use crate::digest::Digest;
use crate::host::Host;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What an authenticated artifact starts with, before its 32-byte tag.
const MAGIC: &[u8; 16] = b"standin-artf-v1\0";
const TAG_BYTES: usize = 32;

/// Why the host key cannot be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HostKeyError {
    #[error("cannot read the host key `{path}`")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the host key `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the host key `{path}` is {actual} bytes, not 32")]
    Length { path: PathBuf, actual: usize },
    #[error("the system's random source failed: {0}")]
    Random(String),
}

/// A 32-byte secret that authenticates compiled artifacts.
#[derive(Clone)]
pub struct HostKey([u8; 32]);

impl std::fmt::Debug for HostKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostKey(..)")
    }
}

impl HostKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A new random key.
    pub fn generate() -> Result<Self, HostKeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| HostKeyError::Random(e.to_string()))?;
        Ok(Self(bytes))
    }

    /// The key in `path`, made there (mode 0600, with its folder) when the
    /// file does not exist. Two processes making it at once agree on one:
    /// the key is written to a temporary file and linked into place, which
    /// fails when another process got there first.
    pub fn load_or_create(path: &Path) -> Result<Self, HostKeyError> {
        match std::fs::read(path) {
            Ok(bytes) => return Self::decode(path, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(HostKeyError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
        let write = |source| HostKeyError::Write {
            path: path.to_path_buf(),
            source,
        };
        let key = Self::generate()?;
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(write)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".standin-host-key")
            .tempfile_in(dir)
            .map_err(write)?;
        tmp.write_all(&key.0)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(write)?;
        match std::fs::hard_link(tmp.path(), path) {
            Ok(()) => Ok(key),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let bytes = std::fs::read(path).map_err(|source| HostKeyError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                Self::decode(path, &bytes)
            }
            Err(e) => Err(write(e)),
        }
    }

    /// A key for one purpose, derived from this one (`HMAC(key, label)`):
    /// the audit chain and the rows the host trusts each get their own,
    /// so no tag made for one can pass for another.
    pub fn derive(&self, label: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(b"standin/derive/");
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    fn decode(path: &Path, bytes: &[u8]) -> Result<Self, HostKeyError> {
        <[u8; 32]>::try_from(bytes).map(Self).map_err(|_| HostKeyError::Length {
            path: path.to_path_buf(),
            actual: bytes.len(),
        })
    }

    fn mac(&self, digest: &str, engine: &str, code: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        // Length-prefixed, so no two (digest, engine) pairs share bytes.
        for part in [digest.as_bytes(), engine.as_bytes()] {
            mac.update(&(part.len() as u64).to_le_bytes());
            mac.update(part);
        }
        mac.update(code);
        mac
    }

    /// `code` (a serialized component) with its tag, for the store.
    fn seal_artifact(&self, digest: &str, engine: &str, code: &[u8]) -> Vec<u8> {
        let tag = self.mac(digest, engine, code).finalize().into_bytes();
        let mut out = Vec::with_capacity(MAGIC.len() + TAG_BYTES + code.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&tag);
        out.extend_from_slice(code);
        out
    }

    /// The serialized component inside `artifact`, if its tag proves this
    /// key made it for `digest` and `engine` (compared in constant time).
    fn open_artifact<'a>(&self, digest: &str, engine: &str, artifact: &'a [u8]) -> Option<&'a [u8]> {
        let rest = artifact.strip_prefix(MAGIC.as_slice())?;
        let (tag, code) = rest.split_at_checked(TAG_BYTES)?;
        self.mac(digest, engine, code).verify_slice(tag).ok()?;
        Some(code)
    }
}

/// Sealing and opening compiled components: the only way into
/// `Host::precompiled`, so no caller can hand the engine native code that
/// this key did not seal for this engine.
impl HostKey {
    /// The compiled code of `compiled`, sealed for a later process of a host
    /// with this key and `host`'s engine; `None` when it cannot be
    /// serialized (the next process compiles again).
    pub fn seal_compiled(&self, host: &Host, compiled: &Compiled) -> Option<Vec<u8>> {
        let code = compiled.serialize().ok()?;
        Some(self.seal_artifact(&compiled.digest().to_string(), host.engine_key(), &code))
    }

    /// The component of `digest` in `sealed`, when its tag proves this key
    /// sealed it for `digest` and `host`'s engine; `None` for anything else
    /// (a forged, stale or foreign artifact is compiled again, never run).
    pub fn open_compiled(&self, host: &Host, digest: Digest, sealed: &[u8]) -> Option<Arc<Compiled>> {
        let code = self.open_artifact(&digest.to_string(), host.engine_key(), sealed)?;
        host.precompiled(digest, code).ok()
    }
}

/// Where the CLI keeps the host key when told nothing:
/// `$XDG_CONFIG_HOME/standin/host.key`, else `$HOME/.config/standin/host.key`.
pub fn default_path() -> Option<PathBuf> {
    Some(user_dir("XDG_CONFIG_HOME", ".config")?.join("standin").join("host.key"))
}

/// The XDG base directory `var` names, else `$HOME/<under_home>`; `None`
/// when neither is set (empty counts as unset).
pub(crate) fn user_dir(var: &str, under_home: &str) -> Option<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    set(var)
        .map(PathBuf::from)
        .or_else(|| set("HOME").map(|h| PathBuf::from(h).join(under_home)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_artifact_opens_only_for_its_key_digest_and_engine() {
        let key = HostKey::from_bytes([7; 32]);
        let sealed = key.seal_artifact("sha256:aa", "wasmtime-1", b"code");
        assert_eq!(
            key.open_artifact("sha256:aa", "wasmtime-1", &sealed),
            Some(&b"code"[..])
        );
        assert_eq!(key.open_artifact("sha256:bb", "wasmtime-1", &sealed), None);
        assert_eq!(key.open_artifact("sha256:aa", "wasmtime-2", &sealed), None);
        assert_eq!(
            HostKey::from_bytes([8; 32]).open_artifact("sha256:aa", "wasmtime-1", &sealed),
            None
        );
        let mut edited = sealed.clone();
        *edited.last_mut().expect("bytes") ^= 1;
        assert_eq!(key.open_artifact("sha256:aa", "wasmtime-1", &edited), None);
        assert_eq!(key.open_artifact("sha256:aa", "wasmtime-1", b"code"), None, "no tag");
    }
}
