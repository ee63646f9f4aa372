//! Compiled artifacts and what the host trusts of the store (T1): a cold
//! host loads tenants from artifacts authenticated with the host key; a
//! swapped artifact, or a component edited in the store, never runs.

use crate::common::*;
use crate::policies::{no_reason_start, upload};
use crate::sessions::req;
use serde_json::json;
use standin::Standin;
use standin::policies::PolicyError;
use standin::policies::Upload;
use standin::sessions::PolicyUnavailable;
use standin_store_sqlite::OpenSqlite;
use standin_tests::{BUSINESS_HOURS, component};
use std::path::Path;

/// The host key of these tests' databases (a file in real use).
fn host_key() -> standin::HostKey {
    standin::HostKey::from_bytes([9; 32])
}

/// Standin on `db` with the tests' host key.
fn keyed(host: &standin::Host, db: &Path) -> Standin {
    Standin::open(host.clone(), db).expect("open").with_host_key(host_key())
}

/// Stores "night-shift" (a custom component) and "acme" (the built-in one,
/// reason required) with compiled artifacts, in a database of their own.
fn two_tenants_with_artifacts(db: &Path) {
    two_tenants_with_artifacts_on(&standin::Host::new().expect("host"), db);
}

/// [`two_tenants_with_artifacts`] by `host` (artifacts are per engine configuration).
fn two_tenants_with_artifacts_on(host: &standin::Host, db: &Path) {
    two_tenants_with_artifacts_in(&keyed(host, db));
}

/// [`two_tenants_with_artifacts`] through `s`, whatever its store.
fn two_tenants_with_artifacts_in(s: &Standin) {
    let custom = component(BUSINESS_HOURS);
    let up = Upload {
        tenant: "night-shift",
        component: Some(&custom),
        settings: "{}",
        activate: true,
        ..Upload::default()
    };
    s.policies().upload(&up, now()).expect("upload custom");
    upload(s, "acme", json!({"require_reason": true}));
}

#[test]
fn t1_on_postgres_a_swapped_artifact_never_runs_in_any_replica() {
    let Some(pg) = standin_tests::postgres::PgServer::start() else {
        return;
    };
    let url = pg.create_database("artifacts");
    let replica = |host: &standin::Host| {
        let store = standin_store_postgres::PostgresStore::connect(&url).expect("connect");
        Standin::new(host.clone(), std::sync::Arc::new(store)).with_host_key(host_key())
    };
    two_tenants_with_artifacts_in(&replica(&standin::Host::new().expect("host")));
    let host = standin::Host::new().expect("host");
    replica(&host).policies().preload().expect("preload");
    assert_eq!(
        host.compilations(),
        (0, 2),
        "a replica with the key trusts the shared artifacts"
    );

    // Whoever can write the shared database copies one compiled policy
    // (and its checksum) over the other: no replica runs it.
    let builtin = standin::Digest::of(standin::DEFAULT_POLICY).to_string();
    pg.sql(
        "artifacts",
        &format!(
            "UPDATE artifacts SET (bytes, checksum) = \
             (SELECT bytes, checksum FROM artifacts WHERE digest != '{builtin}') WHERE digest = '{builtin}'"
        ),
    );
    let host = standin::Host::new().expect("host");
    let s = replica(&host);
    assert_eq!(s.policies().preload().expect("preload").loaded, 2);
    assert_eq!(host.compilations(), (1, 1), "the swapped artifact was compiled again");
    assert_deny(&no_reason_start(&s).0, &["reason-required"]);
}

#[test]
fn t1_a_cold_host_loads_tenants_from_precompiled_artifacts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    two_tenants_with_artifacts(&db);
    // A new process: nothing compiled in memory.
    let host = standin::Host::new().expect("host");
    let s = keyed(&host, &db);
    let loaded = s.policies().preload().expect("preload");
    assert_eq!((loaded.loaded, loaded.failed.len()), (2, 0));
    assert_eq!(host.compilations(), (0, 2), "both components came from artifacts");
    assert_deny(&no_reason_start(&s).0, &["reason-required"]);

    // An artifact whose bytes were edited is not used.
    let conn = rusqlite::Connection::open(&db).expect("sqlite");
    conn.execute("UPDATE artifacts SET bytes = zeroblob(length(bytes))", [])
        .expect("tamper");
    let host = standin::Host::new().expect("host");
    let s = keyed(&host, &db);
    assert_eq!(s.policies().preload().expect("preload").loaded, 2);
    assert_eq!(host.compilations(), (2, 0), "tampered artifacts were compiled again");
}

