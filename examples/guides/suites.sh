# A suite of the built-in policy, and a product's suite (its settings in settings.json beside it).
standin test examples/suites/docebo-style.json
standin test examples/products/docebo/suite.json
# Only the cases whose name holds a text:
standin test --filter "per-role" examples/suites/per-role-domains.json
