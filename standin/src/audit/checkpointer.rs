//! Checkpoints on a schedule: a thread that signs each tenant's chain
//! head whose head moved and writes the checkpoint to a folder.
//!
//! A signed checkpoint bounds what someone holding both the database and
//! the host key can still rewrite: everything after the last checkpoint
//! kept where they cannot write. Taken by hand (`standin audit checkpoint`)
//! that bound is as old as the last time someone remembered; taken every
//! `every` it is at most `every` old, and named (the last file written).
//!
//! Each round lists the tenants with audit events and, for each one whose
//! chain grew past its last checkpoint, signs the head with
//! [`Audit::checkpoint_after`](crate::audit::Audit::checkpoint_after) (the chain must verify, and must still
//! hold the tenant's previous checkpoint: a cut or rewritten chain is not
//! vouched for afresh) and writes the JSON `standin audit checkpoint`
//! prints to `DIR/<tenant>/<seq>.json` and `DIR/<tenant>/latest.json`
//! ([`write_checkpoint`]). The last checkpoint of a tenant is read back
//! from its `latest.json`, so a restart signs only heads that moved.
//!
//! The thread takes one round when it starts, sleeps until the next is
//! due (it does not poll), and takes one last round when its
//! [`Checkpointer`] is dropped, so that a process that drops it after its
//! last write, before the [`Standin`], covers its last head. What each
//! round did for each tenant is told to the caller's `report` (the server
//! logs it) and counted in [`Standin::checkpoint_counts`].

use super::{Checkpoint, CheckpointError};
use crate::Standin;
use crate::audit::SigningKey;
use crate::store::AuditFilter;
use crate::worker::{Stop, Worker};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// What a checkpointer signs with, how often, and where it writes.
#[derive(Debug)]
pub struct CheckpointSchedule {
    /// The signing key (made by `standin key gen-signing`).
    pub key: SigningKey,
    /// The time between two rounds; above zero.
    pub every: Duration,
    /// The folder each tenant's checkpoints go under, `DIR/<tenant>/`.
    pub dir: PathBuf,
}

/// What a round did about one tenant (or about all, when `tenant` is
/// `None`), for [`Standin::spawn_checkpointer`]'s `report`. A tenant whose
/// head did not move is not reported.
#[derive(Debug)]
#[non_exhaustive]
pub enum CheckpointNote {
    /// A checkpoint was signed and written to `path` (and `latest.json`).
    Written { checkpoint: Checkpoint, path: PathBuf },
    /// The chain is broken, or no longer holds the tenant's last
    /// checkpoint: nothing was signed. Counted as `broken`.
    Refused { tenant: String, error: CheckpointError },
    /// Something else went wrong (the store, the folder, a tenant id
    /// that is not a folder name): nothing was written. Counted as
    /// `failed`.
    Failed { tenant: Option<String>, error: String },
}

/// How many checkpoints this process's checkpointer wrote and could not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CheckpointCounts {
    /// Whether a checkpointer was started in this process.
    pub running: bool,
    pub written: u64,
    /// Tenants left unsigned because their chain is broken or no longer
    /// holds their last checkpoint (once per round).
    pub broken: u64,
    pub failed: u64,
}

/// The counters behind [`CheckpointCounts`], shared with the thread.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    running: AtomicBool,
    written: AtomicU64,
    broken: AtomicU64,
    failed: AtomicU64,
}

impl Standin {
    /// What this process's checkpointer (if any) did so far.
    pub fn checkpoint_counts(&self) -> CheckpointCounts {
        let c = &self.checkpoints;
        CheckpointCounts {
            running: c.running.load(Ordering::Relaxed),
            written: c.written.load(Ordering::Relaxed),
            broken: c.broken.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
        }
    }

