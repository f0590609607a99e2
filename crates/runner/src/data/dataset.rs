//! The data set of one (k, seed): the three splits in memory (or, with `[data] stream`, the
//! validation and test splits in memory and the training split read again on every pass: the
//! generator's stream regenerated from its seed, or a real file's training rows), and what every
//! run on it shares (dimension, true support, Bayes scores, the number of distinct training
//! features, the training positive rate).

use features::{FeatureId, FeatureSpace, FeaturesError, SparseExample};
use optimizers::eval::{self, Metrics};
use optimizers::online::DistinctCounter;

use crate::data::train_stream::TrainStream;
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
    /// Where the training split is read on every pass, when it is streamed instead of held.
    pub train_stream: Option<TrainStream>,
    /// Validation split (lambda is chosen on it).
    pub validation: Vec<SparseExample>,
    /// Test split (reported metrics).
    pub test: Vec<SparseExample>,
    /// Ids carrying true signal, sorted (synthetic only; empty otherwise).
    pub true_support: Vec<FeatureId>,
    /// Scores of the true probabilities on the test split (synthetic only).
    pub bayes_test: Option<Metrics>,
    /// Fraction of positive training labels: the constant predictor the normalized
    /// log-likelihood is measured against (NaN without training rows).
    pub train_positive_rate: f64,
    /// Distinct feature ids in the training split (a HyperLogLog estimate, within about 1%,
    /// when the split is streamed: an exact count would hold every id).
    pub features_touched: u64,
    /// The fitted feature pipeline of real data (saved with models; `None` for synthetic data).
    pub pipeline: Option<features::real::FeaturePipeline>,
    /// What the loader warns about (columns with fewer buckets than asked).
    pub warnings: Vec<String>,
    /// The collisions of every hashed column and cross on the training split (empty without
    /// hashing), for `hash_stats.csv`.
    pub hash_stats: Vec<features::space::HashStats>,
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
            train_positive_rate: eval::positive_rate(&train),
            train_stream: None,
            train,
            validation,
            test,
            true_support,
            bayes_test,
            features_touched: ids.len() as u64,
            pipeline: None,
            warnings: Vec::new(),
            hash_stats: Vec::new(),
        }
    }

    /// A data set whose training split is read from `stream` on every pass: one pass here
    /// counts its distinct features in fixed memory (an error of that pass is the data set's).
    pub(crate) fn streamed(
        name: String,
        key: DatasetKey,
        space: FeatureSpace,
        stream: TrainStream,
        [validation, test]: [Vec<SparseExample>; 2],
        true_support: Vec<FeatureId>,
    ) -> Result<Self, FeaturesError> {
        let mut touched = DistinctCounter::new();
        let mut pass = stream.open()?;
        let mut example = SparseExample::default();
        let (mut positives, mut rows) = (0u64, 0u64);
        while pass.next_into(&mut example)? {
            example.ids.iter().for_each(|&id| touched.insert(id));
            positives += u64::from(example.label > 0.5);
            rows += 1;
        }
        drop(pass);
        let bayes_test = if test.is_empty() { None } else { eval::bayes(&test) };
        Ok(Self {
            name,
            key,
            space,
            train: Vec::new(),
            n_train: stream.len(),
            train_positive_rate: if rows == 0 { f64::NAN } else { positives as f64 / rows as f64 },
            true_support,
            train_stream: Some(stream),
            validation,
            test,
            bayes_test,
            features_touched: touched.estimate(),
            pipeline: None,
            warnings: Vec::new(),
            hash_stats: Vec::new(),
        })
    }

    /// The training split as held examples: the split itself, or one pass of the stream
    /// collected (for the fits that need it whole: batch solvers, refits).
    pub fn train_examples(&self) -> Result<std::borrow::Cow<'_, [SparseExample]>, FeaturesError> {
        Ok(match &self.train_stream {
            Some(stream) => std::borrow::Cow::Owned(stream.collect()?),
            None => std::borrow::Cow::Borrowed(&self.train),
        })
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
