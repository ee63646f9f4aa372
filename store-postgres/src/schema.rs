//! The schema, one migration per entry, applied in order under an advisory
//! lock (so replicas starting together migrate once); `standin_schema`
//! counts those applied. Never edit an applied entry; add one.
//!
//! Times are Unix seconds (`BIGINT`), lists and principals JSON text, as
//! in the SQLite store, so a trail moves between them unchanged.

use postgres::Client;
use standin::store::StoreError;

pub const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE components (
    digest     TEXT PRIMARY KEY,
    bytes      BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE policies (
    tenant       TEXT NOT NULL,
    version      INTEGER NOT NULL,
    digest       TEXT NOT NULL REFERENCES components(digest),
    settings     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    active       BOOLEAN NOT NULL,
    uploaded_by  TEXT,
    note         TEXT,
    describe     TEXT,
    activated_at BIGINT,
    PRIMARY KEY (tenant, version)
);
CREATE UNIQUE INDEX policies_one_active ON policies(tenant) WHERE active;
CREATE TABLE activations (
    id      BIGSERIAL PRIMARY KEY,
    tenant  TEXT NOT NULL,
    version INTEGER NOT NULL,
    at      BIGINT NOT NULL,
    by      TEXT,
    kind    TEXT NOT NULL CHECK (kind IN ('activate', 'rollback')),
    undone  BOOLEAN NOT NULL DEFAULT FALSE,
    FOREIGN KEY (tenant, version) REFERENCES policies(tenant, version)
);
CREATE INDEX activations_by_tenant ON activations(tenant, id);
CREATE TABLE artifacts (
    digest     TEXT NOT NULL,
    engine     TEXT NOT NULL,
    bytes      BYTEA NOT NULL,
    checksum   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (digest, engine)
);
CREATE TABLE sessions (
    id               TEXT PRIMARY KEY,
    tenant           TEXT NOT NULL,
    actor            TEXT NOT NULL,
    target           TEXT NOT NULL,
    actor_principal  TEXT NOT NULL,
    target_principal TEXT NOT NULL,
    reason           TEXT,
    domain           TEXT,
    read_only        BOOLEAN NOT NULL,
    started_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    max_expires_at   BIGINT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('active', 'ended')),
    ended_at         BIGINT,
    end_reason       TEXT CHECK (end_reason IN ('stopped', 'expired', 'revoked')),
    return_to        TEXT,
    policy_version   INTEGER NOT NULL,
    policy_digest    TEXT NOT NULL,
    notify_target    BOOLEAN NOT NULL,
    obligations      TEXT NOT NULL,
    revoke_reason    TEXT,
    parent           TEXT,
    depth            INTEGER NOT NULL
);
CREATE UNIQUE INDEX sessions_one_active ON sessions(tenant, actor, depth) WHERE state = 'active';
CREATE INDEX sessions_due ON sessions(expires_at) WHERE state = 'active';
CREATE INDEX sessions_by_tenant ON sessions(tenant, started_at);
CREATE TABLE chain_heads (
    tenant TEXT PRIMARY KEY,
    seq    BIGINT NOT NULL,
    hash   TEXT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE TABLE audit_facts (
    digest TEXT PRIMARY KEY,
    body   TEXT NOT NULL
);
CREATE TABLE audit (
    tenant         TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    at             BIGINT NOT NULL,
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
    expires_at     BIGINT,
    obligations    TEXT,
    note           TEXT,
    request        TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    chain          INTEGER NOT NULL,
    facts          TEXT REFERENCES audit_facts(digest),
    PRIMARY KEY (tenant, seq)
);
CREATE INDEX audit_by_session ON audit(session);
CREATE TABLE outbox (
    id         BIGSERIAL PRIMARY KEY,
    tenant     TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    session    TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    acked_at   BIGINT
);
CREATE TABLE notifications (
    tenant           TEXT PRIMARY KEY,
    enabled          BOOLEAN NOT NULL,
    started_template TEXT NOT NULL,
    ended_template   TEXT NOT NULL
);
CREATE TABLE return_origins (
    tenant TEXT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (tenant, origin)
);
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    tenant     TEXT NOT NULL,
    scope      TEXT NOT NULL CHECK (scope IN ('decide', 'audit', 'admin')),
    name       TEXT,
    hash       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_by_tenant ON api_keys(tenant, created_at);
",
    r"
-- Outbox claims (`OutboxStore::claim`): a consumer holds a message until
-- `claimed_until`, then another may claim it.
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
CREATE INDEX outbox_pending ON outbox(tenant, id) WHERE acked_at IS NULL;
",
    r"
-- Approval: a session may be `pending`, end `rejected` or
-- `approval-expired`, and keeps its approval as JSON; a pending request's
-- deadline is due too.
ALTER TABLE sessions DROP CONSTRAINT sessions_state_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_state_check CHECK (state IN ('active', 'ended', 'pending'));
ALTER TABLE sessions DROP CONSTRAINT sessions_end_reason_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_end_reason_check
    CHECK (end_reason IN ('stopped', 'expired', 'revoked', 'rejected', 'approval-expired'));
ALTER TABLE sessions ADD COLUMN approval TEXT;
DROP INDEX sessions_due;
CREATE INDEX sessions_due ON sessions(expires_at) WHERE state IN ('active', 'pending');
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
    // its tenant's audit chain and the lease of the deliverer holding it
    // (replicas lease with `FOR UPDATE SKIP LOCKED`); the delivery log, one
    // row per endpoint and event delivered or given up on.
    r"
CREATE TABLE webhooks (
    id            TEXT PRIMARY KEY,
    tenant        TEXT NOT NULL,
    url           TEXT NOT NULL,
    events        TEXT NOT NULL,
    description   TEXT,
    created_at    BIGINT NOT NULL,
    secrets       TEXT NOT NULL,
    cursor_seq    BIGINT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    failing_since BIGINT,
    next_at       BIGINT,
    last_error    TEXT,
    lease_holder  TEXT,
    lease_until   BIGINT,
    tag           TEXT,
    format        TEXT NOT NULL DEFAULT 'webhook' CHECK (format IN ('webhook', 'ssf-push', 'ssf-poll')),
    options       TEXT,
    outbox_seq    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhooks_by_tenant ON webhooks(tenant, created_at);
CREATE TABLE webhook_log (
    endpoint        TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    message_id      TEXT NOT NULL,
    event           TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('delivered', 'dead', 'replaying')),
    attempts        INTEGER NOT NULL,
    response_status INTEGER,
    error           TEXT,
    at              BIGINT NOT NULL,
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
    // timeout (IT1), in seconds; NULL for a session with none (and every
    // session stored before them).
    r"
ALTER TABLE sessions ADD COLUMN scope TEXT;
ALTER TABLE sessions ADD COLUMN idle_timeout BIGINT;
ALTER TABLE sessions DROP CONSTRAINT sessions_end_reason_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_end_reason_check
    CHECK (end_reason IN ('stopped', 'expired', 'revoked', 'rejected', 'approval-expired', 'idle'));
CREATE INDEX sessions_idle ON sessions(id) WHERE state = 'active' AND idle_timeout IS NOT NULL;
CREATE INDEX audit_idle ON audit(session, at)
    WHERE expires_at IS NOT NULL AND event IN ('action.allowed', 'action.denied');
",
];

///  The advisory lock key migrations take (any fixed number).
const MIGRATION_LOCK: i64 = 0x5354_414e_4449_4e01;

pub(crate) fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction().map_err(crate::db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(crate::db)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS standin_schema (version INTEGER NOT NULL)")
        .map_err(crate::db)?;
    let found: Option<i32> = tx
        .query_opt("SELECT version FROM standin_schema", &[])
        .map_err(crate::db)?
        .map(|r| r.get(0));
    let known = MIGRATIONS.len() as i64;
    let mut version = i64::from(found.unwrap_or(0));
    if version > known {
        return Err(StoreError::TooNew { found: version, known });
    }
    if found.is_none() {
        tx.execute("INSERT INTO standin_schema (version) VALUES (0)", &[])
            .map_err(crate::db)?;
    }
    while version < known {
        tx.batch_execute(MIGRATIONS[version as usize]).map_err(crate::db)?;
        version += 1;
        tx.execute("UPDATE standin_schema SET version = $1", &[&(version as i32)])
            .map_err(crate::db)?;
    }
    tx.commit().map_err(crate::db)
}