    /// Starts a thread that checkpoints every tenant whose chain head
    /// moved, once now, then every `schedule.every`, and once more when the
    /// returned [`Checkpointer`] is dropped (drop it before the last
    /// [`Standin`]: the thread does not keep them alive). `report` hears
    /// what each round did.
    pub fn spawn_checkpointer(
        self: &Arc<Self>,
        schedule: CheckpointSchedule,
        mut report: impl FnMut(CheckpointNote) + Send + 'static,
    ) -> std::io::Result<Checkpointer> {
        let sessions = Arc::downgrade(self);
        let shared = Checkpointing::default();
        self.checkpoints.running.store(true, Ordering::Relaxed);
        let worker = Worker::spawn("standin-checkpointer", shared, move |shared| {
            let mut last = HashMap::new();
            loop {
                let stopping = shared.stopping();
                let due = Instant::now().checked_add(schedule.every);
                let Some(sessions) = sessions.upgrade() else { break };
                sessions.checkpoint_round(&schedule, &mut last, Utc::now(), &mut report);
                drop(sessions);
                if stopping {
                    break;
                }
                shared.sleep_until(due);
            }
        })?;
        Ok(Checkpointer { _worker: worker })
    }

    /// One round: signs and writes the head of every tenant whose chain
    /// grew past its checkpoint in `last` (read from its `latest.json`
    /// when not there yet), at `now`.
    fn checkpoint_round(
        &self,
        schedule: &CheckpointSchedule,
        last: &mut HashMap<String, Checkpoint>,
        now: DateTime<Utc>,
        report: &mut dyn FnMut(CheckpointNote),
    ) {
        let counts = &self.checkpoints;
        let failed = |report: &mut dyn FnMut(CheckpointNote), tenant: Option<&str>, error: String| {
            counts.failed.fetch_add(1, Ordering::Relaxed);
            report(CheckpointNote::Failed {
                tenant: tenant.map(str::to_string),
                error,
            });
        };
        let tenants = match self.store.audit_tenants() {
            Ok(t) => t,
            Err(e) => return failed(report, None, e.to_string()),
        };
        for tenant in tenants {
            if !is_folder_name(&tenant) {
                failed(report, Some(&tenant), "the tenant id is not a folder name".to_string());
                continue;
            }
            if !last.contains_key(&tenant) {
                match read_latest(&schedule.dir, &tenant) {
                    Ok(Some(c)) => {
                        last.insert(tenant.clone(), c);
                    }
                    Ok(None) => {}
                    Err(e) => {
                        failed(report, Some(&tenant), e.to_string());
                        continue;
                    }
                }
            }
            let previous = last.get(&tenant);
            if let Some(p) = previous {
                let newer = self.store.audit(&AuditFilter {
                    tenant: Some(tenant.clone()),
                    after_seq: Some(p.seq),
                    limit: Some(1),
                    ..AuditFilter::default()
                });
                match newer {
                    Ok(events) if events.is_empty() => continue,
                    Ok(_) => {}
                    Err(e) => {
                        failed(report, Some(&tenant), e.to_string());
                        continue;
                    }
                }
            }
            match self.audit().checkpoint_after(&tenant, &schedule.key, now, previous) {
                Ok(c) => match write_checkpoint(&schedule.dir, &c) {
                    Ok(path) => {
                        counts.written.fetch_add(1, Ordering::Relaxed);
                        last.insert(tenant, c.clone());
                        report(CheckpointNote::Written { checkpoint: c, path });
                    }
                    Err(e) => failed(report, Some(&tenant), e.to_string()),
                },
                Err(error @ (CheckpointError::Broken(_) | CheckpointError::Contradicts { .. })) => {
                    counts.broken.fetch_add(1, Ordering::Relaxed);
                    report(CheckpointNote::Refused { tenant, error });
                }
                // Listed, so not empty, unless its events went since.
                Err(e) => failed(report, Some(&tenant), e.to_string()),
            }
        }
    }
}

/// The background checkpointer; dropping it takes a last round, then
/// stops the thread.
#[derive(Debug)]
pub struct Checkpointer {
    _worker: Worker<Checkpointing>,
}

/// What the checkpointer's thread shares with its handle: the stop flag
/// and what wakes its sleep.
#[derive(Debug, Default)]
struct Checkpointing {
    stop: Mutex<bool>,
    cond: Condvar,
}

