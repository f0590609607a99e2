//! One row of `runs.csv`: everything measured about one (data set, regularizer, lambda,
//! optimizer, seed) run, and reading/writing the file.
//!
//! Rows are sorted by a key that does not depend on the order runs finished in, and floats are
//! written in their shortest round-trip form, so the same seeds give the same bytes with any
//! number of threads (the timing columns of [`TIMING_COLUMNS`] aside).

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// Columns whose values depend on the machine's load or on other runs in flight.
pub const TIMING_COLUMNS: &[&str] =
    &["peak_rss_bytes", "rss_before_bytes", "train_seconds", "examples_per_second"];

/// Status of a run that finished with finite weights.
pub const STATUS_OK: &str = "ok";
/// Status of a run whose weights or loss became NaN or infinite.
pub const STATUS_DIVERGED: &str = "diverged";
/// Status of a batch path point that hit its iteration cap before its tolerance.
pub const STATUS_NOT_CONVERGED: &str = "not_converged";
/// Status of a run stopped (online) or not started (batch) because its training state would
/// pass `[grid] memory_cap`; `message` says the examples and bytes reached. Not an error: the
/// growth is what such runs measure. Never selected.
pub const STATUS_MEMORY_EXCEEDED: &str = "memory_exceeded";
/// Status of a run the optimizer refused or failed (see `message`).
pub const STATUS_ERROR: &str = "error";

