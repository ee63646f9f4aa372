//! Pre-initialized components: fresh instances that start configured.
//!
//! Why: with a fresh instance per call (`HostConfig::reuse_instances =
//! false`), every call used to instantiate the component and then run
//! `configure`, i.e. parse the tenant's settings again: about half of a
//! fresh decision (BENCHMARKS.md). Configuring is pure computation (the
//! world imports nothing), so its outcome is the same every time: the
//! component's linear memory after `configure`. As Wizer does for modules,
//! the host runs `configure` once, on the component's core module
//! instantiated on its own, and writes that memory back into the module as
//! its data: instances of the rewritten component start where `configure`
//! left one, and a fresh call is an instantiation (copy-on-write from the
//! module's memory image) and the call itself.
//!
//! Only the shape the Rust SDK produces is rewritten: one core module with
//! no imports, no start function, no data-count section, one mutable
//! global (the stack pointer, back at its first value after any call), and
//! the `memory`, `cabi_realloc` and `configure` exports. Anything else is
//! [`PreinitError::Unsupported`], and the host falls back to configuring
//! each fresh instance. The snapshot runs in the sandbox of any call: the
//! memory cap, the deadline.

use crate::host::Host;
use crate::load::POLICY_INTERFACE;
use crate::sandbox::{self, Limiter};
use std::ops::Range;
use wasm_encoder::{ConstExpr, DataSection, MemorySection, MemoryType, RawSection};
use wasmparser::{Parser, Payload};
use wasmtime::{Instance, Module, Store};

/// A memory larger than this is not written into a module (the image
/// would cost more to map than `configure` costs to run).
const MAX_SNAPSHOT_BYTES: usize = 16 << 20;

/// Bytes per data segment unit: runs of zero pages are left out.
const PAGE: usize = 4096;

/// Why a component was not pre-initialized.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PreinitError {
    #[error("not pre-initialized: {0}")]
    Unsupported(&'static str),
    #[error("not pre-initialized: {0}")]
    Invalid(String),
    #[error("`configure` failed while pre-initializing: {0}")]
    Configure(String),
}

/// The component's bytes with its core module's memory as `configure`
/// with `settings` leaves it.
pub(crate) fn preinitialize(host: &Host, component: &[u8], settings: &str) -> Result<Vec<u8>, PreinitError> {
    let (section, module) = core_module(component)?;
    let module_bytes = &component[module.clone()];
    let shape = Shape::of(module_bytes)?;
    let (memory, pages) = configured_memory(host, module_bytes, settings)?;
    let rewritten = rewrite_module(module_bytes, &shape, &memory, pages)?;
    let mut out = Vec::with_capacity(component.len() + rewritten.len());
    out.extend_from_slice(&component[..section.start]);
    out.push(1); // a core module section
    leb128(&mut out, rewritten.len());
    out.extend_from_slice(&rewritten);
    out.extend_from_slice(&component[module.end..]);
    Ok(out)
}

/// wasmparser's offsets are `u64` (since 0.255); ours index slices.
fn usize_range(range: Range<u64>) -> Result<Range<usize>, PreinitError> {
    match (usize::try_from(range.start), usize::try_from(range.end)) {
        (Ok(start), Ok(end)) => Ok(start..end),
        _ => Err(PreinitError::Unsupported("an offset past the address space")),
    }
}

