//! The delivery log (one row per endpoint and event that was delivered or
//! given up on) and what a deliverer records after a round ([`Progress`]).

use super::endpoint::Cursor;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where outbox messages' rows start in the delivery log, which is keyed
/// by endpoint and `seq`: an outbox message's row has `OUTBOX_SEQ` + its
/// id, far above any audit `seq`.
pub const OUTBOX_SEQ: u64 = 1 << 62;

/// What became of one event for one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// The receiver answered 2xx.
    Delivered,
    /// Given up on (past the retry horizon, or refused with a 4xx): a dead
    /// letter, until an admin replays it.
    Dead,
    /// A dead letter an admin asked to deliver again; the deliverer sends
    /// it before new events.
    Replaying,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Dead => "dead",
            Self::Replaying => "replaying",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "delivered" => Some(Self::Delivered),
            "dead" => Some(Self::Dead),
            "replaying" => Some(Self::Replaying),
            _ => None,
        }
    }
}

/// One row of an endpoint's delivery log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Delivery {
    pub endpoint: String,
    /// The audit event's `seq` in the endpoint's tenant's chain.
    pub seq: u64,
    /// The `webhook-id` it was sent with.
    pub message_id: String,
    pub event: String,
    pub status: DeliveryStatus,
    /// Attempts made.
    pub attempts: u32,
    /// The receiver's last HTTP status, if it answered.
    pub response_status: Option<u16>,
    /// The last failure, if any.
    pub error: Option<String>,
    /// When it reached this status.
    pub at: DateTime<Utc>,
}

impl Delivery {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        endpoint: &str,
        seq: u64,
        message_id: &str,
        event: &str,
        status: DeliveryStatus,
        attempts: u32,
        response_status: Option<u16>,
        error: Option<String>,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            endpoint: endpoint.to_string(),
            seq,
            message_id: message_id.to_string(),
            event: event.to_string(),
            status,
            attempts,
            response_status,
            error,
            at,
        }
    }
}

/// What a deliverer holding an endpoint's lease records: its new cursor
/// and the log rows of what it delivered or gave up on, in one
/// transaction, and only while it still holds the lease (so a deliverer
/// that lost it, to a pause longer than the lease, changes nothing).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    pub endpoint: String,
    pub holder: String,
    /// `None`: the cursor stays.
    pub cursor: Option<Cursor>,
    /// Rows written or replaced (by endpoint and `seq`).
    pub log: Vec<Delivery>,
    /// Whether the lease ends with this record (the round is over).
    pub release: bool,
}

impl Progress {
    pub fn new(endpoint: &str, holder: &str) -> Self {
        Self {
            endpoint: endpoint.to_string(),
            holder: holder.to_string(),
            cursor: None,
            log: Vec::new(),
            release: false,
        }
    }
}
