//! Signed audit checkpoints (A1, A3): what the hash chain alone cannot see
//! (its tail cut off, the whole chain rewritten with every hash
//! recomputed) is found once a checkpoint was kept elsewhere, and a
//! checkpoint cannot be edited or re-signed unnoticed.

use crate::sessions::{json, standin};
use serde_json::Value;
use standin::audit::{CHAIN_V2, SessionDigests, expected_hash};
use standin::store::Keyring;
use standin::store::{AuditFilter, AuditStore};
use standin_store_sqlite::SqliteStore;
use std::path::{Path, PathBuf};
use std::process::Output;

const T0: &str = "2026-11-21T10:00:00Z";

fn ok(out: Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    json(&out)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A tenant's trail: policy upload (1), start (2), course.view (3),
/// billing.purchase denied (4), course.view (5), report.generate (6).
fn trail(db: &Path) {
    ok(standin(db, T0, &["policy", "set", "--tenant", "acme"]));
    let id = ok(standin(db, T0, &["session", "start", "requests/start-allow.json"]))["id"]
        .as_str()
        .expect("id")
        .to_string();
    for (at, action) in [
        ("10:01", "course.view"),
        ("10:02", "billing.purchase"),
        ("10:03", "course.view"),
        ("10:04", "report.generate"),
    ] {
        let out = standin(db, &format!("2026-11-21T{at}:00Z"), &["authorize", &id, action]);
        assert!(matches!(out.status.code(), Some(0 | 2)), "{out:?}");
    }
}

/// A new signing key in `dir`; its public key as printed.
fn key(db: &Path, dir: &Path, name: &str) -> (PathBuf, Value) {
    let file = dir.join(name);
    let public = ok(standin(
        db,
        T0,
        &["key", "gen-signing", "--out", file.to_str().expect("utf-8")],
    ));
    (file, public)
}

/// Signs acme's head at `now` with `key`; writes the checkpoint to `dir/name`.
fn checkpoint(db: &Path, key: &Path, dir: &Path, name: &str, now: &str) -> (PathBuf, Value) {
    let out = standin(
        db,
        now,
        &[
            "audit",
            "checkpoint",
            "--tenant",
            "acme",
            "--key",
            key.to_str().expect("utf-8"),
        ],
    );
    let c = ok(out);
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_vec(&c).expect("json")).expect("write");
    (file, c)
}

fn verify(db: &Path, checkpoints: &[&Path], extra: &[&str]) -> Output {
    let mut args = vec!["audit", "verify", "--tenant", "acme"];
    for c in checkpoints {
        args.extend(["--checkpoint", c.to_str().expect("utf-8")]);
    }
    args.extend(extra);
    standin(db, T0, &args)
}

#[test]
fn a1_intact_trail_with_checkpoints_verifies_and_keys_are_private_and_never_overwritten() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    trail(&db);
    let (k, public) = key(&db, dir.path(), "signing.key");
    assert_eq!(public["algorithm"], "ed25519");
    assert_eq!(public["public_key"].as_str().map(str::len), Some(43), "{public}");
    assert_eq!(public["key_id"].as_str().map(str::len), Some(16), "{public}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&k).expect("key file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let before = std::fs::read(&k).expect("key");
    let again = standin(&db, T0, &["key", "gen-signing", "--out", k.to_str().expect("utf-8")]);
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    assert!(stderr(&again).contains("already exists"), "{again:?}");
    assert_eq!(std::fs::read(&k).expect("key"), before, "the key was overwritten");

    let (first, c) = checkpoint(&db, &k, dir.path(), "first.json", "2026-11-21T10:05:00Z");
    assert_eq!((c["tenant"].as_str(), c["seq"].as_u64()), (Some("acme"), Some(6)));
    assert_eq!(c["at"], "2026-11-21T10:05:00Z");
    assert_eq!(
        (&c["public_key"], &c["key_id"]),
        (&public["public_key"], &public["key_id"])
    );
    let head = ok(verify(&db, &[], &[]))["head"].clone();
    assert_eq!(c["head"], head);
    // More events, a later checkpoint, and a session left past its deadline
    // that nothing touched yet (still `active`, no `session.ended`: not tampering).
    let listed = ok(standin(
        &db,
        "2026-11-22T10:00:00Z",
        &["session", "list", "--tenant", "acme"],
    ));
    assert_eq!(listed["end_reason"], "expired", "listing records the expiry");
    let late = ok(standin(
        &db,
        "2026-11-23T10:00:00Z",
        &["session", "start", "requests/start-allow.json"],
    ));
    let (second, c2) = checkpoint(&db, &k, dir.path(), "second.json", "2026-11-23T10:01:00Z");
    assert!(c2["seq"].as_u64() > c["seq"].as_u64(), "{c2}");
    let out = verify(
        &db,
        &[&first, &second],
        &["--public-key", public["public_key"].as_str().expect("key")],
    );
    let v = ok(out);
    assert_eq!(v["broken"], Value::Null);
    let held: Vec<bool> = v["checkpoints"]
        .as_array()
        .expect("checkpoints")
        .iter()
        .map(|c| c["holds"].as_bool().expect("holds"))
        .collect();
    assert_eq!(held, [true, true]);
    // Days after its deadline, untouched: still intact.
    let status = standin(&db, "2026-11-26T10:00:00Z", &["audit", "verify"]);
    assert_eq!(status.status.code(), Some(0), "{status:?}");
    let row = rusqlite::Connection::open(&db)
        .expect("open")
        .query_row(
            "SELECT state FROM sessions WHERE id = ?1",
            [late["id"].as_str().expect("id")],
            |r| r.get::<_, String>(0),
        )
        .expect("row");
    assert_eq!(row, "active");
}

