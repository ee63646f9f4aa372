//! The table the peers bench prints after criterion: each function's
//! median (criterion's `estimates.json`, this run's only) and its ratio to
//! Standin's component with a warm instance and to Standin native.

use std::path::PathBuf;
use std::time::SystemTime;

/// Where criterion writes (as criterion finds it: `CRITERION_HOME`, else
/// the target directory's `criterion`).
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// The median of `group/function` in ns, if this run measured it.
fn median(group: &str, function: &str, since: SystemTime) -> Option<f64> {
    let path = criterion_dir().join(group).join(function).join("new/estimates.json");
    let fresh = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t >= since);
    if !fresh {
        return None;
    }
    let estimates: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    estimates["median"]["point_estimate"].as_f64()
}

fn time(ns: f64) -> String {
    if ns >= 1000.0 {
        format!("{:.2} µs", ns / 1000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn ratio(ns: f64, base: Option<f64>) -> String {
    base.map_or("-".to_string(), |b| format!("{:.2}x", ns / b))
}

/// Prints the table, and writes it to `target/peers-report.md`.
pub fn print(groups: &[&str], functions: &[&str], since: SystemTime, clock: &str) {
    let mut out = format!("\nMedians ({clock} time):\n\n");
    out.push_str("| group | function | median | vs component-warm | vs native |\n|---|---|---:|---:|---:|\n");
    for group in groups {
        let warm = median(group, "standin-component-warm", since);
        let native = median(group, "standin-native", since);
        for function in functions {
            if let Some(ns) = median(group, function, since) {
                out.push_str(&format!(
                    "| {group} | {function} | {} | {} | {} |\n",
                    time(ns),
                    ratio(ns, warm),
                    ratio(ns, native)
                ));
            }
        }
    }
    println!("{out}");
    let path = criterion_dir().with_file_name("peers-report.md");
    if let Err(e) = std::fs::write(&path, &out) {
        eprintln!("could not write {}: {e}", path.display());
    }
}