#[test]
fn t1_a_swapped_artifact_with_its_checksum_never_runs_and_the_policy_still_denies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    two_tenants_with_artifacts(&db);
    // A database writer copies the custom component's compiled code (and
    // its checksum) over the built-in one's: without the host key, the tag
    // cannot follow.
    let conn = rusqlite::Connection::open(&db).expect("sqlite");
    let builtin = standin::Digest::of(standin::DEFAULT_POLICY).to_string();
    let swapped = conn
        .execute(
            "UPDATE artifacts SET (bytes, checksum) = \
             (SELECT bytes, checksum FROM artifacts WHERE digest != ?1) WHERE digest = ?1",
            [&builtin],
        )
        .expect("swap");
    assert_eq!(swapped, 1);
    let host = standin::Host::new().expect("host");
    let s = keyed(&host, &db);
    assert_eq!(s.policies().preload().expect("preload").loaded, 2);
    assert_eq!(
        host.compilations(),
        (1, 1),
        "the swapped artifact was compiled again, the other one trusted"
    );
    assert_deny(&no_reason_start(&s).0, &["reason-required"]);

    // A host with another key trusts none of them, nor the versions
    // themselves (their tags are another key's): nothing is compiled or run.
    let host = standin::Host::new().expect("host");
    let other = Standin::open(host.clone(), &db)
        .expect("open")
        .with_host_key(standin::HostKey::from_bytes([1; 32]));
    let refused = other
        .policies()
        .preload()
        .expect_err("versions tagged with another key");
    assert!(refused.to_string().contains("not authenticated"), "{refused}");
    assert_eq!(host.compilations(), (0, 0));
    // One without a key reads the versions unchecked and trusts no artifact.
    let host = standin::Host::new().expect("host");
    Standin::open(host.clone(), &db)
        .expect("open")
        .policies()
        .preload()
        .expect("preload");
    assert_eq!(host.compilations(), (2, 0));
}

#[test]
fn t1_a_component_edited_in_the_store_is_refused_by_its_digest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    two_tenants_with_artifacts(&db);
    let conn = rusqlite::Connection::open(&db).expect("sqlite");
    conn.execute("DELETE FROM artifacts", []).expect("drop artifacts");
    // The custom component's bytes replaced by the built-in one's.
    conn.execute(
        "UPDATE components SET bytes = (SELECT bytes FROM components WHERE digest = ?1) WHERE digest != ?1",
        [standin::Digest::of(standin::DEFAULT_POLICY).to_string()],
    )
    .expect("swap component");
    let s = keyed(&standin::Host::new().expect("host"), &db);
    let loaded = s.policies().preload().expect("preload");
    assert_eq!(loaded.failed.len(), 1, "{loaded:?}");
    let (tenant, why) = &loaded.failed[0];
    assert_eq!(tenant, "night-shift");
    assert!(matches!(why, PolicyUnavailable::WrongDigest(_)), "{why}");
    // Activating it again, or replaying the trail on it, is the same typed
    // error, naming the version; the tenant's calls deny meanwhile.
    for err in [
        s.policies()
            .activate("night-shift", 1, None, now())
            .expect_err("activate"),
        s.policies().replay("night-shift", 1, None).expect_err("replay"),
    ] {
        assert!(
            matches!(
                &err,
                PolicyError::Unloadable {
                    version: 1,
                    source: PolicyUnavailable::WrongDigest(_),
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("does not have its digest"), "{err}");
    }
    let (decision, _) = s
        .policies()
        .evaluate_start(&req(json!({"tenant": "night-shift"})), now())
        .expect("answered");
    assert!(
        decision.codes().any(|c| c == "policy-unavailable"),
        "{}",
        decision.to_json()
    );
}

#[test]
fn t1_fresh_instances_are_never_pre_initialized_from_a_component_edited_in_the_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    two_tenants_with_artifacts_on(&crate::fresh::fresh_host(Some(8)), &db);
    // The custom component's stored bytes replaced by the built-in one,
    // which allows this start; its compiled artifact is genuine.
    let strict = standin::Digest::of(&component(BUSINESS_HOURS)).to_string();
    let conn = rusqlite::Connection::open(&db).expect("sqlite");
    conn.execute(
        "UPDATE components SET bytes = ?2 WHERE digest = ?1",
        rusqlite::params![strict, standin::DEFAULT_POLICY],
    )
    .expect("swap component");
    let host = crate::fresh::fresh_host(Some(8));
    let s = keyed(&host, &db);
    let request = req(json!({"tenant": "night-shift"}));
    // The second call is the first on a fresh, pre-initialized instance.
    for _ in 0..2 {
        let (decision, policy) = s.policies().evaluate_start(&request, now()).expect("evaluate");
        assert_eq!(policy.digest, strict);
        assert!(!decision.is_allow(), "{}", decision.to_json());
    }
    let (decision, _) = s.policies().evaluate_start(&request, now()).expect("evaluate");
    assert!(
        !decision.codes().any(|c| c == "policy-unavailable"),
        "the custom policy itself answered: {}",
        decision.to_json()
    );
    assert_eq!(host.compilations(), (0, 1), "from its genuine artifact");
}

