//! Loading a policy: from bytes to a pre-instantiated component.
//!
//! Untrusted bytes pass these gates in order, each failure a [`LoadError`]
//! that names what is wrong: size cap, wasm at all, a component (not a core
//! module), compiles, imports nothing the host does not offer (it offers
//! nothing), exports `standin:policy/policy` with the right functions and
//! types, at the current version of the package or an earlier one the
//! host still calls ([`POLICY_INTERFACE_0_6`], [`POLICY_INTERFACE_0_5`], [`POLICY_INTERFACE_0_4`], [`POLICY_INTERFACE_0_3`],
//! [`POLICY_INTERFACE_0_2`]). Components are compiled
//! once and cached by sha256. WASI 0.2 imports are the one exception to
//! "imports nothing": linked, every function a trap (`crate::wasi`).

use crate::bindings::{Version, WorldPre};
use crate::compiled::Compiled;
use crate::digest::Digest;
use crate::host::Artifacts;
use crate::host::Host;
use std::sync::Arc;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

/// The interface every policy exports, at the package's current version.
pub const POLICY_INTERFACE: &str = "standin:policy/policy@0.7.0";
/// The functions of [`POLICY_INTERFACE`].
pub const POLICY_FUNCTIONS: [&str; 12] = [
    "describe",
    "configure",
    "evaluate-start",
    "evaluate-action",
    "evaluate-approval",
    "evaluate-actions",
    "evaluate-question",
    "search",
    "settings-schema",
    "prepare",
    "select",
    "release",
];
/// The interface of components built before prepared settings (0.6.x):
/// still loaded; each tenant's gets instances of its own.
pub const POLICY_INTERFACE_0_6: &str = "standin:policy/policy@0.6.0";
/// The interface of components built before constrained sessions (0.5.x):
/// still loaded; they grant no scope or idle timeout and publish no schema.
pub const POLICY_INTERFACE_0_5: &str = "standin:policy/policy@0.5.0";
/// The interface of components built before generic questions (0.4.x):
/// still loaded; generic questions are denied for them.
pub const POLICY_INTERFACE_0_4: &str = "standin:policy/policy@0.4.0";
/// The interface of components built before `evaluate-actions` (0.3.x):
/// still loaded, and asked one call per action.
pub const POLICY_INTERFACE_0_3: &str = "standin:policy/policy@0.3.0";
/// The interface of components built before approval (0.2.x): still
/// loaded, and called as they were built.
pub const POLICY_INTERFACE_0_2: &str = "standin:policy/policy@0.2.0";

/// Why a policy cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error("policy is {actual} bytes, above the cap of {max}")]
    TooLarge { actual: usize, max: usize },
    #[error("policy is not WebAssembly (no `\\0asm` header)")]
    NotWasm,
    #[error(
        "policy is a core WebAssembly module, not a component; build it for `wasm32-wasip2` or wrap it with `wasm-tools component new`"
    )]
    CoreModule,
    #[error("policy does not compile: {0}")]
    Compile(String),
    #[error(
        "policy imports {}, which the host does not provide (policies get no imports but WASI 0.2, denied)",
        list(.0)
    )]
    Imports(Vec<String>),
    #[error("policy does not implement `{POLICY_INTERFACE}`: {0}")]
    WrongWorld(String),
    #[error("policy refused its settings: {}", .0.join("; "))]
    Settings(Vec<String>),
    #[error("policy failed while loading: {0}")]
    Trapped(String),
    /// The host could not set the component up (its initial memory image):
    /// the operating system refused, not the policy.
    #[error("host could not prepare the policy: {0}")]
    Host(String),
}

