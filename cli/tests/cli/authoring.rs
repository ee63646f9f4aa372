//! A policy author outside this repository: `standin policy new` makes a
//! crate that builds for `wasm32-wasip2` without a warning and passes its
//! own suite, with nothing but this binary and a Rust toolchain.

use std::path::Path;
use std::process::Command;

#[test]
fn policy_new_scaffolds_a_crate_that_builds_without_warnings_and_passes_its_suite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(["policy", "new", "night-desk", "--dir"])
        .arg(dir.path())
        .output()
        .expect("run standin");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let root = dir.path().join("night-desk");
    assert!(root.join("sdk/src/lib.rs").exists() && root.join("wit/policy.wit").exists());
    // Again: the folder exists, nothing is overwritten.
    let again = Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(["policy", "new", "night-desk", "--dir"])
        .arg(dir.path())
        .output()
        .expect("run standin");
    assert_eq!(again.status.code(), Some(1), "{again:?}");

    // The author's build: the crate's own workspace and release profile;
    // crates from the local registry cache (the workspace already has them).
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("authoring");
    let build = Command::new("cargo")
        .args(["build", "--offline", "--target", "wasm32-wasip2", "--release"])
        // Outside this repository, the crate's own rust-toolchain.toml picks
        // the toolchain and its wasm target, not the one running this test.
        .env_remove("RUSTUP_TOOLCHAIN")
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .current_dir(&root)
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(build.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "the build warned:\n{stderr}");

    let toolchain = std::fs::read_to_string(root.join("rust-toolchain.toml")).expect("rust-toolchain.toml");
    let ours = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../rust-toolchain.toml"))
        .expect("the repository's rust-toolchain.toml");
    assert_eq!(toolchain, ours, "the crate is built with Standin's toolchain");

    let wasm = target.join("wasm32-wasip2/release/night_desk.wasm");
    let size = std::fs::metadata(&wasm).expect("component").len();
    assert!(
        size < 64 << 10,
        "the release profile makes a small component: {size} bytes"
    );
    let test = Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(["test", "--policy"])
        .arg(&wasm)
        .arg(root.join("suite.json"))
        .output()
        .expect("run standin test");
    let report = String::from_utf8_lossy(&test.stdout);
    assert_eq!(test.status.code(), Some(0), "{report}");
    assert!(report.contains("4 passed, 0 failed"), "{report}");
}

#[test]
fn policy_new_refuses_a_name_that_is_not_a_crate_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["Night", "../escape", "a b", ""] {
        let out = Command::new(env!("CARGO_BIN_EXE_standin"))
            .args(["policy", "new", name, "--dir"])
            .arg(dir.path())
            .output()
            .expect("run standin");
        assert_eq!(out.status.code(), Some(1), "{name}: {out:?}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}
