//! The binary's allocator settings. `kubeplay` allocates with mimalloc (node-host/src/main.rs);
//! this module holds the one option a run changes, through mimalloc's C API.

/// mimalloc's `mi_option_purge_delay` (v2's `mimalloc.h`: the option after
/// `mi_option_eager_commit_delay`, which the bindings name as 14). The bindings have no constant
/// for it; [`tests::purge_delay_option_number_reads_mimallocs_default`] checks the number.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

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
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    use super::MI_OPTION_PURGE_DELAY;

    #[test]
    fn purge_delay_option_number_reads_mimallocs_default() {
        // The option enum is consecutive: the bindings name its neighbours, and 10 (ms) is the
        // purge delay's default. (No test in this crate calls `keep_freed_memory`.)
        assert_eq!(
            libmimalloc_sys::mi_option_eager_commit_delay,
            MI_OPTION_PURGE_DELAY - 1
        );
        assert_eq!(
            libmimalloc_sys::mi_option_use_numa_nodes,
            MI_OPTION_PURGE_DELAY + 1
        );
        // SAFETY: reading an option value.
        let value = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(value, 10);
    }
}