#[test]
fn a1_verify_finds_a_cut_tail_with_a_checkpoint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    trail(&db);
    let (k, _) = key(&db, dir.path(), "signing.key");
    let (cp, _) = checkpoint(&db, &k, dir.path(), "head.json", "2026-11-21T10:05:00Z");
    // The last two actions cut off: what is left is a chain that holds.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute("DELETE FROM audit WHERE tenant = 'acme' AND seq >= 5", [])
        .expect("cut");
    drop(conn);
    assert_eq!(ok(verify(&db, &[], &[]))["events"], 4, "unseen without a checkpoint");
    let out = verify(&db, &[&cp], &[]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = stderr(&out);
    assert!(err.contains("head.json") && err.contains("tail was cut off"), "{err}");
    assert!(err.contains("event 6") && err.contains("ends at event 4"), "{err}");
}

#[test]
fn a1_verify_finds_a_recomputed_chain_with_a_checkpoint_but_not_without() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    trail(&db);
    let (k, _) = key(&db, dir.path(), "signing.key");
    let (early, _) = checkpoint(&db, &k, dir.path(), "early.json", "2026-11-21T10:05:00Z");
    // The refused purchase (event 4) made an allowed one, and every hash
    // from there on recomputed with the library's own chain functions, by
    // someone who also holds the host key (without it, see below).
    rewrite(&db, 4, Some(&host_keyring()));
    assert_eq!(
        ok(verify(&db, &[], &[]))["broken"],
        Value::Null,
        "a recomputed chain holds"
    );
    let out = verify(&db, &[&early], &[]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = stderr(&out);
    assert!(
        err.contains("early.json") && err.contains("chain was rewritten"),
        "{err}"
    );
    assert!(err.contains("event 6 has hash"), "{err}");
}

#[test]
fn a1_verify_finds_a_chain_recomputed_without_the_host_key_with_no_checkpoint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    trail(&db);
    // A database writer without the host key recomputes from event 4 on in
    // the only format they can: unkeyed, after keyed events.
    rewrite(&db, 4, None);
    let out = verify(&db, &[], &[]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let err = stderr(&out);
    assert!(err.contains("event 4") && err.contains("without the host key"), "{err}");
}

/// The keys derived from the host key the CLI uses by default.
fn host_keyring() -> Keyring {
    let path = standin::default_host_key_path().expect("a default host key path");
    Keyring::new(&standin::HostKey::load_or_create(&path).expect("host key"))
}

