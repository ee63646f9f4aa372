//! The policy engine's figures: the instances tenants share and the
//! settings prepared in them (issue 32). A platform sizes
//! `shared_memory_bytes` and `max_prepared_per_instance` by them: releases
//! that keep climbing mean tenants' settings are prepared again and again.

use std::fmt::Write as _;

pub(super) fn render(out: &mut String, stats: standin::SharedStats) {
    let gauges = [
        (
            "standin_policy_shared_instances",
            "Policy instances that tenants share (built-in policy), live now.",
            stats.instances as u64,
        ),
        (
            "standin_policy_prepared_settings",
            "Tenants' settings prepared in shared instances now.",
            stats.prepared as u64,
        ),
        (
            "standin_policy_shared_memory_bytes",
            "Linear memory of the shared instances (prepared settings live there).",
            stats.memory_bytes as u64,
        ),
    ];
    for (name, help, value) in gauges {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
    }
    let counters = [
        (
            "standin_policy_shared_instantiations_total",
            "Shared instances made (more than the slots when some trapped).",
            stats.instantiated,
        ),
        (
            "standin_policy_prepares_total",
            "Tenants' settings prepared in a shared instance.",
            stats.prepares,
        ),
        (
            "standin_policy_prepared_releases_total",
            "Prepared settings released: over the budget, or their tenant gone.",
            stats.releases,
        ),
    ];
    for (name, help, value) in counters {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
    }
}
