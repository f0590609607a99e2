//! Checks made before any compute, so that a sweep fails in its first second rather than after
//! its first data set: the spec fits in memory ([`super::memory`]'s estimate of its largest data
//! set against the machine's available memory, or `--max-memory`), then the output directory can
//! be written (created, a probe file written and removed). A refusal says what was estimated and
//! the ways out.
//!
//! The memory check covers every data set of the plan (after `--quick` and `--shard`), also
//! those whose runs are already in `runs.csv`. A real data file that is missing is not
//! estimated (the sweep skips the experiment); one that cannot be read fails here.

use std::path::Path;

use anyhow::anyhow;

use super::memory::{self, DataShape, DatasetEstimate};
use crate::execute::machine;
use crate::plan::{DatasetKey, Plan, Unit};
use crate::report::summary::{bytes, grouped};
use crate::spec::hash_grid::{real_at, synthetic_at, HashBuckets};
use crate::spec::{ExperimentSpec, Family};

/// What the checks look at.
pub struct Preflight<'a> {
    /// The spec as run (after `--quick`).
    pub spec: &'a ExperimentSpec,
    /// Its plan (after `--shard`).
    pub plan: &'a Plan,
    /// The report directory.
    pub dir: &'a Path,
    /// Where real data files are.
    pub data_dir: &'a Path,
    /// Runs of a data set in flight at once.
    pub threads: usize,
    /// Whether selected models are kept for export.
    pub keep_models: bool,
    /// `--max-memory`, in bytes.
    pub max_memory: Option<u64>,
}

/// The memory a spec may use, and where that figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Bytes.
    pub bytes: u64,
    /// Set with `--max-memory` (else: `MemAvailable`).
    pub from_flag: bool,
}

impl std::fmt::Display for Limit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let size = bytes(self.bytes as f64);
        if self.from_flag {
            write!(f, "the limit of {size} set with --max-memory")
        } else {
            write!(f, "the {size} available now (MemAvailable in /proc/meminfo)")
        }
    }
}

/// `--max-memory` when given, else the machine's available memory; `None` when neither is known.
pub fn memory_limit(max_memory: Option<u64>) -> Option<Limit> {
    match max_memory {
        Some(bytes) => Some(Limit { bytes, from_flag: true }),
        None => machine::available_memory_bytes().map(|bytes| Limit { bytes, from_flag: false }),
    }
}

/// Batch units not to start: run id of their first row -> the estimate that passes
/// `[grid] memory_cap`.
pub type OverCap = std::collections::HashMap<String, u64>;

/// Runs the checks: memory first (it has no side effects), then the output directory. Returns
/// the batch units whose estimate passes the memory cap (they are recorded, not run).
pub fn check(p: &Preflight<'_>) -> anyhow::Result<OverCap> {
    let shapes = shapes(p)?;
    let estimates = estimate_plan(p, &shapes);
    check_memory(p, &estimates, memory_limit(p.max_memory))?;
    check_output_dir(p.dir)?;
    let mut over = OverCap::new();
    for unit in &p.plan.units {
        if let Some(bytes) = shape_of(&shapes, unit.dataset).and_then(|s| s.batch_over_cap(unit)) {
            over.insert(unit.run_id(0), bytes);
        }
    }
    Ok(over)
}

/// Where a data set's shape is looked up: k, training rows and bucket count of the grid.
type ShapeKey = (Option<u32>, Option<u64>, Option<HashBuckets>);

/// Shapes per [`ShapeKey`].
type Shapes = Vec<(ShapeKey, Option<DataShape>)>;

/// The shape of data set `key`, if it could be estimated.
fn shape_of(shapes: &Shapes, key: DatasetKey) -> Option<&DataShape> {
    shapes.iter().find(|(at, _)| *at == (key.k, key.n, key.buckets)).and_then(|(_, s)| s.as_ref())
}

/// Creates `dir` and writes and removes a probe file in it.
pub fn check_output_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        anyhow!(
            "the output directory {} cannot be created ({e}); choose another parent with --out DIR",
            dir.display()
        )
    })?;
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"sparsecross checks that it can write here\n").map_err(|e| {
        anyhow!(
            "the output directory {} is not writable (writing a probe file in it failed: {e}); \
             fix its permissions or choose another parent with --out DIR",
            dir.display()
        )
    })?;
    std::fs::remove_file(&probe).map_err(|e| {
        anyhow!(
            "the output directory {}: cannot remove the probe file {} ({e})",
            dir.display(),
            probe.display()
        )
    })
}

