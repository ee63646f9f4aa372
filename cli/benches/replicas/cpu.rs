//! Where the cores went during a row: this bench's replicas, PostgreSQL's
//! processes and the whole machine, from `/proc` (ticks of 1/100 s).

/// CPU ticks (1/100 s) of process `pid`, user and system, with those of
/// its children it has reaped (PostgreSQL's backends, once they exit).
fn ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    tick(11) + tick(12) + tick(13) + tick(14)
}

/// Ticks of every process named `postgres`.
fn postgres_ticks() -> u64 {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres"))
        .map(ticks)
        .sum()
}

/// Busy ticks of the whole machine (every state but idle and iowait).
fn machine_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let cpu: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    cpu.iter().sum::<u64>() - cpu.get(3).copied().unwrap_or(0) - cpu.get(4).copied().unwrap_or(0)
}

/// `(standin, postgres, machine)` ticks now, for `pids`.
pub(crate) fn cpu(pids: &[u32]) -> (u64, u64, u64) {
    (pids.iter().map(|p| ticks(*p)).sum(), postgres_ticks(), machine_ticks())
}
