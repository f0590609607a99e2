//! The result rows: one CSV schema shared with peers/online_peers.py (which appends the peers'
//! rows to ours), and the same rows as a plain-text table.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

/// One (tool, algorithm, penalty, lambda) result. Field order is the CSV's column order.
#[derive(Debug, Clone, Serialize)]
pub struct ResultRow {
    /// Number of numeric features (the cross has k^k cells).
    pub k: usize,
    /// `sparsecross`, `vw` or `sklearn`.
    pub tool: String,
    /// The update rule.
    pub algorithm: String,
    /// `l1` or `l2`.
    pub penalty: String,
    /// Strength on the common mean-loss scale (see the grid module).
    pub lambda: f64,
    /// The setting in the tool's own terms.
    pub setting: String,
    /// Passes over the training rows.
    pub passes: usize,
    /// Nonzero weights, bias excluded.
    pub nnz: u64,
    /// Test log loss (natural log, mean).
    pub test_log_loss: f64,
    /// Test ROC AUC, ties counted half.
    pub test_auc: f64,
    /// Best training time over the repeats.
    pub train_seconds: f64,
    /// `n_train * passes / train_seconds`.
    pub examples_per_second: f64,
    /// Time to turn the training file into the representation training starts from.
    pub load_seconds: f64,
    /// Test log loss of the true probabilities.
    pub bayes_log_loss: f64,
}

/// Writes `rows` as CSV with a header.
pub fn write_csv(path: &Path, rows: &[ResultRow]) -> Result<()> {
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
    for row in rows {
        writer.serialize(row).with_context(|| format!("writing {}", path.display()))?;
    }
    writer.flush().with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Header of the text table.
pub fn header() -> String {
    format!(
        "{:<11} {:<19} {:<3} {:>8} {:>8} {:>9} {:>7} {:>8} {:>10}",
        "tool", "algorithm", "pen", "lambda", "nnz", "logloss", "auc", "train_s", "examples/s"
    )
}

/// One row of the text table.
pub fn line(r: &ResultRow) -> String {
    format!(
        "{:<11} {:<19} {:<3} {:>8.0e} {:>8} {:>9.5} {:>7.4} {:>8.3} {:>10.0}",
        r.tool,
        r.algorithm,
        r.penalty,
        r.lambda,
        r.nnz,
        r.test_log_loss,
        r.test_auc,
        r.train_seconds,
        r.examples_per_second
    )
}
