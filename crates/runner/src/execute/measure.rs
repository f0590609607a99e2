//! Heap and time measurement around a training call, from the per-thread counters of
//! [`crate::execute::alloc_counter`] and the RSS of [`crate::execute::machine`].

use std::time::Instant;

use crate::execute::{alloc_counter, machine};

/// Heap and time measurement around a training call: resets this thread's heap counters (and
/// the RSS peak when asked, noting the RSS then), runs `f`, and reports the thread's heap peak
/// and the wall time.
pub fn measured<T>(reset_rss: bool, f: impl FnOnce() -> T) -> (T, Measurement) {
    // Read right after the reset, when the peak equals it: the run's baseline.
    let rss_before_bytes =
        if reset_rss && machine::reset_peak_rss() { machine::current_rss_bytes() } else { None };
    alloc_counter::reset_thread_peak();
    let start = Instant::now();
    let value = f();
    let seconds = start.elapsed().as_secs_f64();
    let measurement = Measurement {
        seconds,
        peak_heap_bytes: alloc_counter::thread_peak_bytes(),
        rss_before_bytes,
    };
    (value, measurement)
}

/// Time and heap of one measured call.
#[derive(Debug, Clone, Copy)]
pub struct Measurement {
    /// Wall seconds.
    pub seconds: f64,
    /// Heap peak of the calling thread during the call.
    pub peak_heap_bytes: u64,
    /// The process's RSS when its peak was reset before the call; `None` when it was not reset.
    pub rss_before_bytes: Option<u64>,
}