/// The component's only core module: the range of its section (id and
/// size included) and of the module itself.
fn core_module(component: &[u8]) -> Result<(Range<usize>, Range<usize>), PreinitError> {
    let invalid = |e: wasmparser::BinaryReaderError| PreinitError::Invalid(e.to_string());
    let mut found = None;
    let mut parser = Parser::new(0);
    let mut offset = 0;
    loop {
        let (payload, consumed) = match parser.parse(&component[offset..], true).map_err(invalid)? {
            wasmparser::Chunk::Parsed { payload, consumed } => (payload, consumed),
            wasmparser::Chunk::NeedMoreData(_) => return Err(PreinitError::Unsupported("truncated component")),
        };
        offset += consumed;
        match payload {
            Payload::ModuleSection { unchecked_range, .. } => {
                let unchecked_range = usize_range(unchecked_range)?;
                if found.replace(unchecked_range.clone()).is_some() {
                    return Err(PreinitError::Unsupported("more than one core module"));
                }
                // The nested module is read on its own below: skip its bytes.
                offset = unchecked_range.end;
            }
            Payload::ComponentSection { unchecked_range, .. } => offset = usize_range(unchecked_range)?.end,
            Payload::End(_) => break,
            _ => {}
        }
    }
    let module = found.ok_or(PreinitError::Unsupported("no core module"))?;
    // The section header before the module: id 1, then its size as LEB128.
    let mut header = vec![1];
    leb128(&mut header, module.len());
    let start = module
        .start
        .checked_sub(header.len())
        .filter(|&s| component[s..module.start] == header[..])
        .ok_or(PreinitError::Unsupported("a module section header that is not minimal"))?;
    Ok((start..module.start, module))
}

/// What the rewrite relies on, checked.
struct Shape {
    memory: wasmparser::MemoryType,
}

impl Shape {
    fn of(module: &[u8]) -> Result<Self, PreinitError> {
        let invalid = |e: wasmparser::BinaryReaderError| PreinitError::Invalid(e.to_string());
        let (mut memory, mut mutable_globals, mut data) = (None, 0, false);
        let mut exports = Vec::new();
        for payload in Parser::new(0).parse_all(module) {
            match payload.map_err(invalid)? {
                Payload::ImportSection(_) => return Err(PreinitError::Unsupported("the module imports")),
                Payload::StartSection { .. } => return Err(PreinitError::Unsupported("a start function")),
                Payload::DataCountSection { .. } => return Err(PreinitError::Unsupported("a data count section")),
                Payload::MemorySection(r) => {
                    let memories = r.into_iter().collect::<Result<Vec<_>, _>>().map_err(invalid)?;
                    match memories[..] {
                        [m] if !m.memory64 && !m.shared && m.page_size_log2.is_none() => memory = Some(m),
                        _ => return Err(PreinitError::Unsupported("not one plain 32-bit memory")),
                    }
                }
                Payload::GlobalSection(r) => {
                    for g in r {
                        mutable_globals += usize::from(g.map_err(invalid)?.ty.mutable);
                    }
                }
                Payload::ExportSection(r) => {
                    for e in r {
                        exports.push(e.map_err(invalid)?.name.to_string());
                    }
                }
                Payload::DataSection(_) => data = true,
                _ => {}
            }
        }
        if mutable_globals != 1 {
            return Err(PreinitError::Unsupported("mutable globals besides the stack pointer"));
        }
        if !data {
            return Err(PreinitError::Unsupported("no data section"));
        }
        for name in ["memory", "cabi_realloc", &configure_export()] {
            if !exports.iter().any(|e| e == name) {
                return Err(PreinitError::Unsupported("a missing export"));
            }
        }
        let memory = memory.ok_or(PreinitError::Unsupported("no memory"))?;
        Ok(Self { memory })
    }
}

fn configure_export() -> String {
    format!("{POLICY_INTERFACE}#configure")
}

