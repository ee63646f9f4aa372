//! `standin policy new NAME --lang ts`: a policy in TypeScript an author
//! builds outside this repository.
//!
//! The TypeScript SDK is not on npm either, so the new package carries it,
//! as this binary was built with it: its sources, its build command and
//! the WIT package in `NAME/sdk`. The package's own dependencies are the
//! build tools (componentize-js, esbuild, TypeScript), pinned to the
//! versions the SDK is tested with; `npm install` fetches them.

use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};

/// The SDK's files, by their path in the new package.
const SDK: &[(&str, &str)] = &[
    ("sdk/wit/policy.wit", include_str!("../../sdk-ts/wit/policy.wit")),
    ("sdk/src/index.ts", include_str!("../../sdk-ts/src/index.ts")),
    ("sdk/src/decision.ts", include_str!("../../sdk-ts/src/decision.ts")),
    ("sdk/src/pattern.ts", include_str!("../../sdk-ts/src/pattern.ts")),
    ("sdk/src/wire.ts", include_str!("../../sdk-ts/src/wire.ts")),
    (
        "sdk/bin/standin-policy-build.mjs",
        include_str!("../../sdk-ts/bin/standin-policy-build.mjs"),
    ),
];

/// The SDK's `package.json`: the build tools' pinned versions come from it.
const SDK_PACKAGE: &str = include_str!("../../sdk-ts/package.json");

const PACKAGE: &str = r#"{
  "name": "@NAME@",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  "scripts": {
    "check": "tsc -p .",
    "build": "node sdk/bin/standin-policy-build.mjs policy.ts -o @NAME@.wasm"
  },
  "devDependencies": {
@DEPENDENCIES@
  }
}
"#;

const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2022", "DOM"],
    "types": [],
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "noEmit": true,
    "skipLibCheck": true,
    "allowImportingTsExtensions": true,
    "paths": { "@standin/policy-sdk": ["./sdk/src/index.ts"] }
  },
  "files": ["policy.ts"]
}
"#;

const POLICY: &str = r#"// @NAME@: a Standin policy. Starts need a ticket id as their reason
// (E10); payments are never allowed while impersonating (F1).
import { allow, allowAction, definePolicy, refuse } from "@standin/policy-sdk";

export const policy = definePolicy<null>({
  name: "@NAME@",
  version: "0.1.0",
  rules: ["E10", "F1"],
  configure: () => null,
  start(req) {
    if (!req.reason?.startsWith("SUP-")) return refuse("reason-required", "E10", "a SUP- ticket is required");
    return allow({ ttlSeconds: 3600, maxTtlSeconds: 3600, notifyTarget: true, readOnly: false });
  },
  action(req) {
    if (req.action.startsWith("billing.")) return refuse("forbidden-action", "F1", "no payments while impersonating");
    return allowAction();
  },
});
"#;

const README: &str = r#"# @NAME@

A Standin policy in TypeScript. Build it and prove it on its suite:

```sh
npm install          # componentize-js, esbuild and TypeScript, pinned
npm run check        # type-check
npm run build        # @NAME@.wasm
standin test --policy @NAME@.wasm suite.json
```

Then upload it: `standin policy upload --tenant T @NAME@.wasm --suite suite.json`.
`sdk/` is the Standin policy SDK for TypeScript and the WIT package this package was made with
(`standin policy new --lang ts`); keep it as it is.
"#;

/// The `devDependencies` of the new package: the SDK's dependencies and
/// its TypeScript, at the SDK's pinned versions.
fn dependencies() -> Result<String> {
    let sdk: serde_json::Value = serde_json::from_str(SDK_PACKAGE).context("the SDK's package.json")?;
    let mut pinned = Vec::new();
    let tools = sdk["dependencies"]
        .as_object()
        .context("the SDK's package.json has no dependencies")?;
    let typescript = sdk["devDependencies"]["typescript"]
        .as_str()
        .context("the SDK pins no TypeScript")?;
    let all = tools.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    for (name, version) in all.chain([("typescript", Some(typescript))]) {
        let version = version.with_context(|| format!("the SDK's `{name}` is not a version"))?;
        pinned.push(format!("    \"{name}\": \"{version}\""));
    }
    Ok(pinned.join(",\n"))
}

/// Writes the package `name` in `root` (checked and absent), with the
/// starter `suite` (the Rust crate's: both starters have the same rules);
/// returns it.
pub fn create(name: &str, root: PathBuf, suite: &str) -> Result<PathBuf> {
    let fill = |t: &str| t.replace("@NAME@", name);
    let mut files: Vec<(&str, String)> = vec![
        (
            "package.json",
            fill(PACKAGE).replace("@DEPENDENCIES@", &dependencies()?),
        ),
        ("tsconfig.json", TSCONFIG.to_string()),
        ("policy.ts", fill(POLICY)),
        ("suite.json", fill(suite)),
        ("README.md", fill(README)),
        (".gitignore", "/node_modules\n/*.wasm\n".to_string()),
    ];
    files.extend(SDK.iter().map(|(path, text)| (*path, text.to_string())));
    write(&root, files)?;
    Ok(root)
}

/// Writes each `(path, text)` under `root`, making folders as needed.
pub fn write(root: &Path, files: Vec<(&str, String)>) -> Result<()> {
    for (path, text) in files {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
}
