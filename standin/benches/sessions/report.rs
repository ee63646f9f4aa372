//! The table the sessions bench prints: rows, percentiles, and the CPU
//! time of the process and of the audit threads (from `/proc`).

use std::time::Duration;

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

pub fn us(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e6)
}

pub struct Row {
    pub what: String,
    pub ops: usize,
    pub secs: f64,
    pub p50: Option<Duration>,
    pub p99: Option<Duration>,
    /// CPU seconds of the whole process, the audit writer thread and the
    /// audit sync thread.
    pub cpu: Option<(f64, f64, f64)>,
}

pub fn print(rows: &[Row]) {
    println!();
    println!("| measurement | ops | ops/s | p50 µs | p99 µs | CPU % (of 200) | writer / sync CPU % | CPU µs/op |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let (cpu, writer, per_op) = r.cpu.map_or(("-".into(), "-".into(), "-".into()), |(p, w, s)| {
            (
                format!("{:.0}", 100.0 * p / r.secs),
                format!("{:.0} / {:.0}", 100.0 * w / r.secs, 100.0 * s / r.secs),
                format!("{:.1}", 1e6 * p / r.ops as f64),
            )
        });
        println!(
            "| {} | {} | {:.0} | {} | {} | {cpu} | {writer} | {per_op} |",
            r.what,
            r.ops,
            r.ops as f64 / r.secs,
            r.p50.map_or("-".to_string(), us),
            r.p99.map_or("-".to_string(), us),
        );
    }
}

/// Seconds of CPU (user + system) from a `/proc/.../stat` line; 0 when
/// there is no procfs.
pub fn stat_cpu(path: &std::path::Path) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // Fields after the command name (which is in parentheses): utime and
    // stime are the 12th and 13th, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// CPU seconds so far of the process, the audit writer thread and the
/// audit sync thread (0 for threads that are not there).
pub fn cpu_now() -> (f64, f64, f64) {
    let process = stat_cpu(std::path::Path::new("/proc/self/stat"));
    let thread = |name: &str| -> f64 {
        std::fs::read_dir("/proc/self/task")
            .into_iter()
            .flatten()
            .flatten()
            .filter(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.starts_with(name)))
            .map(|t| stat_cpu(&t.path().join("stat")))
            .sum()
    };
    // Thread names are cut to 15 bytes.
    (process, thread("standin-audit-w"), thread("standin-audit-s"))
}