fn list(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

impl Host {
    /// Compiles and checks `bytes`, or returns the cached result for the
    /// same sha256.
    pub fn compile(&self, bytes: &[u8]) -> Result<Arc<Compiled>, LoadError> {
        let max = self.config().max_component_bytes;
        if bytes.len() > max {
            return Err(LoadError::TooLarge {
                actual: bytes.len(),
                max,
            });
        }
        let digest = Digest::of(bytes);
        if let Some(hit) = self.cached(&digest) {
            return Ok(hit);
        }
        check_header(bytes)?;
        let component = Component::new(self.engine(), bytes).map_err(|e| LoadError::Compile(format!("{e:#}")))?;
        self.count_compilation(false);
        self.prepare(digest, &component)
    }

    /// [`Self::compile`], looking in `artifacts` after the host's memory
    /// and keeping there what had to be compiled: how a component (or its
    /// pre-initialized form) outlives the process.
    pub fn compile_kept(&self, bytes: &[u8], artifacts: Option<&dyn Artifacts>) -> Result<Arc<Compiled>, LoadError> {
        let digest = Digest::of(bytes);
        if let Some(hit) = self.cached(&digest).or_else(|| artifacts?.compiled(self, digest)) {
            return Ok(hit);
        }
        let compiled = self.compile(bytes)?;
        if let Some(artifacts) = artifacts {
            artifacts.keep(self, &compiled);
        }
        Ok(compiled)
    }

    /// The component of `digest` from an artifact that this host's
    /// [`Compiled::serialize`] produced, checked like fresh bytes.
    ///
    /// Deserializing runs no verifier: the artifact must come from this
    /// host (wasmtime still refuses one from another engine build or
    /// configuration). Crate-private on purpose: no public API accepts
    /// artifact bytes, only component bytes.
    pub(crate) fn precompiled(&self, digest: Digest, artifact: &[u8]) -> Result<Arc<Compiled>, LoadError> {
        if let Some(hit) = self.cached(&digest) {
            return Ok(hit);
        }
        // SAFETY: the artifact was written by `Compiled::serialize` of a
        // host with the same engine key: its caller checked the HMAC tag
        // that the host key (kept outside the store) made for this digest
        // and engine key (`HostKey::open_artifact`).
        let component = unsafe { Component::deserialize(self.engine(), artifact) }
            .map_err(|e| LoadError::Compile(format!("{e:#}")))?;
        self.count_compilation(true);
        self.prepare(digest, &component)
    }

    fn prepare(&self, digest: Digest, component: &Component) -> Result<Arc<Compiled>, LoadError> {
        let engine = self.engine();
        let (version, wasi) = check_world(engine, component)?;
        memory_images(component)?;
        // WASI-importing components get a linker of their own, every WASI
        // function a trap (`crate::wasi`); the others the host's.
        let denying = if wasi {
            let linker = crate::wasi::denying_linker(engine, component)
                .map_err(|e| LoadError::WrongWorld(format!("cannot deny its WASI imports: {e:#}")))?;
            Some(linker)
        } else {
            None
        };
        let pre = denying
            .as_ref()
            .unwrap_or(self.linker())
            .instantiate_pre(component)
            .and_then(|pre| WorldPre::new(pre, version))
            .map_err(|e| LoadError::WrongWorld(format!("{e:#}")))?;
        Ok(self.cache(digest, Compiled::new(pre, digest)))
    }
}

/// How many times [`memory_images`] asks before it gives up.
const IMAGE_TRIES: u32 = 4;

/// Builds the component's copy-on-write memory images now, once, rather
/// than inside its first instantiation.
///
/// Why: on Linux an image is a sealed memfd, and sealing it against writes
/// fails with `EBUSY` while the kernel still holds extra references to its
/// freshly written pages (it waits about 150 ms, then gives up). A busy
/// machine hit this with an 18 MB Python component, and the first
/// instantiation failed with it; here that is retried, and what it costs
/// is paid at load, not on a tenant's first decision. wasmtime keeps no
/// failed attempt, so each try starts afresh.
fn memory_images(component: &Component) -> Result<(), LoadError> {
    let mut tries = 1;
    loop {
        match component.initialize_copy_on_write_image() {
            Ok(()) => return Ok(()),
            Err(e) if tries < IMAGE_TRIES && transient(&e) => {
                std::thread::sleep(std::time::Duration::from_millis(20 << tries));
                tries += 1;
            }
            Err(e) => return Err(LoadError::Host(format!("{e:#}"))),
        }
    }
}

/// Whether the operating system may say yes if asked again.
fn transient(e: &wasmtime::Error) -> bool {
    e.chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| {
            matches!(
                io.kind(),
                std::io::ErrorKind::ResourceBusy | std::io::ErrorKind::Interrupted
            )
        })
}

