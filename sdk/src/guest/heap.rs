//! The guest's heap: dlmalloc, first fed from a static region.
//!
//! dlmalloc gets its memory from the system allocator below. On
//! `wasm32-wasip2` the stock one grows linear memory for its very first
//! allocation, and a `memory.grow` is costly for the host: with the pooling
//! allocator it is an `mprotect` of the instance's slot (a system call and
//! a TLB flush) on each fresh instance, and another when the slot is
//! reset. `configure` and a request or two fit in [`FIRST`], which is part
//! of the module's initial memory (zero pages in `.bss`), so a fresh
//! instance usually never grows its memory at all.

use core::alloc::Layout;
use core::cell::UnsafeCell;
use core::ptr;
use dlmalloc::{Allocator, Dlmalloc};

/// Bytes of the first region: settings and a request's working set.
const FIRST: usize = 192 << 10;

/// A WebAssembly page.
const PAGE: usize = 64 << 10;

#[repr(C, align(16))]
struct Region(UnsafeCell<[u8; FIRST]>);

// SAFETY: handed to dlmalloc once; a component instance runs on one thread.
unsafe impl Sync for Region {}

static REGION: Region = Region(UnsafeCell::new([0; FIRST]));

/// The system allocator: the static region once, then `memory.grow`.
pub struct System {
    given: UnsafeCell<bool>,
}

// SAFETY: a component instance runs on one thread.
unsafe impl Send for System {}

// SAFETY: returns regions that are not used by anything else, and never
// claims to free or remap them.
unsafe impl Allocator for System {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        // SAFETY: single-threaded; no reference to `given` outlives this.
        let given = unsafe { &mut *self.given.get() };
        if !*given && size <= FIRST {
            *given = true;
            // Flag 1 (`EXTERN`): not dlmalloc's to release.
            return (REGION.0.get().cast(), FIRST, 1);
        }
        let pages = size.div_ceil(PAGE);
        let prev = core::arch::wasm32::memory_grow(0, pages);
        if prev == usize::MAX {
            return (ptr::null_mut(), 0, 0);
        }
        ((prev * PAGE) as *mut u8, pages * PAGE, 0)
    }

    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        ptr::null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    fn allocates_zeros(&self) -> bool {
        true
    }

    fn page_size(&self) -> usize {
        PAGE
    }
}

/// dlmalloc over [`System`].
pub struct Heap(UnsafeCell<Dlmalloc<System>>);

// SAFETY: a component instance runs on one thread.
unsafe impl Sync for Heap {}

pub static HEAP: Heap = Heap(UnsafeCell::new(Dlmalloc::new_with_allocator(System {
    given: UnsafeCell::new(false),
})));

impl Heap {
    #[allow(clippy::mut_from_ref, reason = "single-threaded; never re-entered")]
    fn get(&self) -> &mut Dlmalloc<System> {
        // SAFETY: single-threaded, and the allocator is not re-entered.
        unsafe { &mut *self.0.get() }
    }

    /// # Safety
    /// As [`core::alloc::GlobalAlloc::alloc`].
    pub unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { self.get().malloc(layout.size(), layout.align()) }
    }

    /// # Safety
    /// As [`core::alloc::GlobalAlloc::dealloc`].
    pub unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.get().free(ptr, layout.size(), layout.align()) }
    }

    /// # Safety
    /// As [`core::alloc::GlobalAlloc::realloc`].
    pub unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        unsafe { self.get().realloc(ptr, layout.size(), layout.align(), new_size) }
    }
}
