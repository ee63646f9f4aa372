//! Loading: bytes that are not a policy are refused with an error that says
//! why; a good component is compiled once per sha256.

use crate::common::*;
use standin::{DEFAULT_POLICY, Host, HostConfig, LoadError};
use standin_tests::{MISCHIEF, WRONG_TYPES, WRONG_WORLD, component};

fn load_err(bytes: &[u8]) -> LoadError {
    host().load(bytes, "{}").expect_err("must be refused")
}

#[test]
fn hostile_bytes_that_are_not_wasm_are_refused() {
    assert_eq!(load_err(b"#!/bin/sh\nrm -rf /\n"), LoadError::NotWasm);
    assert_eq!(load_err(b""), LoadError::NotWasm);
}

#[test]
fn hostile_core_module_is_not_a_component() {
    let e = load_err(b"\0asm\x01\0\0\0");
    assert_eq!(e, LoadError::CoreModule);
    assert!(e.to_string().contains("wasm32-wasip2"), "{e}");
}

#[test]
fn hostile_truncated_component_does_not_compile() {
    let mut bytes = component(MISCHIEF);
    bytes.truncate(bytes.len() / 2);
    assert!(matches!(load_err(&bytes), LoadError::Compile(_)));
}

#[test]
fn hostile_wrong_world_names_what_is_missing() {
    let e = load_err(&component(WRONG_WORLD));
    assert!(matches!(e, LoadError::WrongWorld(_)), "{e:?}");
    let message = e.to_string();
    assert!(
        message.contains("standin:policy/policy@0.7.0") && message.contains("`run`"),
        "{message}"
    );
}

/// Every export is type-checked at load, once per component: a call then
/// takes an export's type as checked (`engine/src/lazy.rs`), so a
/// component whose `evaluate-start` answers a number must never load.
#[test]
fn hostile_an_export_of_another_type_is_refused_at_load() {
    let e = load_err(&component(WRONG_TYPES));
    assert!(matches!(e, LoadError::WrongWorld(_)), "{e:?}");
    let message = e.to_string();
    assert!(message.contains("`evaluate-start`"), "{message}");
}

#[test]
fn hostile_trap_while_configuring_is_a_load_error() {
    let e = host()
        .load(&component(MISCHIEF), r#"{"trap": true}"#)
        .expect_err("refused");
    assert!(matches!(e, LoadError::Trapped(_)), "{e:?}");
    let e = host()
        .load(&component(MISCHIEF), r#"{"refuse": true}"#)
        .expect_err("refused");
    assert_eq!(e, LoadError::Settings(vec!["`refuse`: mischief refuses".to_string()]));
}

#[test]
fn oversized_component_is_refused_before_compiling() {
    let small = Host::with_config(HostConfig {
        max_component_bytes: 1024,
        ..HostConfig::default()
    })
    .expect("host");
    let e = small.load(DEFAULT_POLICY, "{}").expect_err("too large");
    assert!(matches!(e, LoadError::TooLarge { max: 1024, .. }), "{e:?}");
    assert_eq!(small.compiled_count(), 0);
}

#[test]
fn components_compile_once_per_sha256() {
    let own = Host::new().expect("host");
    let a = own.load_default("{}").expect("loads");
    let b = own.load_default(r#"{"require_reason": true}"#).expect("loads");
    assert_eq!(own.compiled_count(), 1);
    assert_eq!(a.digest(), b.digest());
    let digest = a.digest().to_string();
    assert!(digest.starts_with("sha256:") && digest.len() == 71, "{digest}");
    own.load(&component(MISCHIEF), "{}").expect("loads");
    assert_eq!(own.compiled_count(), 2);
}
