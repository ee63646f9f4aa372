//! The requests and settings every engine decides on: the host benches'
//! own (`standin/benches/decisions/requests.rs`, included as a module), so
//! that the figures compare.

use chrono::{DateTime, Utc};

#[path = "../../../standin/benches/decisions/requests.rs"]
mod host;

pub use host::{ACTION, SETTINGS, START, action_request, now, start_request};

/// The time a request is decided at, in Unix seconds, as the host packs it.
pub fn unix(at: Option<DateTime<Utc>>) -> i64 {
    at.unwrap_or_else(now).timestamp()
}

/// The settings every engine runs with: the policy's defaults overlaid with
/// [`SETTINGS`] (Rego reads them as `data.settings`; Cedar has them written
/// into its policy text).
pub fn full_settings() -> serde_json::Value {
    let mut all: serde_json::Value =
        serde_json::from_str(&standin_default_policy::settings::defaults()).expect("the defaults are JSON");
    let tenant: serde_json::Value = serde_json::from_str(SETTINGS).expect("the settings are JSON");
    if let (Some(all), Some(tenant)) = (all.as_object_mut(), tenant.as_object()) {
        for (k, v) in tenant {
            all.insert(k.clone(), v.clone());
        }
    }
    all
}
