//! Memory estimates made before any compute, so that a spec that cannot fit is refused up front
//! (by [`super::preflight`]) instead of aborting on a failed allocation midway. Every figure is
//! meant as an upper bound of the heap, computed from counts known before the data exist; the
//! formulas, with `n` training rows, `n_all` rows of all splits, `a` active features per example,
//! `nnz = n a` and `m` the columns a training split can touch:
//!
//! - **Examples** (every split is held in memory while its runs train): `n_all x example_bytes`,
//!   where `example_bytes` is measured on a sample built by the same code as the data set (256
//!   synthetic training rows; the first 2,000 rows of a real file read with the spec's schema and
//!   features): the `SparseExample` itself plus its two buffers, each rounded up as glibc's malloc
//!   does (`round_up(bytes + 8, 16)`). The largest example of the sample counts.
//! - **Loading** (transient, before the runs start): the larger of the real file's table while
//!   its rows are encoded (`n_all x (16 (columns + derived + label) + 16)`: 8-byte values with
//!   room for a vector's doubling, plus the shuffle order) and the count of distinct training
//!   features (`24 nnz`: a vector of every id while it grows).
//! - **m**: one id per group per example, so `m <= sum over groups of min(group size, n)`; a
//!   group over a categorical column of a real file counts `n` (its vocabulary depends on the
//!   data).
//! - **A batch fit** (the CSR matrix, its column-major copy, the solver's vectors and the path's
//!   models; calibrated against the counting allocator's peaks of every solver at k = 4..10 and
//!   100,000 rows, which it exceeds by 15-60%): `56 nnz + 96 n + 96 m + 32 m P + 4 MiB` for a
//!   path of `P` points. `56 nnz`: CSR (`16 nnz`) + the compressed-column copy built through a
//!   temporary one (`32 nnz`) + the id index while the CSR is built; `32 m P`: each point's model.
//! - **An online run**: the library's bound on its store with `m` coordinates
//!   (`OnlineEntry::store_bytes_bound`: a dense store's whole vector, or a hash table including
//!   the moment it grows) + the final model (`16 m`) + the counting Bloom filter (`bloom_counters`
//!   bytes, with count admission) + the shuffle order (`8 n`, when shuffled) + 1 MiB.
//! - **A data set**: `20 MiB` (the runner itself) + the grid (`4 KiB` per row of the whole plan:
//!   its unit, its `runs.csv` row, the report's copies; measured at 3.3 KB per lambda with 1,000
//!   to 10,000 lambdas) + examples + the larger of the loading transient and the runs in flight:
//!   the `threads` largest runs of the data set at once (plus, with model export, every model kept
//!   until the data set is done).
//!
//! - **Streaming** (`[data] stream`): the training split is not held (examples count the
//!   validation and test rows only, and its distinct features are counted in a fixed sketch); a
//!   batch fit collects it (`n x example_bytes` on top of the fit). A streamed real file is
//!   fitted in one pass that keeps only what the fit needs, then its validation and test rows
//!   are read as a table: loading is the larger of `n x fit_row_bytes` (`16` bytes per training
//!   row for each bucketized column's values and, counted like a table column, for each
//!   categorical column's vocabulary counts: a high bound, the counts hold one entry per
//!   distinct value) and `n_other x table_row_bytes`. A pass holds a chunk of 4,096 rows.
//! - **Memory cap** (`[grid] memory_cap`): a batch fit estimated above it is not started (it
//!   counts nothing); an online run's state counts at most the cap (its learner refuses a table
//!   growth, old and new table held at once, that would pass it).
//!
//! Only one data set is in memory at a time, so the spec's peak is its largest data set's.

use std::path::Path;

use anyhow::Context;
use features::real::{RealDataSpec, SplitFractions, SplitSpec};
use features::space::ColumnEncoding;
use features::synthetic::{SplitName, SyntheticProblem};
use features::{FeatureSpace, GroupKind, SparseExample};

use crate::plan::{DatasetKey, Unit};
use crate::spec::resolve::{real_spec, synthetic_config};
use crate::spec::{ExperimentSpec, Family};

/// Synthetic training rows generated to measure an example.
const SYNTHETIC_SAMPLE: u64 = 256;
/// Rows of a real file read to measure an example.
const REAL_SAMPLE: u64 = 2000;
/// The runner itself: code, thread stacks in use, the report.
pub const RUNNER_BYTES: u64 = 20 << 20;
/// Per row of the plan (each lambda of an online entry, each point of a path): its unit, its
/// `runs.csv` row and the report's copies, held until the sweep ends.
pub const GRID_ROW_BYTES: u64 = 4 << 10;
const MIB: u64 = 1 << 20;

