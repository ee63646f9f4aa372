# The example policy of this repository (examples/policies/business-hours), built and proven on its suite.
cargo build -q --target wasm32-wasip2 --release -p business-hours-policy
standin test --policy target/wasm32-wasip2/release/business_hours_policy.wasm examples/policies/business-hours/suite.json
