//! Standin's integration tests, one module per topic. Every rule test goes
//! through the real default-policy component, not the native crate.

mod actions;
mod activity;
mod approval;
mod artifacts;
mod audit;
mod batch;
mod common;
mod concurrency;
mod digests;
mod expiry;
mod fresh;
mod generic;
mod group_commit;
mod hardening;
mod harness;
mod hostile;
mod integrity;
mod integrity_rows;
mod isolation;
mod loading;
mod many;
mod policies;
mod properties;
mod reevaluate;
mod scope;
mod sessions;
mod settings;
mod shared;
mod start;
mod store_conformance;
mod strict;
mod tokens;
mod versions;
mod wasi;