#[test]
fn t1_an_artifact_directory_spares_the_next_process_a_compile_and_trusts_only_its_key() {
    let dir = tempfile::tempdir().expect("dir");
    let cache = standin::ArtifactDir::new(dir.path(), host_key());
    let settings = json!({"require_reason": true}).to_string();
    // The first process compiles and leaves the artifact.
    let first = standin::Host::new().expect("host");
    let p = first
        .load_cached(standin::DEFAULT_POLICY, &settings, &cache)
        .expect("load");
    assert_eq!(first.compilations(), (1, 0));
    let denied = p.evaluate_start(&req(json!({})), now());
    assert_deny(&denied, &["reason-required"]);
    let files: Vec<_> = std::fs::read_dir(dir.path()).expect("read").flatten().collect();
    assert_eq!(files.len(), 1, "one sealed artifact");
    // The next one reads it back, and decides the same.
    let second = standin::Host::new().expect("host");
    let p = second
        .load_cached(standin::DEFAULT_POLICY, &settings, &cache)
        .expect("load");
    assert_eq!(second.compilations(), (0, 1), "deserialized, not compiled");
    assert_eq!(p.evaluate_start(&req(json!({})), now()), denied);
    // Another key does not trust it; an edited file is not trusted either.
    let stranger = standin::ArtifactDir::new(dir.path(), standin::HostKey::from_bytes([3; 32]));
    let third = standin::Host::new().expect("host");
    third
        .load_cached(standin::DEFAULT_POLICY, &settings, &stranger)
        .expect("load");
    assert_eq!(third.compilations(), (1, 0), "compiled again");
    let file = std::fs::read_dir(dir.path())
        .expect("read")
        .flatten()
        .next()
        .expect("file")
        .path();
    let mut bytes = std::fs::read(&file).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&file, bytes).expect("tamper");
    let fourth = standin::Host::new().expect("host");
    fourth
        .load_cached(standin::DEFAULT_POLICY, &settings, &cache)
        .expect("load");
    assert_eq!(
        fourth.compilations(),
        (1, 0),
        "an edited artifact is compiled again, never run"
    );
}

/// A host with a fresh instance per call: its policies are pre-initialized.
fn fresh_host() -> standin::Host {
    standin::Host::with_config(standin::HostConfig {
        reuse_instances: false,
        ..standin::HostConfig::default()
    })
    .expect("host")
}

#[test]
fn t1_a_pre_initialized_policy_is_compiled_once_per_component_and_settings() {
    let host = fresh_host();
    let first = host.load_default(r#"{"require_reason": true}"#).expect("loads");
    assert!(first.preinitialized());
    // The component, then the component pre-initialized with the settings.
    assert_eq!(host.compilations(), (2, 0));
    let again = host.load_default(r#"{"require_reason": true}"#).expect("loads");
    assert!(again.preinitialized());
    assert_eq!(host.compilations(), (2, 0), "the same settings share one compile");
    host.load_default("{}").expect("loads");
    assert_eq!(host.compilations(), (3, 0), "other settings are another component");
}

#[test]
fn t1_a_cold_host_with_fresh_instances_loads_pre_initialized_policies_from_artifacts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("standin.db");
    two_tenants_with_artifacts_on(&fresh_host(), &db);
    // A new process: the components and their pre-initialized forms, all
    // from the artifacts the first one wrote.
    let host = fresh_host();
    let s = keyed(&host, &db);
    let loaded = s.policies().preload().expect("preload");
    assert_eq!((loaded.loaded, loaded.failed.len()), (2, 0));
    let (compiled, deserialized) = host.compilations();
    assert_eq!(compiled, 0, "nothing compiled again");
    assert!(
        deserialized >= 3,
        "{deserialized} artifacts: components and pre-initialized forms"
    );
    assert_deny(&no_reason_start(&s).0, &["reason-required"]);
    assert_allow(
        &s.sessions()
            .start(&req(json!({"reason": "ticket 9"})), None, now())
            .expect("start")
            .decision,
    );
}
