//! The data set of one (k, seed): the three splits in memory (or, with `[data] stream`, the
//! validation and test splits in memory and the training split regenerated from its seed on
//! every pass), and what every run on it shares (dimension, true support, Bayes scores, the
//! number of distinct training features).

use std::path::PathBuf;

use features::synthetic::{SplitName, SyntheticProblem};
use features::{FeatureId, FeatureSpace, SparseExample};
use optimizers::eval::{self, Metrics};
use optimizers::online::DistinctCounter;

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
    /// Training split (empty when it is streamed, see `train_stream`).
    pub train: Vec<SparseExample>,
    /// Training examples (held or streamed).
    pub n_train: u64,
    /// The generator whose training stream of `n_train` rows is the training split, when the
    /// split is streamed instead of held.
    pub train_stream: Option<SyntheticProblem>,
    /// Validation split (lambda is chosen on it).
    pub validation: Vec<SparseExample>,
    /// Test split (reported metrics).
    pub test: Vec<SparseExample>,
    /// Ids carrying true signal, sorted (synthetic only; empty otherwise).
    pub true_support: Vec<FeatureId>,
    /// Scores of the true probabilities on the test split (synthetic only).
    pub bayes_test: Option<Metrics>,
    /// Distinct feature ids in the training split (a HyperLogLog estimate, within about 1%,
    /// when the split is streamed: an exact count would hold every id).
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
            n_train: train.len() as u64,
            train_stream: None,
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

    /// A data set whose training split is `n_train` rows of `problem`'s training stream,
    /// regenerated on every pass: one pass here counts its distinct features in fixed memory.
    pub(crate) fn streamed(
        key: DatasetKey,
        problem: SyntheticProblem,
        n_train: u64,
        validation: Vec<SparseExample>,
        test: Vec<SparseExample>,
    ) -> Self {
        let mut touched = DistinctCounter::new();
        let mut stream = problem.stream(SplitName::Train, n_train);
        let mut example = SparseExample::default();
        while stream.next_into(&mut example) {
            example.ids.iter().for_each(|&id| touched.insert(id));
        }
        let bayes_test = if test.is_empty() { None } else { eval::bayes(&test) };
        Self {
            name: "synthetic".to_string(),
            key,
            space: problem.space().clone(),
            train: Vec::new(),
            n_train,
            true_support: problem.true_support().to_vec(),
            train_stream: Some(problem),
            validation,
            test,
            bayes_test,
            features_touched: touched.estimate(),
            pipeline: None,
            warnings: Vec::new(),
        }
    }

    /// The training split as held examples: the split itself, or the stream collected (for the
    /// fits that need it whole: batch solvers).
    pub fn train_examples(&self) -> std::borrow::Cow<'_, [SparseExample]> {
        match &self.train_stream {
            Some(problem) => problem.stream(SplitName::Train, self.n_train).collect(),
            None => std::borrow::Cow::Borrowed(&self.train),
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