impl Compiled {
    /// The compiled code, for [`Host::precompiled`] in a later process.
    pub(crate) fn serialize(&self) -> Result<Vec<u8>, LoadError> {
        self.pre
            .component()
            .serialize()
            .map_err(|e| LoadError::Compile(format!("{e:#}")))
    }
}

/// Which version of the package an export name is, when the host can call
/// it: semver-compatible with one it knows (for `0.x`, the same minor
/// version with any patch; for `1.0` and later, the same major version).
pub(crate) fn version_of(export: &str) -> Option<Version> {
    [
        (POLICY_INTERFACE, Version::Current),
        (POLICY_INTERFACE_0_6, Version::V0_6),
        (POLICY_INTERFACE_0_5, Version::V0_5),
        (POLICY_INTERFACE_0_4, Version::V0_4),
        (POLICY_INTERFACE_0_3, Version::V0_3),
        (POLICY_INTERFACE_0_2, Version::V0_2),
    ]
    .into_iter()
    .find(|(known, _)| same_series(known, export))
    .map(|(_, version)| version)
}

fn same_series(known: &str, export: &str) -> bool {
    fn parse(v: &str) -> Option<(u64, u64)> {
        let core = v.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(str::parse::<u64>);
        let (major, minor, _patch) = (parts.next()?.ok()?, parts.next()?.ok()?, parts.next()?.ok()?);
        parts.next().is_none().then_some((major, minor))
    }
    let Some((want_name, want_version)) = known.split_once('@') else {
        return false;
    };
    let Some((name, version)) = export.split_once('@') else {
        return false;
    };
    match (parse(want_version), parse(version)) {
        (Some((0, want_minor)), Some((0, minor))) => name == want_name && minor == want_minor,
        (Some((want_major, _)), Some((major, _))) => name == want_name && major == want_major && major > 0,
        _ => false,
    }
}

fn check_header(bytes: &[u8]) -> Result<(), LoadError> {
    match bytes {
        [0, b'a', b's', b'm', 1, 0, 0, 0, ..] => Err(LoadError::CoreModule),
        [0, b'a', b's', b'm', ..] => Ok(()),
        _ => Err(LoadError::NotWasm),
    }
}

/// Whether an import is only types (nothing the host must provide).
fn types_only(engine: &wasmtime::Engine, item: &ComponentItem) -> bool {
    match item {
        ComponentItem::Type(_) => true,
        ComponentItem::ComponentInstance(instance) => instance
            .exports(engine)
            .all(|(_, export)| matches!(export.ty, ComponentItem::Type(_))),
        _ => false,
    }
}

