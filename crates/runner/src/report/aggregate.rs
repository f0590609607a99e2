//! Figures the summary and the plots share: the selected runs of each (k, regularizer,
//! optimizer) averaged over seeds, and the headline method of each regularizer at each k.

use std::collections::BTreeMap;

use crate::record::{self, RunRecord};

/// Mean and sample standard deviation of some values (NaNs skipped).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    /// Mean (NaN when there is no finite value).
    pub mean: f64,
    /// Sample standard deviation (0 with one value).
    pub sd: f64,
}

impl Stat {
    /// Statistics of the finite values.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return Self { mean: f64::NAN, sd: f64::NAN };
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let sd = if v.len() > 1 {
            (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        Self { mean, sd }
    }
}

/// Selected runs of one (k, regularizer, optimizer), over seeds.
#[derive(Debug, Clone)]
pub struct Cell {
    /// k (None for real data).
    pub k: Option<u32>,
    /// Regularizer kind.
    pub regularizer: String,
    /// Optimizer label.
    pub optimizer: String,
    /// Exact dimension.
    pub dimension: u64,
    /// Distinct training features (mean over seeds).
    pub features_touched: Stat,
    /// Nonzero weights.
    pub nonzero: Stat,
    /// Zero weights (exact for one seed; mean over seeds).
    pub zero: Stat,
    /// Sparse model bytes.
    pub model_bytes_sparse: Stat,
    /// Dense f32 bytes (exact).
    pub model_bytes_dense: u64,
    /// Optimizer state at its peak.
    pub train_state_bytes: Stat,
    /// Heap peak of the run's thread.
    pub peak_heap_bytes: Stat,
    /// Test accuracy.
    pub accuracy: Stat,
    /// Test log loss.
    pub log_loss: Stat,
    /// Test log loss of the selected run, per seed (for paired differences).
    pub log_loss_by_seed: BTreeMap<u64, f64>,
    /// Test ROC AUC.
    pub auc: Stat,
    /// Validation log loss (what selection looked at).
    pub validation_log_loss: Stat,
    /// Bayes test log loss.
    pub bayes_log_loss: Stat,
    /// Bayes test accuracy.
    pub bayes_accuracy: Stat,
    /// Support recall.
    pub support_recall: Stat,
    /// Chosen lambdas, one per seed in seed order.
    pub lambdas: Vec<f64>,
    /// `grid_edge` of each chosen run, by seed (same order as `lambdas`).
    pub edges: Vec<String>,
    /// Number of seeds with a selected run.
    pub seeds: usize,
    /// Runs of this cell (all lambdas, all seeds) that did not end `ok`.
    pub failed_runs: usize,
}

/// One cell per (k, regularizer, optimizer) with at least one selected run, sorted.
pub fn cells(rows: &[RunRecord]) -> Vec<Cell> {
    let mut groups: BTreeMap<(Option<u32>, String, String), Vec<&RunRecord>> = BTreeMap::new();
    for row in rows {
        groups
            .entry((row.k, row.regularizer.clone(), row.optimizer.clone()))
            .or_default()
            .push(row);
    }
    groups
        .into_iter()
        .filter_map(|((k, regularizer, optimizer), all)| {
            let mut sel: Vec<&RunRecord> = all.iter().copied().filter(|r| r.selected).collect();
            if sel.is_empty() {
                return None;
            }
            sel.sort_by_key(|r| r.seed);
            let stat = |f: fn(&RunRecord) -> f64| Stat::of(sel.iter().map(|r| f(r)));
            Some(Cell {
                k,
                regularizer,
                optimizer,
                dimension: sel[0].dimension,
                features_touched: stat(|r| r.features_touched as f64),
                nonzero: stat(|r| r.nonzero_weights as f64),
                zero: stat(|r| r.zero_weights as f64),
                model_bytes_sparse: stat(|r| r.model_bytes_sparse as f64),
                model_bytes_dense: sel[0].model_bytes_dense,
                train_state_bytes: stat(|r| r.train_state_bytes as f64),
                peak_heap_bytes: stat(|r| r.peak_heap_bytes as f64),
                accuracy: stat(|r| r.accuracy),
                log_loss: stat(|r| r.log_loss),
                log_loss_by_seed: sel.iter().map(|r| (r.seed, r.log_loss)).collect(),
                auc: stat(|r| r.auc),
                validation_log_loss: stat(|r| r.validation_log_loss),
                bayes_log_loss: stat(|r| r.bayes_log_loss),
                bayes_accuracy: stat(|r| r.bayes_accuracy),
                support_recall: stat(|r| r.support_recall),
                lambdas: sel.iter().map(|r| r.lambda).collect(),
                edges: sel.iter().map(|r| r.grid_edge.clone()).collect(),
                seeds: sel.len(),
                failed_runs: all.iter().filter(|r| r.status != record::STATUS_OK).count(),
            })
        })
        .collect()
}

/// Per (k, regularizer), the cell whose mean validation log loss is lowest: the method that
/// represents that regularizer in the story and the headline table (chosen on validation, like
/// lambda).
pub fn headline(cells: &[Cell]) -> Vec<&Cell> {
    let mut best: BTreeMap<(Option<u32>, &str), &Cell> = BTreeMap::new();
    for cell in cells {
        let key = (cell.k, cell.regularizer.as_str());
        let better = match best.get(&key) {
            None => true,
            Some(b) => cell.validation_log_loss.mean.total_cmp(&b.validation_log_loss.mean).is_lt(),
        };
        if better && cell.validation_log_loss.mean.is_finite() {
            best.insert(key, cell);
        }
    }
    best.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_skips_nan_and_uses_sample_sd() {
        let s = Stat::of([1.0, 3.0, f64::NAN]);
        assert_eq!(s.mean, 2.0);
        assert!((s.sd - 2f64.sqrt()).abs() < 1e-12);
        assert!(Stat::of([]).mean.is_nan());
    }
}