/// The shape of every data set of the plan: one per (k, n, buckets) (synthetic), one per bucket
/// count for the real file (`None` when it is missing).
fn shapes(p: &Preflight<'_>) -> anyhow::Result<Shapes> {
    let mut shapes: Shapes = Vec::new();
    for key in &p.plan.datasets {
        let at = (key.k, key.n, key.buckets);
        if shapes.iter().any(|(seen, _)| *seen == at) {
            continue;
        }
        let shape = match (&p.spec.data.synthetic, &p.spec.data.real, key.k) {
            (Some(table), _, Some(k)) => {
                let n = key.n.or(p.spec.data.n_train).unwrap_or(0);
                let table = synthetic_at(table, key.buckets)?;
                Some(memory::synthetic_shape(p.spec, &table, k, n)?)
            }
            (_, Some(table), _) => {
                memory::real_shape(p.spec, &*real_at(table, key.buckets)?, p.data_dir)?
            }
            _ => None,
        };
        shapes.push((at, shape));
    }
    Ok(shapes)
}

/// Rows of the whole plan (what [`memory::GRID_ROW_BYTES`] counts).
pub fn plan_rows(plan: &crate::plan::Plan) -> u64 {
    plan.units.iter().map(|u| u.expected_rows() as u64).sum()
}

/// The most rows a plan may have ([`check_grid`]).
pub const MAX_PLAN_ROWS: u64 = 250_000;

/// Refuses a plan of more than [`MAX_PLAN_ROWS`] rows, with what its grid alone is estimated
/// to hold, before anything is allocated for its runs.
pub fn check_grid(plan: &crate::plan::Plan) -> anyhow::Result<()> {
    let rows = plan_rows(plan);
    if rows > MAX_PLAN_ROWS {
        anyhow::bail!(
            "refused before anything runs: the grid has {} rows (lambdas and path points x \
             optimizers x data sets), more than the limit of {}; its units and rows alone are \
             estimated at {} ({} per row). Split the lambdas over several specs or shards, or use \
             fewer: a lambda grid of a few dozen points per decade is plenty",
            grouped(rows),
            grouped(MAX_PLAN_ROWS),
            bytes(rows.saturating_mul(memory::GRID_ROW_BYTES) as f64),
            bytes(memory::GRID_ROW_BYTES as f64)
        );
    }
    Ok(())
}

/// The estimate of every data set of the plan that can be estimated.
fn estimate_plan(p: &Preflight<'_>, shapes: &Shapes) -> Vec<DatasetEstimate> {
    let mut estimates = Vec::new();
    for &key in &p.plan.datasets {
        let Some(shape) = shape_of(shapes, key) else {
            continue;
        };
        let units: Vec<&Unit> = p.plan.units.iter().filter(|u| u.dataset == key).collect();
        estimates.push(memory::estimate(
            key,
            shape,
            (&units, plan_rows(p.plan)),
            p.threads,
            p.keep_models,
        ));
    }
    estimates
}

