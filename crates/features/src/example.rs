//! The unit every learner consumes: the active feature ids of one example, their values and
//! the label.

/// A feature id in the global feature space (see the crate doc).
pub type FeatureId = u64;

/// One example: active features (ids with values, usually 1.0 for one-hots), the label and,
/// for synthetic data, the true probability of a positive label.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SparseExample {
    /// Active feature ids, no duplicates.
    pub ids: Vec<FeatureId>,
    /// Values of the active features, same length as `ids`.
    pub values: Vec<f64>,
    /// Label: 0 or 1 for classification, any real for squared loss.
    pub label: f64,
    /// The generator's true `P(label = 1)`, when known (synthetic data only).
    pub true_prob: Option<f64>,
}

impl SparseExample {
    /// Clears the example for reuse without freeing its buffers.
    pub fn clear(&mut self) {
        self.ids.clear();
        self.values.clear();
        self.label = 0.0;
        self.true_prob = None;
    }

    /// Adds one active feature.
    pub fn push(&mut self, id: FeatureId, value: f64) {
        self.ids.push(id);
        self.values.push(value);
    }

    /// Iterates over `(id, value)` pairs.
    pub fn features(&self) -> impl Iterator<Item = (FeatureId, f64)> + '_ {
        self.ids.iter().copied().zip(self.values.iter().copied())
    }
}
