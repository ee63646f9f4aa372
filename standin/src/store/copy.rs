//! Moving a whole database from one backend to another (`standin
//! migrate`): what is copied, and the two traits a backend implements to
//! be a source ([`Export`]) or a target ([`Import`]). The copy goes
//! through the stores, never around them: no backend reads another's
//! files, and the schema both share is named once, here ([`TABLES`]).
//!
//! Rows move as stored: nothing is re-sealed, so every audit row keeps its
//! `seq`, hashes and chain format, and every row its host-key tag, and the
//! chain verifies on the target exactly as on the source. A source reads
//! one snapshot; a target writes one transaction: all of it lands or none.

use super::StoreError;

/// How a column is stored: the same in every backend (times and ids as
/// 64-bit integers, lists and principals as JSON text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Bytes,
    /// Times, sequence numbers, ids.
    Big,
    /// Versions, depths, formats.
    Int,
    Bool,
}

use Kind::{Big, Bool, Bytes, Int, Text};

/// One stored value, `None` for SQL `NULL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Big(Option<i64>),
    Int(Option<i32>),
    Bool(Option<bool>),
}

/// A table and the columns copied.
pub type Table = (&'static str, &'static [(&'static str, Kind)]);

/// Tables in an order their references allow, with the columns copied.
pub const TABLES: &[(&str, &[(&str, Kind)])] = &[
    ("components", &[("digest", Text), ("bytes", Bytes), ("created_at", Big)]),
    (
        "policies",
        &[
            ("tenant", Text),
            ("version", Int),
            ("digest", Text),
            ("settings", Text),
            ("created_at", Big),
            ("active", Bool),
            ("uploaded_by", Text),
            ("note", Text),
            ("describe", Text),
            ("activated_at", Big),
            ("tag", Text),
            ("active_tag", Text),
        ],
    ),
    (
        "activations",
        &[
            ("id", Big),
            ("tenant", Text),
            ("version", Int),
            ("at", Big),
            ("by", Text),
            ("kind", Text),
            ("undone", Bool),
        ],
    ),
    (
        "sessions",
        &[
            ("id", Text),
            ("tenant", Text),
            ("actor", Text),
            ("target", Text),
            ("actor_principal", Text),
            ("target_principal", Text),
            ("reason", Text),
            ("domain", Text),
            ("read_only", Bool),
            ("started_at", Big),
            ("expires_at", Big),
            ("max_expires_at", Big),
            ("state", Text),
            ("ended_at", Big),
            ("end_reason", Text),
            ("return_to", Text),
            ("policy_version", Int),
            ("policy_digest", Text),
            ("notify_target", Bool),
            ("obligations", Text),
            ("revoke_reason", Text),
            ("parent", Text),
            ("depth", Int),
            ("approval", Text),
            ("tag", Text),
            ("scope", Text),
            ("idle_timeout", Big),
        ],
    ),
    ("audit_facts", &[("digest", Text), ("body", Text)]),
    (
        "audit",
        &[
            ("tenant", Text),
            ("seq", Big),
            ("at", Big),
            ("event", Text),
            ("session", Text),
            ("actor", Text),
            ("target", Text),
            ("action", Text),
            ("resource", Text),
            ("reason", Text),
            ("codes", Text),
            ("end_reason", Text),
            ("policy_version", Int),
            ("policy_digest", Text),
            ("expires_at", Big),
            ("obligations", Text),
            ("note", Text),
            ("request", Text),
            ("prev_hash", Text),
            ("hash", Text),
            ("chain", Int),
            ("facts", Text),
        ],
    ),
    (
        "outbox",
        &[
            ("id", Big),
            ("tenant", Text),
            ("recipient", Text),
            ("kind", Text),
            ("session", Text),
            ("text", Text),
            ("created_at", Big),
            ("acked_at", Big),
            ("claimed_until", Big),
        ],
    ),
    (
        "notifications",
        &[
            ("tenant", Text),
            ("enabled", Bool),
            ("started_template", Text),
            ("ended_template", Text),
            ("tag", Text),
        ],
    ),
    ("return_origins", &[("tenant", Text), ("origin", Text), ("tag", Text)]),
    ("routes", &[("tenant", Text), ("rules", Text), ("tag", Text)]),
    ("token_issuers", &[("tenant", Text), ("issuers", Text), ("tag", Text)]),
    (
        "api_keys",
        &[
            ("id", Text),
            ("tenant", Text),
            ("scope", Text),
            ("name", Text),
            ("hash", Text),
            ("created_at", Big),
            ("revoked_at", Big),
            ("tag", Text),
        ],
    ),
    (
        "webhooks",
        &[
            ("id", Text),
            ("tenant", Text),
            ("url", Text),
            ("events", Text),
            ("description", Text),
            ("created_at", Big),
            ("secrets", Text),
            ("cursor_seq", Big),
            ("attempts", Int),
            ("failing_since", Big),
            ("next_at", Big),
            ("last_error", Text),
            ("lease_holder", Text),
            ("lease_until", Big),
            ("tag", Text),
            ("format", Text),
            ("options", Text),
            ("outbox_seq", Big),
        ],
    ),
    (
        "webhook_log",
        &[
            ("endpoint", Text),
            ("seq", Big),
            ("message_id", Text),
            ("event", Text),
            ("status", Text),
            ("attempts", Int),
            ("response_status", Int),
            ("error", Text),
            ("at", Big),
        ],
    ),
];

/// The tables a target must hold no row of before a copy: rows already
/// there would merge with the source's (notifications turned off, an
/// origin allowed that the source never allowed).
pub const MUST_BE_EMPTY: &[&str] = &[
    "policies",
    "sessions",
    "audit",
    "outbox",
    "api_keys",
    "notifications",
    "return_origins",
    "activations",
    "chain_heads",
    "webhooks",
    "routes",
    "token_issuers",
];

/// A store its rows can be read out of, as stored.
pub trait Export {
    /// Hands every table of [`TABLES`], in order, to `into`, from one
    /// snapshot of the store.
    fn export(&self, into: &mut dyn Load) -> Result<(), StoreError>;
}

/// Where an export goes, one table at a time.
pub trait Load {
    /// Table `table`, with `count` rows, read by `rows`.
    fn table(&mut self, table: &Table, count: u64, rows: &mut dyn Rows) -> Result<(), StoreError>;
}

/// The rows of one table of an export.
pub trait Rows {
    /// Calls `row` with each row's cells, in the columns' order; the rows read.
    fn each(&mut self, row: &mut dyn FnMut(&[Cell]) -> Result<(), StoreError>) -> Result<u64, StoreError>;
}

/// A store that can be filled, while it holds no data, from an export.
pub trait Import {
    /// Copies everything `from` exports, in one transaction; `progress` is
    /// told `(table, rows copied, rows in table)` as the copy goes.
    fn import(&self, from: &dyn Export, progress: &mut dyn FnMut(&str, u64, u64)) -> Result<Copied, CopyError>;
}

/// Rows copied, per table, in copy order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Copied {
    pub tables: Vec<(String, u64)>,
}

/// Why a copy did not happen (and nothing was written).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The target already holds data: a copy would mix two trails.
    #[error("the target database is not empty (it has {0}); migrate into a new database")]
    NotEmpty(String),
}
