//! A trained sparse linear model: bias plus nonzero weights keyed by global feature id.

use features::{FeatureId, SparseExample};

use crate::LossKind;

/// Bytes one nonzero weight takes in a served sparse model: a `u64` feature id and an `f32`
/// weight, 12 bytes.
///
/// This is the project's one definition of *model bytes*: what a model needs once it is read out
/// for serving, a sorted array of `(id, weight)` pairs looked up by id. The id is a `u64` because
/// the crossed feature space is larger than `u32` (10^10 ids at k = 10); the weight is an `f32`
/// because serving needs no more precision than a dense `f32` vector has (the dense figure,
/// [`DENSE_ENTRY_BYTES`], uses the same width, so the two compare like for like). The bias
/// (one number) is not counted. What the *training* needs per coordinate (an `f64` state in a
/// hash table with its empty slots and control bytes) is a different quantity, reported
/// separately as training-state bytes.
pub const SPARSE_ENTRY_BYTES: u64 = 8 + 4;
/// Bytes one weight needs in a dense `f32` vector.
pub const DENSE_ENTRY_BYTES: u64 = 4;

/// Model bytes of a served sparse model with `nonzero` weights (see [`SPARSE_ENTRY_BYTES`]).
pub const fn sparse_model_bytes(nonzero: u64) -> u64 {
    nonzero.saturating_mul(SPARSE_ENTRY_BYTES)
}

/// The result every optimizer exports. Only exact nonzeros are kept.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LinearModel {
    /// Unregularized intercept.
    pub bias: f64,
    /// Nonzero weights sorted by id.
    pub weights: Vec<(FeatureId, f64)>,
    /// Loss the model was trained with (decides what `predict` returns).
    pub loss: LossKind,
}

impl LinearModel {
    /// Builds a model from `(id, weight)` pairs in any order, dropping exact zeros.
    pub fn new(
        bias: f64,
        weights: impl IntoIterator<Item = (FeatureId, f64)>,
        loss: LossKind,
    ) -> Self {
        let mut weights: Vec<(FeatureId, f64)> =
            weights.into_iter().filter(|&(_, w)| w != 0.0).collect();
        weights.sort_unstable_by_key(|&(id, _)| id);
        Self { bias, weights, loss }
    }

    /// Weight of one feature (0 if it is not stored).
    pub fn weight(&self, id: FeatureId) -> f64 {
        match self.weights.binary_search_by_key(&id, |&(i, _)| i) {
            Ok(k) => self.weights[k].1,
            Err(_) => 0.0,
        }
    }

    /// `b + w . x`.
    pub fn margin(&self, example: &SparseExample) -> f64 {
        self.bias + example.features().map(|(id, v)| self.weight(id) * v).sum::<f64>()
    }

    /// Probability (logistic) or value (squared).
    pub fn predict(&self, example: &SparseExample) -> f64 {
        self.loss.predict(self.margin(example))
    }

    /// Number of nonzero weights, bias excluded.
    pub fn nonzero(&self) -> u64 {
        self.weights.len() as u64
    }

    /// Model bytes: what the nonzero weights need served as `(u64 id, f32 weight)` pairs
    /// (see [`SPARSE_ENTRY_BYTES`]).
    pub fn sparse_bytes(&self) -> u64 {
        sparse_model_bytes(self.nonzero())
    }

    /// Whether every stored number is finite.
    pub fn is_finite(&self) -> bool {
        self.bias.is_finite() && self.weights.iter().all(|&(_, w)| w.is_finite())
    }
}
