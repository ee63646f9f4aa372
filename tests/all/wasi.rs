//! WASI 0.2, denied (engine/src/wasi.rs): a component that imports it
//! loads, and every call it makes to it traps, so the request is denied
//! `policy-error` with nothing of the host in the answer. Any other import
//! is still refused at load.

use crate::common::*;
use serde_json::json;
use standin::LoadError;
use standin_tests::{READS_FILES, component};
use wasm_encoder::{
    Component, ComponentImportSection, ComponentTypeRef, ComponentTypeSection, ComponentValType, InstanceType,
    PrimitiveValType,
};

/// A component that only imports `name`, an instance of one function `now: func() -> u64`.
pub fn importing(name: &str) -> Vec<u8> {
    let mut instance = InstanceType::new();
    instance
        .ty()
        .function()
        .params(std::iter::empty::<(&str, PrimitiveValType)>())
        .result(Some(ComponentValType::Primitive(PrimitiveValType::U64)));
    instance.export("now", ComponentTypeRef::Func(0));
    let mut types = ComponentTypeSection::new();
    types.instance(&instance);
    let mut imports = ComponentImportSection::new();
    imports.import(name, ComponentTypeRef::Instance(0));
    let mut component = Component::new();
    component.section(&types).section(&imports);
    component.finish()
}

#[test]
fn sb3_a_wasi_file_read_loads_and_is_denied_policy_error() {
    let policy = hostile_host()
        .load(&component(READS_FILES), "{}")
        .expect("a WASI 0.2 component loads");
    // It reads /etc/passwd: the read traps (no preopened directory, no
    // filesystem), and nothing of the file reaches the answer.
    let d = start(&policy, actor(), target(), json!({"reason": "SUP-1"}));
    assert_deny(&d, &["policy-error"]);
    assert_eq!(d.reasons()[0].rule, "host");
    let answer = d.to_json().to_string();
    assert!(
        answer.contains("wasi:filesystem/"),
        "the reason names the import: {answer}"
    );
    assert!(!answer.contains("root:"), "{answer}");
}

#[test]
fn sb3_imports_other_than_wasi_0_2_are_still_refused() {
    for name in [
        "acme:clock/now@1.0.0",
        "wasi:clocks/wall-clock@0.3.0",
        "wasi:clocks/wall-clock",
    ] {
        let e = host().load(&importing(name), "{}").expect_err(name);
        assert_eq!(e, LoadError::Imports(vec![name.to_string()]), "{name}");
    }
    // The same shape under a WASI 0.2 name passes the import check (and
    // fails the next one: it exports no policy).
    let e = host()
        .load(&importing("wasi:clocks/wall-clock@0.2.9"), "{}")
        .expect_err("no export");
    assert!(matches!(e, LoadError::WrongWorld(_)), "{e:?}");
}
