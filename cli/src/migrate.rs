//! `standin migrate --from sqlite:PATH --to postgres://...`: moves a SQLite
//! database into an empty PostgreSQL one, chain and all, then verifies the
//! target and compares it with the source, tenant by tenant.

use crate::Exit;
use crate::output::json as print;
use crate::progress::Progress;
use anyhow::{Context as _, Result, bail};
use standin::audit::VerifyOptions;
use standin::store::copy::Import as _;
use standin::{Host, Standin};
use standin_store_sqlite::{OpenSqlite, SqliteStore};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The database to copy: `sqlite:PATH` (read, not changed, except that
    /// an older schema is first migrated to this build's).
    #[arg(long, value_name = "sqlite:PATH")]
    from: String,
    /// The PostgreSQL database to fill (`postgres://user@host:port/db`): its
    /// schema is made if missing, and it must hold no data yet.
    #[arg(long, value_name = "URL")]
    to: String,
}

/// Copies, then verifies both sides: exit 0 when every tenant's chain is
/// intact on the target and the same (events and head) as on the source.
/// The chains are verified with the host key at `host_key` (default: the
/// CLI's), when there is one: a keyed chain needs it.
pub fn run(args: Args, host_key: Option<&std::path::Path>) -> Result<Exit> {
    let Some(path) = args.from.strip_prefix("sqlite:").map(PathBuf::from) else {
        bail!("`--from` must be `sqlite:PATH`, not `{}`", args.from);
    };
    if !path.is_file() {
        bail!("no SQLite database at `{}`", path.display());
    }
    if !(args.to.starts_with("postgres://") || args.to.starts_with("postgresql://")) {
        bail!("`--to` must be a `postgres://` URL");
    }
    let key = host_key
        .map(PathBuf::from)
        .or_else(standin::default_host_key_path)
        .filter(|k| k.exists())
        .map(|k| standin::HostKey::load_or_create(&k))
        .transpose()?;
    // The source is checked before anything is copied: a broken trail is
    // not moved to serve from the target. An older schema is migrated first.
    drop(SqliteStore::open(&path).with_context(|| format!("cannot open `{}`", path.display()))?);
    let mut source = Standin::open_read_only(Host::new()?, &path)
        .with_context(|| format!("cannot open `{}` to check it", path.display()))?;
    if let Some(key) = &key {
        source = source.with_host_key(key.clone());
    }
    let before = source.audit().verify_with(&VerifyOptions::default())?;
    if let Some(broken) = before.iter().find_map(|c| c.broken.as_ref()) {
        bail!(
            "the source's trail of tenant `{}` is broken at event {}: {}; nothing was copied",
            broken.tenant,
            broken.seq,
            broken.problem
        );
    }
    let target = standin_store_postgres::PostgresStore::connect(&args.to)
        .context("cannot open the PostgreSQL database of `--to`")?;
    // Through the stores: the source exports, the target imports.
    let from = SqliteStore::open_read_only(&path).with_context(|| format!("cannot open `{}`", path.display()))?;
    let mut progress = Progress::new();
    let imported = target.import(&from, &mut |table, done, total| {
        progress.set(&format!("copying {table}"), done, total);
    })?;
    drop(progress);
    drop(from);

    let mut target = Standin::new(Host::new()?, Arc::new(target));
    if let Some(key) = key {
        target = target.with_host_key(key);
    }
    let after = target.audit().verify_with(&VerifyOptions::default())?;
    let same = |a: &standin::audit::TenantChain, b: &standin::audit::TenantChain| {
        (&a.tenant, a.events, &a.head) == (&b.tenant, b.events, &b.head)
    };
    let matches = before.len() == after.len() && before.iter().zip(&after).all(|(a, b)| same(a, b));
    let intact = after.iter().all(|c| c.broken.is_none());
    let tables: serde_json::Map<String, serde_json::Value> =
        imported.tables.into_iter().map(|(t, n)| (t, n.into())).collect();
    print(&serde_json::json!({
        "from": path,
        "tables": tables,
        "tenants": after,
        "same_as_source": matches,
    }))?;
    if !intact {
        bail!("a tenant's chain does not verify on the target (see `tenants`)");
    }
    if !matches {
        bail!("the target's chains differ from the source's (events or heads)");
    }
    Ok(Exit::Success)
}
