//! Compiles guest components from a build script.
//!
//! The host embeds the default policy and the tests load hostile policies;
//! both are workspace packages built for `wasm32-wasip2` by a nested cargo
//! (as wasmtime's `test-programs` and spin's `test-components` do). The
//! nested build has its own target directory, shared by every outer
//! profile, so `cargo clippy`, `cargo test` and `cargo bench` compile each
//! guest once.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasm target guests are built for.
pub const TARGET: &str = "wasm32-wasip2";

/// Builds `packages` (library crates of type `cdylib`) and returns each
/// component's path, in order. Panics with cargo's output on failure: a
/// build script has no better way to fail.
pub fn build(packages: &[&str]) -> Vec<PathBuf> {
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = workspace_root(&manifest_dir);
    let target_dir = match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir).join("guest-components"),
        None => root.join("target").join("guest-components"),
    };
    // One cargo run per package: features unify within a run, and a guest
    // that links `std` would otherwise drag `std` into the `no_std` ones.
    for package in packages {
        let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.current_dir(&root)
            .args([
                "build",
                "--target",
                TARGET,
                "--profile",
                "guest",
                "--package",
                package,
                "--target-dir",
            ])
            .arg(&target_dir);
        // The outer build's flags and wrappers are for the host target.
        for var in [
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_BUILD_RUSTFLAGS",
            "RUSTC_WORKSPACE_WRAPPER",
            "CARGO_TARGET_DIR",
        ] {
            cmd.env_remove(var);
        }
        let status = cmd.status().expect("run cargo for the guest components");
        assert!(status.success(), "building guest component `{package}` failed");
    }

    for dir in ["wit", "sdk", "default-policy", "tests/programs", "examples/policies"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    println!("cargo:rerun-if-changed={}", root.join("Cargo.lock").display());
    packages
        .iter()
        .map(|p| {
            target_dir
                .join(TARGET)
                .join("guest")
                .join(format!("{}.wasm", p.replace('-', "_")))
        })
        .collect()
}

fn workspace_root(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").exists() || dir.join("rust-toolchain.toml").exists())
        .unwrap_or(start)
        .to_path_buf()
}
