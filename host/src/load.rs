//! Loading a policy: from bytes to a pre-instantiated component.
//!
//! Untrusted bytes pass these gates in order, each failure a [`LoadError`]
//! that names what is wrong: size cap, wasm at all, a component (not a core
//! module), compiles, imports nothing the host does not offer (it offers
//! nothing), exports `standin:policy/policy` with the right functions and
//! types. Components are compiled once and cached by sha256.

use crate::bindings::PolicyWorldPre;
use crate::engine::{Digest, Host};
use crate::sandbox::Limiter;
use std::sync::Arc;
use wasmtime::component::Component;
use wasmtime::component::types::ComponentItem;

/// The interface every policy exports.
pub const POLICY_INTERFACE: &str = "standin:policy/policy@0.1.0";
/// The functions of [`POLICY_INTERFACE`].
pub const POLICY_FUNCTIONS: [&str; 4] = ["describe", "configure", "evaluate-start", "evaluate-action"];

/// Why a policy cannot be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    #[error("policy imports {}, which the host does not provide (policies get no imports)", list(.0))]
    Imports(Vec<String>),
    #[error("policy does not implement `{POLICY_INTERFACE}`: {0}")]
    WrongWorld(String),
    #[error("policy refused its settings: {}", .0.join("; "))]
    Settings(Vec<String>),
    #[error("policy failed while loading: {0}")]
    Trapped(String),
}

fn list(items: &[String]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// A compiled, checked component, ready to instantiate.
pub(crate) struct Compiled {
    pub pre: PolicyWorldPre<Limiter>,
    pub digest: Digest,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiled")
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

impl Host {
    /// Compiles and checks `bytes`, or returns the cached result for the
    /// same sha256.
    pub(crate) fn compile(&self, bytes: &[u8]) -> Result<Arc<Compiled>, LoadError> {
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
        let engine = self.engine();
        let component = Component::new(engine, bytes).map_err(|e| LoadError::Compile(format!("{e:#}")))?;
        check_world(engine, &component)?;
        let pre = self
            .linker()
            .instantiate_pre(&component)
            .and_then(PolicyWorldPre::new)
            .map_err(|e| LoadError::WrongWorld(format!("{e:#}")))?;
        Ok(self.cache(digest, Compiled { pre, digest }))
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

fn check_world(engine: &wasmtime::Engine, component: &Component) -> Result<(), LoadError> {
    let ty = component.component_type();
    let imports: Vec<String> = ty
        .imports(engine)
        .filter(|(_, import)| !types_only(engine, &import.ty))
        .map(|(name, _)| name.to_string())
        .collect();
    if !imports.is_empty() {
        return Err(LoadError::Imports(imports));
    }
    let Some(export) = ty.get_export(engine, POLICY_INTERFACE) else {
        let found: Vec<String> = ty.exports(engine).map(|(name, _)| name.to_string()).collect();
        let found = if found.is_empty() {
            "nothing".to_string()
        } else {
            list(&found)
        };
        return Err(LoadError::WrongWorld(format!("missing the export; it exports {found}")));
    };
    let ComponentItem::ComponentInstance(instance) = export.ty else {
        return Err(LoadError::WrongWorld(
            "the export is not an interface instance".to_string(),
        ));
    };
    let missing: Vec<String> = POLICY_FUNCTIONS
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
    Ok(())
}