impl Checkpointing {
    fn stopping(&self) -> bool {
        *self.stop.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sleeps until `due` (`None`: past any clock), or until asked to stop.
    fn sleep_until(&self, due: Option<Instant>) {
        let mut stop = self.stop.lock().unwrap_or_else(PoisonError::into_inner);
        while !*stop {
            stop = match due {
                Some(due) => {
                    let left = due.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return;
                    }
                    self.cond
                        .wait_timeout(stop, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => self.cond.wait(stop).unwrap_or_else(PoisonError::into_inner),
            };
        }
    }
}

impl Stop for Checkpointing {
    fn stop(&self) {
        *self.stop.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.cond.notify_all();
    }
}

/// Whether `tenant` names one folder inside another: not empty, no
/// separator, not `.` or `..`. (Tenant ids are checked where they are
/// made; this is the last line before a path is built from one.)
pub fn is_folder_name(tenant: &str) -> bool {
    let mut parts = Path::new(tenant).components();
    matches!(parts.next(), Some(Component::Normal(p)) if p == tenant)
        && parts.next().is_none()
        && !tenant.contains(['/', '\\', '\0'])
}

/// `DIR/<tenant>/latest.json`, read back; `None` when there is none.
fn read_latest(dir: &Path, tenant: &str) -> Result<Option<Checkpoint>, CheckpointError> {
    let path = dir.join(tenant).join("latest.json");
    if !path.exists() {
        return Ok(None);
    }
    let c = Checkpoint::read(&path)?;
    if c.tenant != tenant {
        return Err(CheckpointError::Malformed {
            path: path.display().to_string(),
            message: format!("it is for tenant `{}`", c.tenant),
        });
    }
    Ok(Some(c))
}

/// Writes `checkpoint` as `standin audit checkpoint` prints it (one JSON
/// line) to `dir/<tenant>/<seq>.json`, then to `dir/<tenant>/latest.json`,
/// each atomically (a temporary file in the same folder, written, fsync'd,
/// mode 0644, renamed over), then fsyncs the folder. Returns the first
/// path. The tenant must be a folder name ([`is_folder_name`]).
pub fn write_checkpoint(dir: &Path, checkpoint: &Checkpoint) -> std::io::Result<PathBuf> {
    if !is_folder_name(&checkpoint.tenant) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("tenant `{}` is not a folder name", checkpoint.tenant),
        ));
    }
    let folder = dir.join(&checkpoint.tenant);
    std::fs::create_dir_all(&folder)?;
    let mut text = serde_json::to_string(checkpoint).map_err(std::io::Error::other)?;
    text.push('\n');
    let path = folder.join(format!("{}.json", checkpoint.seq));
    replace(&folder, &path, text.as_bytes())?;
    replace(&folder, &folder.join("latest.json"), text.as_bytes())?;
    #[cfg(unix)]
    std::fs::File::open(&folder)?.sync_all()?;
    Ok(path)
}

/// Puts `bytes` at `path` (in `folder`) whole or not at all.
fn replace(folder: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut file = tempfile::Builder::new()
        .prefix(".checkpoint-")
        .suffix(".tmp")
        .tempfile_in(folder)?;
    file.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_plain_name_is_a_folder_name() {
        for good in ["acme", "a.b", "t-1", "..a"] {
            assert!(is_folder_name(good), "{good}");
        }
        for bad in ["", ".", "..", "a/b", "/a", "a/", "a\\b", "a\0b", "./a"] {
            assert!(!is_folder_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn checkpoints_are_written_whole_with_their_latest() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = SigningKey::from_seed(&[3; 32]);
        let at = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        let c = Checkpoint::sign(&key, "acme", 7, "ab", at);
        let path = write_checkpoint(dir.path(), &c).expect("write");
        assert_eq!(path, dir.path().join("acme").join("7.json"));
        let text = std::fs::read_to_string(&path).expect("read");
        assert_eq!(text, format!("{}\n", serde_json::to_string(&c).expect("json")));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("acme/latest.json")).expect("latest"),
            text
        );
        assert_eq!(read_latest(dir.path(), "acme").expect("read back"), Some(c.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
        let names: Vec<_> = std::fs::read_dir(dir.path().join("acme"))
            .expect("list")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        assert_eq!(names.len(), 2, "no temporary file is left: {names:?}");
        let bad = Checkpoint {
            tenant: "..".into(),
            ..c
        };
        assert!(write_checkpoint(dir.path(), &bad).is_err());
    }
}
