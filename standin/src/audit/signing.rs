//! The Ed25519 key that signs audit checkpoints, and the file it lives in.
//!
//! The key must be kept *outside* the database: whoever can rewrite the
//! database can recompute every hash of the chain, but cannot sign a
//! checkpoint without the key, nor change one signed before. So the key is
//! its own file, made once (`standin key gen-signing`), written with mode
//! 0600 and never overwritten, and the public half is printed for whoever
//! verifies.
//!
//! The file is JSON: `{"algorithm": "ed25519", "key_id": ..., "public_key":
//! ..., "secret_key": ...}`, keys in unpadded base64url (RFC 4648 §5), the
//! secret key being the 32-byte seed of RFC 8032. The key id is the first
//! 8 bytes of the sha256 of the public key, in hex: a short name to tell
//! keys apart, not a secret.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::io::Write as _;
use std::path::Path;

/// The only algorithm: Ed25519 (RFC 8032).
pub const ALGORITHM: &str = "ed25519";

/// Key and checkpoint files are small; anything longer is not one.
pub(crate) const MAX_FILE_BYTES: u64 = 64 * 1024;

/// Why a key or checkpoint file could not be made or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    #[error("cannot read `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("`{path}` is over {max} bytes")]
    TooLarge { path: String, max: u64 },
    #[error("`{path}` already exists: a signing key is never overwritten")]
    Exists { path: String },
    #[error("cannot write `{path}`: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("`{path}` is not a signing key file: {message}")]
    BadKeyFile { path: String, message: String },
    #[error("`{key}` is not an ed25519 public key: {message}")]
    BadPublicKey { key: String, message: String },
    #[error("no randomness for a new key: {0}")]
    Random(String),
}

/// A public key as printed and as checkpoints carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicKey {
    pub algorithm: &'static str,
    pub key_id: String,
    /// 32 bytes, unpadded base64url.
    pub public_key: String,
    #[serde(skip)]
    pub(crate) key: ed25519_dalek::VerifyingKey,
}

impl PublicKey {
    fn of(key: ed25519_dalek::VerifyingKey) -> Self {
        Self {
            algorithm: ALGORITHM,
            key_id: key_id(&key.to_bytes()),
            public_key: URL_SAFE_NO_PAD.encode(key.to_bytes()),
            key,
        }
    }

    /// A public key from its base64url text (as `key gen-signing` prints it).
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let bad = |message: String| KeyError::BadPublicKey {
            key: text.to_string(),
            message,
        };
        let bytes: [u8; 32] = decode_exact(text).map_err(bad)?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|e| bad(e.to_string()))?;
        Ok(Self::of(key))
    }
}

/// The first 8 bytes of the sha256 of the public key, in hex.
fn key_id(public: &[u8; 32]) -> String {
    crate::audit::hex(&Sha256::digest(public)[..8])
}

/// Unpadded base64url of exactly `N` bytes.
pub(crate) fn decode_exact<const N: usize>(text: &str) -> Result<[u8; N], String> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| format!("not unpadded base64url ({e})"))?;
    let n = bytes.len();
    bytes.try_into().map_err(|_| format!("{n} bytes, not {N}"))
}

pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The key file's form.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    algorithm: String,
    key_id: String,
    public_key: String,
    secret_key: String,
}

/// An Ed25519 signing key. Its `Debug` shows the key id only, and the
/// secret is wiped from memory when it is dropped.
pub struct SigningKey {
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.public().key_id)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A new key from the operating system's randomness.
    pub fn generate() -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        let key = Self::from_seed(&seed);
        seed.fill(0);
        Ok(key)
    }

    /// The key of a 32-byte seed (RFC 8032's secret key).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            key: ed25519_dalek::SigningKey::from_bytes(seed),
        }
    }

    pub fn public(&self) -> PublicKey {
        PublicKey::of(self.key.verifying_key())
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// Writes the key to a new file at `path`, readable by its owner only;
    /// [`KeyError::Exists`] when there is a file there already.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyError> {
        let public = self.public();
        let file = KeyFile {
            algorithm: ALGORITHM.to_string(),
            key_id: public.key_id,
            public_key: public.public_key,
            secret_key: encode(&self.key.to_bytes()),
        };
        let display = || path.display().to_string();
        let mut text = serde_json::to_string_pretty(&file).map_err(|e| KeyError::Write {
            path: display(),
            source: std::io::Error::other(e),
        })?;
        text.push('\n');
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(path).map_err(|source| match source.kind() {
            std::io::ErrorKind::AlreadyExists => KeyError::Exists { path: display() },
            _ => KeyError::Write {
                path: display(),
                source,
            },
        })?;
        let written = f.write_all(text.as_bytes()).and_then(|()| f.sync_all());
        if let Err(source) = written {
            // Never leave half a key behind.
            let _ = std::fs::remove_file(path);
            return Err(KeyError::Write {
                path: display(),
                source,
            });
        }
        Ok(())
    }

    /// Reads a key file made by [`SigningKey::write_new`].
    pub fn read(path: &Path) -> Result<Self, KeyError> {
        let bytes = read_capped(path)?;
        let bad = |message: String| KeyError::BadKeyFile {
            path: path.display().to_string(),
            message,
        };
        let file: KeyFile = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
        if file.algorithm != ALGORITHM {
            return Err(bad(format!("algorithm `{}`, not `{ALGORITHM}`", file.algorithm)));
        }
        let seed: [u8; 32] = decode_exact(&file.secret_key).map_err(|m| bad(format!("`secret_key`: {m}")))?;
        let key = Self::from_seed(&seed);
        let public = key.public();
        if public.public_key != file.public_key || public.key_id != file.key_id {
            return Err(bad("its `public_key` or `key_id` is not its secret key's".to_string()));
        }
        Ok(key)
    }
}

/// A file's bytes, refusing one over [`MAX_FILE_BYTES`] without reading
/// more than that.
pub(crate) fn read_capped(path: &Path) -> Result<Vec<u8>, KeyError> {
    let display = || path.display().to_string();
    standin_engine::read_capped_file(path, MAX_FILE_BYTES)
        .map_err(|source| KeyError::Read {
            path: display(),
            source,
        })?
        .ok_or_else(|| KeyError::TooLarge {
            path: display(),
            max: MAX_FILE_BYTES,
        })
}
