//! The schema and its migrations: the SQL of [`MIGRATIONS`], applied in
//! order, one transaction each; `PRAGMA user_version` counts those applied.
//! Kept apart so the schema can be read (and reviewed) in one place.

use crate::db;
use rusqlite::{Connection, TransactionBehavior};
use standin::store::StoreError;
use std::time::Duration;

/// The schema, one migration per entry. Never edit an applied entry; add one.
pub const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE components (
    digest     TEXT PRIMARY KEY,
    bytes      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE policies (
    tenant     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    digest     TEXT NOT NULL REFERENCES components(digest),
    settings   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    active     INTEGER NOT NULL,
    PRIMARY KEY (tenant, version)
);
CREATE UNIQUE INDEX policies_one_active ON policies(tenant) WHERE active = 1;
CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,
    tenant           TEXT NOT NULL,
    actor            TEXT NOT NULL,
    target           TEXT NOT NULL,
    actor_principal  TEXT NOT NULL,
    target_principal TEXT NOT NULL,
    reason           TEXT,
    domain           TEXT,
    read_only        INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    max_expires_at   INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('active', 'ended')),
    ended_at         INTEGER,
    end_reason       TEXT CHECK (end_reason IN ('stopped', 'expired', 'revoked')),
    return_to        TEXT,
    policy_version   INTEGER NOT NULL,
    policy_digest    TEXT NOT NULL,
    notify_target    INTEGER NOT NULL,
    obligations      TEXT NOT NULL,
    revoke_reason    TEXT,
    parent           TEXT,
    depth            INTEGER NOT NULL
);
CREATE UNIQUE INDEX sessions_one_active ON sessions(tenant, actor, depth) WHERE state = 'active';
CREATE INDEX sessions_due ON sessions(expires_at) WHERE state = 'active';
CREATE INDEX sessions_by_tenant ON sessions(tenant, started_at);
CREATE TABLE audit (
    id             INTEGER PRIMARY KEY,
    tenant         TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    at             INTEGER NOT NULL,
    event          TEXT NOT NULL,
    session        TEXT,
    actor          TEXT NOT NULL,
    target         TEXT NOT NULL,
    action         TEXT,
    resource       TEXT,
    reason         TEXT,
    codes          TEXT NOT NULL,
    end_reason     TEXT,
    policy_version INTEGER NOT NULL,
    policy_digest  TEXT NOT NULL,
    expires_at     INTEGER,
    obligations    TEXT,
    note           TEXT,
    request        TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE UNIQUE INDEX audit_chain ON audit(tenant, seq);
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    session    TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    acked_at   INTEGER
);
CREATE INDEX outbox_pending ON outbox(tenant, id) WHERE acked_at IS NULL;
CREATE TABLE notifications (
    tenant           TEXT PRIMARY KEY,
    enabled          INTEGER NOT NULL,
    started_template TEXT NOT NULL,
    ended_template   TEXT NOT NULL
);
",
    // Tenants' policy versions (see `store::policies`): who uploaded a
    // version and why, what it said of itself, the activation stack, and
    // compiled artifacts.
    r"
ALTER TABLE policies ADD COLUMN uploaded_by TEXT;
ALTER TABLE policies ADD COLUMN note TEXT;
ALTER TABLE policies ADD COLUMN describe TEXT;
ALTER TABLE policies ADD COLUMN activated_at INTEGER;
UPDATE policies SET activated_at = created_at WHERE active = 1;
CREATE TABLE activations (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant  TEXT NOT NULL,
    version INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    by      TEXT,
    kind    TEXT NOT NULL CHECK (kind IN ('activate', 'rollback')),
    undone  INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (tenant, version) REFERENCES policies(tenant, version)
);
CREATE INDEX activations_by_tenant ON activations(tenant, id);
INSERT INTO activations (tenant, version, at, kind)
    SELECT tenant, version, created_at, 'activate' FROM policies WHERE active = 1;
CREATE TABLE artifacts (
    digest     TEXT NOT NULL,
    engine     TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    checksum   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (digest, engine)
);
",
    // The audit chain's second format (see `audit::chain`): each row says
    // its format (rows written before this migration are format 1), and an
    // action's request is stored once per session, in `audit_facts`, named
    // by its sha256 in `audit.facts`.
    r"
