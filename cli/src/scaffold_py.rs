//! `standin policy new NAME --lang python`: a policy in Python an author
//! builds outside this repository.
//!
//! The Python SDK is not on PyPI either, so the new folder carries it, as
//! this binary was built with it: its modules, its build command and the
//! WIT package (0.6.0, as the TypeScript SDK's) in `NAME/sdk/standin_policy`.
//! Its one dependency, componentize-py, is pinned in `requirements.txt` at
//! the version the SDK is tested with (`sdk-py/requirements.lock`).

use anyhow::{Context as _, Result};
use std::path::PathBuf;

/// The SDK's files, by their path in the new folder.
const SDK: &[(&str, &str)] = &[
    (
        "sdk/standin_policy/__init__.py",
        include_str!("../../sdk-py/standin_policy/__init__.py"),
    ),
    (
        "sdk/standin_policy/__main__.py",
        include_str!("../../sdk-py/standin_policy/__main__.py"),
    ),
    (
        "sdk/standin_policy/_component.py",
        include_str!("../../sdk-py/standin_policy/_component.py"),
    ),
    (
        "sdk/standin_policy/build.py",
        include_str!("../../sdk-py/standin_policy/build.py"),
    ),
    (
        "sdk/standin_policy/decision.py",
        include_str!("../../sdk-py/standin_policy/decision.py"),
    ),
    (
        "sdk/standin_policy/pattern.py",
        include_str!("../../sdk-py/standin_policy/pattern.py"),
    ),
    (
        "sdk/standin_policy/wire.py",
        include_str!("../../sdk-py/standin_policy/wire.py"),
    ),
    (
        "sdk/standin_policy/wit/policy.wit",
        include_str!("../../sdk-py/standin_policy/wit/policy.wit"),
    ),
];

/// The SDK's lock file: the build tool's pinned version comes from it.
const SDK_LOCK: &str = include_str!("../../sdk-py/requirements.lock");

const POLICY: &str = r#""""@NAME@: a Standin policy. Starts need a ticket id as their reason
(E10); payments are never allowed while impersonating (F1)."""

from standin_policy import Grant, allow, allow_action, define_policy, refuse


def start(req, _settings):
    if not (req.reason or "").startswith("SUP-"):
        return refuse("reason-required", "E10", "a SUP- ticket is required")
    return allow(Grant(ttl_seconds=3600, max_ttl_seconds=3600, notify_target=True))


def action(req, _settings):
    if req.action.startswith("billing."):
        return refuse("forbidden-action", "F1", "no payments while impersonating")
    return allow_action()


policy = define_policy(
    name="@NAME@",
    version="0.1.0",
    rules=["E10", "F1"],
    configure=lambda settings: settings,
    start=start,
    action=action,
)
"#;

const README: &str = r#"# @NAME@

A Standin policy in Python. Build it and prove it on its suite:

```sh
python3 -m venv .venv && .venv/bin/pip install -r requirements.txt   # componentize-py, pinned
PYTHONPATH=sdk .venv/bin/python -m standin_policy build policy.py -o @NAME@.wasm
standin test --policy @NAME@.wasm suite.json
```

Then upload it: `standin policy upload --tenant T @NAME@.wasm --suite suite.json`.
The component embeds CPython (about 18 MB); the host takes components up to 24 MiB.
`sdk/` is the Standin policy SDK for Python and the WIT package this folder was made with
(`standin policy new --lang python`); keep it as it is.
"#;

/// `requirements.txt` of the new folder: the SDK's componentize-py pin.
fn requirements() -> Result<String> {
    let pin = SDK_LOCK
        .lines()
        .find(|l| l.starts_with("componentize-py=="))
        .context("the SDK's lock pins no componentize-py")?;
    Ok(format!(
        "# The build tool, at the version the Standin Python SDK is tested with.\n{pin}\n"
    ))
}

/// Writes the folder `name` in `root` (checked and absent), with the
/// starter `suite` (the Rust crate's: every starter has the same rules);
/// returns it.
pub fn create(name: &str, root: PathBuf, suite: &str) -> Result<PathBuf> {
    let fill = |t: &str| t.replace("@NAME@", name);
    let mut files: Vec<(&str, String)> = vec![
        ("policy.py", fill(POLICY)),
        ("suite.json", fill(suite)),
        ("requirements.txt", requirements()?),
        ("README.md", fill(README)),
        (".gitignore", "/.venv\n/*.wasm\n__pycache__/\n".to_string()),
    ];
    files.extend(SDK.iter().map(|(path, text)| (*path, text.to_string())));
    crate::scaffold_ts::write(&root, files)?;
    Ok(root)
}
