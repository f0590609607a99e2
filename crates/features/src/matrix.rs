//! The batch solvers' view of a data set: a CSR matrix whose columns are only the features seen,
//! remapped to `0..m`, with the map back to global ids.

use rustc_hash::FxHashMap;
use sprs::CsMat;

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
    /// order (so the layout does not depend on example order). The CSR arrays are written
    /// directly (no triplet copy), so the peak is the matrix itself plus the id index.
    pub fn from_examples(examples: &[SparseExample]) -> Self {
        let mut columns: Vec<FeatureId> =
            examples.iter().flat_map(|e| e.ids.iter().copied()).collect();
        columns.sort_unstable();
        columns.dedup();
        columns.shrink_to_fit();
        let index: FxHashMap<FeatureId, usize> =
            columns.iter().enumerate().map(|(j, &id)| (id, j)).collect();
        let nnz = examples.iter().map(|e| e.ids.len()).sum();
        let mut indptr = Vec::with_capacity(examples.len() + 1);
        let mut indices = Vec::with_capacity(nnz);
        let mut data = Vec::with_capacity(nnz);
        let mut row: Vec<(usize, f64)> = Vec::new();
        indptr.push(0);
        for e in examples {
            let row_start = indices.len();
            row.clear();
            row.extend(e.features().map(|(id, v)| (index[&id], v)));
            // CSR wants sorted column indices per row; a duplicated id is summed, as a triplet
            // build would.
            row.sort_unstable_by_key(|&(j, _)| j);
            for &(j, v) in &row {
                if indices.len() > row_start && indices.last() == Some(&j) {
                    if let Some(last) = data.last_mut() {
                        *last += v;
                    }
                } else {
                    indices.push(j);
                    data.push(v);
                }
            }
            indptr.push(indices.len());
        }
        let shape = (examples.len(), columns.len());
        let x = CsMat::new(shape, indptr, indices, data);
        let true_prob = examples.iter().map(|e| e.true_prob).collect::<Option<Vec<f64>>>();
        Self { x, y: examples.iter().map(|e| e.label).collect(), true_prob, columns }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn example(ids: &[FeatureId], values: &[f64], label: f64) -> SparseExample {
        SparseExample { ids: ids.to_vec(), values: values.to_vec(), label, true_prob: None }
    }

    #[test]
    fn csr_matches_a_triplet_build_with_unsorted_and_repeated_ids() {
        let examples = vec![
            example(&[900, 7, 10_000_000_000], &[1.0, 2.0, 3.0], 1.0),
            example(&[], &[], 0.0),
            example(&[7, 7, 42], &[0.5, 0.25, -1.0], 0.0),
        ];
        let m = CompactMatrix::from_examples(&examples);
        assert_eq!(m.columns, vec![7, 42, 900, 10_000_000_000]);
        let mut tri = sprs::TriMat::new((3, 4));
        for (i, e) in examples.iter().enumerate() {
            for (id, v) in e.features() {
                tri.add_triplet(i, m.column_of(id).expect("seen"), v);
            }
        }
        let expected: CsMat<f64> = tri.to_csr();
        assert_eq!(m.x, expected);
        assert_eq!(m.x.get(2, 0), Some(&0.75));
        assert_eq!(m.y, vec![1.0, 0.0, 0.0]);
        assert_eq!(m.true_prob, None);
    }
}
