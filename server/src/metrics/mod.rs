//! Prometheus metrics, in the text exposition format at `/metrics`.
//!
//! A few families, kept by hand (atomics behind a read-mostly lock: the hot
//! path takes a read lock and bumps an atomic): decisions by tenant, kind,
//! outcome and first reason code; policy errors and timeouts by tenant;
//! requests and their latency by route; decision latency by kind; and the
//! audit writer's queue depth and commit latency, read from the store when
//! scraped; open connections and those the server dropped; and, with
//! `--checkpoint-every`, the checkpoints written, refused and failed; webhook
//! attempts by endpoint and outcome, and each endpoint's queue. Label values
//! are bounded: tenants are only those a key reached, routes only those of
//! the table, reason codes only those of [`KNOWN_CODES`] (any other is
//! `other`).

mod policies;

use crate::app::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use standin::Decision;
use standin::decision::codes;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds (the store's, so the
/// audit commit histogram has the same buckets).
pub use standin::store::LATENCY_BUCKETS as BUCKETS;

/// Counters of one family, by label values.
#[derive(Debug, Default)]
struct Counters(RwLock<HashMap<Vec<String>, Arc<AtomicU64>>>);

impl Counters {
    fn add(&self, labels: &[&str], n: u64) {
        let found = {
            let map = self.0.read().unwrap_or_else(PoisonError::into_inner);
            map.iter()
                .find(|(k, _)| k.iter().map(String::as_str).eq(labels.iter().copied()))
                .map(|(_, v)| v.clone())
        };
        let counter = found.unwrap_or_else(|| {
            let key: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
            let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
            map.entry(key).or_default().clone()
        });
        counter.fetch_add(n, Ordering::Relaxed);
    }

    fn snapshot(&self) -> BTreeMap<Vec<String>, u64> {
        let map = self.0.read().unwrap_or_else(PoisonError::into_inner);
        map.iter()
            .map(|(k, v)| (k.clone(), v.load(Ordering::Relaxed)))
            .collect()
    }
}

/// One histogram's buckets, count and sum (in nanoseconds).
#[derive(Debug, Default)]
struct Buckets {
    counts: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

#[derive(Debug, Default)]
struct Histograms(RwLock<HashMap<Vec<String>, Arc<Buckets>>>);

impl Histograms {
    fn observe(&self, labels: &[&str], d: Duration) {
        let found = {
            let map = self.0.read().unwrap_or_else(PoisonError::into_inner);
            map.iter()
                .find(|(k, _)| k.iter().map(String::as_str).eq(labels.iter().copied()))
                .map(|(_, v)| v.clone())
        };
        let buckets = found.unwrap_or_else(|| {
            let key: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
            let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
            map.entry(key).or_default().clone()
        });
        let secs = d.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            buckets.counts[i].fetch_add(1, Ordering::Relaxed);
        }
        buckets.count.fetch_add(1, Ordering::Relaxed);
        buckets.sum_nanos.fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
    }

    fn render(&self, out: &mut String, name: &str, label_names: &[&str]) {
        let map = self.0.read().unwrap_or_else(PoisonError::into_inner);
        let sorted: BTreeMap<_, _> = map.iter().collect();
        for (labels, b) in sorted {
            let base = label_pairs(label_names, labels);
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += b.counts[i].load(Ordering::Relaxed);
                let _ = writeln!(out, "{name}_bucket{{{base}{}le=\"{bound}\"}} {cumulative}", sep(&base));
            }
            let count = b.count.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{{base}{}le=\"+Inf\"}} {count}", sep(&base));
            let sum = b.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(out, "{name}_sum{{{base}}} {sum}");
            let _ = writeln!(out, "{name}_count{{{base}}} {count}");
        }
    }
}

fn sep(base: &str) -> &'static str {
    if base.is_empty() { "" } else { "," }
}

