//! `standin policy new NAME`: a policy crate an author builds outside this
//! repository (`--lang ts`: a TypeScript package, `scaffold_ts`; `--lang
//! python`: a Python one, `scaffold_py`).
//!
//! The SDK is not on crates.io, so the new crate carries it: the SDK's
//! sources, the request layout it reads and the WIT package, as this
//! binary was built with them, in `NAME/sdk`, `NAME/wire` and `NAME/wit`;
//! the policy depends on it by path. The crate is its own workspace with the release profile the host's own guests use
//! (small, fast, abort on panic), a starter policy and a suite it passes.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};

/// The SDK's files, by their path in the new crate.
const SDK: &[(&str, &str)] = &[
    ("wit/policy.wit", include_str!("../../wit/policy.wit")),
    ("sdk/src/lib.rs", include_str!("../../sdk/src/lib.rs")),
    ("sdk/src/authzen.rs", include_str!("../../sdk/src/authzen.rs")),
    ("sdk/src/compare.rs", include_str!("../../sdk/src/compare.rs")),
    ("sdk/src/decision.rs", include_str!("../../sdk/src/decision.rs")),
    ("sdk/src/facts.rs", include_str!("../../sdk/src/facts.rs")),
    ("sdk/src/guest.rs", include_str!("../../sdk/src/guest.rs")),
    ("sdk/src/guest/heap.rs", include_str!("../../sdk/src/guest/heap.rs")),
    ("sdk/src/guest/arena.rs", include_str!("../../sdk/src/guest/arena.rs")),
    ("sdk/src/pattern.rs", include_str!("../../sdk/src/pattern.rs")),
    ("sdk/src/text.rs", include_str!("../../sdk/src/text.rs")),
    ("wire/src/lib.rs", include_str!("../../wire/src/lib.rs")),
    ("wire/src/words.rs", include_str!("../../wire/src/words.rs")),
    ("wire/src/words/tests.rs", include_str!("../../wire/src/words/tests.rs")),
];

/// The request layout the SDK reads (crate `standin-wire`), carried beside it.
const WIRE_MANIFEST: &str = r#"[package]
name = "standin-wire"
version = "@VERSION@"
description = "Standin's request layout across the policy component boundary (carried by `standin policy new`)"
edition = "2024"
license = "Apache-2.0"
publish = false
"#;

const SDK_MANIFEST: &str = r#"[package]
name = "standin-policy-sdk"
version = "@VERSION@"
description = "Write Standin impersonation policies in Rust (carried by `standin policy new`)"
edition = "2024"
license = "Apache-2.0"
publish = false

[features]
default = ["runtime"]
runtime = ["dep:dlmalloc"]

[dependencies]
standin-wire = { path = "../wire" }

[target.'cfg(target_arch = "wasm32")'.dependencies]
wit-bindgen = { version = "0.63", default-features = false, features = ["macros", "realloc"] }
dlmalloc = { version = "0.2", features = ["global"], optional = true }
"#;

const MANIFEST: &str = r#"[package]
name = "@NAME@"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
standin-policy-sdk = { path = "sdk" }

# Its own workspace: the profile below is the one that applies.
[workspace]

# Small and fast: a policy traps on panic (the host denies), so no unwinding.
[profile.release]
opt-level = 3
lto = true
codegen-units = 1
panic = "abort"
strip = true
debug = false
"#;

const POLICY: &str = r#"//! @NAME@: a Standin policy. Starts need a ticket id as their reason
//! (E10); payments are never allowed while impersonating (F1).
#![no_std]

extern crate alloc;

use alloc::{string::String, vec::Vec};
use standin_policy_sdk::*;

pub struct Starter;

impl Policy for Starter {
    const NAME: &'static str = "@NAME@";
    const VERSION: &'static str = "0.1.0";
    const RULES: &'static [&'static str] = &["E10", "F1"];

    fn configure(_settings: &str) -> Result<Self, Vec<String>> {
        Ok(Self)
    }

    fn evaluate_start(&self, req: &StartRequest<'_>) -> StartDecision {
        match req.reason {
            Some(r) if r.starts_with("SUP-") => StartDecision::Allow(Grant {
                ttl_seconds: 3600,
                max_ttl_seconds: 3600,
                notify_target: true,
                read_only: false,
                obligations: Vec::new(),
                scope: None,
                idle_timeout_seconds: None,
            }),
            _ => StartDecision::refuse("reason-required", "E10", "a SUP- ticket is required"),
        }
    }

    fn evaluate_action(&self, req: &ActionRequest<'_>) -> ActionDecision {
        if req.action.starts_with("billing.") {
            return ActionDecision::refuse("forbidden-action", "F1", "no payments while impersonating");
        }
        ActionDecision::Allow(Vec::new())
    }
}

