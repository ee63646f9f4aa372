//! The call arena: where a call's arguments, and (for a policy that says
//! so) everything its evaluation allocates, live until the call is over.
//!
//! **Why.** A decision's allocations all die with its call: the host
//! writes the request (text and words), the policy builds its answer (a
//! deny's reasons are three strings each, in a list), the canonical ABI
//! lowers it, the host reads it and calls the post-return function, which
//! frees it all. On dlmalloc that is five or more `malloc`s and `free`s
//! of 60-150 instructions each, a third of what a one-reason deny costs
//! over an allow (BENCHMARKS.md). Here an allocation is a pointer bump and
//! a free nothing at all; the arena is emptied when the next call's first
//! argument arrives, after the host has read the last call's answer.
//!
//! Arguments always go here ([`argument`]). What `evaluate_*` allocate
//! goes here only while [`scratch`] is on, which the glue turns on for a
//! policy whose [`Policy::CALL_ARENA`](crate::Policy::CALL_ARENA) says its
//! evaluations keep nothing, and off at the start of every other export
//! (`configure` builds what lasts). What does not fit goes to dlmalloc,
//! which frees it as usual: the arena only ever saves work.

use super::heap::HEAP as DLMALLOC;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

/// Larger than any request the host sends (64 KiB of text, 4096 spans),
/// with room for a decision's answer.
const SIZE: usize = 128 << 10;

/// The arena's cursor and modes.
struct Cursor {
    /// The first free byte, as an offset.
    next: usize,
    /// Where the last allocation starts: it can grow in place.
    last: usize,
    /// Whether the global allocator bumps here (a policy's evaluation).
    scratch: bool,
    /// The last call is over: the next argument empties the arena first.
    ended: bool,
}

#[repr(C, align(16))]
struct Arena {
    bytes: UnsafeCell<[u8; SIZE]>,
    cursor: UnsafeCell<Cursor>,
}

// SAFETY: a component instance runs on one thread.
unsafe impl Sync for Arena {}

static ARENA: Arena = Arena {
    bytes: UnsafeCell::new([0; SIZE]),
    cursor: UnsafeCell::new(Cursor {
        next: 0,
        last: 0,
        scratch: false,
        ended: false,
    }),
};

fn cursor() -> &'static mut Cursor {
    // SAFETY: single-threaded, the allocator is not re-entered, and no
    // reference from here outlives the function that took it.
    unsafe { &mut *ARENA.cursor.get() }
}

fn base() -> usize {
    ARENA.bytes.get() as usize
}

fn contains(ptr: *mut u8) -> bool {
    (base()..base() + SIZE).contains(&(ptr as usize))
}

/// `len` bytes aligned to `align`, if they fit.
fn bump(c: &mut Cursor, align: usize, len: usize) -> Option<*mut u8> {
    // `align` is a power of two (`Layout`, the canonical ABI), and the
    // arena's base is 16-aligned: a mask, not `next_multiple_of`'s division.
    let start = if align <= 16 {
        (c.next + align - 1) & !(align - 1)
    } else {
        (base() + c.next).next_multiple_of(align) - base()
    };
    let end = start.checked_add(len).filter(|&end| end <= SIZE)?;
    c.last = start;
    c.next = end;
    Some((base() + start) as *mut u8)
}

/// Room for an argument the host writes (`cabi_realloc`). The first of a
/// call empties the arena: the last call's answer has been read.
pub fn argument(align: usize, len: usize) -> Option<*mut u8> {
    let c = cursor();
    if c.ended {
        *c = Cursor {
            next: 0,
            last: 0,
            scratch: c.scratch,
            ended: false,
        };
    }
    bump(c, align, len)
}

/// Sends what the export allocates from now on to the arena (`on`) or to
/// the heap. Only [`argument`] empties the arena, and the host writes no
/// argument during a call (the world imports nothing).
pub fn scratch(on: bool) {
    cursor().scratch = on;
}

/// Ends an export's own work: what it allocated (and its answer, lowered
/// after this) stays until the next call's first argument.
pub fn end() {
    cursor().ended = true;
}

/// The global allocator: the arena while scratch is on, else dlmalloc;
/// arena pointers are never dlmalloc's to free.
pub struct Heap;

// SAFETY: the arena hands out disjoint, aligned ranges of a static buffer
// that nothing else uses; everything else is dlmalloc's.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let c = cursor();
        if c.scratch
            && let Some(ptr) = bump(c, layout.align(), layout.size())
        {
            return ptr;
        }
        unsafe { DLMALLOC.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !contains(ptr) {
            unsafe { DLMALLOC.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !contains(ptr) {
            return unsafe { DLMALLOC.realloc(ptr, layout, new_size) };
        }
        let c = cursor();
        let offset = ptr as usize - base();
        // The last allocation grows (or shrinks) where it is.
        if c.scratch && offset == c.last && offset + new_size <= SIZE {
            c.next = offset + new_size;
            return ptr;
        }
        // SAFETY: `layout` with the new size is valid (GlobalAlloc's contract).
        let moved = unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, layout.align())) };
        if !moved.is_null() {
            unsafe { core::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size)) };
        }
        moved
    }
}
