# A new policy crate, anywhere: it needs nothing of this repository but the `standin` binary.
cd $(mktemp -d)
standin policy new my-policy
cd my-policy
cargo build -q --target wasm32-wasip2 --release
standin test --policy target/wasm32-wasip2/release/my_policy.wasm suite.json