#[cfg(target_arch = "wasm32")]
standin_policy_sdk::export_policy!(Starter);
"#;

const SUITE: &str = r#"{
  "name": "@NAME@",
  "tenant": "acme",
  "now": "2026-11-21T10:00:00Z",
  "principals": {
    "admin": {"id": "u-1", "roles": ["support"], "active": true, "has_logged_in": true},
    "user": {"id": "u-42", "active": true, "has_logged_in": true}
  },
  "cases": [
    {"name": "a ticket opens a session", "rules": ["E10"],
     "start": {"actor": "admin", "target": "user", "reason": "SUP-1234"},
     "expect": {"decision": "allow", "ttl_seconds": 3600}},
    {"name": "no ticket, no session", "rules": ["E10"],
     "start": {"actor": "admin", "target": "user"},
     "expect": {"decision": "deny", "codes": ["reason-required"]}},
    {"name": "no payments while impersonating", "rules": ["F1"],
     "action": {"session": {"actor": "admin", "target": "user"}, "action": "billing.purchase"},
     "expect": {"decision": "deny", "codes": ["forbidden-action"]}},
    {"name": "everything else as the user", "rules": ["F1"],
     "action": {"session": {"actor": "admin", "target": "user"}, "action": "course.view"},
     "expect": {"decision": "allow"}}
  ]
}
"#;

/// Standin's own `rust-toolchain.toml` (its channel, `wasm32-wasip2`).
const TOOLCHAIN: &str = include_str!("../../rust-toolchain.toml");

const README: &str = r#"# @NAME@

A Standin policy. Build it and prove it on its suite:

```sh
rustup toolchain install    # the toolchain and target of rust-toolchain.toml
cargo build --target wasm32-wasip2 --release
standin test --policy target/wasm32-wasip2/release/@FILE@.wasm suite.json
```

Then upload it: `standin policy upload --tenant T target/wasm32-wasip2/release/@FILE@.wasm --suite suite.json`.
`sdk/`, `wire/` and `wit/` are the Standin policy SDK, the request layout it reads and the WIT package this crate was
made with (`standin policy new`); keep them as they are.
"#;

/// Whether `name` is a crate name cargo takes.
fn valid(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.len() <= 64
}

/// The language of a new policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Rust,
    #[value(alias = "typescript")]
    Ts,
    #[value(alias = "py")]
    Python,
}

/// Writes the policy `name` in `lang` in `dir/name`; returns its folder.
pub fn create(name: &str, dir: &Path, lang: Lang) -> Result<PathBuf> {
    if !valid(name) {
        bail!("`{name}` is not a policy name: lowercase letters, digits, `-` and `_`, starting with a letter");
    }
    let root = dir.join(name);
    if root.exists() {
        bail!("`{}` already exists", root.display());
    }
    match lang {
        Lang::Rust => rust(name, root),
        Lang::Ts => crate::scaffold_ts::create(name, root, SUITE),
        Lang::Python => crate::scaffold_py::create(name, root, SUITE),
    }
}

/// The Rust crate `name` in `root`.
fn rust(name: &str, root: PathBuf) -> Result<PathBuf> {
    let fill = |t: &str| {
        t.replace("@NAME@", name)
            .replace("@FILE@", &name.replace('-', "_"))
            .replace("@VERSION@", env!("CARGO_PKG_VERSION"))
    };
    let mut files: Vec<(&str, String)> = vec![
        ("Cargo.toml", fill(MANIFEST)),
        ("src/lib.rs", fill(POLICY)),
        ("suite.json", fill(SUITE)),
        ("README.md", fill(README)),
        (".gitignore", "/target\n".to_string()),
        // The toolchain Standin itself is built with, and the guest target:
        // a reader's `cargo build` then needs no `rustup target add`.
        ("rust-toolchain.toml", TOOLCHAIN.to_string()),
        ("sdk/Cargo.toml", fill(SDK_MANIFEST)),
        ("wire/Cargo.toml", fill(WIRE_MANIFEST)),
    ];
    files.extend(SDK.iter().map(|(path, text)| (*path, text.to_string())));
    crate::scaffold_ts::write(&root, files)?;
    Ok(root)
}
