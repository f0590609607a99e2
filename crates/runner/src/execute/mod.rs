//! Runs one work unit on its data set and turns the result into `runs.csv` rows.
//!
//! [`run_unit`] dispatches to [`online`] or [`batch`]; both fill their rows through [`row`] (what
//! every row shares) and time their training through [`measure`], which reads the per-thread heap
//! counters of [`alloc_counter`] (the counting global allocator) and the RSS of [`machine`].
//!
//! Depends on `spec`, `plan`, `data`, `record` and `provenance`.

pub mod alloc_counter;
pub mod batch;
pub mod machine;
pub mod measure;
pub mod online;
pub mod row;

pub use self::row::{base_record, fail, RunContext, RunOutput};
use crate::plan::Unit;
use crate::spec::Family;

/// Runs one unit; never fails: a refused configuration or a divergence becomes a row status.
pub fn run_unit(unit: &Unit, ctx: &RunContext<'_>) -> Vec<RunOutput> {
    match unit.family {
        Family::Online => vec![online::run(unit, ctx)],
        Family::Batch => batch::run(unit, ctx),
    }
}