/// Bytes malloc hands out for a request of `bytes` (glibc: an 8-byte header, 16-byte chunks).
fn allocated(bytes: u64) -> u64 {
    if bytes == 0 {
        0
    } else {
        (bytes + 8).next_multiple_of(16)
    }
}

/// Heap and inline bytes of one example as held in a split's vector.
pub fn example_bytes(example: &SparseExample) -> u64 {
    let buffer = |capacity: usize, item: usize| allocated((capacity * item) as u64);
    std::mem::size_of::<SparseExample>() as u64
        + buffer(example.ids.capacity(), std::mem::size_of::<u64>())
        + buffer(example.values.capacity(), std::mem::size_of::<f64>())
}

/// What the estimates need to know of one data set.
#[derive(Debug, Clone, PartialEq)]
pub struct DataShape {
    /// `k = 10`, or the real file's name.
    pub name: String,
    /// Training rows.
    pub n_train: u64,
    /// Validation and test rows.
    pub n_other: u64,
    /// Bytes of the largest example of the sample.
    pub example_bytes: u64,
    /// Most active features of an example of the sample.
    pub active: u64,
    /// Size of each group of the feature space; `None` when it depends on the data.
    pub group_sizes: Vec<Option<u64>>,
    /// Dimension of the feature space (of the sample's, for a real file).
    pub dimension: u64,
    /// Bytes per row of a real file's table while it is encoded (0 for synthetic data).
    pub table_row_bytes: u64,
    /// Bytes per training row of what fitting a streamed real file keeps (0 for synthetic
    /// data).
    pub fit_row_bytes: u64,
    /// Rows of the sample that measured `example_bytes`.
    pub sample_rows: u64,
    /// Whether the training split is streamed (`[data] stream`): not held, except by the batch
    /// fits that collect it.
    pub streamed: bool,
    /// `[grid] memory_cap`, in bytes.
    pub memory_cap: Option<u64>,
}

impl DataShape {
    /// The same data set with other split sizes.
    pub fn with_rows(&self, n_train: u64, n_other: u64) -> Self {
        Self { n_train, n_other, ..self.clone() }
    }

    /// Rows of all splits.
    pub fn rows(&self) -> u64 {
        self.n_train.saturating_add(self.n_other)
    }

    /// Nonzeros of the training matrix.
    pub fn nnz(&self) -> u64 {
        self.n_train.saturating_mul(self.active)
    }

    /// Bound on the columns (distinct features) of the training split.
    pub fn columns(&self) -> u64 {
        let n = self.n_train;
        let by_groups = self
            .group_sizes
            .iter()
            .fold(0u64, |sum, size| sum.saturating_add(size.map_or(n, |s| s.min(n))));
        by_groups.min(self.nnz())
    }

    /// Rows whose examples are held: every split's (with a streamed training split, validation
    /// and test only).
    pub fn held_rows(&self) -> u64 {
        if self.streamed {
            self.n_other
        } else {
            self.rows()
        }
    }

    /// Every held example.
    pub fn examples_bytes(&self) -> u64 {
        self.held_rows().saturating_mul(self.example_bytes)
    }

    /// The transient of building the data set (the real table, the count of distinct features;
    /// a streamed split's features are counted in a fixed-size sketch, and only what its fit
    /// needs is kept of a streamed real file's training rows).
    pub fn loading_bytes(&self) -> u64 {
        if self.streamed {
            let fit = self.n_train.saturating_mul(self.fit_row_bytes);
            return fit.max(self.n_other.saturating_mul(self.table_row_bytes));
        }
        let distinct = self.nnz().saturating_mul(24);
        self.rows().saturating_mul(self.table_row_bytes).max(distinct)
    }

    /// A batch fit of a path of `points` points (see the module doc), with the training split
    /// it collects when the split is streamed.
    pub fn batch_fit_bytes(&self, points: u64) -> u64 {
        let (n, m) = (self.n_train, self.columns());
        let collected = if self.streamed { n.saturating_mul(self.example_bytes) } else { 0 };
        [
            collected,
            self.nnz().saturating_mul(56),
            n.saturating_mul(96),
            m.saturating_mul(96),
            m.saturating_mul(32).saturating_mul(points),
            4 * MIB,
        ]
        .into_iter()
        .fold(0, u64::saturating_add)
    }