/// The version of the package `component` exports, and whether it imports
/// WASI 0.2 (which the host denies, `crate::wasi`).
fn check_world(engine: &wasmtime::Engine, component: &Component) -> Result<(Version, bool), LoadError> {
    let ty = component.component_type();
    let (wasi, imports): (Vec<String>, Vec<String>) = ty
        .imports(engine)
        .filter(|(_, import)| !types_only(engine, &import.ty))
        .map(|(name, _)| name.to_string())
        .partition(|name| crate::wasi::is_wasi_0_2(name));
    if !imports.is_empty() {
        return Err(LoadError::Imports(imports));
    }
    let exported: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_string()).collect();
    let Some((name, version)) = exported.iter().find_map(|name| Some((name, version_of(name)?))) else {
        let found = if exported.is_empty() {
            "nothing".to_string()
        } else {
            list(&exported)
        };
        return Err(LoadError::WrongWorld(format!(
            "missing the export (or a semver-compatible version of it); it exports {found}"
        )));
    };
    let Some(export) = ty.get_export(engine, name) else {
        return Err(LoadError::WrongWorld(format!("cannot read the export `{name}`")));
    };
    let ComponentItem::ComponentInstance(instance) = export.ty else {
        return Err(LoadError::WrongWorld(
            "the export is not an interface instance".to_string(),
        ));
    };
    let functions: &[&str] = match version {
        Version::Current => &POLICY_FUNCTIONS,
        Version::V0_6 => &POLICY_FUNCTIONS[..9],
        Version::V0_5 => &POLICY_FUNCTIONS[..8],
        Version::V0_4 => &POLICY_FUNCTIONS[..6],
        Version::V0_3 => &POLICY_FUNCTIONS[..5],
        Version::V0_2 => &POLICY_FUNCTIONS[..4],
    };
    let missing: Vec<String> = functions
        .iter()
        .filter(|f| {
            !matches!(
                instance.get_export(engine, f).map(|e| e.ty),
                Some(ComponentItem::ComponentFunc(_))
            )
        })
        .map(|f| f.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(LoadError::WrongWorld(format!("missing function {}", list(&missing))));
    }
    Ok((version, !wasi.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::{transient, version_of};
    use crate::bindings::Version;
    use std::io::{Error, ErrorKind};

    #[test]
    fn a_busy_or_interrupted_system_call_is_asked_again_and_nothing_else_is() {
        // As wasmtime reports a memfd it could not seal: an io::Error under context.
        let busy = wasmtime::Error::from(Error::from(ErrorKind::ResourceBusy)).context("cannot add seals to the memfd");
        assert!(transient(&busy));
        assert!(transient(&wasmtime::Error::from(Error::from_raw_os_error(16))));
        assert!(transient(&wasmtime::Error::from(Error::from(ErrorKind::Interrupted))));
        assert!(!transient(&wasmtime::Error::from(Error::from(ErrorKind::OutOfMemory))));
        assert!(!transient(&wasmtime::Error::msg("policy trapped")));
    }

    fn compatible(export: &str) -> bool {
        version_of(export).is_some()
    }

    #[test]
    fn world_versions_compatible_with_0_7_0_0_6_0_0_5_0_0_4_0_0_3_0_and_0_2_0() {
        assert_eq!(version_of("standin:policy/policy@0.7.0"), Some(Version::Current));
        assert_eq!(version_of("standin:policy/policy@0.7.2"), Some(Version::Current));
        assert_eq!(version_of("standin:policy/policy@0.6.0"), Some(Version::V0_6));
        assert_eq!(version_of("standin:policy/policy@0.6.2"), Some(Version::V0_6));
        assert_eq!(version_of("standin:policy/policy@0.5.0"), Some(Version::V0_5));
        assert_eq!(version_of("standin:policy/policy@0.5.2"), Some(Version::V0_5));
        assert_eq!(version_of("standin:policy/policy@0.4.0"), Some(Version::V0_4));
        assert_eq!(version_of("standin:policy/policy@0.4.2"), Some(Version::V0_4));
        assert_eq!(version_of("standin:policy/policy@0.3.0"), Some(Version::V0_3));
        assert_eq!(version_of("standin:policy/policy@0.2.1"), Some(Version::V0_2));
        assert!(compatible("standin:policy/policy@0.3.4"));
        assert!(compatible("standin:policy/policy@0.2.0"), "built before approval");
        assert!(compatible("standin:policy/policy@0.2.7"));
        assert!(compatible("standin:policy/policy@0.2.2-rc.1"));
        assert!(!compatible("standin:policy/policy@0.1.0"), "0.x minors break");
        assert!(!compatible("standin:policy/policy@0.8.0"), "0.x minors break");
        assert!(!compatible("standin:policy/policy@1.1.0"));
        assert!(!compatible("standin:policy/policy"), "unversioned");
        assert!(!compatible("standin:policy/other@0.3.0"));
        assert!(!compatible("acme:policy/policy@0.3.0"));
    }
}
