//! A component of another world: the host must refuse it at load.
#[cfg(target_arch = "wasm32")]
mod component {
    wit_bindgen::generate!({ path: "wit", world: "other" });

    struct Other;

    impl Guest for Other {
        fn run() -> u32 {
            42
        }
    }

    export!(Other);
}