    /// The estimate of a batch unit when it passes the memory cap (the unit is then not
    /// started); `None` for online units, without a cap, or within it.
    pub fn batch_over_cap(&self, unit: &Unit) -> Option<u64> {
        let cap = self.memory_cap?;
        let bytes = self.batch_fit_bytes(unit.expected_rows() as u64);
        (unit.family == Family::Batch && bytes > cap).then_some(bytes)
    }

    /// The bytes of one unit's run on this data set (see the module doc); unknown optimizer
    /// names count nothing (the spec's checks refuse them). Under a memory cap, a batch fit over
    /// it counts nothing (it is not started) and an online run's state at most the cap (its
    /// learner refuses the growth that would pass it).
    pub fn unit_bytes(&self, unit: &Unit) -> u64 {
        if self.batch_over_cap(unit).is_some() {
            return 0;
        }
        let capped = |bytes: u64| self.memory_cap.map_or(bytes, |c| bytes.min(c));
        match unit.family {
            Family::Batch => self.batch_fit_bytes(unit.expected_rows() as u64),
            Family::Online => {
                let Ok(entry) = optimizers::online::lookup(&unit.optimizer_kind) else {
                    return 0;
                };
                let m = self.columns();
                let store = unit.store_kind(self.dimension);
                let bloom = match unit.optimizer.admission() {
                    Some(optimizers::online::Admission::Count { .. }) => {
                        u64::from(unit.optimizer.bloom_counters().map_or(
                            optimizers::online::OnlineConfig::default().bloom_counters,
                            |b| b.counters(),
                        ))
                    }
                    _ => 0,
                };
                let shuffle =
                    if unit.training.shuffle { self.n_train.saturating_mul(8) } else { 0 };
                let state = [entry.store_bytes_bound(store, m), m.saturating_mul(16), bloom]
                    .into_iter()
                    .fold(0, u64::saturating_add);
                [capped(state), shuffle, MIB].into_iter().fold(0, u64::saturating_add)
            }
        }
    }

    /// Bytes of the models a unit leaves behind when they are kept for export.
    pub fn kept_model_bytes(&self, unit: &Unit) -> u64 {
        self.columns().saturating_mul(16).saturating_mul(unit.expected_rows() as u64)
    }
}

/// The shape of the synthetic data set of `k` with `n_train` training rows (its generator's
/// groups, an example measured on 256 generated training rows).
pub fn synthetic_shape(
    spec: &ExperimentSpec,
    table: &toml::Table,
    k: u32,
    n_train: u64,
) -> anyhow::Result<DataShape> {
    let seed = spec.grid.seeds.first().copied().unwrap_or(0);
    let problem = SyntheticProblem::new(synthetic_config(table, k, seed)?)
        .with_context(|| format!("synthetic data for k = {k}"))?;
    let n_other = spec.data.n_validation.unwrap_or(0).saturating_add(spec.data.n_test.unwrap_or(0));
    let sample: Vec<SparseExample> =
        problem.stream(SplitName::Train, SYNTHETIC_SAMPLE.min(n_train.max(1))).collect();
    let space = problem.space();
    Ok(DataShape {
        name: format!("k = {k}"),
        n_train,
        n_other,
        example_bytes: sample.iter().map(example_bytes).max().unwrap_or(0),
        active: sample.iter().map(|e| e.ids.len() as u64).max().unwrap_or(0),
        group_sizes: space.groups().iter().map(|g| Some(g.size)).collect(),
        dimension: space.dimension(),
        table_row_bytes: 0,
        fit_row_bytes: 0,
        sample_rows: sample.len() as u64,
        streamed: spec.data.stream,
        memory_cap: spec.grid.memory_cap_bytes(),
    })
}

/// Training rows and other rows of a split of `rows` rows.
fn split_sizes(split: &SplitSpec, rows: u64) -> (u64, u64) {
    let train = match (&split.fractions, &split.ranges) {
        (Some(f), _) => ((rows as f64 * f.train).round() as u64).min(rows),
        (None, Some(r)) => r.train[1].min(rows).saturating_sub(r.train[0].min(rows)),
        (None, None) => rows,
    };
    (train, rows - train)
}

