//! The `runner` binary: installs the counting global allocator, so that every run's heap peak
//! is measured, and hands over to the library's command line ([`runner::cli::main`]).

use runner::execute::alloc_counter::CountingAllocator;

/// Every heap allocation of the process goes through the per-thread byte counters.
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn main() -> std::process::ExitCode {
    runner::cli::main()
}
