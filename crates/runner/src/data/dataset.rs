//! The data set of one (k, seed): the three splits in memory, and what every run on it shares
//! (dimension, true support, Bayes scores, the number of distinct training features).

use std::path::PathBuf;

use features::{FeatureId, FeatureSpace, SparseExample};
use optimizers::eval::{self, Metrics};

use crate::plan::DatasetKey;

/// One data set, ready for training.
#[derive(Debug)]
pub struct Dataset {
    /// `synthetic`, or the real file's stem.
    pub name: String,
    /// Which (k, seed) it is.
    pub key: DatasetKey,
    /// The feature space (dimension, id -> name for model export).
    pub space: FeatureSpace,
    /// Training split.
    pub train: Vec<SparseExample>,
    /// Validation split (lambda is chosen on it).
    pub validation: Vec<SparseExample>,
    /// Test split (reported metrics).
    pub test: Vec<SparseExample>,
    /// Ids carrying true signal, sorted (synthetic only; empty otherwise).
    pub true_support: Vec<FeatureId>,
    /// Scores of the true probabilities on the test split (synthetic only).
    pub bayes_test: Option<Metrics>,
    /// Distinct feature ids in the training split.
    pub features_touched: u64,
    /// The fitted feature pipeline of real data (saved with models; `None` for synthetic data).
    pub pipeline: Option<features::real::FeaturePipeline>,
    /// What the loader warns about (columns with fewer buckets than asked).
    pub warnings: Vec<String>,
}

/// Why a data set cannot be built this time (not an error of the spec).
#[derive(Debug)]
pub struct Unavailable {
    /// The missing file.
    pub file: PathBuf,
}

impl Dataset {
    /// A data set from its splits (train, validation, test): counts the distinct training
    /// features and scores the true probabilities on the test split.
    pub(crate) fn finish(
        name: String,
        key: DatasetKey,
        space: FeatureSpace,
        splits: [Vec<SparseExample>; 3],
        true_support: Vec<FeatureId>,
    ) -> Self {
        let [train, validation, test] = splits;
        let mut ids: Vec<FeatureId> = train.iter().flat_map(|e| e.ids.iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let bayes_test = if test.is_empty() { None } else { eval::bayes(&test) };
        Self {
            name,
            key,
            space,
            train,
            validation,
            test,
            true_support,
            bayes_test,
            features_touched: ids.len() as u64,
            pipeline: None,
            warnings: Vec::new(),
        }
    }

    /// Fraction of `ids` (sorted) in the true support, and of the true support in `ids`; NaN
    /// when the denominator is 0.
    pub fn support_recovery(&self, ids: &[FeatureId]) -> (f64, f64) {
        let hits = ids.iter().filter(|id| self.true_support.binary_search(id).is_ok()).count();
        let ratio =
            |num: usize, den: usize| if den == 0 { f64::NAN } else { num as f64 / den as f64 };
        (ratio(hits, ids.len()), ratio(hits, self.true_support.len()))
    }
}