/// `a="x",b="y"`, values escaped as the format says.
fn label_pairs(names: &[&str], values: &[String]) -> String {
    names
        .iter()
        .zip(values)
        .map(|(n, v)| {
            let v = v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
            format!("{n}=\"{v}\"")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The reason codes the `code` label takes by name: the contract's, the
/// host's and those of approvals. Any other code (a custom policy may say
/// anything) is counted as `other`, so that a policy cannot make one
/// series per value it makes up.
pub const KNOWN_CODES: &[&str] = &[
    "not-permitted",
    "target-inactive",
    "target-never-logged-in",
    "target-consent-missing",
    "target-level-not-lower",
    "target-out-of-scope",
    "domain-required",
    "domain-not-shared",
    "target-has-wider-access",
    "nested-impersonation",
    "self-impersonation",
    "cross-tenant",
    "reason-required",
    "forbidden-action",
    "reserved-for-target",
    "read-only-session",
    codes::POLICY_ERROR,
    codes::POLICY_TIMEOUT,
    codes::POLICY_MEMORY,
    codes::POLICY_UNAVAILABLE,
    codes::INVALID_REQUEST,
    "session-ended",
    "session-expired",
    "session-pending",
    "approver-is-actor",
    "approver-not-allowed",
    standin::authzen::UNSUPPORTED,
];

/// The `code` label of a reason code: itself when known, else `other`.
pub fn code_label(code: &str) -> &str {
    if KNOWN_CODES.contains(&code) { code } else { "other" }
}

/// The server's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    decisions: Counters,
    policy_errors: Counters,
    policy_timeouts: Counters,
    requests: Counters,
    request_seconds: Histograms,
    decision_seconds: Histograms,
    connections: AtomicU64,
    connections_dropped: Counters,
    webhook_attempts: Counters,
    /// By endpoint: its tenant, events known to wait behind its cursor,
    /// and the age in seconds of the oldest of them.
    webhook_lag: RwLock<BTreeMap<String, (String, usize, f64)>>,
}

impl Metrics {
    /// Counts a decision of `kind` (`start`, `action`, `check-start`,
    /// `check-action`, `extend`, `approval`) for `tenant`, taking `took`;
    /// its outcome is `allow`, `deny` or `pending` (a start that waits for
    /// approval).
    pub fn decision(&self, tenant: &str, kind: &str, decision: &Decision, took: Duration) {
        let outcome = match decision.verdict() {
            standin::Verdict::Allow => "allow",
            standin::Verdict::Pending => "pending",
            _ => "deny",
        };
        let code = decision.reasons().first().map_or("none", |r| code_label(&r.code));
        self.decisions.add(&[tenant, kind, outcome, code], 1);
        self.decision_seconds.observe(&[kind], took);
        for reason in decision.reasons() {
            match reason.code.as_ref() {
                codes::POLICY_TIMEOUT => self.policy_timeouts.add(&[tenant], 1),
                c @ (codes::POLICY_ERROR | codes::POLICY_MEMORY | codes::POLICY_UNAVAILABLE) => {
                    self.policy_errors.add(&[tenant, c], 1)
                }
                _ => {}
            }
        }
    }

    /// How many connections are open now.
    pub(crate) fn connections_open(&self, n: usize) {
        self.connections.store(n as u64, Ordering::Relaxed);
    }

    /// Counts a connection the server closed on its own: `header-timeout`,
    /// `idle-timeout`, `write-timeout`, `handshake-timeout`, `evicted`,
    /// `refused`, `drain-deadline`.
    pub(crate) fn connection_dropped(&self, reason: &str) {
        self.connections_dropped.add(&[reason], 1);
    }

    /// Counts a webhook attempt (`delivered`, `failed`) or a message
    /// given up on (`dead`).
    pub(crate) fn webhook_attempt(&self, tenant: &str, endpoint: &str, outcome: &str) {
        self.webhook_attempts.add(&[tenant, endpoint, outcome], 1);
    }

    /// Where an endpoint stood after its last round: events waiting, and
    /// how old the oldest is (`None`: none waits).
    pub(crate) fn webhook_lag(&self, tenant: &str, endpoint: &str, behind: usize, oldest_seconds: Option<f64>) {
        let mut lag = self.webhook_lag.write().unwrap_or_else(PoisonError::into_inner);
        lag.insert(
            endpoint.to_string(),
            (tenant.to_string(), behind, oldest_seconds.unwrap_or(0.0)),
        );
    }

    /// The text exposition of every family, with the store's audit figures
    /// and what the sweeper does.
    pub fn render(&self, sessions: &standin::Standin) -> String {
        let store = sessions.store();
        let mut out = String::new();
        let counters: [(&str, &str, &[&str], &Counters); 6] = [
            (
                "standin_decisions_total",
                "Decisions made, by tenant, kind, outcome and first reason code.",
                &["tenant", "kind", "decision", "code"],
                &self.decisions,
            ),
            (
                "standin_policy_errors_total",
                "Decisions a policy failure made (trap, memory, unavailable), by tenant and code.",
                &["tenant", "code"],
                &self.policy_errors,
            ),
            (
                "standin_policy_timeouts_total",
                "Decisions a policy's deadline made, by tenant.",
                &["tenant"],
                &self.policy_timeouts,
            ),
            (
                "standin_http_requests_total",
                "HTTP requests answered, by route, method and status.",
                &["route", "method", "status"],
                &self.requests,
            ),
            (
                "standin_http_connections_dropped_total",
                "Connections the server closed on its own (a deadline, the connection cap, the drain deadline), by reason.",
                &["reason"],
                &self.connections_dropped,
            ),
            (
                "standin_webhook_deliveries_total",
                "Webhook attempts by tenant, endpoint and outcome (delivered, failed; dead: a message given up on).",
                &["tenant", "endpoint", "outcome"],
                &self.webhook_attempts,
            ),
        ];
        for (name, help, labels, family) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for (values, n) in family.snapshot() {
                let _ = writeln!(out, "{name}{{{}}} {n}", label_pairs(labels, &values));
            }
        }
        let name = "standin_http_connections";
        let _ = writeln!(
            out,
            "# HELP {name} Open HTTP connections.\n# TYPE {name} gauge\n{name} {}",
            self.connections.load(Ordering::Relaxed)
        );
        let name = "standin_http_request_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time to answer an HTTP request, by route.\n# TYPE {name} histogram"
        );
        self.request_seconds.render(&mut out, name, &["route"]);
        let name = "standin_decision_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time to decide, audit included, by kind.\n# TYPE {name} histogram"
        );
        self.decision_seconds.render(&mut out, name, &["kind"]);
        render_audit(&mut out, store);
        policies::render(&mut out, sessions.host().shared_stats());
        self.render_webhook_lag(&mut out);
        render_checkpoints(&mut out, sessions.checkpoint_counts());
        let name = "standin_sweeper_leader";
        let leads = u8::from(sessions.sweeper_role() == standin::SweeperRole::Leader);
        let _ = writeln!(
            out,
            "# HELP {name} 1 when this process records expiries (where replicas share a database, one at a time).\n\
             # TYPE {name} gauge\n{name} {leads}"
        );
        out
    }
}

