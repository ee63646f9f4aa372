//! The audit trail, backend-neutral: the event ([`AuditEvent`]), how a row
//! is sealed into its tenant's hash chain (`chain`: formats, row
//! digests, `expected_hash`), the request facts an action's row refers to
//! (`facts`), the Ed25519 keys that sign checkpoints of a chain's head
//! (`signing`), the report formats of `audit query` (`report`), the
//! check of a chain ([`verify_chain`]) and of the tables against it
//! (`verify`, `crosscheck`), signed checkpoints of a chain's head
//! (`checkpoints`) and the thread that takes them on a schedule
//! (`checkpointer`).
//!
//! Where a row is written: the session layer builds the event
//! (`sessions::changes`), a store appends it in order and seals it with
//! [`seal`] (`standin-store-sqlite`'s `audit.rs`, `standin-store-postgres`'s);
//! `Audit::verify` (`verify`) recomputes the chain and cross-checks the
//! tables. Nothing here knows a database but through the [`Store`](crate::Store).

pub mod activity;
mod chain;
pub(crate) mod checkpointer;
mod checkpoints;
mod crosscheck;
mod event;
mod facts;
mod report;
pub(crate) mod signing;
mod verify;

pub(crate) use chain::hex;
pub use chain::{
    CHAIN_V1, CHAIN_V2, CHAIN_V3, GENESIS_HASH, Head, SessionDigests, chain_hash, chain_hash_v2, expected_hash,
    row_digest, row_digest_after, seal, session_digest,
};
pub use checkpointer::{
    CheckpointCounts, CheckpointNote, CheckpointSchedule, Checkpointer, is_folder_name, write_checkpoint,
};
pub use checkpoints::{Checkpoint, CheckpointError, CheckpointProblem, DOMAIN, NamedCheckpoint, signed_bytes};
pub use event::{AuditEvent, events};
pub use facts::{FactsSeen, RequestFacts, Seal, action_request_json, is_action_request_json};
pub use report::{Format, View, render};
pub use signing::{ALGORITHM, KeyError, PublicKey, SigningKey};
pub use verify::{Broken, CheckpointChecked, TenantChain, VerifyOptions, verify_chain};

/// One trail per tenant: query, verify, checkpoints; from [`Audit::query`](crate::audit::Audit::query).
#[derive(Debug, Clone, Copy)]
pub struct Audit<'a>(pub(crate) &'a crate::Standin);

impl std::ops::Deref for Audit<'_> {
    type Target = crate::Standin;

    fn deref(&self) -> &crate::Standin {
        self.0
    }
}
