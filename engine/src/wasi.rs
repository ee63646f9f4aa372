//! WASI for policies that import it, denied: every function of every
//! `wasi:*@0.2.x` interface a component imports traps when called.
//!
//! Why it exists: toolchains that embed an interpreter import WASI whether
//! the policy uses it or not. componentize-py (Python) imports all of
//! WASI 0.2 (filesystem, sockets, clocks, random, stdio, environment,
//! exit), and such a component could not even be loaded while the host
//! linked no imports ([`LoadError::Imports`]).
//!
//! Why traps rather than the `wasmtime-wasi` crate with an empty
//! `WasiCtx`: measured with componentize-py 0.25.1, a pre-initialized
//! Python policy needs WASI for two answers only, both before its first
//! call: the environment (read once by its runtime) and entropy (to seed
//! `random`). With those two defined here ([`answer`]) and every other
//! function a trap, the Python example passes its suite and every hostile
//! case is denied (sdk-py/tests). So nothing else needs an answer, and a
//! trap is the strongest "no": no file, socket, clock, stdin or stdout,
//! not even an empty one, with no WASI resource table, no second kind of
//! store data and no new dependency (`wasmtime-wasi` 50 would bring tokio,
//! futures, rand, url and rustix into the host and turn on wasmtime's
//! `async` feature; it was not built here). A policy that reaches for the
//! host (opens a file, reads the clock, prints, exits) traps, naming the
//! function, and the host denies the request `policy-error` as for any
//! trap.
//!
//! Only WASI 0.2 is accepted: any other import (another package, or a
//! WASI of another series) is still refused with [`LoadError::Imports`].
//! Components that import nothing (every Rust and TypeScript policy) keep
//! the host's one linker; only a WASI-importing component gets a linker of
//! its own, made once when it is compiled (resource types defined by
//! [`Linker::define_unknown_imports_as_traps`]); the instances of either
//! run in the same sandbox (memory cap, epoch deadline).

use crate::sandbox::Limiter;
use wasmtime::Engine;
use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker, LinkerInstance};

/// Random bytes one call may ask for (Python asks for 8 or 32).
const MAX_RANDOM_BYTES: u64 = 4096;

/// Whether `name` is an interface of WASI 0.2 (`wasi:NAME/IFACE@0.2.x`).
pub(crate) fn is_wasi_0_2(name: &str) -> bool {
    let Some((path, version)) = name.split_once('@') else {
        return false;
    };
    let Some(rest) = path.strip_prefix("wasi:") else {
        return false;
    };
    let named = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let interface = rest
        .split_once('/')
        .is_some_and(|(package, iface)| named(package) && named(iface));
    let patch = version
        .strip_prefix("0.2.")
        .map(|p| p.split(['-', '+']).next().unwrap_or(""));
    interface && patch.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A linker for `component` (whose imports are all WASI 0.2, checked by
/// the caller) that denies each of its imports: every function traps,
/// naming itself, but for the two answers Python's runtime needs
/// ([`answer`]); resources are defined so that the component links, and
/// no function can make one.
pub(crate) fn denying_linker(engine: &Engine, component: &Component) -> wasmtime::Result<Linker<Limiter>> {
    let mut linker = Linker::new(engine);
    for (interface, item) in component.component_type().imports(engine) {
        let ComponentItem::ComponentInstance(instance) = item.ty else {
            continue;
        };
        let mut defined = linker.instance(interface)?;
        for (function, item) in instance.exports(engine) {
            if !matches!(item.ty, ComponentItem::ComponentFunc(_)) || answer(&mut defined, interface, function)? {
                continue;
            }
            let denied = format!(
                "`{interface}#{function}` is denied: policies get no WASI (no files, network, clocks, entropy, environment or stdio)"
            );
            defined.func_new(function, move |_, _, _, _| Err(wasmtime::Error::msg(denied.clone())))?;
        }
    }
    // What is left: the resource types (streams, descriptors, sockets).
    linker.define_unknown_imports_as_traps(component)?;
    Ok(linker)
}

/// Defines `function` of `interface` when Python's runtime needs an answer
/// from it; whether it did. Measured with componentize-py 0.25.1: a
/// component that imports WASI reads the environment and seeds its
/// `random` module before its first call, and traps if either traps.
fn answer(instance: &mut LinkerInstance<'_, Limiter>, interface: &str, function: &str) -> wasmtime::Result<bool> {
    let (package, _version) = interface.split_once('@').unwrap_or((interface, ""));
    match (package, function) {
        // No environment, no arguments, no working directory.
        ("wasi:cli/environment", "get-environment") => {
            instance.func_wrap(function, |_, ()| Ok((Vec::<(String, String)>::new(),)))
        }
        ("wasi:cli/environment", "get-arguments") => instance.func_wrap(function, |_, ()| Ok((Vec::<String>::new(),))),
        ("wasi:cli/environment", "initial-cwd") => instance.func_wrap(function, |_, ()| Ok((None::<String>,))),
        // Zeros, the same every time, never the host's entropy: a policy
        // has no secret to make.
        ("wasi:random/random", "get-random-bytes") => instance.func_wrap(function, |_, (len,): (u64,)| {
            if len > MAX_RANDOM_BYTES {
                wasmtime::bail!("asked for {len} random bytes, above {MAX_RANDOM_BYTES}");
            }
            Ok((vec![0u8; len as usize],))
        }),
        ("wasi:random/random", "get-random-u64") => instance.func_wrap(function, |_, ()| Ok((0u64,))),
        _ => return Ok(false),
    }?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::is_wasi_0_2;

    #[test]
    fn only_wasi_0_2_interfaces_are_denied_rather_than_refused() {
        assert!(is_wasi_0_2("wasi:clocks/wall-clock@0.2.9"));
        assert!(is_wasi_0_2("wasi:io/streams@0.2.0"));
        assert!(is_wasi_0_2("wasi:sockets/tcp-create-socket@0.2.6-rc.1"));
        assert!(!is_wasi_0_2("wasi:clocks/wall-clock@0.3.0"), "another series");
        assert!(!is_wasi_0_2("wasi:clocks/wall-clock@0.2"));
        assert!(!is_wasi_0_2("wasi:clocks/wall-clock"), "unversioned");
        assert!(!is_wasi_0_2("wasi:clocks@0.2.0"), "no interface");
        assert!(!is_wasi_0_2("acme:clocks/wall-clock@0.2.0"));
        assert!(!is_wasi_0_2("wasix:clocks/wall-clock@0.2.0"));
        assert!(!is_wasi_0_2("now"), "a bare function");
    }
}