/// One run. Field order is column order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Experiment name.
    pub experiment: String,
    /// `synthetic` or the real data file's stem.
    pub dataset: String,
    /// k (features, bins per feature); empty for real data.
    pub k: Option<u32>,
    /// Size of the feature space (k^k cross plus the other groups), exact.
    pub dimension: u64,
    /// Training examples.
    pub n_train: u64,
    /// Test examples.
    pub n_test: u64,
    /// Distinct features present in the training split.
    pub features_touched: u64,
    /// Regularizer kind (`l2`, `l1`, `l0`, ...).
    pub regularizer: String,
    /// L2 convention (`tensorflow` or `keras`) of the penalty's L2 part.
    pub l2_convention: String,
    /// Regularization strength (for `iht`, the target support size).
    pub lambda: f64,
    /// Optimizer label.
    pub optimizer: String,
    /// Passes over the training split (fractional when trained for a number of steps).
    pub epochs: f64,
    /// Seed of the data and of the optimizer.
    pub seed: u64,
    /// Exact nonzero weights, bias excluded.
    pub nonzero_weights: u64,
    /// `dimension - nonzero_weights`, exact.
    pub zero_weights: u64,
    /// What a dense `f32` vector of the whole dimension would need (never allocated).
    pub model_bytes_dense: u64,
    /// Model bytes: what the nonzero weights need in a served sparse model, `(u64 id, f32
    /// weight)`, 12 bytes each (`optimizers::model::SPARSE_ENTRY_BYTES` says why).
    pub model_bytes_sparse: u64,
    /// Training-state bytes at their peak: for online optimizers the store's real allocation
    /// (hash-table slots of id and per-coordinate state, control bytes) plus the admission
    /// filter; for batch solvers the heap peak of the fit, CSR matrix included.
    pub train_state_bytes: u64,
    /// Heap peak of this run's thread during training (counting allocator, data set excluded).
    pub peak_heap_bytes: u64,
    /// Peak RSS of the process when the run ended (see `metadata.json` for how it was taken).
    pub peak_rss_bytes: u64,
    /// Wall time of training (online) or of the whole path (batch), in seconds.
    pub train_seconds: f64,
    /// Examples processed per second of training.
    pub examples_per_second: f64,
    /// Test accuracy.
    pub accuracy: f64,
    /// Test log loss (natural log).
    pub log_loss: f64,
    /// Test ROC AUC.
    pub auc: f64,
    /// Log loss of the true probabilities on the test split (synthetic only, else NaN).
    pub bayes_log_loss: f64,
    /// Accuracy of the true probabilities on the test split (synthetic only, else NaN).
    pub bayes_accuracy: f64,
    /// Fraction of nonzero weights that are in the true support (synthetic only).
    pub support_precision: f64,
    /// Fraction of the true support that has a nonzero weight (synthetic only).
    pub support_recall: f64,
    /// `ok`, `diverged`, `not_converged` or `error`.
    pub status: String,
    /// Whether this run's lambda was chosen on the validation split for its group.
    pub selected: bool,
    /// Validation examples.
    pub n_validation: u64,
    /// Validation log loss (lambda is chosen on the validation split).
    pub validation_log_loss: f64,
    /// Validation accuracy.
    pub validation_accuracy: f64,
    /// Validation ROC AUC.
    pub validation_auc: f64,
    /// Test mean squared error of the prediction (the metric of squared loss).
    pub mse: f64,
    /// Validation mean squared error.
    pub validation_mse: f64,
    /// `online` or `batch`.
    pub family: String,
    /// The optimizer's algorithm name (the label may differ).
    pub optimizer_kind: String,
    /// The penalty the optimizer was given (differs from `regularizer` when the spec overrides
    /// it, e.g. FTRL with L1 and count admission as an L0 heuristic).
    pub penalty: String,
    /// Mini-batch size (online; 0 for batch).
    pub batch_size: u64,
    /// Learning-rate schedule (online; empty for batch).
    pub schedule: String,
    /// Feature admission (online; empty for batch).
    pub admission: String,
    /// Solver iterations at this lambda (batch; 0 for online).
    pub iterations: u64,
    /// Maximal KKT violation at the end (batch; NaN for online).
    pub kkt_violation: f64,
    /// Duality gap at the end (batch, when the solver computes one; else NaN).
    pub duality_gap: f64,
    /// Size of the generator's true support (synthetic only).
    pub true_support_size: u64,
    /// Identifier made of every grid parameter; resume reuses a row with this id when its code
    /// and data fingerprints match too.
    pub run_id: String,
    /// Why a run failed or diverged (empty when ok).
    pub message: String,
    /// The bucket count of the hashed crosses when the grid varies it (`[grid] hash_buckets`:
    /// a number, or `exact`); empty otherwise (`default` reads files written before it).
    #[serde(default)]
    pub hash_buckets: String,
    // Click-log scores (before the search columns; `default` reads files written before them).
    /// Log loss on the training split itself (logistic, held training split; NaN when it is
    /// streamed: scoring it would cost a pass).
    #[serde(default = "nan")]
    pub train_log_loss: f64,
    /// Normalized log-likelihood on the training split: `1 - train_log_loss` over the log loss
    /// of the constant predictor at the training split's positive rate
    /// (`optimizers::eval::normalized_log_likelihood`).
    #[serde(default = "nan")]
    pub train_nll: f64,
    /// The same on the validation split (the constant is still the training rate).
    #[serde(default = "nan")]
    pub validation_nll: f64,
    /// The same on the test split.
    #[serde(default = "nan")]
    pub nll: f64,
    // Lambda search (before the provenance columns; `default` reads files written before them).
    /// Where the run's lambda came from: `grid` (the spec), `edge_search` (added past an edge
    /// of the grid because the choice landed there) or `budget_search` (tried to find the best
    /// model within `[selection] budget`).
    #[serde(default = "origin_grid")]
    pub origin: String,
    /// On the selected row of a group, where its lambda lies among the group's: `none`
    /// (interior), `low` or `high` (an edge, not searched past), `bound` (an edge that is a
    /// natural bound: lambda 0, a model with no weights, a support of 1 or of every feature) or
    /// `cap` (still an edge after the search's last step). Empty on other rows.
    #[serde(default)]
    pub grid_edge: String,
    /// Whether this row is the best model of its group within `[selection] budget`.
    #[serde(default)]
    pub budget_selected: bool,
    // Provenance (appended last, so the columns before keep their positions; `default` lets a
    // `runs.csv` written before them be read, its rows then count as made by unknown code).
    /// Fingerprint of the code that computed the row (`provenance::CODE_VERSION` of its build).
    #[serde(default)]
    pub code_version: String,
    /// Git commit of that build, or `unknown` (for humans; resume looks at `code_version`).
    #[serde(default)]
    pub git_commit: String,
    /// Whether that build's fingerprinted code had uncommitted changes: `true`, `false` or
    /// `unknown`.
    #[serde(default)]
    pub git_dirty: String,
    /// Fingerprint of the data set: the file's bytes with its `[data.real]` table and the seed,
    /// or the generator configuration with k, the seed and the split sizes.
    #[serde(default)]
    pub data_fingerprint: String,
    /// Whether the row was kept although its code or data fingerprint differs from the run that
    /// kept it (`--reuse-stale`, or a real data file that is missing and cannot be checked).
    #[serde(default)]
    pub stale: bool,
    // Appended after the provenance columns, so every column before keeps its position.
    /// The process's RSS when its peak was reset before the run (one thread): what it already
    /// held (data sets, memory the allocator kept from earlier runs), so `peak_rss_bytes` minus
    /// this is the run's own growth ([`RunRecord::rss_growth_bytes`]). Empty when the peak was
    /// not reset (several threads) and in files written before it.
    #[serde(default)]
    pub rss_before_bytes: Option<u64>,
}