ALTER TABLE audit ADD COLUMN chain INTEGER NOT NULL DEFAULT 1;
ALTER TABLE audit ADD COLUMN facts TEXT;
CREATE TABLE audit_facts (
    digest TEXT PRIMARY KEY,
    body   TEXT NOT NULL
);
",
    // Origins a tenant allows as `return_to` besides its own paths
    // (`access::origins`).
    r"
CREATE TABLE return_origins (
    tenant TEXT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (tenant, origin)
);
",
    // API keys of `standin serve` (`standin::keys`): only the secret's hash.
    r"
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL,
    scope      TEXT NOT NULL CHECK (scope IN ('decide', 'audit', 'admin')),
    name       TEXT,
    hash       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX api_keys_by_tenant ON api_keys(tenant, created_at);
",
    // Outbox claims (`OutboxStore::claim`): a consumer holds a message until
    // `claimed_until`, then another may claim it.
    r"
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
",
    // Approval (`sessions::approval`): a session may be `pending`, end
    // `rejected` or `approval-expired`, and keeps its approval as JSON.
    // SQLite cannot change a CHECK constraint in place: the table is made
    // again, rows copied as they are, indexes made again (a pending
    // request's deadline is due too).
    r"
CREATE TABLE sessions_v7 (
    id               TEXT PRIMARY KEY,
    tenant           TEXT NOT NULL,
    actor            TEXT NOT NULL,
    target           TEXT NOT NULL,
    actor_principal  TEXT NOT NULL,
    target_principal TEXT NOT NULL,
    reason           TEXT,
    domain           TEXT,
    read_only        INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    max_expires_at   INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('active', 'ended', 'pending')),
    ended_at         INTEGER,
    end_reason       TEXT CHECK (end_reason IN ('stopped', 'expired', 'revoked', 'rejected', 'approval-expired')),
    return_to        TEXT,
    policy_version   INTEGER NOT NULL,
    policy_digest    TEXT NOT NULL,
    notify_target    INTEGER NOT NULL,
    obligations      TEXT NOT NULL,
    revoke_reason    TEXT,
    parent           TEXT,
    depth            INTEGER NOT NULL,
    approval         TEXT
);
INSERT INTO sessions_v7 SELECT *, NULL FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v7 RENAME TO sessions;
CREATE UNIQUE INDEX sessions_one_active ON sessions(tenant, actor, depth) WHERE state = 'active';
CREATE INDEX sessions_due ON sessions(expires_at) WHERE state IN ('active', 'pending');
CREATE INDEX sessions_by_tenant ON sessions(tenant, started_at);
",
    // Tags the host key makes for the rows the host acts on
    // (`standin::store::Integrity`): with a key, a row without a valid tag is
    // refused when read.
    r"
ALTER TABLE sessions ADD COLUMN tag TEXT;
ALTER TABLE policies ADD COLUMN tag TEXT;
ALTER TABLE policies ADD COLUMN active_tag TEXT;
",
    // Tags for the other rows the host grants access from or obeys
    // (`standin::store::Integrity`): API keys, allowed `return_to` origins and
    // notification settings. With a key, a key without a valid tag
    // authenticates nothing, such an origin is not allowed, and such
    // settings give way to the defaults (which notify).
    r"
ALTER TABLE api_keys ADD COLUMN tag TEXT;
ALTER TABLE return_origins ADD COLUMN tag TEXT;
ALTER TABLE notifications ADD COLUMN tag TEXT;
",
    // Webhook endpoints (`standin::webhooks`): each with its cursor into
    // its tenant's audit chain and the lease of the deliverer holding it;
    // the delivery log, one row per endpoint and event delivered or given
    // up on (`dead`, until replayed).
    r"
