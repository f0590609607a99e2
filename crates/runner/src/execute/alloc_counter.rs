//! A counting global allocator that attributes heap bytes to the thread that allocates them.
//!
//! Runs execute in parallel on rayon threads, and each run executes entirely on one thread, so
//! per-thread counters give each run its own figure: [`reset_thread_peak`] at the start of a run,
//! [`thread_peak_bytes`] at its end. The counters are `const` thread-locals holding plain `Cell`s
//! (no destructor, no lazy initialisation), which is what makes them safe to touch from inside
//! the allocator.
//!
//! Limit: a block freed by another thread than the one that allocated it lowers the freeing
//! thread's count, not the allocating one's. Within a run every allocation is made and freed on
//! the run's thread; data shared between runs (the generated data sets) is built before the runs
//! start and is therefore not part of any run's peak. The report states this.

#![allow(unsafe_code)] // a `GlobalAlloc` impl is unsafe by definition; it only forwards to `System`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Bytes allocated minus bytes freed by this thread since the last reset.
    static CURRENT: Cell<i64> = const { Cell::new(0) };
    /// Highest value of `CURRENT` since the last reset.
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

/// The system allocator wrapped with per-thread byte counters.
pub struct CountingAllocator;

fn record(delta: i64) {
    // `try_with` because the allocator may run while a thread is being torn down.
    let _ = CURRENT.try_with(|current| {
        let now = current.get() + delta;
        current.set(now);
        let _ = PEAK.try_with(|peak| {
            if now > peak.get() {
                peak.set(now);
            }
        });
    });
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the counters
// are thread-local `Cell`s that neither allocate nor panic.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            record(layout.size() as i64);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        if !ptr.is_null() {
            record(layout.size() as i64);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        record(-(layout.size() as i64));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_ptr = System.realloc(ptr, layout, new_size);
        if !new_ptr.is_null() {
            record(new_size as i64 - layout.size() as i64);
        }
        new_ptr
    }
}

/// Starts a new measurement on this thread: current and peak both count from zero.
pub fn reset_thread_peak() {
    CURRENT.with(|c| c.set(0));
    PEAK.with(|p| p.set(0));
}

/// Highest net heap bytes this thread held since [`reset_thread_peak`].
pub fn thread_peak_bytes() -> u64 {
    PEAK.with(|p| p.get().max(0) as u64)
}

/// Whether the counting allocator is the global allocator of this process (true in the
/// `runner` binary; a sanity check that measurements are real).
pub fn is_active() -> bool {
    reset_thread_peak();
    let probe = vec![0u8; 4096];
    std::hint::black_box(&probe);
    let seen = thread_peak_bytes() >= 4096;
    drop(probe);
    seen
}