/// The provenance columns, last in `runs.csv`; a file written before them lacks exactly these.
pub const PROVENANCE_COLUMNS: &[&str] =
    &["code_version", "git_commit", "git_dirty", "data_fingerprint", "stale"];

/// The column after the provenance columns, the newest; a file written before it lacks exactly
/// this.
pub const RSS_COLUMNS: &[&str] = &["rss_before_bytes"];

/// The grid columns added after `message`, just before the score columns; a file written
/// before them lacks exactly these.
pub const GRID_COLUMNS: &[&str] = &["hash_buckets"];

/// The click-log score columns, just before the search columns; a file written before them
/// lacks exactly these.
pub const SCORE_COLUMNS: &[&str] = &["train_log_loss", "train_nll", "validation_nll", "nll"];

/// The lambda-search columns, just before the provenance columns; a file written before them
/// lacks exactly these.
pub const SEARCH_COLUMNS: &[&str] = &["origin", "grid_edge", "budget_selected"];

/// `origin` of a row whose lambda the spec lists.
pub const ORIGIN_GRID: &str = "grid";
/// `origin` of a row added past an edge of its grid.
pub const ORIGIN_EDGE_SEARCH: &str = "edge_search";
/// `origin` of a row added by the budget search.
pub const ORIGIN_BUDGET_SEARCH: &str = "budget_search";

fn origin_grid() -> String {
    ORIGIN_GRID.to_string()
}

fn nan() -> f64 {
    f64::NAN
}

/// Whether `found` is this version's header or one of an earlier version that is still read.
pub(crate) fn is_known_header(found: &[String]) -> bool {
    let current = header();
    found == current.as_slice() || older_headers(&current).iter().any(|h| found == h.as_slice())
}

/// The text a column that an earlier version did not write is read as (what its serde
/// default gives).
pub(crate) fn missing_column_text(column: &str) -> &'static str {
    match column {
        "origin" => ORIGIN_GRID,
        "stale" | "budget_selected" => "false",
        c if SCORE_COLUMNS.contains(&c) => "NaN",
        _ => "",
    }
}

/// The headers of earlier versions that are still read, newest first: before the RSS baseline
/// column, before the grid columns too, before the score columns too, before the search
/// columns too, and before the provenance columns as well.
fn older_headers(current: &[String]) -> Vec<Vec<String>> {
    let without = |header: &[String], dropped: &[&str]| -> Vec<String> {
        header.iter().filter(|c| !dropped.contains(&c.as_str())).cloned().collect()
    };
    let without_rss = without(current, RSS_COLUMNS);
    let without_grid = without(&without_rss, GRID_COLUMNS);
    let without_scores = without(&without_grid, SCORE_COLUMNS);
    let without_search = without(&without_scores, SEARCH_COLUMNS);
    let without_provenance = without(&without_search, PROVENANCE_COLUMNS);
    vec![without_rss, without_grid, without_scores, without_search, without_provenance]
}

/// The CSV header, in column order.
pub fn header() -> Vec<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Serializing a struct writes its header first; one dummy row is enough to get it.
    let _ = writer.serialize(RunRecord::placeholder());
    let bytes = writer.into_inner().unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).to_string();
    text.lines().next().unwrap_or_default().split(',').map(str::to_string).collect()
}

