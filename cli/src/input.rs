//! Every file and standard input the CLI reads, size-capped while it is
//! read (docs/contract.md, "Hardening rules"): at most cap + 1 bytes are ever
//! taken from the source, so `/dev/zero` or a huge file costs the cap in
//! memory, never more, and is refused naming the file and the cap.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// What is read, and its cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A start or action request (`check`, `session start`).
    Request,
    /// A policy's settings.
    Settings,
    /// A test suite.
    Suite,
    /// A policy component (`.wasm`).
    Component,
}

/// Requests, settings and suites: 1 MiB, far above anything the host
/// accepts (a request's text is capped at 64 KiB once parsed).
pub const TEXT_CAP: u64 = 1 << 20;

impl Kind {
    /// The cap, in bytes.
    pub fn cap(self) -> u64 {
        match self {
            Self::Request | Self::Settings | Self::Suite => TEXT_CAP,
            // The host's own cap on a component (`HostConfig::max_component_bytes`):
            // a larger file could never load anyway.
            Self::Component => standin::HostConfig::default().max_component_bytes as u64,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Request => "requests",
            Self::Settings => "settings",
            Self::Suite => "suites",
            Self::Component => "policy components",
        }
    }
}

/// Why an input could not be had.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read `{name}`: {source}")]
    Read { name: String, source: std::io::Error },
    #[error("`{name}` is over the {} cap of {} (it was not read further)", Bytes(*cap), kind.name())]
    TooLarge { name: String, kind: Kind, cap: u64 },
}

/// A size for people: `1 MiB`, `24 MiB`, else bytes.
struct Bytes(u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= 1 << 20 && self.0.is_multiple_of(1 << 20) {
            write!(f, "{} MiB", self.0 >> 20)
        } else {
            write!(f, "{} bytes", self.0)
        }
    }
}

/// Reads `path` (standard input for `-`), at most `kind`'s cap.
pub fn read(path: &Path, kind: Kind) -> Result<Vec<u8>, InputError> {
    let name = if path == Path::new("-") {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    let fail = |source| InputError::Read {
        name: name.clone(),
        source,
    };
    let cap = kind.cap();
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin().lock().take(cap + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path)
            .map_err(fail)?
            .take(cap + 1)
            .read_to_end(&mut bytes)
    }
    .map_err(fail)?;
    if bytes.len() as u64 > cap {
        return Err(InputError::TooLarge { name, kind, cap });
    }
    Ok(bytes)
}

/// [`read`], as UTF-8 text.
pub fn read_text(path: &Path, kind: Kind) -> anyhow::Result<String> {
    String::from_utf8(read(path, kind)?).map_err(|_| anyhow::anyhow!("`{}` is not UTF-8 text", path.display()))
}

/// A suite file, read within [`Kind::Suite`]'s cap, then resolved as
/// `Suite::load` would (its `settings_file` is read by the library).
pub fn load_suite(path: &Path) -> anyhow::Result<standin::harness::Suite> {
    let text = read_text(path, Kind::Suite)?;
    Ok(standin::harness::Suite::parse(&text, path)?)
}
