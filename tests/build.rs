//! Builds the hostile policies of `programs/` for the sandbox tests.

fn main() {
    let names = [
        "standin-test-mischief",
        "standin-test-wrong-world",
        "standin-test-reads-files",
    ];
    let built = standin_guest_build::build(&names);
    for (name, path) in names.iter().zip(built) {
        let var = name.trim_start_matches("standin-").replace('-', "_").to_uppercase();
        println!("cargo:rustc-env=STANDIN_{var}={}", path.display());
    }
}