impl RunRecord {
    /// A record with every field empty or zero (a starting point that callers fill in).
    pub fn placeholder() -> Self {
        Self {
            experiment: String::new(),
            dataset: String::new(),
            k: None,
            dimension: 0,
            n_train: 0,
            n_test: 0,
            features_touched: 0,
            regularizer: String::new(),
            l2_convention: String::new(),
            lambda: f64::NAN,
            optimizer: String::new(),
            epochs: 0.0,
            seed: 0,
            nonzero_weights: 0,
            zero_weights: 0,
            model_bytes_dense: 0,
            model_bytes_sparse: 0,
            train_state_bytes: 0,
            peak_heap_bytes: 0,
            peak_rss_bytes: 0,
            train_seconds: f64::NAN,
            examples_per_second: f64::NAN,
            accuracy: f64::NAN,
            log_loss: f64::NAN,
            auc: f64::NAN,
            bayes_log_loss: f64::NAN,
            bayes_accuracy: f64::NAN,
            support_precision: f64::NAN,
            support_recall: f64::NAN,
            status: STATUS_OK.to_string(),
            selected: false,
            n_validation: 0,
            validation_log_loss: f64::NAN,
            validation_accuracy: f64::NAN,
            validation_auc: f64::NAN,
            mse: f64::NAN,
            validation_mse: f64::NAN,
            family: String::new(),
            optimizer_kind: String::new(),
            penalty: String::new(),
            batch_size: 0,
            schedule: String::new(),
            admission: String::new(),
            iterations: 0,
            kkt_violation: f64::NAN,
            duality_gap: f64::NAN,
            true_support_size: 0,
            run_id: String::new(),
            message: String::new(),
            hash_buckets: String::new(),
            train_log_loss: f64::NAN,
            train_nll: f64::NAN,
            validation_nll: f64::NAN,
            nll: f64::NAN,
            origin: ORIGIN_GRID.to_string(),
            grid_edge: String::new(),
            budget_selected: false,
            code_version: String::new(),
            git_commit: String::new(),
            git_dirty: String::new(),
            data_fingerprint: String::new(),
            stale: false,
            rss_before_bytes: None,
        }
    }

    /// Whether the run produced a usable model.
    pub fn is_usable(&self) -> bool {
        self.status == STATUS_OK || self.status == STATUS_NOT_CONVERGED
    }

    /// The group within which one lambda is selected ([`SelectionGroup`]).
    pub fn selection_group(&self) -> SelectionGroup {
        (
            self.dataset.clone(),
            self.k,
            crate::spec::hash_grid::HashBuckets::parse(&self.hash_buckets),
            self.regularizer.clone(),
            self.optimizer.clone(),
            self.seed,
        )
    }
}

/// (dataset, k, bucket count, regularizer, optimizer, seed): the runs one lambda is chosen among.
pub type SelectionGroup =
    (String, Option<u32>, Option<crate::spec::hash_grid::HashBuckets>, String, String, u64);

/// The order of `runs.csv`: (dataset, k, bucket count, regularizer, optimizer, seed, lambda, training rows,
/// run id), an order that depends only on the grid, never on which thread finished first.
pub fn compare_rows(a: &RunRecord, b: &RunRecord) -> std::cmp::Ordering {
    a.selection_group()
        .cmp(&b.selection_group())
        .then(a.lambda.total_cmp(&b.lambda))
        .then(a.n_train.cmp(&b.n_train))
        .then_with(|| a.run_id.cmp(&b.run_id))
}

/// Sorts rows in the order of [`compare_rows`].
pub fn sort_rows(rows: &mut [RunRecord]) {
    rows.sort_by(compare_rows);
}

/// Renders rows as CSV text (header included).
pub fn to_csv(rows: &[RunRecord]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if rows.is_empty() {
        writer.write_record(header())?;
    }
    for row in rows {
        writer.serialize(row)?;
    }
    writer.into_inner().map_err(|e| anyhow::anyhow!("cannot render runs.csv: {e}"))
}

/// Reads an existing `runs.csv` (for resume). A missing file is an empty list; an empty file
/// (0 bytes) is an error that says what to do. A file written before the provenance columns
/// existed (the same header without [`PROVENANCE_COLUMNS`]) is read with those fields empty; a
/// file whose header differs otherwise is an error that says to move it away.
pub fn read_csv(path: &Path) -> anyhow::Result<Vec<RunRecord>> {
    read_rows(path, 0)
}