/// Whether a group's size depends on the data (it is over a categorical column with a
/// vocabulary; a hashed column's size is fixed by the spec).
fn data_dependent(space: &FeatureSpace, kind: &GroupKind) -> bool {
    let columns: &[usize] = match kind {
        GroupKind::Column(c) => std::slice::from_ref(c),
        GroupKind::ExactCross(cs) | GroupKind::HashedCross { columns: cs, .. } => cs,
    };
    columns.iter().any(|&c| {
        space
            .columns()
            .get(c)
            .is_none_or(|col| matches!(col.encoding, ColumnEncoding::Categorical(_)))
    })
}

/// The shape of the real data set of `spec` (`table`: its `[data.real]`): its rows counted in
/// the file (at most `max_rows`), an example measured on its first 2,000 rows read with the
/// spec's schema and features. `None` when the file is missing (the sweep skips the
/// experiment).
pub fn real_shape(
    spec: &ExperimentSpec,
    table: &toml::Table,
    data_dir: &Path,
) -> anyhow::Result<Option<DataShape>> {
    let experiment = spec;
    let spec: RealDataSpec = real_spec(table)?;
    let path = data_dir.join(&spec.file);
    if !crate::data::real::is_present(&path) {
        return Ok(None);
    }
    let rows = features::real::count_rows(data_dir, &spec)
        .context("reading the data files before any run (to estimate their memory)")?;
    // `file`'s rows are split; a validation or test file's rows are all "other" rows.
    let main_only = RealDataSpec { validation_file: None, test_file: None, ..spec.clone() };
    let main_rows = features::real::count_rows(data_dir, &main_only)
        .context("reading the data file before any run (to estimate its memory)")?;
    let mut sample = main_only;
    sample.max_rows = Some(main_rows.clamp(1, REAL_SAMPLE));
    // Every sampled row in one split, the label read as a number: a one-class sample is not an
    // error. Text labels are read as a numeric column instead when the schema has one (the
    // label's value does not change the examples' size).
    let numeric =
        spec.schema.columns.iter().find(|(_, &t)| t == features::real::ColumnType::Numeric);
    let label = &mut sample.schema.label;
    if let Some((column, _)) = numeric.filter(|_| label.rule.is_none()) {
        label.column = column.clone();
        (label.positive, label.negative) = (None, None);
    }
    if label.positive.is_none() {
        label.rule = Some("numeric".to_string());
    }
    sample.split = SplitSpec {
        seed: 0,
        shuffle: false,
        fractions: Some(SplitFractions { train: 1.0, validation: 0.0, test: 0.0 }),
        ranges: None,
        order_by: None,
    };
    let loaded = features::real::load(data_dir, &sample).with_context(|| {
        format!("reading the first {REAL_SAMPLE} rows of {} to measure its memory", path.display())
    })?;
    let n_train = split_sizes(&spec.split, main_rows).0;
    let n_other = rows - n_train;
    let columns = spec.schema.columns.len() + spec.schema.derived.len() + 1;
    let space = &loaded.space;
    Ok(Some(DataShape {
        name: spec.file.clone(),
        n_train,
        n_other,
        example_bytes: loaded.train.iter().map(example_bytes).max().unwrap_or(0),
        active: loaded.train.iter().map(|e| e.ids.len() as u64).max().unwrap_or(0),
        group_sizes: space
            .groups()
            .iter()
            .map(|g| (!data_dependent(space, &g.kind)).then_some(g.size))
            .collect(),
        dimension: space.dimension(),
        table_row_bytes: 16 * columns as u64 + 16,
        fit_row_bytes: 16
            * (spec.features.bucketized.len() + spec.features.categorical.len()) as u64,
        sample_rows: loaded.train.len() as u64,
        streamed: experiment.data.stream,
        memory_cap: experiment.grid.memory_cap_bytes(),
    }))
}

/// The estimate of one data set.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetEstimate {
    /// Which data set.
    pub key: DatasetKey,
    /// Its shape.
    pub shape: DataShape,
    /// Its examples.
    pub examples: u64,
    /// The transient of building it.
    pub loading: u64,
    /// The largest runs that can be in flight at once, largest first (batch or online, bytes).
    pub in_flight: Vec<(Family, u64)>,
    /// Models kept for export until the data set is done.
    pub kept_models: u64,
    /// The plan's units and rows ([`GRID_ROW_BYTES`] per row of the whole plan).
    pub grid: u64,
    /// The peak: runner + grid + examples + max(loading, in flight + kept).
    pub total: u64,
}

