//! What a policy may consume, and how its failures become denies.
//!
//! Each policy instance lives in its own `Store` with a [`Limiter`]: linear
//! memory is capped, and the epoch deadline bounds every call. A policy that
//! trips either, or traps in any other way, yields a deny whose code says
//! which (`policy-memory`, `policy-timeout`, `policy-error`); the store it
//! ran in is dropped, never reused.

use crate::decision::{Decision, codes};
use std::time::Duration;
use wasmtime::{ResourceLimiter, Store, Trap};

/// Caps on one policy instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxLimits {
    /// Linear memory of one instance, in bytes.
    pub max_memory_bytes: usize,
    /// Wall-clock budget of one call (and of instantiation plus `configure`).
    pub deadline: Duration,
    /// Bytes of strings a policy may return in one decision.
    pub max_response_bytes: usize,
    /// Entries (reasons plus obligations) a policy may return in one decision.
    pub max_response_entries: usize,
    /// Table elements of one instance.
    pub max_table_elements: usize,
}

impl Default for SandboxLimits {
    fn default() -> Self {
        Self {
            max_memory_bytes: 64 << 20,
            deadline: Duration::from_millis(100),
            max_response_bytes: 64 * 1024,
            max_response_entries: 256,
            max_table_elements: 100_000,
        }
    }
}

/// The data of a policy's store: its limiter.
#[derive(Debug)]
pub(crate) struct Limiter {
    max_memory_bytes: usize,
    max_table_elements: usize,
    /// The size the policy asked for past the cap, so that the trap that
    /// follows is reported as `policy-memory`.
    memory_exceeded: Option<usize>,
    /// The linear memory's size after its last growth.
    memory_bytes: usize,
}

impl Limiter {
    /// The instance's linear memory, in bytes (as of its last growth).
    pub(crate) fn memory_bytes(&self) -> usize {
        self.memory_bytes
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.max_memory_bytes {
            self.memory_exceeded = Some(desired);
            wasmtime::bail!(
                "memory would grow to {desired} bytes, above the cap of {} bytes",
                self.max_memory_bytes
            );
        }
        self.memory_bytes = desired;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= self.max_table_elements)
    }

    fn instances(&self) -> usize {
        64
    }

    fn tables(&self) -> usize {
        64
    }

    fn memories(&self) -> usize {
        4
    }
}

/// A fresh store for one policy instance.
pub(crate) fn new_store(engine: &wasmtime::Engine, limits: &SandboxLimits) -> Store<Limiter> {
    let mut store = Store::new(
        engine,
        Limiter {
            max_memory_bytes: limits.max_memory_bytes,
            max_table_elements: limits.max_table_elements,
            memory_exceeded: None,
            memory_bytes: 0,
        },
    );
    store.limiter(|l| l);
    store.epoch_deadline_trap();
    store
}

/// Arms the deadline before a call into the policy.
pub(crate) fn arm(store: &mut Store<Limiter>, deadline_ticks: u64) {
    store.set_epoch_deadline(deadline_ticks);
}

/// Why a call into a policy failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub code: &'static str,
    /// One line, for the reason.
    pub message: String,
    /// Everything known (the trap with its wasm backtrace), for diagnostics.
    pub detail: Option<String>,
}

impl Failure {
    pub(crate) fn new(code: &'static str, message: String) -> Self {
        Self {
            code,
            message,
            detail: None,
        }
    }

    pub(crate) fn into_decision(self) -> Decision {
        let mut decision = Decision::host_deny(self.code, self.message);
        if let Some(detail) = self.detail {
            decision.diagnose(detail);
        }
        decision
    }
}

/// Classifies the error of a call made in `store`.
pub(crate) fn classify(store: &Store<Limiter>, error: &wasmtime::Error, deadline: Duration) -> Failure {
    let (code, message) = if let Some(desired) = store.data().memory_exceeded {
        let cap = store.data().max_memory_bytes;
        (
            codes::POLICY_MEMORY,
            format!("policy tried to grow its memory to {desired} bytes, above the cap of {cap} bytes"),
        )
    } else {
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => (
                codes::POLICY_TIMEOUT,
                format!("policy ran past its deadline of {} ms", deadline.as_millis()),
            ),
            Some(Trap::StackOverflow) => (codes::POLICY_ERROR, "policy trapped: call stack exhausted".to_string()),
            Some(trap) => (codes::POLICY_ERROR, format!("policy trapped: {trap}")),
            // A host function's error (a denied WASI call): its own
            // message, not the backtrace wasmtime wraps it in.
            None => (codes::POLICY_ERROR, format!("policy failed: {}", error.root_cause())),
        }
    };
    Failure {
        code,
        message,
        // The chain with the wasm backtrace, not the host's own stack.
        detail: Some(format!("{error:#}")),
    }
}
