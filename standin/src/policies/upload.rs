//! Uploading a tenant's policy: every check before anything is stored.
//!
//! A new version passes these steps in order, and the first that fails
//! names itself in the error: `size` (the host's cap), `component` (wasm,
//! and a component rather than a core module), `compile`, `imports`
//! (nothing the host does not offer, and it offers nothing), `world` (the
//! `standin:policy/policy` interface at a semver-compatible version, with
//! every function), `settings` (the policy's own validation, under the
//! sandbox), `suites` (every attached test suite passes against the new
//! version with the uploaded settings). Only then is the version stored,
//! and activated if asked, in one transaction. A failed upload stores
//! nothing and the active version keeps serving.

use super::{PolicyError, Registry};
use crate::harness::{self, Suite, SuiteReport};
use crate::policies::{NewPolicy, StoredPolicy};
use crate::sessions::changes::secs;
use chrono::{DateTime, Utc};
use serde::Serialize;
use standin_engine::Artifacts;
use standin_engine::LoadError;

/// A new version of a tenant's policy.
#[derive(Debug, Clone, Default)]
pub struct Upload<'a> {
    pub tenant: &'a str,
    /// The component; `None`: the built-in policy.
    pub component: Option<&'a [u8]>,
    /// Settings, JSON text.
    pub settings: &'a str,
    /// Test suites the version must pass before it is stored.
    pub suites: &'a [Suite],
    pub uploaded_by: Option<&'a str>,
    pub note: Option<&'a str>,
    /// Make it the active version once stored.
    pub activate: bool,
}

/// The step of an upload that refused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadStep {
    Size,
    Component,
    Compile,
    Imports,
    World,
    Settings,
    Suites,
}

impl std::fmt::Display for UploadStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Size => "size",
            Self::Component => "component",
            Self::Compile => "compile",
            Self::Imports => "imports",
            Self::World => "world",
            Self::Settings => "settings",
            Self::Suites => "suites",
        })
    }
}

fn step_of(e: &LoadError) -> UploadStep {
    match e {
        LoadError::TooLarge { .. } => UploadStep::Size,
        LoadError::NotWasm | LoadError::CoreModule => UploadStep::Component,
        LoadError::Compile(_) | LoadError::Host(_) => UploadStep::Compile,
        LoadError::Imports(_) => UploadStep::Imports,
        LoadError::WrongWorld(_) => UploadStep::World,
        LoadError::Settings(_) | LoadError::Trapped(_) => UploadStep::Settings,
        // A load error of a newer engine: the upload is refused all the same.
        _ => UploadStep::Compile,
    }
}

/// A suite's result at upload.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteResult {
    pub suite: String,
    pub passed: usize,
    pub failed: usize,
}

/// What an upload stored.
#[derive(Debug, Clone, Serialize)]
pub struct Uploaded {
    #[serde(flatten)]
    pub stored: StoredPolicy,
    pub suites: Vec<SuiteResult>,
}

/// The failed cases of a suite, for the error.
fn failures(report: &SuiteReport) -> String {
    let cases: Vec<String> = report
        .cases
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            let why: Vec<String> = c
                .mismatches
                .iter()
                .map(|m| format!("{}: expected {}, got {}", m.field, m.expected, m.actual))
                .collect();
            format!("`{}` ({})", c.name, why.join("; "))
        })
        .collect();
    format!(
        "suite `{}`: {} of {} cases failed: {}",
        report.name,
        report.failed(),
        report.cases.len(),
        cases.join(", ")
    )
}

impl Registry<'_> {
    /// Checks, tests and stores a new version of a tenant's policy (see the
    /// module documentation for the steps); activates it if asked.
    pub fn upload(&self, upload: &Upload<'_>, now: DateTime<Utc>) -> Result<Uploaded, PolicyError> {
        if upload.tenant.is_empty() {
            return Err(PolicyError::EmptyTenant);
        }
        crate::request::check_id("tenant", upload.tenant).map_err(PolicyError::InvalidTenant)?;
        let sessions = self.sessions;
        let bytes = upload.component.unwrap_or(crate::DEFAULT_POLICY);
        let refused = |e: LoadError| PolicyError::Refused {
            step: step_of(&e),
            message: e.to_string(),
            load: Some(e),
        };
        let compiled = sessions.host.compile(bytes).map_err(refused)?;
        let policy = sessions
            .host
            .configure(compiled.clone(), upload.settings, Some(bytes), Some(sessions))
            .map_err(refused)?;
        let mut suites = Vec::new();
        for suite in upload.suites {
            let report = harness::run(&policy, suite, None);
            if report.failed() > 0 {
                return Err(PolicyError::Refused {
                    step: UploadStep::Suites,
                    message: failures(&report),
                    load: None,
                });
            }
            suites.push(SuiteResult {
                suite: suite.name.clone(),
                passed: report.passed(),
                failed: 0,
            });
        }
        let digest = policy.digest().to_string();
        let stored = sessions.store.put_policy(NewPolicy {
            tenant: upload.tenant,
            component: bytes,
            digest: &digest,
            settings: upload.settings,
            info: Some(policy.info()),
            uploaded_by: upload.uploaded_by,
            note: upload.note,
            at: secs(now),
            activate: upload.activate,
        })?;
        sessions.remember_policy(&stored, &policy);
        if !matches!(
            sessions.store.has_artifact(&sessions.artifact_key(compiled.digest())),
            Ok(true)
        ) {
            Artifacts::keep(sessions, &sessions.host, &compiled);
        }
        Ok(Uploaded { stored, suites })
    }
}
