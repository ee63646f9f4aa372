//! `standin policy ...`: a tenant's policy versions: set, upload, activate,
//! rollback, list, show, and the what-if replay `diff`.

use crate::input::{self, InputError, Kind};
use crate::output::json as print;
use crate::{Access, Exit};
use anyhow::Result;
use chrono::{DateTime, Utc};
use standin::Standin;
use standin::policies::Upload;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Store and activate a tenant's policy (a new version); running
    /// sessions keep the version they started with.
    ///
    /// The policy is loaded first: settings it refuses, or a component
    /// that does not load, are an error (exit 1) and nothing is stored.
    Set {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// A policy component (`.wasm`); default: the built-in policy.
        #[arg(long, value_name = "FILE.wasm")]
        policy: Option<PathBuf>,
        /// The same, as `policy upload` takes it.
        #[arg(value_name = "FILE.wasm", conflicts_with = "policy")]
        component: Option<PathBuf>,
        /// The policy's settings (JSON); default: `{}`, the policy's defaults.
        #[arg(long, value_name = "FILE.json")]
        settings: Option<PathBuf>,
        /// The built-in policy's preset: what the settings left out mean
        /// (`strict`: a ticket as the reason, read-only unless scoped, 1 h,
        /// 15 min idle, approval for privileged targets, do-not-track).
        #[arg(long, value_enum, conflicts_with_all = ["policy", "component"])]
        preset: Option<PresetArg>,
    },
    /// Check, test and store a new version of a tenant's policy; prints it.
    ///
    /// Steps, in order: size, component, compile, imports, world, settings,
    /// suites. The first that fails is named on stderr (exit 1); then
    /// nothing is stored and the active version keeps serving.
    Upload {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// The policy component; default: the built-in policy.
        #[arg(value_name = "FILE.wasm")]
        component: Option<PathBuf>,
        /// The same, as `policy set` takes it.
        #[arg(long, value_name = "FILE.wasm", conflicts_with = "component")]
        policy: Option<PathBuf>,
        /// The policy's settings (JSON); default: `{}`, the policy's defaults.
        #[arg(long, value_name = "FILE.json")]
        settings: Option<PathBuf>,
        /// A test suite the version must pass (docs/contract.md format), run
        /// with the uploaded settings; repeatable.
        #[arg(long = "suite", value_name = "SUITE.json")]
        suites: Vec<PathBuf>,
        /// Make it the active version once stored.
        #[arg(long)]
        activate: bool,
        /// Who uploads it (kept in the version's history).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
        /// A note kept with the version.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Make a stored version the tenant's active policy; prints it.
    ///
    /// Atomic: calls in flight finish on the version they started with,
    /// sessions keep theirs, new starts take this one.
    Activate {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// The stored version to activate (as `policy list` prints it).
        #[arg(long, value_name = "N")]
        version: u32,
        /// Who activates it (kept in the activation history).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Undo the tenant's last activation: the version active before it
    /// serves again; prints it. Twice goes two activations back; exit 1
    /// when there is nothing earlier.
    Rollback {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// Who rolls back (kept in the activation history).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Every version of a tenant's policy, oldest first, one JSON line each.
    List {
        /// The tenant.
        #[arg(long)]
        tenant: String,
    },
    /// Print a tenant's active policy, or one version (version 0: the
    /// built-in one with its defaults).
    Show {
        /// The tenant.
        #[arg(long)]
        tenant: String,
        /// A version other than the active one.
        #[arg(long, value_name = "N")]
        version: Option<u32>,
    },
    /// What if version N served? Replays the start and action requests the
    /// audit trail recorded against it and prints, as JSON, every decision
    /// that would change (allow->deny, deny->allow, other codes) with counts.
    ///
    /// Exit 0 when no decision would change, 3 when some would.
    Diff {
        /// The tenant whose audit trail is replayed.
        #[arg(long)]
        tenant: String,
        /// The version to replay against (0: the built-in policy's defaults).
        #[arg(long, value_name = "N")]
        candidate: u32,
        /// Only decisions recorded at or after this time.
        #[arg(long, value_name = "RFC3339")]
        since: Option<DateTime<Utc>>,
    },
    /// Print the JSON Schema (2020-12) of the default policy's settings (no
    /// database): every field's type, default, description and the rule
    /// ids it drives (`x-standin-rules`). The same as `GET
    /// /v1/settings-schema` and docs/settings.schema.json.
    Schema,
    /// Make a new policy NAME (no database): a starter policy, its suite,
    /// and the SDK and WIT it builds against. A Rust crate by default, with
    /// the release profile that makes small, fast components; `--lang ts`
    /// makes a TypeScript package built with componentize-js, `--lang
    /// python` a Python one built with componentize-py. Prints the folder.
    New {
        /// The policy's name (lowercase letters, digits, `-`, `_`).
        name: String,
        /// Where to make it (default: the working directory).
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// The language: `rust` (a crate built with cargo), `ts` (a
        /// TypeScript package built with componentize-js) or `python`
        /// (built with componentize-py).
        #[arg(long, value_enum, default_value = "rust")]
        lang: crate::scaffold::Lang,
    },
}

impl Command {
    /// `list`, `show` and `diff` only read. `diff` loads the candidate
    /// version, which may compile it; the compiled artifact is a cache
    /// that a read-only store does not keep (the next process compiles again).
    pub fn access(&self) -> Access {
        match self {
            Self::List { .. } | Self::Show { .. } | Self::Diff { .. } => Access::Read,
            Self::Set { .. } | Self::Upload { .. } | Self::Activate { .. } | Self::Rollback { .. } => Access::Write,
            // Never open one: `main` runs them without a database.
            Self::New { .. } | Self::Schema => Access::Read,
        }
    }
}

/// The built-in policy's presets (`preset` in its settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PresetArg {
    Permissive,
    Strict,
}

/// `settings` with `"preset"` set; refused when they name another one.
fn with_preset(settings: &str, preset: PresetArg) -> Result<String> {
    let name = match preset {
        PresetArg::Permissive => "permissive",
        PresetArg::Strict => "strict",
    };
    let mut value: serde_json::Value = serde_json::from_str(settings)?;
    let Some(fields) = value.as_object_mut() else {
        anyhow::bail!("settings: must be a JSON object to take a preset");
    };
    match fields.get("preset").and_then(|p| p.as_str()) {
        Some(other) if other != name => anyhow::bail!("settings name preset `{other}`, but --preset is `{name}`"),
        _ => fields.insert("preset".to_string(), name.into()),
    };
    Ok(value.to_string())
}

fn settings(path: Option<&Path>) -> Result<String> {
    match path {
        Some(path) => input::read_text(path, Kind::Settings),
        None => Ok("{}".to_string()),
    }
}

/// A component file, within the host's component cap.
fn read_component(path: Option<&Path>) -> Result<Option<Vec<u8>>, InputError> {
    path.map(|p| input::read(p, Kind::Component)).transpose()
}

/// `policy schema`: the settings' schema, pretty-printed.
pub fn schema() -> Result<Exit> {
    let text = serde_json::to_string_pretty(&standin_default_policy::schema::settings_schema())?;
    println!("{text}");
    Ok(Exit::Success)
}

/// `policy new`: the crate is made, its folder printed.
pub fn new_crate(name: &str, dir: &Path, lang: crate::scaffold::Lang) -> Result<Exit> {
    let root = crate::scaffold::create(name, dir, lang)?;
    print(&serde_json::json!({"created": root.display().to_string(), "name": name}))?;
    Ok(Exit::Success)
}

pub fn run(command: Command, sessions: &Standin, now: DateTime<Utc>) -> Result<Exit> {
    match command {
        Command::New { name, dir, lang } => return new_crate(&name, &dir, lang),
        Command::Schema => return schema(),
        Command::Set {
            tenant,
            policy,
            component,
            settings: path,
            preset,
        } => {
            let mut settings = settings(path.as_deref())?;
            if let Some(preset) = preset {
                settings = with_preset(&settings, preset)?;
            }
            let component = read_component(policy.or(component).as_deref())?;
            print(&sessions.policies().set(&tenant, component.as_deref(), &settings, now)?)?;
        }
        Command::Upload {
            tenant,
            component,
            policy,
            settings: path,
            suites,
            activate,
            by,
            note,
        } => {
            let settings = settings(path.as_deref())?;
            // Refused at the read, as the upload's first step (`size`) would.
            let component = read_component(component.or(policy).as_deref()).map_err(|e| match e {
                InputError::TooLarge { .. } => anyhow::anyhow!("upload refused at step `size`: {e}"),
                e => e.into(),
            })?;
            let suites = suites
                .iter()
                .map(|p| input::load_suite(p))
                .collect::<Result<Vec<_>>>()?;
            let upload = Upload {
                tenant: &tenant,
                component: component.as_deref(),
                settings: &settings,
                suites: &suites,
                uploaded_by: by.as_deref(),
                note: note.as_deref(),
                activate,
            };
            print(&sessions.policies().upload(&upload, now)?)?;
        }
        Command::Activate { tenant, version, by } => {
            print(&sessions.policies().activate(&tenant, version, by.as_deref(), now)?)?;
        }
        Command::Rollback { tenant, by } => print(&sessions.policies().rollback(&tenant, by.as_deref(), now)?)?,
        Command::List { tenant } => {
            for version in sessions.policies().versions(&tenant)? {
                print(&version)?;
            }
        }
        Command::Show {
            tenant,
            version: Some(v),
        } if v != 0 => print(&sessions.policies().version(&tenant, v)?)?,
        Command::Show { tenant, version } => match sessions.policies().active(&tenant)? {
            Some(stored) if version.is_none() => print(&stored)?,
            active => {
                // Version 0, the built-in policy, in a stored version's
                // shape: its settings are the defaults it runs with.
                let info = sessions.host().load_default("{}")?.info().clone();
                print(&serde_json::json!({
                    "tenant": tenant, "version": 0,
                    "digest": standin::Digest::of(standin::DEFAULT_POLICY).to_string(),
                    "settings": standin_default_policy::settings::defaults(),
                    "created_at": null, "uploaded_by": null, "note": "built into this release of standin",
                    "active": active.is_none(), "activated_at": null, "policy": info, "builtin": true,
                }))?;
            }
        },
        Command::Diff {
            tenant,
            candidate,
            since,
        } => {
            let report = sessions.policies().replay(&tenant, candidate, since)?;
            print(&report)?;
            if report.changed > 0 {
                return Ok(Exit::Failed);
            }
        }
    }
    Ok(Exit::Success)
}
