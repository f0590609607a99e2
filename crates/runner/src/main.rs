//! `runner`: runs experiment specs (the k^k sweep by default) and writes `runs.csv`,
//! `summary.md`, plots and `metadata.json` to `results/<experiment>/`.
//!
//! Modules, in the order data flows: [`cli`] and [`paths`] find the spec; [`spec`] parses and
//! checks it; [`plan`] expands it into data sets and work units (run ids); [`dataset`] and
//! [`dataset_real`] build each data set; [`execute`] trains one unit through [`run_online`] or
//! [`run_batch`] (library types from [`registry`]) into [`record::RunRecord`]s, with memory
//! measured by [`alloc_counter`] and [`machine`]; [`sweep`] runs the units in parallel with
//! [`progress`], resumes, and selects lambdas ([`selection`]); [`report`] ([`aggregate`],
//! [`summary`], [`plots`], [`metadata`], and [`compare`] with [`compare_report`] for the
//! published-vs-ours tables) and [`export`] write the report, every file through
//! [`atomic_write`].

mod aggregate;
mod alloc_counter;
mod atomic_write;
mod cli;
mod compare;
mod compare_report;
mod dataset;
mod dataset_real;
mod execute;
mod export;
mod machine;
mod metadata;
mod methods;
mod paths;
mod plan;
mod plots;
mod progress;
mod record;
mod registry;
mod report;
mod run_batch;
mod run_online;
mod selection;
mod spec;
mod summary;
mod sweep;

use clap::Parser;

/// Every heap allocation of the process goes through the per-thread byte counters.
#[global_allocator]
static ALLOCATOR: alloc_counter::CountingAllocator = alloc_counter::CountingAllocator;

fn main() -> std::process::ExitCode {
    match cli::main_with(cli::Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the context chain on one line, without a backtrace.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