/// Runs `configure(settings)` on the module alone, under the sandbox's
/// limits, and returns its memory and size in wasm pages.
fn configured_memory(host: &Host, module: &[u8], settings: &str) -> Result<(Vec<u8>, u64), PreinitError> {
    let failed = |e: wasmtime::Error| PreinitError::Configure(format!("{e:#}"));
    let module = Module::new(host.engine(), module).map_err(failed)?;
    let mut store: Store<Limiter> = sandbox::new_store(host.engine(), &host.config().sandbox);
    sandbox::arm(&mut store, host.deadline_ticks());
    let instance = Instance::new(&mut store, &module, &[]).map_err(failed)?;
    let memory = instance
        .get_memory(&mut store, "memory")
        .ok_or(PreinitError::Unsupported("no exported memory"))?;
    let realloc = instance
        .get_typed_func::<(i32, i32, i32, i32), i32>(&mut store, "cabi_realloc")
        .map_err(failed)?;
    let configure = instance
        .get_typed_func::<(i32, i32), i32>(&mut store, &configure_export())
        .map_err(failed)?;
    let len = i32::try_from(settings.len()).map_err(|_| PreinitError::Unsupported("settings over 2 GiB"))?;
    // The canonical ABI's steps for `configure(settings)`: the string into
    // the guest's memory, the call, the result's tag, then post-return.
    let ptr = realloc.call(&mut store, (0, 0, 1, len)).map_err(failed)?;
    memory
        .write(&mut store, ptr as u32 as usize, settings.as_bytes())
        .map_err(|e| PreinitError::Configure(e.to_string()))?;
    let result = configure.call(&mut store, (ptr, len)).map_err(failed)?;
    let mut tag = [0u8];
    memory
        .read(&store, result as u32 as usize, &mut tag)
        .map_err(|e| PreinitError::Configure(e.to_string()))?;
    if tag[0] != 0 {
        return Err(PreinitError::Configure("the settings were refused".to_string()));
    }
    let post = format!("cabi_post_{}", configure_export());
    if let Ok(post) = instance.get_typed_func::<i32, ()>(&mut store, &post) {
        post.call(&mut store, result).map_err(failed)?;
    }
    let data = memory.data(&store);
    if data.len() > MAX_SNAPSHOT_BYTES {
        return Err(PreinitError::Unsupported("a memory over 16 MiB after `configure`"));
    }
    Ok((data.to_vec(), memory.size(&store)))
}

/// The module with its memory's minimum at `pages` and its data replaced
/// by `memory`'s non-zero pages; every other section as it was.
fn rewrite_module(module: &[u8], shape: &Shape, memory: &[u8], pages: u64) -> Result<Vec<u8>, PreinitError> {
    let invalid = |e: wasmparser::BinaryReaderError| PreinitError::Invalid(e.to_string());
    let mut out = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(module) {
        let payload = payload.map_err(invalid)?;
        match &payload {
            Payload::MemorySection(_) => {
                let mut section = MemorySection::new();
                section.memory(MemoryType {
                    minimum: pages.max(shape.memory.initial),
                    maximum: shape.memory.maximum,
                    memory64: false,
                    shared: false,
                    page_size_log2: None,
                });
                out.section(&section);
            }
            Payload::DataSection(_) => {
                let mut section = DataSection::new();
                for run in nonzero_runs(memory) {
                    let offset = i32::try_from(run.start).map_err(|_| PreinitError::Unsupported("offset"))?;
                    section.active(0, &ConstExpr::i32_const(offset), memory[run].iter().copied());
                }
                out.section(&section);
            }
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.section(&RawSection {
                        id,
                        data: &module[usize_range(range)?],
                    });
                }
            }
        }
    }
    Ok(out.finish())
}

/// Runs of pages of `memory` that hold a non-zero byte.
fn nonzero_runs(memory: &[u8]) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (i, page) in memory.chunks(PAGE).enumerate() {
        if page.iter().all(|&b| b == 0) {
            continue;
        }
        let range = i * PAGE..i * PAGE + page.len();
        match runs.last_mut() {
            Some(last) if last.end == range.start => last.end = range.end,
            _ => runs.push(range),
        }
    }
    runs
}

fn leb128(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_pages_are_left_out_and_neighbours_merged() {
        let mut memory = vec![0u8; PAGE * 5];
        memory[10] = 1;
        memory[PAGE + 3] = 2;
        memory[PAGE * 4] = 3;
        assert_eq!(nonzero_runs(&memory), [0..PAGE * 2, PAGE * 4..PAGE * 5]);
    }

    #[test]
    fn leb128_is_minimal() {
        let mut out = Vec::new();
        leb128(&mut out, 624_485);
        assert_eq!(out, [0xe5, 0x8e, 0x26]);
    }
}