CREATE TABLE webhooks (
    id            TEXT PRIMARY KEY,
    tenant        TEXT NOT NULL,
    url           TEXT NOT NULL,
    events        TEXT NOT NULL,
    description   TEXT,
    created_at    INTEGER NOT NULL,
    secrets       TEXT NOT NULL,
    cursor_seq    INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    failing_since INTEGER,
    next_at       INTEGER,
    last_error    TEXT,
    lease_holder  TEXT,
    lease_until   INTEGER,
    tag           TEXT,
    format        TEXT NOT NULL DEFAULT 'webhook' CHECK (format IN ('webhook', 'ssf-push', 'ssf-poll')),
    options       TEXT,
    outbox_seq    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhooks_by_tenant ON webhooks(tenant, created_at);
CREATE TABLE webhook_log (
    endpoint        TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    message_id      TEXT NOT NULL,
    event           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('delivered', 'dead', 'replaying')),
    attempts        INTEGER NOT NULL,
    response_status INTEGER,
    error           TEXT,
    at              INTEGER NOT NULL,
    PRIMARY KEY (endpoint, seq)
);
CREATE INDEX webhook_log_pending ON webhook_log(endpoint, status, seq);
",
    // Tenants' route tables (`standin::access::RouteTable`): which action a
    // gateway's request is; tagged by the host key.
    r"
CREATE TABLE routes (
    tenant TEXT PRIMARY KEY,
    rules  TEXT NOT NULL,
    tag    TEXT
);
",
    // Tenants' trusted issuers (`standin::access::TrustedIssuers`): whose
    // tokens a token exchange takes; tagged by the host key.
    r"
CREATE TABLE token_issuers (
    tenant  TEXT PRIMARY KEY,
    issuers TEXT NOT NULL,
    tag     TEXT
);
",
    // Constrained sessions: the granted scope (SC1), as JSON, and idle
    // timeout (IT1), in seconds, NULL for a session with none (and every
    // session stored before them); a session may end `idle`, decided by
    // its last action's audit row: an action of a session with an idle
    // timeout records the deadline it moves to (`expires_at`), and only
    // those rows are indexed (`audit_idle`), so other rows cost nothing
    // more to append (a full index on `session` cost 30 % of durable
    // authorizes at 64 callers). The
    // CHECK changes, so the table is made again as for approval.
    r"
CREATE TABLE sessions_v8 (
    id               TEXT PRIMARY KEY,
    tenant           TEXT NOT NULL,
    actor            TEXT NOT NULL,
    target           TEXT NOT NULL,
    actor_principal  TEXT NOT NULL,
    target_principal TEXT NOT NULL,
    reason           TEXT,
    domain           TEXT,
    read_only        INTEGER NOT NULL,
    started_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    max_expires_at   INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('active', 'ended', 'pending')),
    ended_at         INTEGER,
    end_reason       TEXT CHECK (end_reason IN ('stopped', 'expired', 'revoked', 'rejected', 'approval-expired', 'idle')),
    return_to        TEXT,
    policy_version   INTEGER NOT NULL,
    policy_digest    TEXT NOT NULL,
    notify_target    INTEGER NOT NULL,
    obligations      TEXT NOT NULL,
    revoke_reason    TEXT,
    parent           TEXT,
    depth            INTEGER NOT NULL,
    approval         TEXT,
    tag              TEXT,
    scope            TEXT,
    idle_timeout     INTEGER
);
INSERT INTO sessions_v8 SELECT *, NULL, NULL FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_v8 RENAME TO sessions;
CREATE UNIQUE INDEX sessions_one_active ON sessions(tenant, actor, depth) WHERE state = 'active';
CREATE INDEX sessions_due ON sessions(expires_at) WHERE state IN ('active', 'pending');
CREATE INDEX sessions_by_tenant ON sessions(tenant, started_at);
CREATE INDEX sessions_idle ON sessions(id) WHERE state = 'active' AND idle_timeout IS NOT NULL;
CREATE INDEX audit_idle ON audit(session, at)
    WHERE expires_at IS NOT NULL AND event IN ('action.allowed', 'action.denied');
",
];

///  How long a writer waits for another process's write lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let known = MIGRATIONS.len() as i64;
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db)?;
        if version > known {
            return Err(StoreError::TooNew { found: version, known });
        }
        if version == known {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[version as usize]).map_err(db)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1))
            .map_err(db)?;
        tx.commit().map_err(db)?;
    }
}
