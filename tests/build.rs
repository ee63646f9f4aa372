//! Builds the hostile policies of `programs/` for the sandbox tests, and the
//! example custom policy of `examples/policies/` for its suite.

fn main() {
    // Each component's path reaches the tests as `STANDIN_<NAME>`.
    let components = [
        ("standin-test-mischief", "MISCHIEF"),
        ("standin-test-wrong-world", "WRONG_WORLD"),
        ("standin-test-wrong-types", "WRONG_TYPES"),
        ("standin-test-reads-files", "READS_FILES"),
        ("standin-test-policy-0-2", "POLICY_0_2"),
        ("standin-test-policy-0-3", "POLICY_0_3"),
        ("standin-test-policy-0-4", "POLICY_0_4"),
        ("standin-test-policy-0-6", "POLICY_0_6"),
        ("business-hours-policy", "BUSINESS_HOURS"),
        ("authzen-fixture-policy", "AUTHZEN_FIXTURE"),
        ("authzen-todo-policy", "AUTHZEN_TODO"),
    ];
    let packages: Vec<&str> = components.iter().map(|(package, _)| *package).collect();
    let built = standin_guest_build::build(&packages);
    for ((_, name), path) in components.iter().zip(built) {
        println!("cargo:rustc-env=STANDIN_{name}={}", path.display());
    }
}
