//! Builds the default policy component and embeds it in the engine: the
//! `standin` binary runs on its built-in policy with nothing else installed.

fn main() {
    let built = standin_guest_build::build(&["standin-default-policy"]);
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    std::fs::copy(&built[0], out.join("default_policy.wasm")).expect("copy the default policy component");
}
