//! The binaries' allocator: mimalloc, called the way mimalloc itself recommends.
//!
//! The `mimalloc` crate's `MiMalloc` passes every Rust allocation to `mi_malloc_aligned`, whose
//! fast path only covers blocks up to 1 KiB that happen to be aligned; everything else (a
//! decoded Pod is a 2 KiB box, and vectors grow past 1 KiB) takes mimalloc's generic aligned
//! path, which then decides that plain `mi_malloc` was aligned enough after all. In `kubeplay
//! sim` that detour was ~4 % of all instructions (callgrind, 1,000 nodes × 30,000 pods), so
//! [`Allocator`] makes the same decision first — mimalloc's own rule
//! (`mi_malloc_is_naturally_aligned` in `alloc-aligned.c`): an alignment of at most 16 bytes
//! (`MI_MAX_ALIGN_SIZE`) and no larger than the size is guaranteed by `mi_malloc` — and calls
//! the aligned functions only for the rest. It is this small shim rather than another crate
//! because no maintained crate offers it; the C library is the `mimalloc` crate's own.
//!
//! This file is also compiled into the core's `sim` example (`#[path]`), so profiles of the
//! example allocate exactly as `kubeplay sim` does.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// mimalloc's `MI_MAX_ALIGN_SIZE`: every block `mi_malloc` returns of at least this size is
/// aligned to it, and smaller blocks to their size rounded to a power of two.
const MI_MAX_ALIGN_SIZE: usize = 16;

/// Whether `mi_malloc(size)` already returns memory aligned to `align`.
fn naturally_aligned(size: usize, align: usize) -> bool {
    align <= MI_MAX_ALIGN_SIZE && align <= size
}

/// The global allocator of `kubeplay` (and of the core's `sim` example): mimalloc.
pub struct Allocator;

// SAFETY: every function forwards to mimalloc, which returns memory of at least `size` bytes
// aligned as asked (plain `mi_malloc`/`mi_zalloc`/`mi_realloc` only where mimalloc guarantees
// that alignment, see `naturally_aligned`), or null on failure; `mi_free` and `mi_realloc*`
// accept any pointer mimalloc returned.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if naturally_aligned(layout.size(), layout.align()) {
            mi::mi_malloc(layout.size()).cast()
        } else {
            mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if naturally_aligned(layout.size(), layout.align()) {
            mi::mi_zalloc(layout.size()).cast()
        } else {
            mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi::mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if naturally_aligned(new_size, layout.align()) {
            mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
        } else {
            mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
        }
    }
}

/// mimalloc's `mi_option_purge_delay` (v2's `mimalloc.h`: the option after
/// `mi_option_eager_commit_delay`, which the bindings name as 14). The bindings have no constant
/// for it; a test checks the number.
const MI_OPTION_PURGE_DELAY: mi::mi_option_t = 15;

/// Keeps memory that is freed instead of giving it back to the operating system.
///
/// By default mimalloc returns ("purges") freed pages 10 ms after they empty. A `kubeplay sim`
/// run grows to its peak and exits, and what it frees is reused at once (each status write
/// frees the pod's previous revision and allocates the next): every purge made the kernel
/// fault in and zero the same pages again. Measured on 1,000 nodes × 30,000 pods: system time
/// 1.83 s → 0.28 s, user 10.3 s → 9.2 s, peak RSS +1.2 % (BENCHMARKS.md). Not for `serve`,
/// which runs for days and should give memory back after a burst.
pub fn keep_freed_memory() {
    // SAFETY: `mi_option_set` only stores an integer in mimalloc's option table; called before
    // the run starts its allocation-heavy work on one thread (the function is not thread-safe
    // against concurrent option changes, and nothing else changes options).
    unsafe { mi::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purge_delay_option_number_reads_mimallocs_default() {
        // The option enum is consecutive: the bindings name its neighbours, and 10 (ms) is the
        // purge delay's default. (No test in this crate calls `keep_freed_memory`.)
        assert_eq!(mi::mi_option_eager_commit_delay, MI_OPTION_PURGE_DELAY - 1);
        assert_eq!(mi::mi_option_use_numa_nodes, MI_OPTION_PURGE_DELAY + 1);
        // SAFETY: reading an option value.
        let value = unsafe { mi::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(value, 10);
    }

    #[test]
    fn every_allocation_is_aligned_as_its_layout_asks() {
        let allocator = Allocator;
        for align in [1usize, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1usize, 3, 8, 15, 16, 24, 48, 100, 1000, 1025, 2176, 70_000] {
                let layout = Layout::from_size_align(size, align).expect("layout");
                // SAFETY: a non-zero size; each block is written within its size, grown with
                // the same layout's alignment, and freed once.
                unsafe {
                    let p = allocator.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "alloc {size} aligned {align}");
                    p.write_bytes(0xAB, size);
                    let grown = allocator.realloc(p, layout, size * 3);
                    assert!(!grown.is_null());
                    assert_eq!(grown as usize % align, 0, "realloc {size} aligned {align}");
                    assert_eq!(*grown.add(size - 1), 0xAB, "realloc keeps the contents");
                    allocator.dealloc(
                        grown,
                        Layout::from_size_align(size * 3, align).expect("layout"),
                    );
                    let z = allocator.alloc_zeroed(layout);
                    assert!(!z.is_null());
                    assert_eq!(z as usize % align, 0, "alloc_zeroed {size} aligned {align}");
                    assert!((0..size).all(|i| *z.add(i) == 0), "zeroed");
                    allocator.dealloc(z, layout);
                }
            }
        }
    }
}