/// Estimates the data set `key` of shape `shape` with its `units`, `threads` of them at once,
/// in a plan of `plan_rows` rows.
pub fn estimate(
    key: DatasetKey,
    shape: &DataShape,
    (units, plan_rows): (&[&Unit], u64),
    threads: usize,
    keep_models: bool,
) -> DatasetEstimate {
    let mut runs: Vec<(Family, u64)> =
        units.iter().map(|u| (u.family, shape.unit_bytes(u))).collect();
    runs.sort_by_key(|r| std::cmp::Reverse(r.1));
    runs.truncate(threads.max(1));
    let in_flight_bytes = runs.iter().fold(0u64, |sum, r| sum.saturating_add(r.1));
    let kept_models = if keep_models {
        units.iter().fold(0u64, |sum, u| sum.saturating_add(shape.kept_model_bytes(u)))
    } else {
        0
    };
    let examples = shape.examples_bytes();
    let loading = shape.loading_bytes();
    let grid = plan_rows.saturating_mul(GRID_ROW_BYTES);
    let total = RUNNER_BYTES
        .saturating_add(grid)
        .saturating_add(examples)
        .saturating_add(loading.max(in_flight_bytes.saturating_add(kept_models)));
    DatasetEstimate {
        key,
        shape: shape.clone(),
        examples,
        loading,
        in_flight: runs,
        kept_models,
        grid,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malloc_rounding_and_example_bytes() {
        assert_eq!(allocated(0), 0);
        assert_eq!(allocated(88), 96);
        assert_eq!(allocated(8), 16);
        let e =
            SparseExample { ids: vec![1; 11], values: vec![1.0; 11], label: 1.0, true_prob: None };
        assert_eq!(example_bytes(&e), std::mem::size_of::<SparseExample>() as u64 + 96 + 96);
    }

    #[test]
    fn columns_are_bounded_by_groups_rows_and_nonzeros() {
        let shape = DataShape {
            name: "t".into(),
            n_train: 1000,
            n_other: 0,
            example_bytes: 100,
            active: 3,
            group_sizes: vec![Some(10), Some(1 << 40), None],
            dimension: 1 << 41,
            table_row_bytes: 0,
            fit_row_bytes: 0,
            sample_rows: 10,
            streamed: false,
            memory_cap: None,
        };
        assert_eq!(shape.columns(), 10 + 1000 + 1000);
        assert_eq!(shape.with_rows(2, 0).columns(), 6, "at most nnz");
        assert!(shape.batch_fit_bytes(10) > shape.batch_fit_bytes(1));
    }

    #[test]
    fn a_streamed_real_file_holds_its_other_rows_and_what_the_fit_keeps() {
        let held = DataShape {
            name: "f.csv".into(),
            n_train: 1000,
            n_other: 200,
            example_bytes: 100,
            active: 3,
            group_sizes: vec![None],
            dimension: 1 << 20,
            table_row_bytes: 80,
            fit_row_bytes: 32,
            sample_rows: 10,
            streamed: false,
            memory_cap: None,
        };
        assert_eq!(held.examples_bytes(), 1200 * 100);
        // The table (1,200 x 80) beats the distinct-feature count (3,000 x 24).
        assert_eq!(held.loading_bytes(), 96_000);
        let streamed = DataShape { streamed: true, ..held.clone() };
        assert_eq!(streamed.held_rows(), 200);
        assert_eq!(streamed.examples_bytes(), 200 * 100);
        // What the fit keeps (1,000 x 32) beats the other rows' table (200 x 80).
        assert_eq!(streamed.loading_bytes(), 32_000);
        let many_other = streamed.with_rows(1000, 1000);
        assert_eq!(many_other.loading_bytes(), 80_000, "the other rows' table dominates");
        // A batch fit collects the streamed split on top of its own bytes.
        assert_eq!(streamed.batch_fit_bytes(1), held.batch_fit_bytes(1) + 1000 * 100);
    }

    #[test]
    fn split_sizes_follow_fractions_and_ranges() {
        let spec: SplitSpec =
            toml::from_str("fractions = { train = 0.8, validation = 0.1, test = 0.1 }").unwrap();
        assert_eq!(split_sizes(&spec, 1000), (800, 200));
        let spec: SplitSpec =
            toml::from_str("ranges = { train = [0, 12000], validation = [12000, 17000] }").unwrap();
        assert_eq!(split_sizes(&spec, 17000), (12000, 5000));
        assert_eq!(split_sizes(&spec, 5000), (5000, 0));
    }
}