impl Metrics {
    fn render_webhook_lag(&self, out: &mut String) {
        let lag = self.webhook_lag.read().unwrap_or_else(PoisonError::into_inner);
        for (name, help, pick) in [
            (
                "standin_webhook_queue_depth",
                "Events waiting behind an endpoint's cursor after its last round (at least; counted up to 64 a round).",
                0,
            ),
            (
                "standin_webhook_oldest_undelivered_seconds",
                "Age of the oldest event waiting for an endpoint after its last round (0: none waits).",
                1,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for (endpoint, (tenant, behind, oldest)) in lag.iter() {
                let labels = label_pairs(&["tenant", "endpoint"], &[tenant.clone(), endpoint.clone()]);
                let _ = match pick {
                    0 => writeln!(out, "{name}{{{labels}}} {behind}"),
                    _ => writeln!(out, "{name}{{{labels}}} {oldest}"),
                };
            }
        }
    }
}

/// What the checkpointer did, when one runs (`--checkpoint-every`).
fn render_checkpoints(out: &mut String, counts: standin::audit::CheckpointCounts) {
    if !counts.running {
        return;
    }
    let name = "standin_audit_checkpoints_total";
    let _ = writeln!(
        out,
        "# HELP {name} Tenants' chain heads the checkpointer signed (written), left unsigned because the chain does not hold (broken), or could not write (failed).\n\
         # TYPE {name} counter\n\
         {name}{{outcome=\"written\"}} {}\n{name}{{outcome=\"broken\"}} {}\n{name}{{outcome=\"failed\"}} {}",
        counts.written, counts.broken, counts.failed
    );
}

/// The audit writer's figures: queue depth and commit latency.
fn render_audit(out: &mut String, store: &dyn standin::Store) {
    let Some(stats) = store.audit_stats() else { return };
    let name = "standin_audit_queue_depth";
    let _ = writeln!(
        out,
        "# HELP {name} Audit rows of actions and generic answers waiting for the writer.\n# TYPE {name} gauge\n{name} {}",
        stats.queued
    );
    let name = "standin_audit_commit_duration_seconds";
    let _ = writeln!(
        out,
        "# HELP {name} Time of one group commit of audit rows (append, commit, fsync).\n# TYPE {name} histogram"
    );
    let mut cumulative = 0;
    for (bound, n) in BUCKETS.iter().zip(stats.commit_buckets) {
        cumulative += n;
        let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
    }
    let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", stats.commits);
    let _ = writeln!(out, "{name}_sum {}", stats.commit_seconds);
    let _ = writeln!(out, "{name}_count {}", stats.commits);
    let name = "standin_audit_rows_total";
    let _ = writeln!(
        out,
        "# HELP {name} Audit rows of actions and generic answers committed by this process.\n# TYPE {name} counter\n{name} {}",
        stats.rows
    );
}

/// The middleware that counts and times every request by route.
pub(crate) async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = request.method().as_str().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    state.metrics.requests.add(&[&route, &method, &status], 1);
    state.metrics.request_seconds.observe(&[&route], started.elapsed());
    response
}
