//! The batch solvers' view of a data set: a CSR matrix whose columns are only the features seen,
//! remapped to `0..m`, with the map back to global ids.

use rustc_hash::FxHashMap;
use sprs::{CsMat, TriMat};

use crate::{FeatureId, SparseExample};

/// Rows are examples; column `j` is global feature `columns[j]`.
#[derive(Debug, Clone)]
pub struct CompactMatrix {
    /// `n x m` CSR matrix of feature values.
    pub x: CsMat<f64>,
    /// Labels, one per row.
    pub y: Vec<f64>,
    /// True probabilities per row, when every example carried one.
    pub true_prob: Option<Vec<f64>>,
    /// Global id of each column, sorted ascending.
    pub columns: Vec<FeatureId>,
}

impl CompactMatrix {
    /// Builds the matrix from examples, keeping only the features that occur, in ascending id
    /// order (so the layout does not depend on example order).
    pub fn from_examples(examples: &[SparseExample]) -> Self {
        let mut columns: Vec<FeatureId> =
            examples.iter().flat_map(|e| e.ids.iter().copied()).collect();
        columns.sort_unstable();
        columns.dedup();
        let index: FxHashMap<FeatureId, usize> =
            columns.iter().enumerate().map(|(j, &id)| (id, j)).collect();
        let nnz = examples.iter().map(|e| e.ids.len()).sum();
        let mut tri = TriMat::with_capacity((examples.len(), columns.len()), nnz);
        for (i, e) in examples.iter().enumerate() {
            for (id, v) in e.features() {
                tri.add_triplet(i, index[&id], v);
            }
        }
        let true_prob = examples.iter().map(|e| e.true_prob).collect::<Option<Vec<f64>>>();
        Self { x: tri.to_csr(), y: examples.iter().map(|e| e.label).collect(), true_prob, columns }
    }

    /// Column index of a global id, if that feature was seen.
    pub fn column_of(&self, id: FeatureId) -> Option<usize> {
        self.columns.binary_search(&id).ok()
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.x.rows()
    }

    /// Number of (seen) columns.
    pub fn n_cols(&self) -> usize {
        self.x.cols()
    }
}
