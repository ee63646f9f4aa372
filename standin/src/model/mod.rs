//! The domain's plain data: a session and its states, the messages for the
//! target, the ids the library makes. No storage and no policy here: the
//! transitions that change a session are in [`crate::sessions`], the
//! tables that keep it are a backend's ([`crate::store`]).

mod ids;
mod message;
mod session;

pub(crate) use ids::random_id;
pub use message::{Acked, NewMessage, Notifications, OutboxMessage, kinds};
pub use session::{Approval, EndReason, Extension, Opening, SessionRecord, SessionState};