/// Reads rows from `path` whose header is this version's (or the one before the provenance
/// columns) followed by `extra` more columns, which are ignored (the archive's).
pub(crate) fn read_rows(path: &Path, extra: usize) -> anyhow::Result<Vec<RunRecord>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    if std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0) {
        anyhow::bail!(
            "{} is empty (0 bytes, not even a header), so there is nothing to resume from; \
             delete it, or run with --fresh to redo every run and rewrite it",
            path.display()
        );
    }
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("cannot read {} (to resume)", path.display()))?;
    let found: Vec<String> = reader
        .headers()
        .with_context(|| format!("cannot read the header of {}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let known = found.len() >= extra && is_known_header(&found[..found.len() - extra]);
    if !known {
        anyhow::bail!(
            "{} was written with other columns than this version writes; move it away to start afresh",
            path.display()
        );
    }
    let mut rows = Vec::new();
    for (i, row) in reader.deserialize().enumerate() {
        let row: RunRecord =
            row.with_context(|| format!("{}: row {} cannot be read", path.display(), i + 2))?;
        rows.push(row);
    }
    Ok(rows)
}

/// Suffix of the run id of a refit row: the selected run's configuration retrained on train +
/// validation (`[selection] refit = true`).
pub const REFIT_SUFFIX: &str = "-refit";

impl RunRecord {
    /// Whether this row is a refit of a selected run (see [`REFIT_SUFFIX`]).
    pub fn is_refit(&self) -> bool {
        self.run_id.ends_with(REFIT_SUFFIX)
    }

    /// How far the process's RSS rose above its level before the run: the run's own resident
    /// memory; `None` when the peak was not reset before it.
    pub fn rss_growth_bytes(&self) -> Option<u64> {
        self.rss_before_bytes.map(|before| self.peak_rss_bytes.saturating_sub(before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_starts_with_the_documented_columns() {
        let expected = "experiment,dataset,k,dimension,n_train,n_test,features_touched,regularizer,\
            l2_convention,lambda,optimizer,epochs,seed,nonzero_weights,zero_weights,model_bytes_dense,\
            model_bytes_sparse,train_state_bytes,peak_heap_bytes,peak_rss_bytes,train_seconds,\
            examples_per_second,accuracy,log_loss,auc,bayes_log_loss,bayes_accuracy,\
            support_precision,support_recall,status";
        let header = header().join(",");
        assert!(header.starts_with(expected), "{header}");
    }

    #[test]
    fn provenance_columns_come_last_after_the_search_columns() {
        let header = header();
        assert_eq!(&header[header.len() - RSS_COLUMNS.len()..], RSS_COLUMNS);
        let n = header.len() - RSS_COLUMNS.len();
        assert_eq!(&header[n - PROVENANCE_COLUMNS.len()..n], PROVENANCE_COLUMNS);
        let search = n - PROVENANCE_COLUMNS.len() - SEARCH_COLUMNS.len();
        assert_eq!(&header[search..n - PROVENANCE_COLUMNS.len()], SEARCH_COLUMNS);
        let scores = search - SCORE_COLUMNS.len();
        assert_eq!(&header[scores..search], SCORE_COLUMNS);
        let grid = scores - GRID_COLUMNS.len();
        assert_eq!(&header[grid..scores], GRID_COLUMNS);
        assert_eq!(header[grid - 1], "message");
    }

    /// Writes `row` as a file of an earlier version: without the columns `dropped`.
    fn write_without(path: &Path, row: RunRecord, dropped: &[&str]) {
        let text = String::from_utf8(to_csv(&[row]).unwrap()).unwrap();
        let names = header();
        // No field of the rows written here holds a comma.
        let old: String = text
            .lines()
            .map(|l| {
                let fields: Vec<&str> = l
                    .split(',')
                    .zip(&names)
                    .filter(|(_, name)| !dropped.contains(&name.as_str()))
                    .map(|(f, _)| f)
                    .collect();
                format!("{}\n", fields.join(","))
            })
            .collect();
        std::fs::write(path, old).unwrap();
    }

    #[test]
    fn a_file_from_before_the_provenance_columns_is_read_with_them_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut row = RunRecord::placeholder();
        row.run_id = "r1".into();
        row.code_version = "0123456789abcdef".into();
        row.stale = true;
        row.grid_edge = "cap".into();
        let path = dir.path().join("runs.csv");
        let all: Vec<&str> =
            [RSS_COLUMNS, GRID_COLUMNS, SCORE_COLUMNS, SEARCH_COLUMNS, PROVENANCE_COLUMNS].concat();
        write_without(&path, row.clone(), &all);
        let back = read_csv(&path).unwrap();
        assert_eq!(back[0].run_id, "r1");
        assert_eq!(back[0].code_version, "");
        assert!(!back[0].stale);
        assert_eq!((back[0].origin.as_str(), back[0].grid_edge.as_str()), (ORIGIN_GRID, ""));
        // Only the provenance columns dropped is no layout this project ever wrote.
        write_without(&path, row, &[RSS_COLUMNS, GRID_COLUMNS, PROVENANCE_COLUMNS].concat());
        assert!(read_csv(&path).unwrap_err().to_string().contains("other columns"));
        std::fs::write(&path, "a,b\n1,2\n").unwrap();
        assert!(read_csv(&path).unwrap_err().to_string().contains("other columns"));
    }

    #[test]
    fn a_file_from_before_the_search_columns_is_read_as_grid_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut row = RunRecord::placeholder();
        row.run_id = "r2".into();
        row.code_version = "0123456789abcdef".into();
        row.origin = ORIGIN_EDGE_SEARCH.into();
        row.budget_selected = true;
        let path = dir.path().join("runs.csv");
        let dropped = [RSS_COLUMNS, GRID_COLUMNS, SCORE_COLUMNS, SEARCH_COLUMNS].concat();
        write_without(&path, row, &dropped);
        let back = read_csv(&path).unwrap();
        assert_eq!(back[0].code_version, "0123456789abcdef");
        assert_eq!(back[0].origin, ORIGIN_GRID);
        assert!(!back[0].budget_selected);
    }

    #[test]
    fn a_file_from_before_the_score_columns_is_read_with_them_nan() {
        let dir = tempfile::tempdir().unwrap();
        let mut row = RunRecord::placeholder();
        row.run_id = "r3".into();
        row.nll = 0.06;
        row.budget_selected = true;
        let path = dir.path().join("runs.csv");
        write_without(&path, row.clone(), &[RSS_COLUMNS, GRID_COLUMNS, SCORE_COLUMNS].concat());
        let back = read_csv(&path).unwrap();
        assert!(back[0].nll.is_nan() && back[0].train_log_loss.is_nan());
        // The layout just before the grid columns: every committed report before them.
        write_without(&path, row.clone(), &[RSS_COLUMNS, GRID_COLUMNS].concat());
        assert_eq!(read_csv(&path).unwrap()[0].hash_buckets, "");
        // Just before the RSS baseline: every committed report before it.
        let mut measured = row;
        measured.rss_before_bytes = Some(5 << 20);
        write_without(&path, measured.clone(), RSS_COLUMNS);
        assert_eq!(read_csv(&path).unwrap()[0].rss_before_bytes, None);
        write_without(&path, measured, &[]);
        assert_eq!(read_csv(&path).unwrap()[0].rss_before_bytes, Some(5 << 20));
        assert!(back[0].budget_selected);
    }

    #[test]
    fn an_empty_file_is_named_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.csv");
        std::fs::write(&path, "").unwrap();
        let message = format!("{:#}", read_csv(&path).unwrap_err());
        assert!(message.contains("runs.csv is empty") && message.contains("--fresh"), "{message}");
        assert!(!message.contains("other columns"), "{message}");
    }

    #[test]
    fn rows_round_trip_through_csv_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut row = RunRecord::placeholder();
        row.k = Some(10);
        row.dimension = 10_000_000_000;
        row.zero_weights = 10_000_000_000 - 7;
        row.log_loss = 0.123_456_789_012_345_67;
        let bytes = to_csv(&[row.clone()]).unwrap();
        let path = dir.path().join("runs.csv");
        std::fs::write(&path, &bytes).unwrap();
        let back = read_csv(&path).unwrap();
        assert_eq!(to_csv(&back).unwrap(), bytes);
        assert_eq!(back[0].zero_weights, 9_999_999_993);
    }
}
