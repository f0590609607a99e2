//! Streaming examples from the true model: O(k) state, one row at a time, reproducible bit for
//! bit from (seed, split).
//!
//! Row recipe, in draw order from the split's ChaCha stream:
//! 1. features: with `correlation = 0`, k independent uniforms `x_j` on `[0, 1)`; otherwise k
//!    standard normals `e_j` made into the AR(1) chain `z_0 = e_0`,
//!    `z_j = rho z_{j-1} + sqrt(1 - rho^2) e_j` (so `corr(z_i, z_j) = rho^|i-j|`, each `z_j`
//!    standard normal) and `x_j = Phi(z_j)` (the Gaussian copula: uniform marginals);
//! 2. bins: `bin_j = floor(x_j * bins)` (clamped to `bins - 1`); in the long-tail mode, the
//!    bin whose interval of the skewed bin law's CDF holds `x_j`, then one uniform per
//!    categorical field, its value the Zipf law's rank at that uniform;
//! 3. label: one more uniform `u`; `y = 1` iff `u < p` with
//!    `p = (1 - 2 noise) sigmoid(logit) + noise`, the probability after label flipping, which is
//!    what the example reports as `true_prob`.
//!
//! The Gaussian mode (see `gaussian`) draws its p correlated normals instead, writes them all as
//! the example's values (ids `0..p`) and takes its logit from the sparse coefficients.

use std::sync::Arc;

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::gaussian::GaussianModel;
use super::long_tail::ZipfTable;
use super::truth::TrueModel;
use crate::random as rng;
use crate::{FeatureSpace, SparseExample};

/// Which split a stream draws: each has its own ChaCha stream, so splits never share draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitName {
    /// Training rows.
    Train,
    /// Validation rows.
    Validation,
    /// Test rows.
    Test,
}

impl SplitName {
    /// ChaCha stream number (0 is the true model's).
    fn stream(self) -> u64 {
        match self {
            SplitName::Train => 1,
            SplitName::Validation => 2,
            SplitName::Test => 3,
        }
    }
}

/// Everything a stream needs, shared by all streams of one problem.
#[derive(Debug)]
pub(crate) struct Generator {
    pub(crate) k: usize,
    pub(crate) bins: usize,
    pub(crate) correlation: f64,
    pub(crate) label_noise: f64,
    pub(crate) seed: u64,
    pub(crate) model: TrueModel,
    pub(crate) space: FeatureSpace,
    /// Long-tail mode: the skewed bin law and the categorical values' law, and the fields.
    pub(crate) tail: Option<TailLaws>,
    /// Gaussian mode: the correlation and the sparse coefficients.
    pub(crate) gaussian: Option<GaussianModel>,
}

/// The long-tail mode's laws of the bins and of each categorical field's values.
#[derive(Debug, Clone)]
pub(crate) struct TailLaws {
    pub(crate) bins: ZipfTable,
    pub(crate) values: ZipfTable,
    pub(crate) fields: usize,
}

impl Generator {
    /// Columns of a row: k numeric, then the categorical fields.
    pub(crate) fn row_len(&self) -> usize {
        self.k + self.tail.as_ref().map_or(0, |t| t.fields)
    }

    /// Draws one row's features into `row` (`uniforms` is k long scratch space).
    pub(crate) fn draw_row(&self, rng: &mut ChaCha8Rng, uniforms: &mut [f64], row: &mut [u32]) {
        let rho = self.correlation;
        if rho == 0.0 {
            uniforms.iter_mut().for_each(|x| *x = rng::uniform(rng));
        } else {
            rng::fill_normals(rng, uniforms);
            let innovation = (1.0 - rho * rho).sqrt();
            let mut previous = uniforms[0];
            for z in &mut uniforms[1..] {
                *z = rho * previous + innovation * *z;
                previous = *z;
            }
            uniforms.iter_mut().for_each(|z| *z = rng::normal_cdf(*z));
        }
        let (numeric, categorical) = row.split_at_mut(self.k);
        match &self.tail {
            None => {
                let bins = self.bins;
                for (b, &x) in numeric.iter_mut().zip(uniforms.iter()) {
                    *b = ((x * bins as f64) as usize).min(bins - 1) as u32;
                }
            }
            Some(tail) => {
                for (b, &x) in numeric.iter_mut().zip(uniforms.iter()) {
                    *b = tail.bins.rank(x) as u32;
                }
                for v in categorical {
                    *v = tail.values.rank(rng::uniform(rng)) as u32;
                }
            }
        }
    }
}

/// An iterator over `n` examples of one split (see the module doc for how a row is drawn).
/// The first `m` rows of a stream of `n >= m` are the rows of a stream of `m`.
#[derive(Debug, Clone)]
pub struct SyntheticStream {
    generator: Arc<Generator>,
    rng: ChaCha8Rng,
    remaining: u64,
    uniforms: Vec<f64>,
    row: Vec<u32>,
    /// The Gaussian mode's normals (empty otherwise).
    scratch: Vec<f64>,
}

impl SyntheticStream {
    pub(crate) fn new(generator: Arc<Generator>, split: SplitName, n: u64) -> Self {
        let rng = rng::chacha(generator.seed, split.stream());
        let (k, len) = (generator.k, generator.row_len());
        let draws = generator.gaussian.as_ref().map_or(0, |g| g.draws_per_row(k));
        let (uniforms, row, scratch) = (vec![0.0; k], vec![0; len], vec![0.0; draws]);
        Self { generator, rng, remaining: n, uniforms, row, scratch }
    }

    /// Rows left.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// The bins (and categorical values) of the row [`Self::next_into`] drew last, one per
    /// column of the space.
    pub(crate) fn last_row(&self) -> &[u32] {
        &self.row
    }

    /// Writes the next example into `out`, reusing its buffers (no allocation once they are
    /// large enough); returns false when the stream is exhausted.
    pub fn next_into(&mut self, out: &mut SparseExample) -> bool {
        if self.remaining == 0 {
            return false;
        }
        self.remaining -= 1;
        let generator = &*self.generator;
        out.clear();
        let logit = match &generator.gaussian {
            None => {
                generator.draw_row(&mut self.rng, &mut self.uniforms, &mut self.row);
                generator.space.encode(&self.row, out);
                generator.model.logit(&self.row)
            }
            Some(gaussian) => {
                let z = &mut self.uniforms;
                let logit = gaussian.draw_row(&mut self.rng, &mut self.scratch, z);
                out.ids.extend(0..z.len() as u64);
                out.values.extend_from_slice(z);
                generator.model.bias() + logit
            }
        };
        let clean = sigmoid(logit);
        let p = (1.0 - 2.0 * generator.label_noise) * clean + generator.label_noise;
        out.label = if rng::uniform(&mut self.rng) < p { 1.0 } else { 0.0 };
        out.true_prob = Some(p);
        true
    }
}

impl Iterator for SyntheticStream {
    type Item = SparseExample;

    fn next(&mut self) -> Option<SparseExample> {
        // One id per group (p in the Gaussian mode, where each feature is a one-id group):
        // allocate each buffer once, at its final size.
        let groups = self.generator.space.groups().len();
        let mut example = SparseExample {
            ids: Vec::with_capacity(groups),
            values: Vec::with_capacity(groups),
            ..SparseExample::default()
        };
        self.next_into(&mut example).then_some(example)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = usize::try_from(self.remaining).unwrap_or(usize::MAX);
        (n, Some(n))
    }
}

#[inline]
pub(crate) fn sigmoid(t: f64) -> f64 {
    1.0 / (1.0 + (-t).exp())
}