/// Whitewashes event `seq` of acme (a deny made an allow) and recomputes
/// every hash from it on, as someone with the database and this crate
/// would: with the host key's chain key when given, else in the unkeyed
/// format (the most a database writer without the key can do).
fn rewrite(db: &Path, seq: u64, keyring: Option<&Keyring>) {
    let store = SqliteStore::open(db).expect("open store");
    let mut events = store
        .audit(&AuditFilter {
            tenant: Some("acme".to_string()),
            ..AuditFilter::default()
        })
        .expect("audit");
    drop(store);
    let conn = rusqlite::Connection::open(db).expect("open");
    let mut digests = SessionDigests::default();
    let mut prev = events[seq as usize - 2].hash.clone();
    for e in events.iter_mut().skip(seq as usize - 1) {
        if e.seq == seq {
            assert_eq!(e.event, "action.denied");
            e.event = "action.allowed".to_string();
            e.codes.clear();
        }
        e.prev_hash = prev;
        if keyring.is_none() {
            e.seal.chain = CHAIN_V2;
        }
        e.hash = expected_hash(&e.prev_hash, e, &mut digests, keyring).expect("known format");
        conn.execute(
            "UPDATE audit SET event = ?1, codes = ?2, prev_hash = ?3, hash = ?4, chain = ?5 WHERE tenant = 'acme' \
             AND seq = ?6",
            rusqlite::params![
                e.event,
                serde_json::to_string(&e.codes).expect("json"),
                e.prev_hash,
                e.hash,
                e.seal.chain,
                e.seq as i64
            ],
        )
        .expect("rewrite");
        prev = e.hash.clone();
    }
}

#[test]
fn a1_verify_refuses_a_forged_checkpoint_signature() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    trail(&db);
    let (k, public) = key(&db, dir.path(), "signing.key");
    let (_, c) = checkpoint(&db, &k, dir.path(), "head.json", "2026-11-21T10:05:00Z");
    let write = |name: &str, v: &Value| {
        let f = dir.path().join(name);
        std::fs::write(&f, serde_json::to_vec(v).expect("json")).expect("write");
        f
    };
    // After cutting the tail, the checkpoint edited to vouch for what is left.
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute("DELETE FROM audit WHERE tenant = 'acme' AND seq >= 5", [])
        .expect("cut");
    drop(conn);
    let left = ok(verify(&db, &[], &[]));
    let mut edited = c.clone();
    edited["seq"] = Value::from(4);
    edited["head"] = left["head"].clone();
    let edited = write("edited.json", &edited);
    let mut flipped = c.clone();
    let sig = flipped["signature"].as_str().expect("signature").to_string();
    let other = if sig.starts_with('A') { "B" } else { "A" };
    flipped["signature"] = Value::from(format!("{other}{}", &sig[1..]));
    let flipped = write("flipped.json", &flipped);
    for file in [&edited, &flipped] {
        let out = verify(&db, &[file], &[]);
        assert_eq!(out.status.code(), Some(3), "{out:?}");
        let err = stderr(&out);
        let name = file.file_name().and_then(|n| n.to_str()).expect("name");
        assert!(err.contains(name) && err.contains("signature does not hold"), "{err}");
    }
    // Signed afresh with another key: it holds on its own, but not
    // against the key that is trusted.
    let (forger, _) = key(&db, dir.path(), "forger.key");
    let (resigned, _) = checkpoint(&db, &forger, dir.path(), "resigned.json", "2026-11-21T10:06:00Z");
    assert_eq!(verify(&db, &[&resigned], &[]).status.code(), Some(0));
    let trusted = public["public_key"].as_str().expect("key");
    let out = verify(&db, &[&resigned], &["--public-key", trusted]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(stderr(&out).contains("not by the trusted key"), "{out:?}");
}

#[test]
fn a1_checkpoint_of_a_broken_chain_signs_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    trail(&db);
    let (k, _) = key(&db, dir.path(), "signing.key");
    let conn = rusqlite::Connection::open(&db).expect("open");
    conn.execute("UPDATE audit SET codes = '[]' WHERE tenant = 'acme' AND seq = 4", [])
        .expect("tamper");
    drop(conn);
    let out = standin(
        &db,
        T0,
        &[
            "audit",
            "checkpoint",
            "--tenant",
            "acme",
            "--key",
            k.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    assert!(
        stderr(&out).contains("event 4") && stderr(&out).contains("no checkpoint signed"),
        "{out:?}"
    );
    let out = standin(
        &db,
        T0,
        &[
            "audit",
            "checkpoint",
            "--tenant",
            "nobody",
            "--key",
            k.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

#[test]
fn a1_a_public_key_beginning_with_a_hyphen_is_a_key_not_a_flag() {
    // base64url keys begin with `-` one time in 64: such a key is read as
    // the value of `--public-key` (and refused as a key here, 4 bytes long).
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    trail(&db);
    let out = verify(&db, &[], &["--public-key", "-AAAAA"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = stderr(&out);
    assert!(!err.contains("unexpected argument"), "{err}");
    assert!(err.contains("public-key"), "{err}");
}