/// The largest training rows (and, for a real file, all rows scaled alike) for which the data
/// set of `worst` fits in `limit`; `None` when not even an empty one fits.
fn largest_fitting(p: &Preflight<'_>, worst: &DatasetEstimate, limit: u64) -> Option<u64> {
    let units: Vec<&Unit> = p.plan.units.iter().filter(|u| u.dataset == worst.key).collect();
    let real = p.spec.data.real.is_some();
    let shape = &worst.shape;
    let total = |n: u64| {
        let resized = if real {
            // Rows of a real file shrink every split alike (`max_rows`): n counts all rows.
            let rows = shape.rows().max(1) as f64;
            let train = (n as f64 * shape.n_train as f64 / rows) as u64;
            shape.with_rows(train, n.saturating_sub(train))
        } else {
            shape.with_rows(n, shape.n_other)
        };
        let grid = (units.as_slice(), plan_rows(p.plan));
        memory::estimate(worst.key, &resized, grid, p.threads, p.keep_models).total
    };
    let (mut low, mut high) = (0u64, if real { shape.rows() } else { shape.n_train });
    if total(low) > limit {
        return None;
    }
    while low < high {
        let mid = low + (high - low).div_ceil(2);
        if total(mid) <= limit {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    Some(low)
}

/// Prints the estimate; refuses the spec when its largest data set exceeds the limit.
fn check_memory(
    p: &Preflight<'_>,
    estimates: &[DatasetEstimate],
    limit: Option<Limit>,
) -> anyhow::Result<()> {
    // The first of the largest (data sets of one k estimate alike).
    let Some(worst) = estimates.iter().rev().max_by_key(|e| e.total) else {
        return Ok(());
    };
    let Some(limit) = limit else {
        eprintln!(
            "memory: about {} at the peak (data set {}); not checked: the available memory is \
             unknown here, pass --max-memory SIZE to check",
            bytes(worst.total as f64),
            worst.shape.name
        );
        return Ok(());
    };
    if worst.total > limit.bytes {
        return Err(anyhow!(refusal(p, worst, &limit)));
    }
    eprintln!(
        "memory: about {} at the peak (data set {}; the grid's {} rows {}), within {limit}",
        bytes(worst.total as f64),
        worst.shape.name,
        grouped(plan_rows(p.plan)),
        bytes(worst.grid as f64),
    );
    Ok(())
}

/// The message of a refused spec: the estimate, term by term, and the ways out.
fn refusal(p: &Preflight<'_>, worst: &DatasetEstimate, limit: &Limit) -> String {
    let mut text = estimate_terms(p, worst, limit);
    text.push_str("Ways out: ");
    text.push_str(&ways_out(p, worst, limit).join("; "));
    text.push('.');
    text
}

/// Batch fits and online runs among the runs in flight at once.
fn in_flight_families(worst: &DatasetEstimate) -> (usize, usize) {
    let batch = worst.in_flight.iter().filter(|(f, _)| *f == Family::Batch).count();
    (batch, worst.in_flight.len() - batch)
}

/// The refusal's first lines: the estimate, term by term.
fn estimate_terms(p: &Preflight<'_>, worst: &DatasetEstimate, limit: &Limit) -> String {
    let shape = &worst.shape;
    let b = |v: u64| bytes(v as f64);
    let mut text = format!(
        "refused before anything runs: this spec needs about {} of memory at its peak, more than \
         {limit}. The estimate (deliberately high; experiments/README.md gives the formulas), \
         for its largest data set, {} (seed {}):\n",
        b(worst.total),
        shape.name,
        worst.key.seed
    );
    text.push_str(&format!(
        "  examples held in memory: {} rows x {} (the largest of {} sampled rows) = {}\n",
        grouped(shape.held_rows()),
        b(shape.example_bytes),
        shape.sample_rows,
        b(worst.examples)
    ));
    let (batch, online) = in_flight_families(worst);
    let in_flight = worst.in_flight.iter().fold(0u64, |s, r| s.saturating_add(r.1));
    text.push_str(&format!(
        "  runs in flight at once ({} thread(s)): {} batch fit(s) and {} online run(s) = {}\n",
        p.threads,
        batch,
        online,
        b(in_flight)
    ));
    if worst.kept_models > 0 {
        text.push_str(&format!("  models kept for export: {}\n", b(worst.kept_models)));
    }
    text.push_str(&format!(
        "  building the data set (transient): {}\n  the grid's units and rows: {}\n  the \
         runner itself: {}\n",
        b(worst.loading),
        b(worst.grid),
        b(memory::RUNNER_BYTES)
    ));
    text
}

/// The ways out of a refusal, those that apply to this spec.
fn ways_out(p: &Preflight<'_>, worst: &DatasetEstimate, limit: &Limit) -> Vec<String> {
    let shape = &worst.shape;
    let b = |v: u64| bytes(v as f64);
    let mut ways: Vec<String> = Vec::new();
    let real = p.spec.data.real.is_some();
    match largest_fitting(p, worst, limit.bytes) {
        Some(n) if real => ways.push(format!(
            "read fewer rows: `data.real.max_rows` at most about {} (the file has {})",
            grouped(n),
            grouped(shape.rows())
        )),
        Some(n) => ways.push(format!(
            "a smaller `data.n_train`: at most about {} training rows fit (with {} validation \
             and test rows and everything else as it is)",
            grouped(n),
            grouped(shape.n_other)
        )),
        None => ways.push(format!(
            "fewer rows alone is not enough: even without training rows this data set needs \
             more than {}",
            b(limit.bytes)
        )),
    }
    if in_flight_families(worst).0 > 0 {
        ways.push(format!(
            "online optimizers only (each batch fit holds the training matrix and its column \
             copy: about {} per training row here)",
            b(shape.batch_fit_bytes(1).saturating_sub(shape.with_rows(0, 0).batch_fit_bytes(1))
                / shape.n_train.max(1))
        ));
    }
    if worst.in_flight.len() > 1 {
        ways.push(format!(
            "fewer --threads (the runs of a data set run in parallel: {} at once here)",
            worst.in_flight.len()
        ));
    }
    if !shape.streamed {
        let order = if real {
            ": the file's split must then keep file order, `shuffle = false` in \
             `[data.real.split]`"
        } else {
            ""
        };
        ways.push(format!(
            "`data.stream = true` (streaming: online runs read the training split again on \
             every pass instead of holding it; batch fits still hold it){order}"
        ));
    }
    ways.push(
        "--max-memory SIZE to set the limit yourself, if you know better than the estimate"
            .to_string(),
    );
    ways
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_say_where_they_come_from() {
        assert_eq!(grouped(1_000_000_000_200), "1,000,000,000,200");
        assert_eq!(grouped(999), "999");
        let flag = Limit { bytes: 1 << 20, from_flag: true }.to_string();
        assert!(flag.contains("1.0 MiB") && flag.contains("--max-memory"), "{flag}");
        assert_eq!(memory_limit(Some(5)), Some(Limit { bytes: 5, from_flag: true }));
    }

    #[test]
    fn an_output_directory_under_a_file_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        check_output_dir(&dir.path().join("a/b")).unwrap();
        assert_eq!(std::fs::read_dir(dir.path().join("a/b")).unwrap().count(), 0, "probe removed");
        std::fs::write(dir.path().join("file"), "").unwrap();
        let err = check_output_dir(&dir.path().join("file/report")).unwrap_err().to_string();
        assert!(err.contains("file/report") && err.contains("--out"), "{err}");
    }
}
